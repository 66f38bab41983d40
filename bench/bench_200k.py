"""200,000 synthetic articles end to end: (a) SQLite in one process, (b) PostgreSQL with a 2-worker Dask
LocalCluster. Time per stage, peak memory per process, and throughput per worker.

    python bench/bench_200k.py                 # 200,000 articles: tens of minutes
    python bench/bench_200k.py --n 20000       # a quick look
    python bench/bench_200k.py --only sqlite   # one of the two set-ups

(a) builds the corpus with ``bench_scale.build`` (synthetic articles of 720 words with a realistic vocabulary,
``bench/realtext.py``) and runs ``cli.py --db FILE run --k 10 --n-process 1``. (b) copies that corpus, as
imported, into a throwaway PostgreSQL server (``tests/pgserver.py``: initdb in a temporary folder, 127.0.0.1
only, stopped at the end; ``$SOFTLEFT_TEST_PG`` names a server instead) with ``corpus copy``, and runs
``cli.py --db URL run --k 10 --workers 2``. Both runs start from unprocessed articles, so preprocessing is timed
in full. Each stage's time comes from the run's ``manifest.json``; a sampler reads every process of the run's
tree once a second (``/proc``, via psutil) and keeps each one's peak resident memory, grouped by role
(the run's own process; its child processes: Dask workers, preprocessing and stability-seed workers, the
word-vector trainer).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))


def run_sampled(cmd: list[str]) -> tuple[float, dict[str, float], str]:
    """Run ``cmd``; its wall seconds, the peak RSS (MB) of each role's largest process, and its stderr."""
    import psutil

    peaks: dict[int, tuple[str, float]] = {}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        top = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                tree = [top, *top.children(recursive=True)]
            except psutil.Error:
                break
            for p in tree:
                try:
                    rss = p.memory_info().rss / 2**20
                    name = "run (client)" if p.pid == proc.pid else "child processes"
                except psutil.Error:
                    continue
                if rss > peaks.get(p.pid, ("", 0.0))[1]:
                    peaks[p.pid] = (name, rss)
            done.wait(1.0)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err[-3000:]}")
    by_role: dict[str, float] = {}
    counts: dict[str, int] = {}
    for name, rss in peaks.values():
        by_role[name] = max(by_role.get(name, 0.0), rss)
        counts[name] = counts.get(name, 0) + 1
    return wall, {f"{k} ({counts[k]} process{'es' if counts[k] > 1 else ''})": v for k, v in by_role.items()}, err


def cli(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "cli.py"), "--quiet", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--keep", type=Path, help="work in this folder (kept) instead of a temporary one")
    args = parser.parse_args()
    from bench_scale import build

    tmp = args.keep or Path(tempfile.mkdtemp(prefix="bench-200k-"))
    tmp.mkdir(parents=True, exist_ok=True)
    source = tmp / f"source-{args.n}.db"
    if not source.exists():
        t0 = time.perf_counter()
        build(args.n, source)
        print(f"built {args.n:,} synthetic articles in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    results = {}
    if args.only in (None, "sqlite"):
        db = tmp / "a.db"
        shutil.copy(source, db)
        wall, peaks, _ = run_sampled(cli("--db", str(db), "run", "-o", str(tmp / "run-a"), "--k", str(args.k),
                                         "--n-process", "1"))
        results["(a) SQLite, one process"] = (wall, peaks, json.loads((tmp / "run-a" / "manifest.json").read_text()), 1)
    if args.only in (None, "postgresql"):
        from pgserver import server_from_env, start_server

        server = server_from_env() or start_server()
        try:
            url = server.fresh_database()
            t0 = time.perf_counter()
            subprocess.run(cli("corpus", "copy", str(source), url), check=True)
            print(f"copied into PostgreSQL in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
            wall, peaks, _ = run_sampled(cli("--db", url, "run", "-o", str(tmp / "run-b"), "--k", str(args.k),
                                             "--workers", str(args.workers)))
            results[f"(b) PostgreSQL, {args.workers}-worker LocalCluster"] = (
                wall, peaks, json.loads((tmp / "run-b" / "manifest.json").read_text()), args.workers)
        finally:
            server.stop()
    stages = [s for s in next(iter(results.values()))[2]["timings_seconds"] if s != "total"]
    names = list(results)
    print(f"\n{args.n:,} synthetic articles, run --k {args.k}; seconds per stage")
    print(f"{'stage':<38}" + "".join(f"{n[:30]:>32}" for n in names))
    for stage in stages:
        print(f"{stage:<38}" + "".join(f"{results[n][2]['timings_seconds'].get(stage, float('nan')):>32.1f}"
                                       for n in names))
    print(f"{'whole process (wall)':<38}" + "".join(f"{results[n][0]:>32.1f}" for n in names))
    for n in names:
        wall, peaks, manifest, workers = results[n]
        pre = manifest["timings_seconds"]["preprocessing"]
        print(f"\n{n}: peak RSS per process: " + ", ".join(f"{k} {v:,.0f} MB" for k, v in peaks.items()))
        print(f"  preprocessing {args.n / pre:,.0f} articles/s, {args.n / pre / workers:,.0f} per worker; "
              f"whole run {args.n / wall:,.0f} articles/s, {args.n / wall / workers:,.0f} per worker")


if __name__ == "__main__":
    main()
