"""Benchmark: contrast and classifier evaluation on 50,000 synthetic documents.

Documents are term lists (what preprocessing caches), drawn from a Zipf-like vocabulary of 20,000 terms
with a handful of signature terms per tendency, written by 600 synthetic authors. Timed:

* ``contrast`` of two tendencies (weighted log-odds, informative Dirichlet prior), and one against the rest;
* ``classify evaluate``'s core: 5-fold stratified group cross-validation (grouped by author) of the
  TF-IDF + logistic-regression pipeline, with its majority baseline;
* the same evaluation at 10,000 documents (``--compare-n``) on today's path (one count matrix, TF-IDF per
  fold on its sparse rows, folds in parallel) against the old one (a TfidfVectorizer re-tokenising the
  term lists in every fold, folds one after another; kept below as :func:`legacy_cross_validate`, in this
  file only), as a ratio; and with the masked second score;
* the mention miner over the same documents.

Store I/O and preprocessing are not included (see bench_nlp for preprocessing throughput).

    python bench/bench_classify.py             # 50,000 documents
    python bench/bench_classify.py --n 10000   # quicker
"""
from __future__ import annotations

import argparse
import os
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


def legacy_cross_validate(docs, labels, groups, folds: int = 5, seed: int = 0) -> float:
    """The evaluation as it was before the count matrix: a pipeline fitted on term lists in every fold,
    serially. Kept here only, to time today's path against it; returns the out-of-fold macro-F1."""
    from sklearn.metrics import f1_score

    from nlp.tendencies.crossval import make_splitter
    from nlp.tendencies.estimator import make_pipeline

    y = np.asarray(labels, dtype=object)
    splitter, _, _ = make_splitter(labels, groups, folds, seed)
    pred = np.empty(len(y), dtype=object)
    for train_idx, test_idx in splitter.split(np.zeros(len(y)), y, np.asarray(groups, dtype=object)):
        model = make_pipeline(seed).fit([docs[i] for i in train_idx], list(y[train_idx]))
        pred[test_idx] = model.predict([docs[i] for i in test_idx])
    return float(f1_score(y, pred, average="macro"))


def compare_evaluation(docs, labels, groups, n_jobs: int | None = -1) -> list[dict]:
    """Today's evaluation against :func:`legacy_cross_validate` on the same documents and folds.

    Today's path is timed serially (what vectorising once gains) and in parallel (what the folds in
    parallel add; the workers are started before the clock runs, as they are reused within a session).
    """
    from joblib import Parallel, delayed

    from nlp.tendencies.classify import cross_validate_documents
    from nlp.tendencies.masking import self_names

    from threadpoolctl import threadpool_limits

    n = len(docs)
    t0 = time.perf_counter()
    old_f1 = legacy_cross_validate(docs, labels, groups)
    old = time.perf_counter() - t0
    t0 = time.perf_counter()
    with threadpool_limits(limits=1):  # what part of the gain is only the BLAS thread limit
        legacy_cross_validate(docs, labels, groups)
    old_one_thread = time.perf_counter() - t0
    timings, results = {}, {}
    Parallel(n_jobs=n_jobs)(delayed(abs)(i) for i in range(4))  # start the workers
    for name, jobs, mask in (("serial", 1, None), ("parallel", n_jobs, None),
                             ("masked", n_jobs, self_names(extra=labels))):
        t0 = time.perf_counter()
        results[name] = cross_validate_documents(docs, labels, groups, folds=5, seed=0, n_jobs=jobs, mask=mask,
                                                 replicates=0 if mask is None else 1000)
        timings[name] = time.perf_counter() - t0
    same = results["serial"] == results["parallel"]
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    return [
        {"name": f"classify evaluate, old per-fold path, {n:,} docs", "value": round(old, 1), "unit": "s",
         "target": "", "note": f"macro-F1 {old_f1:.3f}; TfidfVectorizer per fold, serial; {load}"},
        {"name": f"classify evaluate, old path, one BLAS thread, {n:,} docs", "value": round(old_one_thread, 1),
         "unit": "s", "target": "", "note": "the old path with the BLAS thread limit the new one sets per fold"},
        {"name": f"classify evaluate, one matrix, serial, {n:,} docs", "value": round(timings["serial"], 1),
         "unit": "s", "target": "< old", "note": f"{old / timings['serial']:.1f}x faster than the old path "
                                                 f"({old_one_thread / timings['serial']:.1f}x with one BLAS thread); "
                                                 f"macro-F1 {results['serial']['macro_f1']:.3f}"},
        {"name": f"classify evaluate, one matrix, n_jobs={n_jobs}, {n:,} docs",
         "value": round(timings["parallel"], 1), "unit": "s", "target": "< old",
         "note": f"{old / timings['parallel']:.1f}x faster than the old path; same numbers as serial: {same}"},
        {"name": f"classify evaluate + masked score, {n:,} docs", "value": round(timings["masked"], 1), "unit": "s",
         "target": "", "note": f"{old / timings['masked']:.1f}x the old path's speed with two scores, the interval "
                               f"and top features; masked macro-F1 {results['masked']['masked_macro_f1']:.3f}"},
    ]


def run(n: int = 50_000, compare_n: int | None = None, n_jobs: int | None = -1) -> list[dict]:
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
    ev = cross_validate_documents(docs, labels, groups, folds=5, seed=0, n_jobs=n_jobs)
    dt = time.perf_counter() - t0
    rows.append({"name": f"classify evaluate (5 group folds), {n:,} docs", "value": round(dt, 1), "unit": "s",
                 "target": "<= 300", "note": f"macro-F1 {ev['macro_f1']:.3f} vs baseline {ev['baseline']['macro_f1']:.3f}"})

    m = min(n, compare_n or 10_000)
    rows.extend(compare_evaluation(docs[:m], labels[:m], groups[:m], n_jobs=n_jobs))

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
    parser.add_argument("--compare-n", type=int, default=10_000, help="Documents for the old-against-new timing.")
    parser.add_argument("--n-jobs", type=int, default=-1, help="Parallel folds (-1: every core).")
    args = parser.parse_args()
    for row in run(args.n, args.compare_n, args.n_jobs):
        print(f"{row['name']:<50} {row['value']:>10} {row['unit']:<7} target {row['target']:<7} {row['note']}")


if __name__ == "__main__":
    main()
