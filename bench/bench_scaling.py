"""Benchmark: Wordfish on a large sparse count matrix, against a straightforward dense implementation.

Counts are simulated from the Wordfish model itself: Zipf-like word frequencies ψ, word weights β ~ N(0, 0.5²),
positions θ ~ N(0, 1), document lengths around 600 tokens (≈ 300 distinct words per document). Timed:

* the blocked sparse ``nlp.scaling.Wordfish`` on ``--docs`` × ``--words`` (default 20,000 × 20,000);
* the same estimator and a plain dense-numpy Wordfish (below; the full λ matrix in memory, the same
  updates) on the same ``--small`` × ``--small`` data (default 2,000 × 2,000), with the ratio of times and
  of peak traced memory and the largest difference of θ between the two.

Figures are printed; nothing is asserted.

    python bench/bench_scaling.py                       # 20,000 × 20,000 and 2,000 × 2,000
    python bench/bench_scaling.py --jobs 2              # the large run on two threads
    python bench/bench_scaling.py --docs 5000 --words 5000
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.scaling import Wordfish  # noqa: E402


def simulate(n_docs: int, n_words: int, tokens: int = 600, seed: int = 0):
    """Sparse counts drawn from the Wordfish model (token by token, a block of documents at a time)."""
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(n_docs)
    psi = -1.1 * np.log(np.arange(1, n_words + 1))
    psi = psi - np.logaddexp.reduce(psi)
    beta = rng.normal(0, 0.5, n_words)
    lengths = rng.poisson(tokens, n_docs).clip(20)
    rows, cols = [], []
    step = max(1, 2_000_000 // n_words)
    for start in range(0, n_docs, step):
        stop = min(n_docs, start + step)
        logits = psi[None, :] + np.multiply.outer(theta[start:stop], beta)
        prob = np.exp(logits - logits.max(axis=1, keepdims=True))
        cdf = np.cumsum(prob, axis=1)
        cdf /= cdf[:, -1:]
        cdf[:, -1] = 1.0
        offsets = np.arange(stop - start)
        flat = (cdf + offsets[:, None]).ravel()
        for i in range(start, stop):
            u = (i - start) + rng.random(lengths[i])
            cols.append(np.searchsorted(flat, u) - (i - start) * n_words)
            rows.append(np.full(lengths[i], i))
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    X = sp.csr_matrix((np.ones(rows.size), (rows, np.clip(cols, 0, n_words - 1))), shape=(n_docs, n_words))
    X.sum_duplicates()
    keep = np.asarray(X.sum(axis=0)).ravel() > 0
    return X[:, keep].tocsr(), theta


def dense_wordfish(Y: np.ndarray, high: int, low: int, tol: float = 1e-6, max_iter: int = 100) -> np.ndarray:
    """Reference Wordfish on a dense array: the whole λ matrix in memory, the same updates and priors."""
    n, k = Y.shape
    r, c = Y.sum(1), Y.sum(0)
    total = r.sum()
    expected = np.outer(r, c) / total
    u = np.linalg.svd((Y - expected) / np.sqrt(expected), full_matrices=False)[0][:, 0]
    theta = u / np.sqrt(r / total)
    theta = (theta - theta.mean()) / theta.std(ddof=1)
    alpha, psi, beta = np.log(r) - np.log(r.mean()), np.log(c / n), np.zeros(k)

    def lp():
        log_rate = alpha[:, None] + psi[None, :] + np.outer(theta, beta)
        return (Y * log_rate - np.exp(log_rate)).sum() - 0.5 * (beta @ beta / 9 + theta @ theta)

    cur, last, it = lp(), -np.inf, 0
    while cur - last > tol and it < max_iter:
        it += 1
        step = 0.5 if it == 1 else 1.0
        for _ in range(10):  # words
            lam = np.exp(alpha[:, None] + psi[None, :] + np.outer(theta, beta))
            g0, g1 = (Y - lam).sum(0), theta @ (Y - lam) - beta / 9
            h00, h01, h11 = -lam.sum(0), -(theta @ lam), -((theta ** 2) @ lam) - 1 / 9
            det = h00 * h11 - h01 ** 2
            d0, d1 = step * (h11 * g0 - h01 * g1) / det, step * (h00 * g1 - h01 * g0) / det
            psi, beta, step = psi - d0, beta - d1, 1.0
            if max(np.abs(d0).max(), np.abs(d1).max()) < 1e-8:
                break
        step = 0.5 if it == 1 else 1.0
        for _ in range(10):  # documents
            lam = np.exp(alpha[:, None] + psi[None, :] + np.outer(theta, beta))
            g0, g1 = (Y - lam).sum(1), (Y - lam) @ beta - theta
            h00, h01, h11 = -lam.sum(1), -(lam @ beta), -(lam @ beta ** 2) - 1
            det = h00 * h11 - h01 ** 2
            d0, d1 = step * (h11 * g0 - h01 * g1) / det, step * (h00 * g1 - h01 * g0) / det
            alpha, theta, step = alpha - d0, theta - d1, 1.0
            if max(np.abs(d0).max(), np.abs(d1).max()) < 1e-8:
                break
        alpha, theta = alpha - alpha.mean(), (theta - theta.mean()) / theta.std(ddof=1)
        if theta[high] < theta[low]:
            theta, beta = -theta, -beta
        last, cur = cur, lp()
    return theta


def measure(label: str, fn):
    """Run ``fn`` once; print wall time and tracemalloc's peak (numpy arrays are traced)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    t0 = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    print(f"  {label:<38} {seconds:9.2f} s   peak traced memory {peak:9.1f} MB", flush=True)
    return out, seconds, peak


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report_rounds(it: int, lp: float) -> None:
    if it % 10 == 0:
        print(f"    round {it}: log-posterior {lp:.6f}", file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--words", type=int, default=20_000)
    ap.add_argument("--small", type=int, default=2_000, help="size of the square problem run both ways")
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--max-iter", type=int, default=100, help="outer rounds at most (quanteda: 100)")
    ap.add_argument("--jobs", type=int, default=1, help="n_jobs for the large run (threads over blocks)")
    args = ap.parse_args()

    # The large run goes first, so the process's peak resident memory after it is the large run's own.
    print(f"blocked sparse Wordfish on {args.docs:,} × {args.words:,} (n_jobs={args.jobs}, tol={args.tol:g}, "
          f"max_iter={args.max_iter})")
    t0 = time.perf_counter()
    X, truth = simulate(args.docs, args.words, seed=2)
    distinct = np.diff(X.indptr)
    print(f"  simulated in {time.perf_counter() - t0:.1f} s: {X.shape[0]:,} × {X.shape[1]:,}, {X.nnz:,} non-zeros "
          f"({X.nnz / X.shape[0] / X.shape[1]:.2%} dense), median {int(np.median(distinct))} distinct words per document")
    high, low = int(np.argmax(truth)), int(np.argmin(truth))
    model, seconds, peak = measure("nlp.scaling.Wordfish (blocked)", lambda: Wordfish(
        dir=(high, low), tol=args.tol, max_iter=args.max_iter, n_jobs=args.jobs).fit(X, progress=report_rounds))
    print(f"  {model.n_iter_} rounds ({seconds / max(1, model.n_iter_):.2f} s each), converged={model.converged_}, "
          f"r(θ, true θ) = {np.corrcoef(model.theta_, truth)[0, 1]:.4f}; dense λ would need "
          f"{X.shape[0] * X.shape[1] * 8 / 2 ** 30:.1f} GB")
    print(f"  peak resident memory so far: {rss_mb():.0f} MB", flush=True)
    del X, model

    print(f"dense numpy reference vs blocked sparse on {args.small:,} × {args.small:,} (same data, n_jobs=1)")
    X, truth = simulate(args.small, args.small, seed=1)
    high, low = int(np.argmax(truth)), int(np.argmin(truth))
    dense_theta, t_dense, m_dense = measure("dense numpy reference", lambda: dense_wordfish(
        X.toarray(), high, low, args.tol, args.max_iter))
    model, t_sparse, m_sparse = measure("nlp.scaling.Wordfish (blocked)", lambda: Wordfish(
        dir=(high, low), tol=args.tol, max_iter=args.max_iter).fit(X))
    print(f"  dense / blocked: time × {t_dense / t_sparse:.2f}, peak memory × {m_dense / m_sparse:.1f}; "
          f"max |Δθ| = {np.abs(dense_theta - model.theta_).max():.1e}; rounds {model.n_iter_}; "
          f"r(θ, true θ) = {np.corrcoef(model.theta_, truth)[0, 1]:.4f}")
    print(f"peak resident memory of the whole run: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
