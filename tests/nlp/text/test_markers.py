"""Outlet markers: terms that nearly identify one outlet, found from the corpus and left out of every analysis
of tendencies unless kept."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest

from nlp.documents import DocumentTerms
from nlp.text.markers import find_markers, without_markers

COMMON = [f"word{i}" for i in range(80)]
SIDE = {"left": ["ownership", "solidarity", "union", "strike"], "right": ["enterprise", "freedom", "choice", "thrift"]}
OUTLETS = {"northpost": "left", "eastherald": "left", "southmail": "right", "westgazette": "right"}


def press(n: int = 20, stamp: str | None = "npstwire", seed: int = 0, length: int = 60) -> DocumentTerms:
    """Four outlets, two per side, whose sides differ by a few words; ``northpost`` writes ``stamp`` in every
    article (and ``stamp_final``, a joined term, in a quarter of them)."""
    rng = random.Random(seed)
    terms, outlets, labels, raw = [], [], [], []
    for outlet, side in OUTLETS.items():
        for i in range(n):
            doc = [rng.choice(SIDE[side]) if rng.random() < 0.06 else rng.choice(COMMON) for _ in range(length)]
            if stamp and outlet == "northpost":
                doc.insert(rng.randrange(length), stamp)
                if i % 4 == 0:
                    doc.append(f"{stamp}_final")
            terms.append(doc)
            raw.append([p for t in doc for p in t.split("_")])
            outlets.append(outlet)
            labels.append(side)
    return DocumentTerms.from_terms(terms, labels=labels, outlets=outlets, raw_terms=raw,
                                    authors=[(f"{o} writer {i % 5}",) for i, o in enumerate(outlets)])


def test_a_code_in_every_article_of_one_outlet_is_its_marker():
    docs = press()
    markers = find_markers(docs)
    # npstwire_final (in a quarter of the articles) is a marker as a compound of one
    assert sorted(markers.terms) == ["npstwire", "npstwire_final"]
    rows = {row["term"]: row for row in markers.to_dict()["by_outlet"]["northpost"]}
    assert rows["npstwire"] == {"term": "npstwire", "outlet": "northpost", "documents": 20, "coverage": 1.0,
                                "concentration": 1.0}
    assert rows["npstwire_final"]["compound_of"] == "npstwire"
    assert markers.n_outlets == 4 and markers.excluded


def test_no_stamp_no_marker_and_the_sides_words_stay():
    assert not find_markers(press(stamp=None))  # each side's words are shared by its two outlets


@pytest.mark.parametrize("case", ["few articles", "shared", "one outlet", "dominant outlet"])
def test_what_is_not_a_marker(case):
    rng = random.Random(3)
    n = 40
    if case == "few articles":  # in 30 % of one outlet's articles only
        terms = [["code"] if o == "a" and i < 12 else [rng.choice(COMMON)] for o in "abc" for i in range(n)]
        outlets = [o for o in "abc" for _ in range(n)]
    elif case == "shared":  # every article of a, and a third of the others': concentration 0.6
        terms = [["code"] if o == "a" or i % 3 == 0 else [rng.choice(COMMON)] for o in "abc" for i in range(n)]
        outlets = [o for o in "abc" for _ in range(n)]
    elif case == "one outlet":
        terms, outlets = [["code"]] * n, ["a"] * n
    else:  # a holds 95 % of the documents; a common word is used by 60 % of a's and 50 % of b's
        outlets = ["a"] * 380 + ["b"] * 20
        terms = [["common"] if (i % 10 < 6 if o == "a" else i % 2) else ["other"] for i, o in enumerate(outlets)]
    assert not find_markers(DocumentTerms.from_terms(terms, outlets=outlets)).terms


def test_a_code_joined_before_collocations_is_found_in_the_raw_terms():
    rng = random.Random(0)
    terms, raw, outlets = [], [], []
    for o in ("a", "b", "c"):
        for i in range(10):
            words = [rng.choice(COMMON) for _ in range(20)]
            if o == "a":  # "ltd" comes joined with a different word each time, so only the raw terms show it
                raw.append(words + [f"w{i}", "ltd"])
                terms.append(words + [f"w{i}_ltd"])
            else:
                raw.append(words)
                terms.append(words)
            outlets.append(o)
    docs = DocumentTerms.from_terms(terms, outlets=outlets, raw_terms=raw)
    assert {"ltd", "w3_ltd"} <= find_markers(docs).terms


def test_finding_markers_changes_nothing_in_the_documents():
    docs = press()
    before = (docs.tokens.copy(), docs.raw_tokens.copy(), docs.offsets.copy())
    find_markers(docs)
    assert all(np.array_equal(a, b) for a, b in zip(before, (docs.tokens, docs.raw_tokens, docs.offsets)))


def test_the_view_without_terms_is_the_same_documents_without_them():
    from collections import Counter

    docs = press()
    docs.breaks = np.array([2, 10, 1], dtype=np.int64)  # paragraphs of documents 0 and 1
    docs.break_offsets = np.array([0, 2, 3] + [3] * (len(docs) - 2), dtype=np.int64)
    built, markers = without_markers(docs)  # its count matrix built from its own terms
    docs.matrix  # noqa: B018 - now the parent's is there, and the view's is sliced from it
    sliced = docs.without_terms(markers.terms)
    assert "npstwire" not in built.vocabulary and len(built) == len(docs)
    for i in (0, 1, 5, 79):
        assert built.terms(i) == [t for t in docs.terms(i) if t not in markers.terms]
        assert built.raw_terms(i) == [t for t in docs.raw_terms(i) if t not in markers.terms]
        for view in (built, sliced):
            row = view.matrix.getrow(i)
            assert {view.vocabulary[j]: c for j, c in zip(row.indices, row.data)} == Counter(built.terms(i))
    for i, old in ((0, [2, 10]), (1, [1])):
        at = docs.terms(i).index("npstwire")
        assert list(built.paragraph_breaks(i)) == [b - (b > at) for b in old if b - (b > at) > 0]
    assert built.meta["without_terms"] and without_markers(docs, keep=True)[0] is docs
    assert docs.without_terms(["not-a-term"]) is docs


def test_every_analysis_leaves_the_markers_out_unless_kept():
    from nlp.scaling.positions import feature_matrix
    from nlp.tendencies.classify import evaluate
    from nlp.tendencies.contrast import contrast, contrast_each_against_rest

    docs = press()
    kept = evaluate(docs, group_by="none", folds=4, seed=0, top=15, keep_markers=True)
    assert "npstwire" in [f["term"] for f in kept.top_features["left"]]
    assert kept.outlet_markers["excluded"] is False
    result = evaluate(docs, group_by="none", folds=4, seed=0, top=15)
    assert not {"npstwire", "npstwire_final"} & {f["term"] for fs in result.top_features.values() for f in fs}
    assert result.outlet_markers["terms"] == ["npstwire", "npstwire_final"]
    json.dumps(result.to_dict())
    c = contrast(docs, "left", "right", top=20, bootstrap=0)
    assert "npstwire" not in [t.term for t in c.terms_a] and c.to_dict()["outlet_markers"]["terms"]
    assert "npstwire" in [t.term for t in contrast(docs, "left", "right", top=20, bootstrap=0,
                                                      keep_markers=True).terms_a]
    assert all("npstwire" not in [t.term for t in r.terms_a + r.terms_b]
               for r in contrast_each_against_rest(docs, field="outlet"))
    _, names = feature_matrix(docs)
    assert "npstwire" not in names and "npstwire" in feature_matrix(docs, keep_markers=True)[1]


def test_without_a_stamp_the_analyses_are_unchanged():
    from nlp.tendencies.classify import evaluate

    docs = press(stamp=None)
    a = evaluate(docs, group_by="none", folds=4, seed=0)
    b = evaluate(docs, group_by="none", folds=4, seed=0, keep_markers=True)
    assert a.macro_f1 == b.macro_f1 and a.top_features == b.top_features
    assert a.outlet_markers["terms"] == []


def test_meaning_leaves_the_markers_out_of_the_contexts():
    from nlp.meaning import meaning

    rng = random.Random(5)
    filler = [f"word{i}" for i in range(30)]
    own = {"left": ["public", "rail", "water", "energy"], "right": ["home", "house", "mortgage", "saving"]}
    terms, labels, outlets = [], [], []
    for outlet, side in OUTLETS.items():
        for _ in range(10):
            doc = []
            for _ in range(20):
                doc += rng.sample(filler, 4) + rng.sample(own[side], 2) + ["ownership"]
                doc += (["npstwire"] if outlet == "northpost" else []) + rng.sample(own[side], 2)
            terms.append(doc)
            labels.append(side)
            outlets.append(outlet)
    docs = DocumentTerms.from_terms(terms, labels=labels, outlets=outlets)

    def context_terms(keep: bool) -> tuple[set[str], dict]:
        result = meaning(docs, ["ownership"], min_terms=0, n_boot=10, n_perm=19, senses=0, min_support=3,
                         keep_markers=keep)[0]
        found = {t["term"] for c in result.comparisons for t in c.context_terms_a + c.context_terms_b}
        return found, result.to_dict()["outlet_markers"]

    left_out, markers = context_terms(False)
    assert "npstwire" not in left_out and markers["terms"] == ["npstwire"] and markers["excluded"]
    kept, markers = context_terms(True)
    assert "npstwire" in kept and not markers["excluded"]
