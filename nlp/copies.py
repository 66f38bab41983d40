"""Copies count once: near-duplicate articles (print and online editions, syndicated copies) as one unit.

The corpus finds clusters of near-duplicates (:mod:`corpus.duplicates`); a selection read into a
:class:`~nlp.documents.DocumentTerms` carries each document's cluster (:attr:`~nlp.documents.DocumentTerms.copy_keys`).
Here those clusters are merged into whatever units an analysis resamples or holds out, so copies never
land on both sides of a split and are never drawn as independent witnesses:

* :func:`merge_copies` - units (authors, outlets, periods, folds' groups) joined wherever a copy links
  them: two articles are in one unit when they share a unit key *or* are copies, transitively.
* :func:`groups_with_copies` - the groups of cross-validation folds with each copy cluster kept whole.
* :func:`count_once` - how many independent articles a set of documents holds (each cluster once).
* :func:`resample_weights` - a bootstrap replicate that draws clusters of copies, not single copies.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from corpus.duplicates import components

#: Keys naming an article that is a unit of its own (no author, no group): any other key of a merged unit
#: names it before these.
_OWN_UNIT = "(article"


def has_copies(copies: Sequence[str] | None) -> bool:
    """Whether any two documents share a copy cluster."""
    return copies is not None and len(set(copies)) < len(copies)


def merge_copies(keys: Sequence[str], copies: Sequence[str] | None) -> list[str]:
    """Each document's unit once copies are joined to it: documents sharing a key or a copy cluster,
    transitively, share one unit, named by the smallest of its keys (keys of an article on its own,
    ``(article …)``, only when the unit has no other). Without copies, ``keys`` unchanged.

    >>> merge_copies(["ann", "bob", "cat"], ["x", "x", "z"])
    ['ann', 'ann', 'cat']
    """
    keys = list(keys)
    if not has_copies(copies):
        return keys
    edges = [(f"k{k}", f"c{c}") for k, c in zip(keys, copies)]  # a bipartite graph of keys and clusters
    root = components([], edges)
    best: dict[str, str] = {}
    for k in keys:
        r = root[f"k{k}"]
        if r not in best or (k.startswith(_OWN_UNIT), k) < (best[r].startswith(_OWN_UNIT), best[r]):
            best[r] = k
    return [best[root[f"k{k}"]] for k in keys]


def groups_with_copies(groups: Sequence[str] | None, copies: Sequence[str] | None,
                       periods: bool = False) -> list[str] | None:
    """The groups of cross-validation folds with every copy cluster inside one group.

    Groups that a cluster links are merged (:func:`merge_copies`: an outlet that reprints another's piece
    is held out with it). ``periods``: the groups are periods of forward folds, which must stay apart; each
    cluster moves into the period of its first copy instead. Without groups (plain stratified folds), the
    copy clusters become the groups, so a copy is never tested against a model trained on its twin;
    without copies, ``groups`` unchanged.
    """
    if not has_copies(copies):
        return None if groups is None else list(groups)
    if groups is None:
        return list(copies)  # type: ignore[arg-type]
    if periods:
        first: dict[str, str] = {}
        for g, c in zip(groups, copies):  # type: ignore[arg-type]
            first[c] = min(first.get(c, g), g)  # period labels sort chronologically
        return [first[c] for c in copies]  # type: ignore[union-attr]
    return merge_copies(groups, copies)


def count_once(copies: Sequence[str], rows: Sequence[int] | None = None) -> int:
    """Independent articles among ``rows`` (default all): each cluster of copies counts once."""
    if rows is None:
        return len(set(copies))
    return len({copies[i] for i in rows})


def copy_units(copies: Sequence[str] | None, rows: Sequence[int] | np.ndarray) -> np.ndarray | None:
    """Each of ``rows``' copy cluster as an index ``0..m-1`` (for :func:`resample_weights`); None when no two
    of them are copies."""
    if copies is None:
        return None
    keys = [copies[int(i)] for i in rows]
    if not has_copies(keys):
        return None
    return np.unique(np.asarray(keys, dtype=object).astype(str), return_inverse=True)[1]


def resample_weights(rng: np.random.Generator, n: int, units: np.ndarray | None = None) -> np.ndarray:
    """One bootstrap replicate as a weight per document: how often it is drawn.

    Without ``units``, ``n`` documents drawn with replacement; with them (:func:`copy_units`), the clusters
    are drawn and each document weighs as often as its cluster was drawn, so copies come and go together.
    """
    if units is None:
        return np.bincount(rng.integers(0, n, n), minlength=n)
    m = int(units.max()) + 1
    return np.bincount(rng.integers(0, m, m), minlength=m)[units]
