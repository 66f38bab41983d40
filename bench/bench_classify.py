"""Benchmark: contrast and classifier evaluation on 50,000 synthetic documents.

Documents are term lists (what preprocessing caches), drawn from a Zipf-like vocabulary of 20,000 terms
with a handful of signature terms per tendency, written by 600 synthetic authors. Timed:

* ``contrast`` of two tendencies (weighted log-odds, informative Dirichlet prior), and one against the rest;
* ``classify evaluate``'s core: 5-fold stratified group cross-validation (grouped by author) of the
  TF-IDF + logistic-regression pipeline, with its majority baseline;
* the mention miner over the same documents.

Store I/O and preprocessing are not included (see bench_nlp for preprocessing throughput).

    python bench/bench_classify.py             # 50,000 documents
    python bench/bench_classify.py --n 10000   # quicker
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLASSES = ("soft_left", "hard_left", "soft_right")
SIGNATURES = {
    "soft_left": ["pluralism", "devolution", "coalition", "renewal", "federalism", "community", "region"],
    "hard_left": ["socialism", "solidarity", "boss", "strike", "nationalisation", "movement", "worker"],
    "soft_right": ["electability", "credibility", "voter", "aspiration", "security", "moderate", "fiscal"],
}
FACTIONS = ["soft_left", "hard_left", "soft_right", "momentum", "labour_first"]


def synthetic_documents(n: int, length: int = 150, vocab_size: int = 20_000, signal: float = 0.03,
                        authors: int = 600, seed: int = 0):
    """``(docs, labels, groups)`` of ``n`` term lists (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    vocab = np.array([f"term{i}" for i in range(vocab_size)], dtype=object)
    p = 1.0 / np.arange(1, vocab_size + 1)
    p /= p.sum()
    labels = [CLASSES[i % 3] for i in range(n)]
    groups = [f"author{(i % authors)}" for i in range(n)]  # author i writes for class i % 3 only
    common = rng.choice(vocab_size, size=(n, length), p=p)
    signal_mask = rng.random((n, length)) < signal
    faction_mask = rng.random((n, length)) < 0.005
    sig_idx = rng.integers(0, 7, size=(n, length))
    fac_idx = rng.integers(0, len(FACTIONS), size=(n, length))
    docs = []
    for i in range(n):
        row = vocab[common[i]].tolist()
        sig = SIGNATURES[labels[i]]
        for j in np.flatnonzero(signal_mask[i]):
            row[j] = sig[sig_idx[i, j]]
        for j in np.flatnonzero(faction_mask[i]):
            row[j] = FACTIONS[fac_idx[i, j]]
        docs.append(row)
    return docs, labels, groups


def run(n: int = 50_000) -> list[dict]:
    from nlp.tendencies.classify import cross_validate_documents
    from nlp.tendencies.contrast import contrast_pairs
    from nlp.tendencies.mentions import mine_mentions

    t0 = time.perf_counter()
    docs, labels, groups = synthetic_documents(n)
    gen = time.perf_counter() - t0
    pairs = [((label,), doc) for doc, label in zip(docs, labels)]
    rows = []

    t0 = time.perf_counter()
    result = contrast_pairs(pairs, "soft_left", "hard_left", top=20)
    dt = time.perf_counter() - t0
    top_ok = {t.term for t in result.terms_a[:7]} == set(SIGNATURES["soft_left"])
    rows.append({"name": f"contrast two tendencies, {n:,} docs", "value": round(dt, 2), "unit": "s",
                 "target": "<= 10", "note": f"signature terms on top: {top_ok}; top |z| {abs(result.terms_a[0].z):.0f}"})

    t0 = time.perf_counter()
    contrast_pairs(pairs, "soft_right", None, top=20)
    rows.append({"name": f"contrast one against the rest, {n:,} docs", "value": round(time.perf_counter() - t0, 2),
                 "unit": "s", "target": "<= 10", "note": ""})

    t0 = time.perf_counter()
    ev = cross_validate_documents(docs, labels, groups, folds=5, seed=0)
    dt = time.perf_counter() - t0
    rows.append({"name": f"classify evaluate (5 group folds), {n:,} docs", "value": round(dt, 1), "unit": "s",
                 "target": "<= 300", "note": f"macro-F1 {ev['macro_f1']:.3f} vs baseline {ev['baseline']['macro_f1']:.3f}"})

    t0 = time.perf_counter()
    names = {f: f.replace("_", " ") for f in FACTIONS}
    mine_mentions(((label, "outlet", doc) for doc, label in zip(docs, labels)), names, {"soft_left": "soft_left"})
    rows.append({"name": f"mentions (5 factions), {n:,} docs", "value": round(time.perf_counter() - t0, 2),
                 "unit": "s", "target": "<= 60", "note": ""})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append({"name": "classify bench peak memory", "value": round(peak), "unit": "MB RSS", "target": "",
                 "note": f"includes {n:,} docs x 150 terms held for cross-validation; generation {gen:.1f}s"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50_000)
    args = parser.parse_args()
    for row in run(args.n):
        print(f"{row['name']:<50} {row['value']:>10} {row['unit']:<7} target {row['target']:<7} {row['note']}")


if __name__ == "__main__":
    main()
