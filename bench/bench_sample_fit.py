"""Fitting a topic model on a stratified sample against fitting it on every document (a plain script).

    python bench/bench_sample_fit.py                          # 50,000 synthetic documents; the manifestos
    python bench/bench_sample_fit.py --n 20000 --sizes 2000,5000,10000
    python bench/bench_sample_fit.py --skip-manifestos --no-baseline
    python bench/bench_sample_fit.py --corpus planted --skip-manifestos   # K planted topics (LDA's own model)

Each fit is ``fit_topics`` end to end (sample, dictionary, LDA, coherence, every document's shares inferred
and stored) with the same K, passes and seed; ``--fit-sample`` fits are compared with the fit on every
document:

- **seconds**: the whole ``fit_topics`` call, the LDA alone, and inferring and storing every document's shares;
- **c_v**: the project's coherence (on at most 5 M tokens of the corpus, the same texts for every fit);
- **topics**: topics matched to the full fit's by the Hungarian algorithm on 1 - Jensen-Shannon divergence
  (``nlp.topics.stability``, over the union of the two dictionaries): the matched similarity, mean and least;
- **shares**: mean absolute difference of every document's topic shares from the full fit's (topics matched);
- **tendency prevalence**: mean absolute difference (and the largest) of each tendency's mean topic shares,
  and of each tendency-by-year cell's.

``--baseline`` (on by default) adds the full fit with another seed, compared the same way: how far two fits on
every document already differ, the yardstick for the sample fits' differences.

Corpora: synthetic articles of 720 words with a realistic vocabulary, as terms (``bench/realtext.py``'s
``twin_documents``, with their outlet and tendency, dated 2015-2024); with ``--corpus resampled``
``bench/synthetic.py``'s ``labelled_documents`` (demo articles resampled in runs of 20 terms: a vocabulary of a
few thousand terms, the corpus of the figures before 2026-12); with ``--corpus planted`` its ``planted_documents``
(drawn from LDA's generative model with K planted topics, which each tendency favours differently: topics well defined,
so that what a sample loses is not hidden by what a seed changes); the UK manifestos in ../shared/data when present (98 long documents
modelled as passages; sample sizes ``--manifesto-sizes``).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _fit(store, docs, k: int, passes: int, seed: int, size: int | None, runs: Path) -> dict:
    from nlp.topics.fit import fit_topics, load_gensim_model
    from nlp.topics.runs import document_topic_matrix

    t0 = time.perf_counter()
    run = fit_topics(store, k, seed=seed, passes=passes, docs=docs, fit_sample=size, runs_dir=runs,
                     name=f"fit-{size or 'all'}-s{seed}")
    seconds = time.perf_counter() - t0
    lda, dictionary = load_gensim_model(run)
    fitted = run.manifest.get("fit_sample") or {}
    return {"run": run, "seconds": seconds, "lda": run.manifest["seconds_fit"],
            "shares_s": run.manifest["seconds_shares"], "c_v": run.coherence_c_v,
            "fitted": fitted.get("used", len(docs)), "strata": (fitted.get("strata_in_sample"), fitted.get("n_strata")),
            "phi": lda.get_topics(), "vocab": [dictionary[i] for i in range(len(dictionary))],
            "theta": document_topic_matrix(store, run, docs)}


def _prevalence(docs, theta: np.ndarray, keys: list) -> np.ndarray:
    """Mean topic shares per group (rows: the sorted distinct ``keys``), documents without shares left out."""
    groups = sorted(set(keys))
    index = {g: i for i, g in enumerate(groups)}
    rows = np.array([index[g] for g in keys])
    ok = ~np.isnan(theta[:, 0])
    sums = np.zeros((len(groups), theta.shape[1]))
    np.add.at(sums, rows[ok], theta[ok])
    counts = np.bincount(rows[ok], minlength=len(groups))[:, None]
    return sums / np.maximum(counts, 1)


def compare(docs, full: dict, other: dict) -> dict:
    """``other`` against ``full``: topic similarity after matching, share and prevalence differences."""
    from nlp.topics.stability import align_vocabularies, match_topics

    phi_full, phi_other = align_vocabularies(full["phi"], full["vocab"], other["phi"], other["vocab"])
    matches, similarity = match_topics(phi_full, phi_other)
    theta_full, theta_other = full["theta"], other["theta"][:, matches]
    both = ~np.isnan(theta_full[:, 0]) & ~np.isnan(theta_other[:, 0])
    tendency = list(docs.labels)
    cell = [(docs.labels[i], docs.years[i]) for i in range(len(docs))]
    d_tendency = np.abs(_prevalence(docs, theta_full, tendency) - _prevalence(docs, theta_other, tendency))
    d_cell = np.abs(_prevalence(docs, theta_full, cell) - _prevalence(docs, theta_other, cell))
    return {"sim_mean": float(similarity.mean()), "sim_min": float(similarity.min()),
            "d_shares": float(np.abs(theta_full[both] - theta_other[both]).mean()),
            "d_tendency": float(d_tendency.mean()), "d_tendency_max": float(d_tendency.max()),
            "d_cell": float(d_cell.mean())}


def bench(docs, label: str, sizes: list[int], k: int, passes: int, baseline: bool) -> list[dict]:
    from corpus import CorpusStore

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-sample-fit-") as name, CorpusStore(Path(name) / "runs.db") as store:
        tmp = Path(name)
        full = _fit(store, docs, k, passes, 0, None, tmp / "runs")
        rows.append({"corpus": label, "fit": "every document", **_row(full), **compare(docs, full, full)})
        if baseline:
            other = _fit(store, docs, k, passes, 1, None, tmp / "runs")
            rows.append({"corpus": label, "fit": "every document, seed 1", **_row(other), **compare(docs, full, other)})
        for size in sizes:
            if size >= len(docs):
                continue
            sample = _fit(store, docs, k, passes, 0, size, tmp / "runs")
            rows.append({"corpus": label, "fit": f"sample of {size:,}", **_row(sample), **compare(docs, full, sample)})
    return rows


def _row(fit: dict) -> dict:
    return {"fitted": fit["fitted"], "seconds": fit["seconds"], "lda": fit["lda"], "shares_s": fit["shares_s"],
            "c_v": fit["c_v"], "strata": fit["strata"]}


def print_table(rows: list[dict]) -> None:
    head = (f"{'corpus':<22} {'fit':<24} {'fitted':>7} {'strata':>9} {'total s':>8} {'LDA s':>7} {'shares s':>8} {'c_v':>6} "
            f"{'sim mean':>8} {'sim min':>7} {'|d share|':>9} {'|d tend|':>8} {'max':>6} {'|d tend x yr|':>13}")
    print(head)
    print("-" * len(head))
    for r in rows:
        strata = "" if r["strata"][0] is None else f"{r['strata'][0]}/{r['strata'][1]}"
        print(f"{r['corpus']:<22} {r['fit']:<24} {r['fitted']:>7,} {strata:>9} {r['seconds']:>8.1f} {r['lda']:>7.1f} "
              f"{r['shares_s']:>8.1f} {r['c_v']:>6.3f} {r['sim_mean']:>8.3f} {r['sim_min']:>7.3f} "
              f"{r['d_shares']:>9.4f} {r['d_tendency']:>8.4f} {r['d_tendency_max']:>6.3f} {r['d_cell']:>13.4f}")


def run(n: int = 20_000, sizes: tuple[int, ...] = (5_000, 10_000), k: int = 10, passes: int = 10) -> list[dict]:
    """Rows for ``bench/run.py``: each fit's seconds, with its differences from the fit on every document."""
    from realtext import twin_documents

    rows = bench(twin_documents(n), f"realistic {n:,}", list(sizes), k, passes, baseline=True)
    return [{"name": f"{r['fit']} of {n:,} (K={k}, {passes} passes)", "value": round(r["seconds"], 1), "unit": "s",
             "target": "", "note": f"LDA {r['lda']:.1f}s, shares {r['shares_s']:.1f}s, c_v {r['c_v']:.3f}; against "
             f"every document: topics {r['sim_mean']:.3f}, |d share| {r['d_shares']:.3f}, |d tendency| "
             f"{r['d_tendency']:.3f}"} for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50_000, help="synthetic documents")
    parser.add_argument("--corpus", choices=("realistic", "resampled", "planted"), default="realistic",
                        help="a realistic vocabulary, resampled demo articles, or documents drawn from K planted "
                             "topics")
    parser.add_argument("--sizes", default="5000,10000,20000", help="sample sizes for the synthetic corpus")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--passes", type=int, default=10)
    parser.add_argument("--no-baseline", action="store_true", help="skip the full fit with another seed")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--skip-manifestos", action="store_true")
    parser.add_argument("--manifesto-sizes", default="25,50,75")
    args = parser.parse_args()
    rows = []
    if not args.skip_synthetic:
        from realtext import twin_documents
        from synthetic import labelled_documents, planted_documents

        docs = (twin_documents(args.n) if args.corpus == "realistic" else labelled_documents(args.n)
                if args.corpus == "resampled" else planted_documents(args.n, args.k))
        rows += bench(docs, f"{args.corpus} {args.n:,}", [int(s) for s in args.sizes.split(",")], args.k, args.passes,
                      not args.no_baseline)
    from bench_stability import MANIFESTOS, _manifestos

    if not args.skip_manifestos and MANIFESTOS.is_file():
        with tempfile.TemporaryDirectory(prefix="bench-sample-manifestos-") as name:
            docs = _manifestos(Path(name))
        rows += bench(docs, f"manifestos {len(docs)}", [int(s) for s in args.manifesto_sizes.split(",")], args.k,
                      args.passes, not args.no_baseline)
    elif not args.skip_manifestos:
        print("(../shared/data/uk-manifestos is not here: manifestos skipped)", file=sys.stderr)
    print(f"K={args.k}, passes={args.passes}, seed 0 (sample and model); differences against the fit on every document")
    print_table(rows)


if __name__ == "__main__":
    main()
