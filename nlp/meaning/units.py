"""Resampling units for comparing two groups' embeddings: documents, outlets, or documents within outlets.

:mod:`nlp.meaning.analysis` compares two groups by the cosine of their mean occurrence embeddings. Which
units may be shuffled between the groups follows the design (:func:`nlp.design.pair_design`):

- **documents** (the default: groups that vary within one outlet, or groups that are outlets);
- **outlets**, where each group's documents come from outlets of their own (the label is a property of the
  outlet): whole outlets (each with all its documents) are moved between the groups. With few outlets the
  splits are enumerated exactly: 2 against 6 outlets have 28 splits, so no p can fall below 1/28;
- **documents within outlets**, where the groups share outlets: documents are shuffled between the groups
  inside each outlet only (a stratified permutation), so the null keeps each outlet's mix of the two.

Every function works on per-unit sums of occurrence embeddings and per-unit occurrence counts.
"""
from __future__ import annotations

from itertools import combinations
from math import comb
from typing import Sequence

import numpy as np


def unit_sums(sums: np.ndarray, counts: np.ndarray, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Documents' embedding sums and occurrence counts added up per unit (``keys``: each document's unit),
    units in sorted order."""
    names = sorted(set(keys))
    index = {k: i for i, k in enumerate(names)}
    rows = np.array([index[k] for k in keys], dtype=np.int64)
    out = np.zeros((len(names), sums.shape[1]))
    np.add.at(out, rows, sums)
    return out, np.bincount(rows, weights=counts, minlength=len(names)), names


def _cosines(mask: np.ndarray, sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Cosine between the embeddings of each row's side A (``mask`` 1) and side B (0)."""
    ea = (mask @ sums) / (mask @ counts)[:, None]
    rest = 1 - mask
    eb = (rest @ sums) / (rest @ counts)[:, None]
    ea /= np.maximum(np.linalg.norm(ea, axis=1, keepdims=True), 1e-12)
    eb /= np.maximum(np.linalg.norm(eb, axis=1, keepdims=True), 1e-12)
    return (ea * eb).sum(axis=1)


def exact_splits(sums: np.ndarray, counts: np.ndarray, n_a: int) -> np.ndarray:
    """The cosine of every split of the units into ``n_a`` against the rest (C(m, n_a) of them, the observed
    split among them)."""
    m = len(counts)
    mask = np.zeros((comb(m, n_a), m))
    for r, chosen in enumerate(combinations(range(m), n_a)):
        mask[r, list(chosen)] = 1.0
    return _cosines(mask, sums, counts)


def smallest_p(n_a: int, n_b: int) -> float:
    """The smallest p of an exact permutation test of the cosine over ``n_a + n_b`` units: the observed split
    (and its mirror image when the sides are the same size, which gives the same cosine) out of all."""
    return (2 if n_a == n_b else 1) / comb(n_a + n_b, n_a)


def stratified_splits(sums: np.ndarray, counts: np.ndarray, in_a: np.ndarray, strata: np.ndarray,
                      rng: np.random.Generator, n_perm: int, block_cells: int = 2_000_000) -> np.ndarray:
    """Cosines of ``n_perm`` random splits that shuffle documents between the groups within each stratum
    only (each stratum keeps its number of A documents; a stratum of one group never changes).

    Parameters
    ----------
    sums, counts : ndarray
        Per document, in any order.
    in_a : bool ndarray
        The observed side of each document.
    strata : ndarray
        Each document's stratum (outlet) code.
    """
    order = np.lexsort((np.arange(len(strata)), strata))
    sums, counts, in_a, strata = sums[order], counts[order], in_a[order], strata[order]
    m = len(counts)
    starts = np.flatnonzero(np.r_[True, strata[1:] != strata[:-1]])
    n_a = np.add.reduceat(in_a.astype(np.int64), starts)
    positions = np.concatenate([np.arange(s, s + k) for s, k in zip(starts, n_a)]).astype(np.int64)
    out = []
    block = max(1, block_cells // max(m, 1))
    for start in range(0, n_perm, block):
        rows = min(block, n_perm - start)
        # sorting stratum code + a uniform key shuffles the documents within each stratum's block of columns;
        # the first n_a[s] places of a stratum's block go to A
        shuffled = np.argsort(strata[None, :] + rng.random((rows, m)), axis=1)
        mask = np.zeros((rows, m))
        np.put_along_axis(mask, shuffled[:, positions], 1.0, axis=1)
        out.append(_cosines(mask, sums, counts))
    return np.concatenate(out)
