"""Blocked computations for the Wordfish Poisson model, log λ_ij = α_i + ψ_j + β_j θ_i.

Every sum over the dense documents × words rate matrix λ is taken block by block (a band of documents at a
time, at most ``budget`` cells per block, optionally ``n_jobs`` blocks at once on threads: numpy releases
the GIL in ``exp`` and matrix products), so the full matrix never exists in memory. The count terms only
need sparse products (row and column sums, ``Y β``, ``Yᵀ θ``). Block results are combined in block order,
so the numbers do not depend on ``n_jobs``.

Both conditional Newton–Raphson updates are 2 × 2 systems per word or per document; given the other side's
parameters the words (or documents) are independent, so updating all of them at once, as here, gives the
same numbers as quanteda's loop over them one at a time.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

DEFAULT_BUDGET = 2_000_000  # cells of λ held at once (16 MB of float64)


def row_blocks(n_rows: int, n_cols: int, budget: int) -> Iterator[slice]:
    """Consecutive row slices with at most ``budget`` cells each (at least one row)."""
    step = max(1, budget // max(1, n_cols))
    for start in range(0, n_rows, step):
        yield slice(start, min(n_rows, start + step))


@dataclass(frozen=True)
class Blocks:
    """How to walk the rate matrix: ``budget`` cells per block, ``n_jobs`` blocks at a time."""

    budget: int = DEFAULT_BUDGET
    n_jobs: int = 1

    def map(self, fn: Callable[[slice], np.ndarray], n_rows: int, n_cols: int) -> list[np.ndarray]:
        """``fn`` of every row block, in block order."""
        slices = list(row_blocks(n_rows, n_cols, max(1, self.budget)))
        if self.n_jobs <= 1 or len(slices) == 1:
            return [fn(rows) for rows in slices]
        with ThreadPoolExecutor(max_workers=self.n_jobs) as pool:
            return list(pool.map(fn, slices))


def rate_block(alpha, theta, psi, beta) -> np.ndarray:
    """λ for the given documents (rows) and words (columns), built in place (one temporary)."""
    rate = np.multiply.outer(theta, beta)
    rate += alpha[:, None]
    rate += psi[None, :]
    with np.errstate(over="ignore"):
        return np.exp(rate, out=rate)


def word_moments(alpha, theta, psi, beta, plan: Blocks) -> np.ndarray:
    """For each given word j: Σ_i λ_ij, Σ_i λ_ij θ_i, Σ_i λ_ij θ_i² (shape 3 × words)."""
    moments = np.vstack([np.ones_like(theta), theta, theta * theta])

    def block(rows: slice) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            return moments[:, rows] @ rate_block(alpha[rows], theta[rows], psi, beta)

    out = np.zeros((3, psi.size))
    for part in plan.map(block, theta.size, psi.size):
        out += part
    return out


def doc_moments(alpha, theta, psi, beta, plan: Blocks) -> np.ndarray:
    """For each given document i: Σ_j λ_ij, Σ_j λ_ij β_j, Σ_j λ_ij β_j² (shape documents × 3)."""
    weights = np.column_stack([np.ones_like(beta), beta, beta * beta])

    def block(rows: slice) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflowed rate: the document is not placed
            return rate_block(alpha[rows], theta[rows], psi, beta) @ weights

    parts = plan.map(block, theta.size, psi.size)
    return np.concatenate(parts) if parts else np.empty((0, 3))


def newton_2x2(g0, g1, h00, h01, h11, step: float):
    """Newton steps (Δ0, Δ1) = −step · H⁻¹ g for many symmetric 2 × 2 systems at once.

    A system whose curvature overflowed (a document placed far out on a flat likelihood) gets a non-finite
    step, quietly: the caller stops updating it and reports the document as one it could not place.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        det = h00 * h11 - h01 * h01
        d0 = -step * (h11 * g0 - h01 * g1) / det
        d1 = -step * (h00 * g1 - h01 * g0) / det
    return d0, d1


def update_words(Y: sp.csr_matrix, alpha, theta, psi, beta, prec_psi: float, prec_beta: float,
                 first_step: float, tol: float, max_inner: int, plan: Blocks) -> None:
    """Conditional Newton updates of (ψ_j, β_j) for every word, documents fixed (in place)."""
    counts = np.asarray(Y.sum(axis=0)).ravel()
    counts_theta = Y.T @ theta
    active = np.arange(psi.size)
    step = first_step
    for _ in range(max_inner):
        if not active.size:
            break
        p, b = psi[active], beta[active]
        s0, s1, s2 = word_moments(alpha, theta, p, b, plan)
        d0, d1 = newton_2x2(counts[active] - s0 - prec_psi * p, counts_theta[active] - s1 - prec_beta * b,
                            -s0 - prec_psi, -s1, -s2 - prec_beta, step)
        psi[active], beta[active] = p + d0, b + d1
        active = active[np.maximum(np.abs(d0), np.abs(d1)) > tol]
        step = 1.0


def update_docs(row_sums, counts_beta, alpha, theta, psi, beta, prec_alpha: float, prec_theta: float,
                first_step: float, tol: float, max_inner: int, plan: Blocks) -> None:
    """Conditional Newton updates of (α_i, θ_i) for every document, words fixed (in place).

    ``row_sums`` and ``counts_beta`` are the count terms Σ_j y_ij and Σ_j y_ij β_j of each document.
    """
    active = np.arange(alpha.size)
    step = first_step
    for _ in range(max_inner):
        if not active.size:
            break
        a, t = alpha[active], theta[active]
        m = doc_moments(a, t, psi, beta, plan)
        d0, d1 = newton_2x2(row_sums[active] - m[:, 0] - prec_alpha * a,
                            counts_beta[active] - m[:, 1] - prec_theta * t,
                            -m[:, 0] - prec_alpha, -m[:, 1], -m[:, 2] - prec_theta, step)
        alpha[active], theta[active] = a + d0, t + d1
        active = active[np.maximum(np.abs(d0), np.abs(d1)) > tol]
        step = 1.0


def theta_standard_errors(alpha, theta, psi, beta, prec_alpha: float, prec_theta: float, plan: Blocks) -> np.ndarray:
    """SE of θ_i from the inverse of document i's 2 × 2 Hessian of (α_i, θ_i), word parameters fixed."""
    m = doc_moments(alpha, theta, psi, beta, plan)
    h00, h01, h11 = -m[:, 0] - prec_alpha, -m[:, 1], -m[:, 2] - prec_theta
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(-h00 / (h00 * h11 - h01 * h01))


def log_posterior(Y: sp.csr_matrix, alpha, theta, psi, beta, precisions, plan: Blocks) -> float:
    """Σ y log λ − Σ λ minus the Gaussian penalties (no log y! constant), as quanteda reports it."""
    prec_alpha, prec_psi, prec_beta, prec_theta = precisions
    rows = np.asarray(Y.sum(axis=1)).ravel()
    cols = np.asarray(Y.sum(axis=0)).ravel()
    counts_term = rows @ alpha + cols @ psi + theta @ (Y @ beta)
    rate_total = 0.0
    for part in plan.map(lambda rows: rate_block(alpha[rows], theta[rows], psi, beta).sum(), theta.size, psi.size):
        rate_total += part
    penalty = 0.5 * (prec_alpha * alpha @ alpha + prec_psi * psi @ psi + prec_beta * beta @ beta
                     + prec_theta * theta @ theta)
    return float(counts_term - rate_total - penalty)


def simulate_doc_counts(alpha, theta, psi, beta, rng: np.random.Generator, plan: Blocks):
    """One parametric-bootstrap draw y* ~ Poisson(λ); returns only its sufficient statistics.

    Returns ``(row_sums, counts_beta)``: Σ_j y*_ij and Σ_j y*_ij β_j per document, all the document update needs.
    Drawn block by block in order on one thread, so a seed gives the same draws whatever ``n_jobs`` is.
    """
    rows = np.empty(theta.size)
    counts_beta = np.empty(theta.size)
    for block in row_blocks(theta.size, psi.size, max(1, plan.budget)):
        draw = rng.poisson(rate_block(alpha[block], theta[block], psi, beta)).astype(np.float64)
        rows[block] = draw.sum(axis=1)
        counts_beta[block] = draw @ beta
    return rows, counts_beta
