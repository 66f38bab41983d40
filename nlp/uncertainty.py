"""Support and intervals: how many articles (and authors) a figure rests on, and how much it could move.

Every figure softleft states comes with the number of articles behind it, the number of distinct authors,
and a percentile interval from a bootstrap over **articles clustered by author** (an author's articles are
resampled together, since one prolific writer's pieces are not independent evidence). Articles without
an author are clusters of their own. Seeded: the same seed gives the same intervals.

A finding resting on fewer than :data:`MIN_SUPPORT` articles is not stated as a finding; a rise is called a
rise only when the intervals of the two windows do not overlap (:func:`is_rise`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

#: Articles a figure must rest on before it is stated as a finding (``--min-support``).
MIN_SUPPORT = 5
#: Bootstrap replicates (``--bootstrap``); 0 gives no intervals.
BOOTSTRAP = 200
LEVEL = 0.95


def cluster_keys(authors: Sequence[Sequence[str]], ids: Sequence[str]) -> list[str]:
    """One cluster per author set ("a; b" for co-authored pieces); an article without authors is its own."""
    return ["; ".join(sorted(a.casefold() for a in auth)) or f"(article {i})" for auth, i in zip(authors, ids)]


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
                    weights: np.ndarray | None = None, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of the (weighted) mean of ``values`` rows under a cluster bootstrap.

    Parameters
    ----------
    values : array (n,) or (n, k)
        One row per article (e.g. its topic shares, or its count of a term).
    keys : sequence of str
        Each article's cluster (:func:`cluster_keys`).
    weights : array (n,), optional
        A ratio of sums instead of a mean: ``sum(values) / sum(weights)`` (e.g. term count per terms).

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
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(clusters), size=(n_boot, len(clusters)))
    counts = np.zeros((n_boot, len(clusters)))
    np.add.at(counts, (np.arange(n_boot)[:, None], picks), 1)
    num, den = counts @ sums, counts @ wsums
    with np.errstate(invalid="ignore", divide="ignore"):
        reps = num / den[:, None]
    alpha = (1 - level) / 2
    lo, hi = np.nanquantile(reps, alpha, axis=0), np.nanquantile(reps, 1 - alpha, axis=0)
    return (lo[0], hi[0]) if squeeze else (lo, hi)


def is_rise(before: tuple[float, float], after: tuple[float, float]) -> bool:
    """A rise only when the later interval lies wholly above the earlier one (intervals ``(lo, hi)``)."""
    return bool(np.isfinite(before[1]) and np.isfinite(after[0]) and after[0] > before[1])


def is_fall(before: tuple[float, float], after: tuple[float, float]) -> bool:
    return bool(np.isfinite(before[0]) and np.isfinite(after[1]) and after[1] < before[0])
