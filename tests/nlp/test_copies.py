"""Copies count once: a selection carries its near-duplicate clusters, and support counts, bootstraps and
resampling treat each cluster as one article."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from corpus import CorpusStore
from nlp.copies import count_once, copy_units, groups_with_copies, has_copies, merge_copies, resample_weights
from nlp.documents import DocumentTerms, load_documents
from nlp.scaling.positions import group_positions
from nlp.uncertainty import cluster_keys
from tests.corpus.test_duplicates import editions


def test_units_merge_wherever_a_copy_links_them():
    # ann's piece was reprinted under bob's name: ann and bob become one unit; cat stays apart
    assert merge_copies(["ann", "bob", "bob", "cat"], ["x", "x", "y", "z"]) == ["ann", "ann", "ann", "cat"]
    # an article on its own takes its copy's author unit
    assert merge_copies(["(article d1)", "ann"], ["x", "x"]) == ["ann", "ann"]
    assert merge_copies(["a", "b"], ["x", "y"]) == ["a", "b"] and merge_copies(["a"], None) == ["a"]


def test_fold_groups_keep_copies_together_and_are_unchanged_without_copies():
    assert groups_with_copies(None, ["d0", "d0", "d2"]) == ["d0", "d0", "d2"]
    assert groups_with_copies(["o1", "o2", "o3"], ["d0", "d0", "d2"]) == ["o1", "o1", "o3"]
    assert groups_with_copies(None, ["d0", "d1"]) is None
    assert groups_with_copies(["o1", "o2"], ["d0", "d1"]) == ["o1", "o2"]
    # periods of forward folds stay apart: a cluster moves into the period of its first copy
    assert groups_with_copies(["2020", "2021", "2021"], ["x", "x", "y"], periods=True) == ["2020", "2020", "2021"]
    assert not has_copies(None) and has_copies(["a", "a"])


def test_resampling_draws_clusters_whole():
    units = copy_units(["a", "a", "b", "c"], [0, 1, 2, 3])
    rng = np.random.default_rng(0)
    for _ in range(50):
        w = resample_weights(rng, 4, units)
        assert w[0] == w[1] and w.sum() >= 0
    assert copy_units(["a", "b"], [0, 1]) is None and copy_units(None, [0]) is None
    plain = resample_weights(np.random.default_rng(1), 5)
    assert plain.sum() == 5 and np.array_equal(plain, np.bincount(np.random.default_rng(1).integers(0, 5, 5),
                                                                  minlength=5))


def test_bootstrap_clusters_join_copies_across_authors():
    keys = cluster_keys([("Ann",), ("Bob",), ()], ["a1", "a2", "a3"], ["a1", "a1", "a3"])
    assert keys == ["ann", "ann", "(article a3)"]
    assert cluster_keys([("Ann",), ("Bob",)], ["a1", "a2"]) == ["ann", "bob"]


def test_a_selection_carries_its_copy_clusters(tmp_path):
    arts, expected = editions(n_pieces=6, n_paired=2)
    with CorpusStore(tmp_path / "c.db") as store:
        store.add_many(arts)
        docs = load_documents(store)  # preprocesses, and finds the near-duplicates on the way
        assert docs.copy_clusters is not None
        assert count_once(docs.copy_keys) == len(docs) - sum(len(c) - 1 for c in expected)
        piece0 = {store.duplicate_of(arts[i])[0] for i in expected[0]}
        assert len({docs.copy_keys[docs.ids.index(i)] for i in piece0}) == 1
        half = docs.subset([docs.ids.index(i) for i in sorted(piece0)])
        assert len(set(half.copy_keys)) == 1
        # a selection holding one copy of each cluster has no copies
        alone = load_documents(store, outlet="gazette")
        assert alone.copy_clusters is None and alone.copy_keys == alone.ids


def test_support_counts_copies_once():
    docs = DocumentTerms.from_terms([["a", "b"]] * 5, labels=["x"] * 5, authors=[(f"w{i}",) for i in range(5)],
                                    copies=["d0", "d0", "d2", "d3", "d4"])
    result = SimpleNamespace(documents=[SimpleNamespace(id=f"d{i}", score=float(i), reference=False)
                                        for i in range(5)])
    cell = next(p for p in group_positions(docs, result, period="year", bootstrap=0, min_support=5)
                if p.period == "all")
    assert (cell.n, cell.n_independent, cell.supported) == (5, 4, False)
    apart = DocumentTerms.from_terms([["a", "b"]] * 5, labels=["x"] * 5, authors=[(f"w{i}",) for i in range(5)])
    cell = next(p for p in group_positions(apart, result, period="year", bootstrap=0, min_support=5)
                if p.period == "all")
    assert (cell.n, cell.n_independent, cell.supported) == (5, 5, True)
