"""Contrasts within outlets, pooled: what sets two groups' writers apart on the same outlets.

Where two tendencies share outlets (LabourList publishes every faction), a contrast pooled over all their
articles mixes each outlet's house style into the tendencies' difference: a side that writes mostly for
one outlet inherits that outlet's datelines and habits. Compared within each outlet and pooled, the
difference is "soft-left writers against hard-left writers on the same outlets" (METHODS.md, "When the
label is a property of the outlet").

Per stratum *s* (an outlet holding at least :data:`nlp.design.MIN_STRATUM_DOCS` documents of each side),
Monroe, Colaresi and Quinn's (2008) estimate with the informative prior of :mod:`nlp.tendencies.contrast`::

    alpha_sw = alpha0_s * pi_w            (pi_w: the term's share of the strata's pooled counts,
                                           alpha0_s: a tenth of the stratum's terms)
    delta_sw = log((y_asw + alpha_sw) / (n_as + alpha0_s - y_asw - alpha_sw))
             - log((y_bsw + alpha_sw) / (n_bs + alpha0_s - y_bsw - alpha_sw))
    var_sw  ~= 1 / (y_asw + alpha_sw) + 1 / (y_bsw + alpha_sw)

pooled with fixed-effect inverse-variance weights::

    delta_w = sum_s(delta_sw / var_sw) / sum_s(1 / var_sw)      var_w = 1 / sum_s(1 / var_sw)
    z_w     = delta_w / sqrt(var_w)
    Q_w     = sum_s (delta_sw - delta_w)^2 / var_sw              (Cochran's Q, S - 1 degrees of freedom)

A large Q says the outlets disagree about the term. With a single stratum the pooled estimate is the
plain contrast of that outlet's two sides. Signature terms need ``min_docs`` documents of their side (over
the strata) and get a stability over bootstrap resamples of the documents within each stratum and side.

This module holds the arithmetic (:func:`pooled_log_odds`) and each side's per-outlet counts
(:class:`StrataCounts`); :func:`nlp.tendencies.contrast.contrast_within_outlets` ranks the terms with them.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import sparse


def pooled_log_odds(ya: np.ndarray, yb: np.ndarray, prior_share: float, shape: np.ndarray | None = None,
                    alpha0: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-stratum weighted log-odds, pooled by inverse-variance weights.

    Parameters
    ----------
    ya, yb : ndarray of shape (S, V)
        Term counts of side A and side B in each stratum.
    prior_share : float
        The prior's total in a stratum as a share of the stratum's terms (the plain contrast's
        :data:`nlp.tendencies.contrast.PRIOR_SHARE`), unless ``alpha0`` is given.
    shape : ndarray of shape (V,), optional
        The prior's shape (background counts); default the counts of both sides over every stratum.
    alpha0 : float, optional
        The prior's total in every stratum, in pseudo-terms.

    Returns
    -------
    delta, var, z, q : ndarray of shape (V,)
        Pooled log-odds ratio (positive favours A), its variance, z-score and Cochran's Q.
    """
    ya, yb = np.atleast_2d(np.asarray(ya, dtype=np.float64)), np.atleast_2d(np.asarray(yb, dtype=np.float64))
    pi = np.maximum(ya.sum(axis=0) + yb.sum(axis=0) if shape is None else np.asarray(shape, dtype=np.float64), 0.01)
    pi = pi / pi.sum()
    na, nb = ya.sum(axis=1, keepdims=True), yb.sum(axis=1, keepdims=True)
    a0 = prior_share * (na + nb) if alpha0 is None else np.full_like(na, float(alpha0))
    alpha = a0 * pi  # (S, V): each stratum's prior, one shape scaled to the stratum's size
    delta_s = (np.log(ya + alpha) - np.log(na + a0 - ya - alpha)) - (np.log(yb + alpha) - np.log(nb + a0 - yb - alpha))
    weight = 1.0 / (1.0 / (ya + alpha) + 1.0 / (yb + alpha))
    total = weight.sum(axis=0)
    delta = (weight * delta_s).sum(axis=0) / total
    q = (weight * (delta_s - delta) ** 2).sum(axis=0)
    return delta, 1.0 / total, delta * np.sqrt(total), q


class StrataCounts:
    """One side's documents in the strata, in stratum order: per-stratum term counts, document
    frequencies, and bootstrap resamples of the documents within each stratum.

    Parameters
    ----------
    counts : scipy.sparse matrix
        Documents x terms counts of the whole selection.
    rows_by_stratum : sequence of int arrays
        The side's rows of ``counts`` in each stratum.
    """

    def __init__(self, counts: sparse.spmatrix, rows_by_stratum: Sequence[np.ndarray]):
        self.rows = np.concatenate([np.asarray(r, dtype=np.int64) for r in rows_by_stratum])
        self.bounds = np.cumsum([0] + [len(r) for r in rows_by_stratum])
        self.counts = sparse.csr_matrix(counts)[self.rows]
        self.used = self.counts.copy()
        self.used.data[:] = 1
        strata = np.repeat(np.arange(len(rows_by_stratum)), np.diff(self.bounds))
        self.member = sparse.csr_matrix((np.ones(len(self.rows)), (strata, np.arange(len(self.rows)))),
                                        shape=(len(rows_by_stratum), len(self.rows)))

    def __len__(self) -> int:
        return len(self.rows)

    def ones(self) -> np.ndarray:
        return np.ones(len(self.rows))

    def resample(self, rng: np.random.Generator) -> np.ndarray:
        """Weights of a bootstrap resample of the documents within each stratum."""
        w = np.zeros(len(self.rows))
        for lo, hi in zip(self.bounds[:-1], self.bounds[1:]):
            w += np.bincount(rng.integers(lo, hi, hi - lo), minlength=len(self.rows))
        return w

    def sums(self, w: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-stratum counts (S, len(columns)) and document frequencies over the strata, documents weighted."""
        per_stratum = (self.member @ sparse.diags(w) @ self.counts).toarray()[:, columns]
        return per_stratum, np.asarray(self.used.T @ w)[columns]
