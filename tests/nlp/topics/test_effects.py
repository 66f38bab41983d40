"""Tendency effects adjusted for date, era topics, and (on real text) stability and eras of the manifestos."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlp.documents import DocumentTerms, GroupError
from nlp.errors import InvalidParameterError, NlpError
from nlp.topics.effects import OTHER, decimal_year, era_topics, topic_effects

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "uk-manifestos" / "manifestos.jsonl"


def synthetic(n_per_author: int = 8, seed: int = 3, outlets_cross: bool = True):
    """240 documents by 30 authors (10 per tendency), dated 2000-2020 independently of tendency.

    Topic 0 rises with date only, topic 1 is 0.2 higher in tendency B only, topic 2 is the rest.
    """
    rng = np.random.default_rng(seed)
    tendencies = ["A", "B", "C"]
    labels, authors, published, outlets = [], [], [], []
    for a in range(30):
        for _ in range(n_per_author):
            labels.append(tendencies[a % 3])
            authors.append((f"author{a}",))
            published.append(f"{rng.integers(2000, 2021)}-{rng.integers(1, 13):02d}-15")
            outlets.append(f"outlet{rng.integers(0, 3)}" if outlets_cross else f"outlet-{tendencies[a % 3]}")
    years = np.array([decimal_year(p) for p in published])
    t0 = 0.05 + 0.4 / (1 + np.exp(-(years - 2010) / 2)) + rng.normal(0, 0.03, len(years))
    t1 = 0.10 + 0.2 * (np.array(labels) == "B") + rng.normal(0, 0.03, len(years))
    t0, t1 = np.clip(t0, 0.01, None), np.clip(t1, 0.01, None)
    theta = np.column_stack([t0, t1, np.clip(1 - t0 - t1, 0.01, None)])
    theta /= theta.sum(axis=1, keepdims=True)
    docs = DocumentTerms.from_terms([["word"] * 200 for _ in labels], labels=labels, authors=authors,
                                    published=published, outlets=outlets)
    return docs, theta


@pytest.fixture(scope="module")
def data():
    return synthetic()


def test_decimal_year():
    assert decimal_year("1997") == 1997.0
    assert decimal_year("1997-07") == pytest.approx(1997.54, abs=0.01)
    assert decimal_year("1997-01-01") == 1997.0
    assert decimal_year(None) is None and decimal_year("undated") is None


def test_date_only_topic_is_an_era_topic_and_tendency_only_is_not(data):
    docs, theta = data
    result = era_topics(docs, theta, labels=["rising", "tendency B", "rest"])
    rising, tendency_b = result.topics[0], result.topics[1]
    assert rising.era and rising.date_share > 0.9 and rising.r2_date > 0.5
    assert rising.peak_year > 2017 and rising.low_year < 2003
    assert not tendency_b.era and tendency_b.date_share < 0.1 and tendency_b.r2_group > 0.5
    assert 0 in result.era and 1 not in result.era
    assert result.to_frame().shape[0] == 3 and result.to_dict()["era"] == result.era


def test_date_only_topic_has_no_tendency_effect_and_tendency_topic_has_one(data):
    docs, theta = data
    result = topic_effects(docs, theta, draws=10, seed=1)
    assert result.reference == "A" and set(result.levels) == {"A", "B", "C"}
    assert result.cluster_by == "author" and result.n_clusters == 30
    for pair in (("B", "A"), ("C", "A"), ("C", "B")):
        c = result.get(0, *pair)
        assert c.lo < 0 < c.hi, c
    b = result.get(1, "B")
    assert b.lo > 0 and b.lo < 0.2 < b.hi and b.n == 160 and b.n_authors == 20
    assert not result.get(1, "C").excludes_zero
    # every pair of the three tendencies, for each of the three topics
    assert len(result.contrasts) == 9 and len(result.to_frame()) == 9
    assert result.to_dict()["contrasts"][0]["topic"] == 0


def test_same_seed_same_numbers_and_draws_widen_intervals(data):
    docs, theta = data
    first = topic_effects(docs, theta, draws=5, seed=7, concentration=20)
    assert first.to_dict() == topic_effects(docs, theta, draws=5, seed=7, concentration=20).to_dict()
    assert first.to_dict() != topic_effects(docs, theta, draws=5, seed=8, concentration=20).to_dict()
    exact = topic_effects(docs, theta, draws=0)
    # shares known only roughly (concentration 20): wider intervals than the shares taken as exact
    assert first.get(1, "B").se > 1.2 * exact.get(1, "B").se


def test_cluster_robust_intervals_match_statsmodels(data):
    import pandas as pd
    import statsmodels.formula.api as smf

    docs, theta = data
    result = topic_effects(docs, theta, draws=0, outlet=False, pairs="reference")
    frame = pd.DataFrame({"y": theta[:, 1],
                          "g": docs.labels, "t": [decimal_year(p) for p in docs.published],
                          "author": [a[0] for a in docs.authors]})
    fit = smf.ols("y ~ C(g, Treatment('A')) + bs(t, df=4)", frame).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(frame["author"])[0]}, use_t=True)
    name = "C(g, Treatment('A'))[T.B]"
    ours = result.get(1, "B")
    lo, hi = fit.conf_int().loc[name]
    assert ours.effect == pytest.approx(fit.params[name], rel=1e-8)
    assert ours.se == pytest.approx(fit.bse[name], rel=1e-8)
    assert (ours.lo, ours.hi) == pytest.approx((lo, hi), rel=1e-6)


def test_outlet_only_where_not_collinear_with_tendency():
    crossed = topic_effects(*synthetic(outlets_cross=True), draws=0)
    nested = topic_effects(*synthetic(outlets_cross=False), draws=0)
    assert any(c.startswith("outlet") for c in crossed.covariates)
    assert not any(c.startswith("outlet") for c in nested.covariates)


def test_noise_is_not_an_era():
    """Topic shares drawn independently of the date: the R² floor alone flagged one topic in four; the era
    flag also needs the date to beat dates shuffled within each tendency."""
    floor_only, tested = 0, 0
    for seed in range(6):
        rng = np.random.default_rng(seed)
        labels, published = ["A", "B", "C"] * 14, [str(1945 + 4 * (i // 3)) for i in range(42)]
        theta = rng.dirichlet(np.ones(8), size=42)
        docs = DocumentTerms.from_terms([["w"] * 100] * 42, labels=labels, published=published)
        floor_only += len(era_topics(docs, theta, permutations=0).era)
        result = era_topics(docs, theta, permutations=99, seed=seed)
        tested += len(result.era)
        assert all(t.p_date is not None and (t.p_date < 0.05 or not t.era) for t in result.topics)
    assert floor_only >= 10 and tested <= 0.1 * 6 * 8


def test_effects_follow_the_design_and_say_which():
    crossed = topic_effects(*synthetic(outlets_cross=True), draws=0)
    assert crossed.within == "outlet" and crossed.design["kind"] == "shared outlets" and crossed.caveats == []
    nested = topic_effects(*synthetic(outlets_cross=False), draws=0)
    assert nested.within == "none" and nested.design["unit"] == "outlet"
    (caveat,) = nested.caveats
    assert caveat == ("The tendency is constant within outlets (A from 1 outlet (outlet-A), B from 1 (outlet-B), "
                      "C from 1 (outlet-C)): an effect may be an outlet's house agenda as much as its tendency's, "
                      "and with only 3 outlets the intervals (clustered by author) do not allow for them")
    across = topic_effects(*synthetic(outlets_cross=True), draws=0, within="none")
    assert across.within == "none" and not any(c.startswith("outlet") for c in across.covariates)
    assert across.caveats[0].startswith("The tendencies share outlets (outlet0, outlet1, outlet2) but are compared "
                                        "across them")
    with pytest.raises(NlpError, match="cannot be compared within outlets here"):
        topic_effects(*synthetic(outlets_cross=False), draws=0, within="outlet")
    with pytest.raises(InvalidParameterError, match="within must be one of auto, outlet, none"):
        topic_effects(*synthetic(), draws=0, within="inside")


def test_where_the_outlet_is_the_unit_errors_cluster_by_outlet_given_enough_outlets():
    docs, theta = synthetic(outlets_cross=False)
    outlets = [f"{o}-{a[0][-1]}" for o, a in zip(docs.outlets, docs.authors)]  # 10 outlets per tendency
    docs = DocumentTerms.from_terms([["word"] * 200] * len(docs), labels=docs.labels, authors=docs.authors,
                                    published=docs.published, outlets=outlets)
    result = topic_effects(docs, theta, draws=0)
    assert result.design["unit"] == "outlet" and result.cluster_by == "outlet" and result.n_clusters == 30
    assert result.caveats[0].endswith("and the intervals are clustered by outlet")


def test_rare_groups_are_pooled_and_few_clusters_fall_back_to_hc1(data):
    docs, theta = data
    labels = list(docs.labels)
    labels[:2] = ["tiny1", "tiny2"]  # two one-document tendencies
    labels[2] = "unlabelled"
    docs2 = DocumentTerms.from_terms([["word"]] * len(docs), labels=labels, published=docs.published,
                                     outlets=docs.outlets)
    result = topic_effects(docs2, theta, draws=0)
    assert result.pooled == []  # two documents are too few even pooled: left out
    assert result.dropped == {"no tendency": 1, "tendency with fewer than 3 documents": 2}
    assert result.n_docs == len(docs) - 3 and OTHER not in result.levels
    assert result.cluster_by.startswith("none (HC1")  # no authors, three outlets
    labels[3:5] = ["tiny3", "tiny3"]
    docs3 = DocumentTerms.from_terms([["word"]] * len(docs), labels=labels, published=docs.published)
    assert OTHER in topic_effects(docs3, theta, draws=0).levels


def test_bad_inputs_get_clear_errors(data):
    docs, theta = data
    with pytest.raises(GroupError, match="Unknown reference tendency 'Z'; tendency groups"):
        topic_effects(docs, theta, reference="Z")
    with pytest.raises(InvalidParameterError, match="theta has 10 rows for 240 documents"):
        topic_effects(docs, theta[:10])
    one = DocumentTerms.from_terms([["w"]] * len(docs), labels=["A"] * len(docs), published=docs.published)
    with pytest.raises(GroupError, match="at least two tendency groups"):
        topic_effects(one, theta)
    nan = np.full_like(theta, np.nan)
    with pytest.raises(NlpError, match="no document has topic shares"):
        era_topics(docs, nan)


# ----------------------------------------------------------------------------- real text
@pytest.mark.skipif(not DATA.is_file(), reason="../shared/data/uk-manifestos is not here")
@pytest.mark.slow
def test_manifestos_every_topic_scored_and_the_early_topic_is_an_era_topic(tmp_path):
    from corpus import CorpusStore
    from corpus.io import FieldMap, import_file
    from nlp.documents import load_documents
    from nlp.text.preprocess import preprocess_corpus
    from nlp.topics.fit import prepare_corpus
    from nlp.topics.stability import assess_stability, fit_seeds

    # Without the mislabelled 1959 "Conservative" text and the 1979 Lab/Con entries (1979-1997 joined).
    subset = tmp_path / "manifestos.jsonl"
    with open(DATA, encoding="utf-8") as src, open(subset, "w", encoding="utf-8") as dst:
        for line in src:
            rec = json.loads(line)
            if rec["doc_id"] != "UK_natl_1959_en_Con" and not (str(rec["Year"]) == "1979"
                                                               and rec["Party"] in ("Lab", "Con")):
                dst.write(line)
    store = CorpusStore(tmp_path / "m.db")
    import_file(store, subset, fields=FieldMap(date="Year", label="Party", title="doc_id"))
    preprocess_corpus(store)
    docs = load_documents(store, preprocess=False)
    assert len(docs) == 98
    prepared = prepare_corpus(docs, tmp_path / "prepared")  # long documents: modelled as passages
    fits = fit_seeds(prepared.corpus(), prepared.dictionary, 8, [0, 1], passes=2)
    stability = assess_stability(fits)
    assert len(stability.stability) == 8 and all(0 < s <= 1 for s in stability.stability)
    assert stability.mean > 0.5

    # each manifesto's shares: the token-weighted mean of its passages'
    index = {id_: i for i, id_ in enumerate(docs.ids)}
    theta, weight = np.zeros((len(docs), 8)), np.zeros(len(docs))
    for (id_, n), shares in zip(prepared.ids(), fits[0].model.transform(prepared.corpus())):
        theta[index[id_]] += n * shares
        weight[index[id_]] += n
    theta /= weight[:, None]
    years = np.array(docs.years)
    early = int(np.argmax(theta[(years >= 1945) & (years <= 1955)].mean(axis=0)))
    eras = era_topics(docs, theta, labels=stability.labels)
    assert eras.topics[early].era, eras.to_frame()
    assert eras.topics[early].peak_year < 1970
    effects = topic_effects(docs, theta, labels=stability.labels, draws=5, pairs="reference")
    assert effects.reference == "Lab" and {"Con", "Lib"} <= set(effects.levels)
    assert all(c.lo <= c.effect <= c.hi for c in effects.contrasts)


def test_too_few_documents_for_the_covariates(data):
    docs, theta = data
    few = docs.subset(range(4))
    with pytest.raises(NlpError, match="too few for"):
        era_topics(few, theta[:4])
