"""Blocked computations for the Wordfish Poisson model, log λ_ij = α_i + ψ_j + β_j θ_i.

Every sum over the dense documents × words rate matrix λ is taken block by block (a band of documents at a
time, at most ``budget`` cells per block, optionally ``n_jobs`` blocks at once on threads: numpy releases
the GIL in ``exp`` and matrix products), so the full matrix never exists in memory. The count terms only
need sparse products (row and column sums, ``Y β``, ``Yᵀ θ``). Block results are combined in block order,
so the numbers do not depend on ``n_jobs``.

A pass over λ costs one ``exp`` per cell: λ_ij = e^{α_i} · e^{β_j θ_i} · e^{ψ_j}, so only the outer product
β_j θ_i is exponentiated cell by cell, and the document and word factors go into the (small) weights of the
matrix product that sums the block. Where β θ could overflow on its own, the plain sum is exponentiated.

Both conditional Newton–Raphson updates are 2 × 2 systems per word or per document; given the other side's
parameters the words (or documents) are independent, so all of them are updated at once.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

DEFAULT_BUDGET = 2_000_000  # cells of λ held at once (16 MB of float64)
MAX_STEP = 1.0  # the largest move of a parameter in one Newton step (see newton_2x2)
_FACTOR_LIMIT = 600.0  # |β θ| beyond this: exponentiate the whole sum (e^{βθ} alone could overflow)


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


def _factored(theta, beta) -> bool:
    """Whether λ may be computed as e^α · e^{βθ} · e^ψ without e^{βθ} overflowing on its own."""
    return theta.size == 0 or beta.size == 0 or \
        float(np.abs(theta).max()) * float(np.abs(beta).max()) < _FACTOR_LIMIT


def _exp_outer(theta, beta) -> np.ndarray:
    """e^{θ_i β_j} for the given documents and words (one temporary, exponentiated in place)."""
    block = np.multiply.outer(theta, beta)
    with np.errstate(over="ignore"):
        return np.exp(block, out=block)


def word_moments(alpha, theta, psi, beta, plan: Blocks) -> np.ndarray:
    """For each given word j: Σ_i λ_ij, Σ_i λ_ij θ_i, Σ_i λ_ij θ_i² (shape 3 × words)."""
    moments = np.vstack([np.ones_like(theta), theta, theta * theta])
    factored = _factored(theta, beta)
    if factored:
        with np.errstate(over="ignore"):
            moments *= np.exp(alpha)

    def block(rows: slice) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            rates = _exp_outer(theta[rows], beta) if factored else rate_block(alpha[rows], theta[rows], psi, beta)
            return moments[:, rows] @ rates

    out = np.zeros((3, psi.size))
    for part in plan.map(block, theta.size, psi.size):
        out += part
    if factored:
        with np.errstate(over="ignore", invalid="ignore"):
            out *= np.exp(psi)
    return out


def doc_moments(alpha, theta, psi, beta, plan: Blocks) -> np.ndarray:
    """For each given document i: Σ_j λ_ij, Σ_j λ_ij β_j, Σ_j λ_ij β_j² (shape documents × 3)."""
    weights = np.column_stack([np.ones_like(beta), beta, beta * beta])
    factored = _factored(theta, beta)
    if factored:
        with np.errstate(over="ignore"):
            weights *= np.exp(psi)[:, None]

    def block(rows: slice) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflowed rate: the document is not placed
            rates = _exp_outer(theta[rows], beta) if factored else rate_block(alpha[rows], theta[rows], psi, beta)
            return rates @ weights

    parts = plan.map(block, theta.size, psi.size)
    out = np.concatenate(parts) if parts else np.empty((0, 3))
    if factored:
        with np.errstate(over="ignore", invalid="ignore"):
            out *= np.exp(alpha)[:, None]
    return out


def newton_2x2(g0, g1, h00, h01, h11, step: float, max_step: float = MAX_STEP):
    """Newton steps (Δ0, Δ1) = −step · H⁻¹ g for many symmetric 2 × 2 systems at once.

    A step that would move either parameter by more than ``max_step`` is shortened (direction kept): far from
    the optimum, a full Newton step on a Poisson likelihood can overshoot by orders of magnitude (a rare word
    from β = 0, a short document in the first round) and overflow every rate after it; near the optimum the
    steps are small and untouched, so the optimum is the same.

    A system whose curvature overflowed (a document placed far out on a flat likelihood) gets a non-finite
    step, quietly: the caller stops updating it and reports the document as one it could not place.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        det = h00 * h11 - h01 * h01
        d0 = -step * (h11 * g0 - h01 * g1) / det
        d1 = -step * (h00 * g1 - h01 * g0) / det
        largest = np.maximum(np.abs(d0), np.abs(d1))
        shrink = np.where(largest > max_step, max_step / largest, 1.0)
    return d0 * shrink, d1 * shrink


def step_words(counts, counts_theta, moments, psi, beta, prec_psi: float, prec_beta: float, step: float) -> None:
    """One Newton step of (ψ_j, β_j) for every word from its ``word_moments`` (in place).

    ``counts`` and ``counts_theta`` are the count terms Σ_i y_ij and Σ_i y_ij θ_i of each word.
    """
    s0, s1, s2 = moments
    d0, d1 = newton_2x2(counts - s0 - prec_psi * psi, counts_theta - s1 - prec_beta * beta,
                        -s0 - prec_psi, -s1, -s2 - prec_beta, step)
    psi += d0
    beta += d1


def step_docs(row_sums, counts_beta, moments, alpha, theta, prec_alpha: float, prec_theta: float,
              step: float) -> tuple[np.ndarray, np.ndarray]:
    """One Newton step of (α_i, θ_i) for every document from its ``doc_moments``; returns the step."""
    d0, d1 = newton_2x2(row_sums - moments[:, 0] - prec_alpha * alpha,
                        counts_beta - moments[:, 1] - prec_theta * theta,
                        -moments[:, 0] - prec_alpha, -moments[:, 1], -moments[:, 2] - prec_theta, step)
    alpha += d0
    theta += d1
    return d0, d1


def update_docs(row_sums, counts_beta, alpha, theta, psi, beta, prec_alpha: float, prec_theta: float,
                first_step: float, tol: float, max_inner: int, plan: Blocks) -> None:
    """Conditional Newton updates of (α_i, θ_i) for every document, words fixed, to the conditional optimum
    (in place): until no parameter moves more than ``tol``, at most ``max_inner`` steps.

    ``row_sums`` and ``counts_beta`` are the count terms Σ_j y_ij and Σ_j y_ij β_j of each document.
    """
    active = np.arange(alpha.size)
    step = first_step
    for _ in range(max_inner):
        if not active.size:
            break
        a, t = alpha[active], theta[active]
        d0, d1 = step_docs(row_sums[active], counts_beta[active], doc_moments(a, t, psi, beta, plan), a, t,
                           prec_alpha, prec_theta, step)
        alpha[active], theta[active] = a, t
        active = active[np.maximum(np.abs(d0), np.abs(d1)) > tol]
        step = 1.0


def theta_standard_errors(alpha, theta, psi, beta, prec_alpha: float, prec_theta: float, plan: Blocks) -> np.ndarray:
    """SE of θ_i from the inverse of document i's 2 × 2 Hessian of (α_i, θ_i), word parameters fixed."""
    return theta_se(doc_moments(alpha, theta, psi, beta, plan), prec_alpha, prec_theta)


def theta_se(moments: np.ndarray, prec_alpha: float, prec_theta: float) -> np.ndarray:
    """:func:`theta_standard_errors` from the documents' :func:`doc_moments` at the optimum."""
    m = moments
    h00, h01, h11 = -m[:, 0] - prec_alpha, -m[:, 1], -m[:, 2] - prec_theta
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(-h00 / (h00 * h11 - h01 * h01))


def log_posterior(count_terms: float, rate_total: float, alpha, theta, psi, beta, precisions) -> float:
    """Σ y log λ − Σ λ minus the Gaussian penalties (no log y! constant), as quanteda reports it.

    ``count_terms`` is Σ y log λ (sparse: Σ_i r_i α_i + Σ_j c_j ψ_j + θ · (Y β)); ``rate_total`` is Σ λ, which
    :func:`word_moments` gives as the sum of its first row.
    """
    prec_alpha, prec_psi, prec_beta, prec_theta = precisions
    penalty = 0.5 * (prec_alpha * alpha @ alpha + prec_psi * psi @ psi + prec_beta * beta @ beta
                     + prec_theta * theta @ theta)
    return float(count_terms - rate_total - penalty)


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
