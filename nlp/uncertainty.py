"""Support and intervals: how many articles (and authors) a figure rests on, and how much it could move.

Every figure softleft states comes with the number of articles behind it, the number of distinct authors,
and a percentile interval from a bootstrap over **articles clustered by author** (an author's articles are
resampled together, since one prolific writer's pieces are not independent evidence). Articles without
an author are clusters of their own. Near-duplicates (print and online editions, syndicated copies:
:mod:`corpus.duplicates`) join one cluster too, whoever is named as their author (:func:`nlp.copies.merge_copies`). Seeded: the same seed gives the same intervals, in process or with the
replicates computed in blocks on Dask workers (:mod:`nlp.parallel`).

A finding resting on fewer than :data:`MIN_SUPPORT` articles is not stated as a finding; a rise is called a
rise only when the intervals of the two windows do not overlap (:func:`is_rise`).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from nlp.copies import merge_copies
from nlp.parallel import Executor, InProcessExecutor, chunk_rng

from nlp.defaults import BOOTSTRAP, MIN_SUPPORT  # noqa: F401,E402 (``--bootstrap``, ``--min-support``)
LEVEL = 0.95
#: Replicates per block: the unit of work in process and on Dask workers alike (fixed, so it never moves a
#: number).
REPLICATE_BLOCK = 50


def cluster_keys(authors: Sequence[Sequence[str]], ids: Sequence[str],
                 copies: Sequence[str] | None = None) -> list[str]:
    """One cluster per author set ("a; b" for co-authored pieces); an article without authors is its own.

    ``copies``: each article's copy cluster (:attr:`nlp.documents.DocumentTerms.copy_clusters`); copies are
    merged into one cluster, so a print and an online edition are resampled together.
    """
    keys = ["; ".join(sorted(a.casefold() for a in auth)) or f"(article {i})" for auth, i in zip(authors, ids)]
    return merge_copies(keys, copies)


@dataclass(frozen=True)
class Support:
    """What a figure rests on."""

    n: int
    n_authors: int
    lo: float | None = None
    hi: float | None = None


def _clusters(keys: Sequence[str]) -> list[np.ndarray]:
    groups: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    return [np.asarray(v, dtype=np.int64) for v in groups.values()]


def bootstrap_means(values: np.ndarray, keys: Sequence[str], n_boot: int = BOOTSTRAP, seed: int = 0,
                    weights: np.ndarray | None = None, level: float = LEVEL, executor: Executor | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of the (weighted) mean of ``values`` rows under a cluster bootstrap.

    Parameters
    ----------
    values : array (n,) or (n, k)
        One row per article (e.g. its topic shares, or its count of a term).
    keys : sequence of str
        Each article's cluster (:func:`cluster_keys`).
    weights : array (n,), optional
        A ratio of sums instead of a mean: ``sum(values) / sum(weights)`` (e.g. term count per terms).
    executor : nlp.parallel.Executor, optional
        Computes blocks of :data:`REPLICATE_BLOCK` replicates as tasks (Dask workers); default in process.
        Each block draws from its own generator, derived from ``seed`` and the block's index, so the
        intervals are the same wherever the blocks run.

    Returns
    -------
    lo, hi : arrays shaped like one row of ``values``
    """
    values = np.asarray(values, dtype=float)
    squeeze = values.ndim == 1
    if squeeze:
        values = values[:, None]
    w = np.ones(len(values)) if weights is None else np.asarray(weights, dtype=float)
    clusters = _clusters(keys)
    if n_boot <= 0 or len(values) == 0:
        nan = np.full(values.shape[1], np.nan)
        return (nan[0], nan[0]) if squeeze else (nan, nan)
    # Sum each cluster once; a replicate is then a sum over resampled clusters.
    sums = np.stack([values[c].sum(axis=0) for c in clusters])
    wsums = np.array([w[c].sum() for c in clusters])
    blocks = [(b, (start, min(start + REPLICATE_BLOCK, n_boot)))
              for b, start in enumerate(range(0, n_boot, REPLICATE_BLOCK))]
    work = functools.partial(replicate_block, sums, wsums, seed)
    done = dict((executor or InProcessExecutor()).map_chunks(work, blocks))
    reps = np.concatenate([done[b] for b, _ in blocks])
    alpha = (1 - level) / 2
    lo, hi = np.nanquantile(reps, alpha, axis=0), np.nanquantile(reps, 1 - alpha, axis=0)
    return (lo[0], hi[0]) if squeeze else (lo, hi)


def replicate_block(sums: np.ndarray, wsums: np.ndarray, seed: int, bounds: tuple[int, int]) -> np.ndarray:
    """Bootstrap replicates ``start..stop-1`` (``bounds``) of the ratio ``sum(values) / sum(weights)``.

    Pure: the block's clusters are drawn from a generator derived from ``seed`` and the block's index
    (``start // REPLICATE_BLOCK``), so a block gives the same replicates in any process, in any order.

    Parameters
    ----------
    sums : array (n_clusters, k)
        Each cluster's sum of ``values``.
    wsums : array (n_clusters,)
        Each cluster's sum of weights.
    seed : int
    bounds : (int, int)

    Returns
    -------
    array (stop - start, k)
    """
    start, stop = bounds
    n, m = stop - start, len(sums)
    rng = chunk_rng(seed, start // REPLICATE_BLOCK)
    picks = rng.integers(0, m, size=(n, m))
    counts = np.bincount((np.arange(n)[:, None] * m + picks).ravel(), minlength=n * m).reshape(n, m).astype(float)
    num, den = counts @ sums, counts @ wsums
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / den[:, None]


def is_rise(before: tuple[float, float], after: tuple[float, float]) -> bool:
    """A rise only when the later interval lies wholly above the earlier one (intervals ``(lo, hi)``)."""
    return bool(np.isfinite(before[1]) and np.isfinite(after[0]) and after[0] > before[1])


def is_fall(before: tuple[float, float], after: tuple[float, float]) -> bool:
    return bool(np.isfinite(before[0]) and np.isfinite(after[1]) and after[1] < before[0])
