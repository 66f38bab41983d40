"""Contrasts within outlets, pooled (Fightin' Words per outlet, inverse-variance weights, Cochran's Q), and the
design every contrast reports."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest

from nlp.documents import DocumentTerms, GroupError
from nlp.tendencies.contrast import contrast, weighted_log_odds
from nlp.tendencies.stratified import pooled_log_odds

FILLER = [f"word{i}" for i in range(60)]


def house_style_corpus(seed: int = 0) -> DocumentTerms:
    """Two outlets that publish both sides, each stamping its own house words on every article, in unequal
    mixes (x: 30 soft / 10 hard, y: 10 soft / 30 hard). Soft writers use "pluralism" wherever they write."""
    rng = random.Random(seed)
    terms, labels, outlets = [], [], []
    for outlet, mix in (("x", {"soft": 30, "hard": 10}), ("y", {"soft": 10, "hard": 30})):
        for label, n in mix.items():
            for _ in range(n):
                doc = rng.choices(FILLER, k=60) + [f"{outlet}house", f"{outlet}desk"]
                if label == "soft":
                    doc += ["pluralism"] * rng.randint(1, 3)
                terms.append(doc)
                labels.append(label)
                outlets.append(outlet)
    return DocumentTerms.from_terms(terms, labels=labels, outlets=outlets)


def test_one_stratum_pooled_is_the_plain_contrast():
    rng = np.random.default_rng(0)
    ya, yb = rng.integers(0, 20, 50), rng.integers(0, 20, 50)
    counts = lambda y: {f"t{i:02d}": int(c) for i, c in enumerate(y) if c}  # noqa: E731
    vocab, delta, z = weighted_log_odds(counts(ya), counts(yb))
    keep = (ya + yb) > 0
    pooled, var, pz, q = pooled_log_odds(ya[keep][None], yb[keep][None], 0.1)
    assert np.allclose(pooled, delta) and np.allclose(pz, z) and np.allclose(q, 0)
    assert np.allclose(var, (delta / z) ** 2)


def test_pooling_is_inverse_variance_weighted_with_cochrans_q():
    rng = np.random.default_rng(1)
    ya, yb = rng.integers(0, 30, (3, 40)), rng.integers(0, 30, (3, 40))
    shape = ya.sum(axis=0) + yb.sum(axis=0)
    deltas, variances = [], []
    for s in range(3):  # each stratum by the plain contrast, with the shared prior shape at its own size
        counts = lambda y: {f"t{i:02d}": int(c) for i, c in enumerate(y)}  # noqa: E731
        _, d, z = weighted_log_odds(counts(ya[s]), counts(yb[s]), prior=counts(shape), alpha0=0.1 * (ya[s].sum() + yb[s].sum()))
        deltas.append(d)
        variances.append((d / z) ** 2)
    w = 1 / np.array(variances)
    expected = (w * deltas).sum(axis=0) / w.sum(axis=0)
    delta, var, z, q = pooled_log_odds(ya, yb, 0.1)
    assert np.allclose(delta, expected) and np.allclose(var, 1 / w.sum(axis=0))
    assert np.allclose(z, expected / np.sqrt(1 / w.sum(axis=0)))
    assert np.allclose(q, (w * (np.array(deltas) - expected) ** 2).sum(axis=0))


def test_within_outlets_the_house_words_drop_out_and_the_faction_word_stays():
    docs = house_style_corpus()  # (its house words are outlet markers too: kept here, to see pooling alone)
    across = contrast(docs, "soft", "hard", top=5, bootstrap=0, within="none", keep_markers=True)
    assert {"xhouse", "xdesk"} <= {t.term for t in across.terms_a}  # the mix of outlets, read as a faction
    assert across.caveats and across.caveats[0].startswith("soft and hard share outlets (x, y), but this comparison")
    within = contrast(docs, "soft", "hard", top=5, bootstrap=10, seed=1, keep_markers=True)  # auto: shared outlets
    assert within.design["within"] == "outlet" and within.design["chosen"] == "auto" and within.caveats == []
    assert [s["outlet"] for s in within.design["strata"]] == ["x", "y"] and within.params["q_df"] == 1
    terms = {t.term for t in within.terms_a + within.terms_b}
    assert within.terms_a[0].term == "pluralism" and within.terms_a[0].stability >= 0.8
    assert not terms & {"xhouse", "xdesk", "yhouse", "ydesk"}
    assert within.terms_a[0].q is not None and within.to_dict()["terms_a"][0]["q"] == within.terms_a[0].q


def test_outlets_of_their_own_get_outlet_counts_and_refuse_a_within_comparison():
    rng = random.Random(2)
    outlets = ["guardian", "mirror"] * 10 + [f"paper{i}" for i in range(6)] * 4
    labels = ["left"] * 20 + ["right"] * 24
    docs = DocumentTerms.from_terms([rng.choices(FILLER, k=30) for _ in labels], labels=labels, outlets=outlets)
    result = contrast(docs, "left", "right", top=5, bootstrap=0)
    d = result.to_dict()
    assert d["design"]["unit"] == "outlet" and (d["design"]["n_outlets_a"], d["design"]["n_outlets_b"]) == (2, 6)
    assert d["caveats"][0].startswith("left comes from 2 outlets (guardian, mirror) and right from 6")
    assert "only 28 ways to split these 8 outlets 2 against 6" in d["caveats"][0]
    with pytest.raises(GroupError, match="No outlet publishes at least 2 articles of both 'left' and 'right'"):
        contrast(docs, "left", "right", within="outlet")


def test_contrast_within_on_the_command_line(run_cli, db):
    from corpus import Article, CorpusStore

    docs = house_style_corpus()
    store = CorpusStore(db)
    store.add_many([Article(outlet=o, text=" ".join(t), title=f"{o} {i}", label=label, source="imported")
                    for i, (o, t, label) in enumerate(zip(docs.outlets, docs, docs.labels))])
    store.close()
    r = run_cli("contrast", "soft", "hard", "--within", "outlet", "--bootstrap", "0", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["design"]["within"] == "outlet" and out["design"]["chosen"] == "forced"
    assert all("q" in row for row in out["terms_a"] + out["terms_b"])
    r = run_cli("contrast", "x", "y", "--by", "outlet", "--within", "outlet")
    assert r.exit_code == 2
    assert r.stderr.endswith("Error: Outlets cannot be compared within outlets: use --within none (or auto) with "
                             "--by outlet, or another --by\n")
