"""Weighted log-odds contrasts (Monroe et al. 2008) on small corpora built here."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from nlp.report.plots import plot_contrast
from nlp.tendencies.contrast import contrast_pairs, rank_terms, weighted_log_odds
from nlp.documents import EmptySelectionError, GroupError

from tests.nlp.tendencies.synthetic import SIGNATURES, synthetic_corpus

SHARED_MANIFESTOS = Path(__file__).resolve().parents[4] / "shared" / "data" / "uk-manifestos" / "manifestos.jsonl"


@pytest.fixture(scope="module")
def pairs():
    docs, labels, _ = synthetic_corpus(n_per_class=60, signal=0.1, seed=1)
    return [((label,), doc) for doc, label in zip(docs, labels)]


def test_signature_words_on_top_with_large_z(pairs):
    result = contrast_pairs(pairs, "soft_left", "hard_left", top=10)
    top_a = [s.term for s in result.terms_a[:5]]
    top_b = [s.term for s in result.terms_b[:5]]
    assert set(top_a) == set(SIGNATURES["soft_left"])
    assert set(top_b) == set(SIGNATURES["hard_left"])
    assert all(abs(s.z) > 5 for s in result.terms_a[:5] + result.terms_b[:5])
    # sorted by |z|, strongest first; counts reported
    assert [s.z for s in result.terms_a] == sorted((s.z for s in result.terms_a), reverse=True)
    assert [abs(s.z) for s in result.terms_b] == sorted((abs(s.z) for s in result.terms_b), reverse=True)
    assert result.terms_a[0].count_a > 0 and result.terms_a[0].count_b == 0


def test_json_shape_matches_cli_contract(pairs):
    doc = contrast_pairs(pairs, "soft_left", "hard_left", top=3).to_dict()
    assert {"a", "b", "field", "terms_a", "terms_b"} <= set(doc)
    assert doc["a"] == "soft_left" and doc["b"] == "hard_left" and doc["field"] == "tendency"
    assert set(doc["terms_a"][0]) >= {"term", "z", "count_a", "count_b"}
    json.dumps(doc)


def test_swapping_groups_negates_z():
    a, b = Counter({"x": 30, "y": 5, "z": 10}), Counter({"x": 5, "y": 30, "z": 10})
    vocab, delta, z = weighted_log_odds(a, b)
    vocab2, delta2, z2 = weighted_log_odds(b, a)
    assert vocab == vocab2
    assert np.allclose(z, -z2) and np.allclose(delta, -delta2)
    assert z[vocab.index("x")] > 0 > z[vocab.index("y")]
    assert abs(z[vocab.index("z")]) < 0.5


def test_a_one_word_vocabulary_contrasts_nothing_without_warnings():
    # a bootstrap of a tiny corpus can draw articles sharing one term: its rest of the vocabulary is empty (the
    # prior's rest once rounded to -4e-16 and the log warned "invalid value")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vocab, delta, z = weighted_log_odds(Counter({"only": 8}), Counter({"only": 8}))
    assert vocab == ["only"] and delta.tolist() == [0.0] and z.tolist() == [0.0]


def test_prior_shrinks_rare_words():
    # a word seen twice in A only must not outrank a word seen 200 times against 50
    a = Counter({"rare": 2, "frequent": 200, "filler": 2000})
    b = Counter({"frequent": 50, "filler": 2000})
    side_a, _ = rank_terms(a, b, min_count=1)
    assert side_a[0].term == "frequent"


def test_one_against_the_rest(pairs):
    result = contrast_pairs(pairs, "soft_right", None, top=5)
    assert result.b == "rest"
    assert {s.term for s in result.terms_a} == set(SIGNATURES["soft_right"])
    assert result.docs_b == 120


def test_year_ranges_and_case_insensitive_names():
    pairs = [(("2016",), ["old", "words"] * 5), (("2017",), ["old", "words"] * 5),
             (("2021",), ["new", "words"] * 5), (("2022",), ["new", "words"] * 5)]
    # two documents a side: a signature term may come from fewer than the default three documents here
    result = contrast_pairs(pairs, "2015-2018", "2020..2023", field="year", min_count=1, min_docs=1)
    assert result.terms_a[0].term == "old" and result.terms_b[0].term == "new"
    assert result.docs_a == 2 and result.docs_b == 2
    r2 = contrast_pairs([(("Lab",), ["a"] * 3), (("Con",), ["b"] * 3)], "lab", "CON", field="party", min_count=1,
                        min_docs=1)
    assert r2.terms_a[0].term == "a"


def test_same_input_same_numbers(pairs):
    assert contrast_pairs(pairs, "soft_left", "hard_left").to_dict() == contrast_pairs(pairs, "soft_left", "hard_left").to_dict()


def test_unknown_group_lists_the_known_ones(pairs):
    with pytest.raises(GroupError) as err:
        contrast_pairs(pairs, "soft_left", "centrist")
    assert str(err.value) == (
        "Unknown tendency 'centrist'; known tendency groups (articles): hard_left (60), soft_left (60), soft_right (60)"
    )


def test_same_group_twice_and_empty_selection(pairs):
    with pytest.raises(GroupError, match="Contrast needs two different groups, got 'soft_left' twice"):
        contrast_pairs(pairs, "soft_left", "Soft_Left")
    with pytest.raises(EmptySelectionError) as err:
        contrast_pairs([], "soft_left", "hard_left")
    assert str(err.value) == "No preprocessed articles in the selection; import articles and run `nlp preprocess`"


def test_group_without_terms():
    with pytest.raises(EmptySelectionError, match=r"Group 'b' \(tendency\) has no terms to contrast"):
        contrast_pairs([(("a",), ["x", "y"]), (("b",), [])], "a", "b")


def test_chart_is_a_png(pairs, tmp_path):
    result = contrast_pairs(pairs, "soft_left", "hard_left")
    path = plot_contrast(result, tmp_path / "contrast.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(not SHARED_MANIFESTOS.is_file(), reason="../shared/data is absent")
def test_real_manifestos_labour_against_conservative():
    stop = set("the a an and or of to in for on is are be will we our that this it with as by at from which "
               "have has not their they its all was were been".split())
    pairs = []
    with SHARED_MANIFESTOS.open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            if d["doc_id"] == "UK_natl_1959_en_Con":  # holds the Labour text (known defect)
                continue
            terms = [t for t in re.findall(r"[a-z]+", d["text"].lower()) if t not in stop and len(t) > 2]
            pairs.append(((d["Party"],), terms))
    result = contrast_pairs(pairs, "Lab", "Con", field="party", top=15)
    top_a = [s.term for s in result.terms_a[:15]]
    top_b = [s.term for s in result.terms_b[:15]]
    assert "labour" in top_a[:3] and ("tory" in top_a or "tories" in top_a)
    assert "conservative" in top_b[:3]
    assert abs(result.terms_a[0].z) > 5 and abs(result.terms_b[0].z) > 5


def test_a_term_of_one_document_is_no_signature():
    # "manifesto" is used 40 times, but only in ONE document of side A: not a signature term at min_docs=3
    pairs = [(("a",), ["shared", "alpha", "beta"] * 5 + (["manifesto"] * 40 if i == 0 else [])) for i in range(6)]
    pairs += [(("b",), ["shared", "gamma", "delta"] * 5) for _ in range(6)]
    strict = contrast_pairs(pairs, "a", "b", bootstrap=0)
    assert "manifesto" not in {s.term for s in strict.terms_a}
    assert {s.term for s in strict.terms_a} == {"alpha", "beta"}
    assert all(s.n_docs == 6 for s in strict.terms_a + strict.terms_b)
    loose = contrast_pairs(pairs, "a", "b", bootstrap=0, min_docs=1)
    assert loose.terms_a[0].term == "manifesto" and loose.terms_a[0].n_docs == 1


def test_stability_is_a_seeded_share_of_resamples(pairs):
    result = contrast_pairs(pairs, "soft_left", "hard_left", top=10, bootstrap=20, seed=3)
    stabilities = [s.stability for s in result.terms_a + result.terms_b]
    assert all(0.0 <= x <= 1.0 for x in stabilities)
    # the signature words stay on top in every resample; the tail of the list does not
    assert all(s.stability == 1.0 for s in result.terms_a[:5])
    assert min(stabilities) < 1.0
    again = contrast_pairs(pairs, "soft_left", "hard_left", top=10, bootstrap=20, seed=3)
    assert again.to_dict() == result.to_dict()
    doc = result.to_dict()
    assert {"term", "z", "count_a", "count_b", "n_docs", "stability"} <= set(doc["terms_a"][0])
    assert contrast_pairs(pairs, "soft_left", "hard_left", bootstrap=0).terms_a[0].stability is None


def test_masked_names_are_not_counted():
    pairs = [(("Lab",), ["labour", "rail", "labour", "nationalise"]) for _ in range(5)]
    pairs += [(("Con",), ["tory", "tax", "conservative", "market"]) for _ in range(5)]
    result = contrast_pairs(pairs, "Lab", "Con", field="party", min_count=1, bootstrap=0, ngrams=2,
                            mask=["labour", "tory", "conservative"])
    terms = {s.term for s in result.terms_a + result.terms_b}
    assert {"rail", "nationalise", "tax", "market"} <= terms
    assert not terms & {"labour", "tory", "conservative", "labour rail", "tory tax"}


@pytest.fixture(scope="module")
def demo_docs(tmp_path_factory):
    from corpus import CorpusStore
    from corpus.demo import fill_demo
    from nlp.documents import load_documents

    store = CorpusStore(tmp_path_factory.mktemp("demo") / "demo.db")
    fill_demo(store)
    yield load_documents(store)
    store.close()


@pytest.mark.parametrize("field,a,b,masked", [
    ("tendency", "soft_left", "hard_left", False), ("tendency", "soft_right", None, False),
    ("tendency", "soft_left", "rest", True), ("year", "2016-2019", "2020-2025", False),
    ("outlet", "plural", None, True),
])
def test_the_count_matrix_path_equals_the_term_list_path(demo_docs, field, a, b, masked):
    """``contrast`` on a selection ranks rows of its count matrix; ``contrast_pairs`` counts term lists: the
    same groups, overlap, totals, terms, scores and stabilities."""
    from dataclasses import asdict

    from nlp.tendencies.contrast import contrast
    from nlp.tendencies.masking import self_names

    mask = self_names(demo_docs) if masked else None
    fast = contrast(demo_docs, a, b, field=field, top=12, bootstrap=8, seed=3, mask=mask)
    slow = contrast_pairs(demo_docs.grouped(field), a, b, field=field, top=12, bootstrap=8, seed=3, mask=mask)
    assert fast.design["within"] == "none"  # (term lists carry no outlets: only the selection has a design)
    assert asdict(fast) == {**asdict(slow), "design": fast.design, "caveats": fast.caveats,
                            "outlet_markers": fast.outlet_markers}
    assert fast.terms_a and fast.terms_b


def test_the_count_matrix_path_refuses_what_the_term_list_path_refuses(demo_docs):
    from nlp.tendencies.contrast import contrast

    for args in (("nobody", None), ("soft_left", "Soft_Left")):
        with pytest.raises(GroupError) as fast:
            contrast(demo_docs, *args)
        with pytest.raises(GroupError) as slow:
            contrast_pairs(demo_docs.grouped("tendency"), *args)
        assert str(fast.value) == str(slow.value)


def test_integer_sums_fall_back_to_64_bits_before_they_overflow():
    from scipy import sparse

    from nlp.tendencies.contrast import _weighted_sum

    m = sparse.csr_matrix(np.array([[2_000_000_000, 1], [2_000_000_000, 0]], dtype=np.int32))
    total = int(m.data.sum(dtype=np.int64))
    assert _weighted_sum(m, total, np.array([1, 1]), None).tolist() == [4_000_000_000.0, 1.0]
