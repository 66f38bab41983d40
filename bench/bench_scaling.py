"""Benchmark: nlp.scaling.Wordfish against a plain numpy Wordfish on the same count matrices.

The plain version (:func:`plain_wordfish`, below) is the 30-line numpy Wordfish anyone would write from
METHODS.md: the whole rate matrix λ in memory, one Newton step for every word and one for every document
per round (words first, half a step in round one), α centred and θ standardised after every round, stopped
from round two on when a round gains less than ``tol`` (relative, 1e-7) of the log-posterior's size. It
shares ``nlp.scaling``'s starting values (the SVD of the chi-square residuals) and caps each Newton step at
1.0 as ``nlp.scaling`` does (without it, round one overflows on texts of very unequal length). So the two
walk the same path, and the ratio of their times is the cost of ``nlp.scaling``'s blocks, checks, final
conditional optimum of the documents and standard errors.

Matrices (each skipped where its source is absent):

* ``irish``: the 14 Irish budget speeches (``../shared/data``), quanteda's features (about 5,100 words);
* ``manifestos``: the 100 usable UK manifestos (``../shared/data``, the mislabelled 1959 Conservative entry
  dropped), plain words after cleaning split words (about 24,000);
* ``realistic``: 2,626 synthetic documents with a realistic vocabulary (``bench/synthetic.py``,
  :class:`RealisticCorpus`: about 33,000 distinct terms), the size of the press corpus of issue 27;
* ``simulated``: ``--docs`` × ``--words`` counts drawn from the Wordfish model itself (default 2,000 × 2,000).

Each fit is timed ``--repeats`` times, the two interleaved, and the best time of each is kept; the ratio is
printed per matrix with the rounds each took, whether ``nlp.scaling`` converged and the largest |Δθ|.
Figures are printed; nothing is asserted.

    python bench/bench_scaling.py                          # every matrix
    python bench/bench_scaling.py --only irish manifestos  # some of them
    python bench/bench_scaling.py --large                  # also 20,000 × 20,000 (memory: blocked fit only)
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from nlp.scaling import Wordfish, word_matrix  # noqa: E402
from nlp.scaling.wordfish import _starting_theta  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def plain_wordfish(Y, high: int, low: int, tol: float = 1e-7, max_iter: int = 300):
    """Wordfish in plain numpy (see the module docstring); returns ``(theta, rounds)``."""
    Y = sp.csr_matrix(Y, dtype=float)
    n, k = Y.shape
    r, c = np.asarray(Y.sum(1)).ravel(), np.asarray(Y.sum(0)).ravel()
    theta = _starting_theta(Y, r, c, 0)
    alpha, psi, beta = np.log(r / r.mean()), np.log(c / n), np.zeros(k)

    def newton(g0, g1, h00, h01, h11, step):
        det = h00 * h11 - h01 * h01
        d0, d1 = -step * (h11 * g0 - h01 * g1) / det, -step * (h00 * g1 - h01 * g0) / det
        shrink = np.minimum(1.0, 1.0 / np.maximum(np.maximum(np.abs(d0), np.abs(d1)), 1e-300))
        return d0 * shrink, d1 * shrink

    last, it = -np.inf, 0
    while True:
        lam = np.exp(alpha[:, None] + psi[None, :] + np.outer(theta, beta))
        lp = r @ alpha + c @ psi + theta @ (Y @ beta) - lam.sum() - beta @ beta / 18 - theta @ theta / 2
        if (it >= 2 and lp - last <= tol * abs(lp)) or it == max_iter:
            return theta, it
        last, it, step = lp, it + 1, 0.5 if it == 0 else 1.0
        d0, d1 = newton(c - lam.sum(0), Y.T @ theta - theta @ lam - beta / 9, -lam.sum(0), -(theta @ lam),
                        -((theta * theta) @ lam) - 1 / 9, step)
        psi, beta = psi + d0, beta + d1
        lam = np.exp(alpha[:, None] + psi[None, :] + np.outer(theta, beta))
        d0, d1 = newton(r - lam.sum(1), Y @ beta - lam @ beta - theta, -lam.sum(1), -(lam @ beta),
                        -(lam @ (beta * beta)) - 1, step)
        alpha, theta = alpha + d0, theta + d1
        alpha, theta = alpha - alpha.mean(), (theta - theta.mean()) / theta.std(ddof=1)
        if theta[high] < theta[low]:
            theta, beta = -theta, -beta


# ---------------------------------------------------------------------------------------------------- data
def irish():
    path = DATA / "irish-budget-2010" / "speeches.jsonl"
    docs = [json.loads(line) for line in path.open(encoding="utf-8")]
    X, _ = word_matrix(d["text"] for d in docs)
    names = [d["name"] for d in docs]
    return X, names.index("Lenihan"), names.index("Bruton")


def manifestos():
    from nlp.text.cleaning import join_split_words

    path = DATA / "uk-manifestos" / "manifestos.jsonl"
    docs = [d for d in map(json.loads, path.open(encoding="utf-8")) if d["doc_id"] != "UK_natl_1959_en_Con"]
    X, _ = word_matrix(join_split_words(d["text"]) for d in docs)
    ids = [d["doc_id"] for d in docs]
    return X, ids.index("UK_natl_1997_en_Con"), ids.index("UK_natl_1983_en_Lab")


def realistic(n: int = 2626):
    from synthetic import realistic_documents

    docs = realistic_documents(n, seed=0)
    truth = np.asarray(docs.meta["positions"])
    return docs.matrix.tocsr(), int(np.argmax(truth)), int(np.argmin(truth))


def simulate(n_docs: int, n_words: int, tokens: int = 600, seed: int = 0):
    """Sparse counts drawn from the Wordfish model (Zipf-like ψ, β ~ N(0, 0.5²), θ ~ N(0, 1)), a block at a time."""
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(n_docs)
    psi = -1.1 * np.log(np.arange(1, n_words + 1))
    beta = rng.normal(0, 0.5, n_words)
    lengths = rng.poisson(tokens, n_docs).clip(20)
    rows, cols = [], []
    step = max(1, 2_000_000 // n_words)
    for start in range(0, n_docs, step):
        stop = min(n_docs, start + step)
        logits = psi[None, :] + np.multiply.outer(theta[start:stop], beta)
        cdf = np.cumsum(np.exp(logits - logits.max(axis=1, keepdims=True)), axis=1)
        cdf /= cdf[:, -1:]
        for i in range(start, stop):
            cols.append(np.minimum(np.searchsorted(cdf[i - start], rng.random(lengths[i])), n_words - 1))
            rows.append(np.full(lengths[i], i))
    X = sp.csr_matrix((np.ones(sum(map(len, rows))), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(n_docs, n_words))
    X.sum_duplicates()
    X = X[:, np.asarray(X.sum(axis=0)).ravel() > 0].tocsr()
    return X, int(np.argmax(theta)), int(np.argmin(theta))


# ---------------------------------------------------------------------------------------------------- timing
def compare(name: str, X, high: int, low: int, repeats: int, tol: float, max_iter: int) -> dict:
    """Best-of-``repeats`` wall time of each fit (interleaved), the ratio, rounds and |Δθ|."""
    best = {"nlp.scaling": np.inf, "plain": np.inf}
    for _ in range(repeats):
        t0 = time.perf_counter()
        model = Wordfish(dir=(high, low), tol=tol, max_iter=max_iter).fit(X)
        best["nlp.scaling"] = min(best["nlp.scaling"], time.perf_counter() - t0)
        t0 = time.perf_counter()
        theta, rounds = plain_wordfish(X, high, low, tol=tol, max_iter=max_iter)
        best["plain"] = min(best["plain"], time.perf_counter() - t0)
    row = {"matrix": name, "shape": list(X.shape), "nnz": int(X.nnz), "rounds": model.n_iter_, "plain_rounds": rounds,
           "converged": bool(model.converged_), "stop": model.stop_, "seconds": round(best["nlp.scaling"], 3),
           "plain_seconds": round(best["plain"], 3), "ratio": round(best["nlp.scaling"] / best["plain"], 3),
           "max_abs_dtheta": float(np.abs(model.theta_ - theta).max())}
    print(f"{name:<11} {X.shape[0]:>6,} × {X.shape[1]:>6,}  rounds {model.n_iter_:>3} ({model.stop_}, converged="
          f"{model.converged_}) vs plain {rounds:>3}   {best['nlp.scaling']:8.2f} s vs {best['plain']:8.2f} s   "
          f"ratio {row['ratio']:.2f}   max |Δθ| {row['max_abs_dtheta']:.1e}", flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", default=None, help="irish, manifestos, realistic, simulated")
    ap.add_argument("--docs", type=int, default=2_000)
    ap.add_argument("--words", type=int, default=2_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--tol", type=float, default=1e-7)
    ap.add_argument("--max-iter", type=int, default=300)
    ap.add_argument("--large", action="store_true", help="also fit 20,000 × 20,000 (blocked fit only; minutes)")
    ap.add_argument("--json", action="store_true", help="print the rows as one JSON document at the end")
    args = ap.parse_args()
    sources = {"irish": irish, "manifestos": manifestos, "realistic": realistic,
               "simulated": lambda: simulate(args.docs, args.words)}
    rows = []
    print(f"nlp.scaling.Wordfish against a plain numpy Wordfish (best of {args.repeats}, tol {args.tol:g} relative)")
    for name in args.only or sources:
        try:
            X, high, low = sources[name]()
        except FileNotFoundError as exc:
            print(f"{name:<11} skipped: {exc}")
            continue
        rows.append(compare(name, X, high, low, args.repeats, args.tol, args.max_iter))
    if args.large:
        X, high, low = simulate(20_000, 20_000, seed=2)
        t0 = time.perf_counter()
        model = Wordfish(dir=(high, low), max_iter=args.max_iter).fit(X)
        seconds = time.perf_counter() - t0
        print(f"large       20,000 × 20,000 ({X.nnz:,} non-zeros): {seconds:.1f} s, {model.n_iter_} rounds "
              f"({seconds / max(1, model.n_iter_):.2f} s each), converged={model.converged_}")
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
