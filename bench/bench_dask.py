"""Preprocessing in process against Dask workers (a plain script).

    python bench/bench_dask.py                    # 100,000 synthetic articles, 1 process vs --workers 2
    python bench/bench_dask.py --n 20000 --pool   # also the multiprocessing path (--n-process 2)

One store of ``--n`` synthetic articles (``bench/realtext.py``: 720 words, a realistic vocabulary) is built
once and copied for every mode, so only ``preprocess_corpus`` is timed (store reads, tokenising, cache writes,
collocations; for Dask also starting and stopping the local cluster). Each mode runs in its own child process, so each peak memory is
its own: the client's ``ru_maxrss``, and with Dask each worker's, read on the worker before it stops.

A control row says what the machine's cores allowed at the time (pure-Python work on 2 processes against 1).

Checks, not timings: every mode must cache exactly the terms of the in-process run (same fingerprint, same
collocations, the same terms for every article); the script fails otherwise.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_nlp import bench_cpu_control  # noqa: E402


def _peak_mb() -> float:
    """This process' peak resident memory (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(db: Path, n: int, seed: int = 0) -> None:
    from bench.realtext import twin_articles
    from corpus import CorpusStore

    with CorpusStore(db) as store:
        store.add_many(twin_articles(n, 720, seed=seed))


def child(db: Path, mode: str) -> dict:
    """One timed ``preprocess_corpus`` (run in a fresh process by :func:`measure`)."""
    from corpus import CorpusStore
    from nlp.parallel import executor
    from nlp.text.preprocess import Preprocessor, preprocess_corpus

    workers = int(mode.split(":")[1]) if mode.startswith("dask:") else None
    n_process = int(mode.split(":")[1]) if mode.startswith("pool:") else 1
    workers_mb: list[float] = []
    with CorpusStore(db) as store:
        before = _peak_mb()
        t0 = time.perf_counter()
        with executor(workers=workers) as ex:
            summary = preprocess_corpus(store, Preprocessor(n_process=n_process), executor=ex)
            if workers:
                workers_mb = sorted(ex.client.run(_peak_mb).values())
        if n_process > 1:  # the pool's processes, ended and waited for: the largest of them
            workers_mb = [resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]
        seconds = time.perf_counter() - t0
    return {"mode": mode, "seconds": seconds, "processed": summary["processed"], "client_mb": _peak_mb(),
            "client_mb_before": before, "workers_mb": workers_mb, "fingerprint": summary["fingerprint"],
            "collocations": summary["collocations"]}


def measure(db: Path, mode: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--db", str(db)], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def check_same_terms(reference: Path, other: Path) -> int:
    """The number of articles compared; raises when any article's cached terms differ."""
    from corpus import CorpusStore
    from corpus.analyses import get_state, iter_cached_terms
    from nlp.text.preprocess import current_fingerprint

    with CorpusStore(reference) as a, CorpusStore(other) as b:
        fp = current_fingerprint(a)
        assert fp == current_fingerprint(b), "the pipelines' fingerprints differ"
        assert get_state(a, "collocations")["pairs"] == get_state(b, "collocations")["pairs"], "collocations differ"
        n = 0
        for n, (x, y) in enumerate(zip(iter_cached_terms(a, fp), iter_cached_terms(b, fp), strict=True), 1):
            assert x == y, f"article {n} (by id) has different terms"
        return n


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="synthetic articles")
    parser.add_argument("--workers", type=int, default=2, help="local Dask workers")
    parser.add_argument("--pool", action="store_true", help="also time --n-process WORKERS (multiprocessing)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(Path(args.db), args.child)))
        return

    tmp = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    try:
        base = tmp / "base.db"
        t0 = time.perf_counter()
        build(base, args.n)
        print(f"{args.n} synthetic articles stored in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        modes = ["in-process", f"dask:{args.workers}"] + ([f"pool:{args.workers}"] if args.pool else [])
        results = {}
        for mode in modes:
            db = tmp / f"{mode.replace(':', '-')}.db"
            shutil.copy(base, db)
            results[mode] = measure(db, mode)
            assert results[mode]["processed"] == args.n, f"{mode}: {results[mode]['processed']} of {args.n} processed"
            if mode != "in-process":
                compared = check_same_terms(tmp / "in-process.db", db)
                assert compared == args.n, f"{mode}: {compared} articles cached, expected {args.n}"
        control = bench_cpu_control()["value"]
        ref = results["in-process"]["seconds"]
        print(f"preprocess_corpus on {args.n} synthetic articles ({args.workers} workers; every mode cached the "
              "in-process terms exactly):")
        for mode, r in results.items():
            workers = (", workers peak " + " / ".join(f"{m:.0f}" for m in r["workers_mb"]) + " MB"
                       if r["workers_mb"] else "")
            print(f"  {mode:<12} {r['seconds']:7.1f} s  ratio {ref / r['seconds']:.2f}x  "
                  f"client peak {r['client_mb']:.0f} MB{workers}")
        print(f"  control: pure-Python work on 2 processes ran {control:.2f}x as fast as on 1 (2.0 = two free cores)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
