"""Benchmark: import throughput into the corpus store (with the full-text index) and peak memory.

Writes synthetic JSON-lines files of growing size, imports each through the same code path as
``corpus import`` into a fresh store, and reports documents per second and the peak resident memory of a
fresh process per size (so "memory flat as the corpus grows" is measured, not assumed).

    python bench/bench_corpus.py            # 100,000 documents (and 25k / 50k for the memory curve)
    python bench/bench_corpus.py --n 20000  # quicker
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = ("labour party members soft left hard left soft right devolution ownership public green new deal "
         "pluralism reform conference motion vote council community wealth building strike union workers "
         "election manifesto voters credibility fiscal rules Brexit referendum Momentum NEC slate selection "
         "democracy power local national federal energy rail water housing wages").split()
PARTIES = ("Lab", "Con", "LD", "SNP")


def write_synthetic(path: Path, n: int, words: int = 250, seed: int = 0) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = " ".join(rng.choice(WORDS) for _ in range(words)) + f" document {i}"
            fh.write(json.dumps({"text": text, "party": rng.choice(PARTIES), "speaker": f"Speaker {i % 500}",
                                 "date": f"{2000 + i % 25}-0{1 + i % 9}-1{i % 9}", "title": f"Doc {i}"}) + "\n")


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the
    parent across fork and exec, so a child of a big parent would report the parent's peak."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _import_once(path: str, db: str) -> None:
    from corpus import CorpusStore
    from corpus.io import FieldMap, import_file

    t0 = time.perf_counter()
    with CorpusStore(db) as store:
        report = import_file(store, path, fields=FieldMap(label="party", author="speaker", date="date"))
    dt = time.perf_counter() - t0
    peak_mb = peak_rss_mb()
    print(json.dumps({"imported": report.imported, "seconds": dt, "peak_mb": peak_mb}))


def measure(n: int, tmp: Path) -> dict:
    src = tmp / f"synthetic-{n}.jsonl"
    write_synthetic(src, n)
    db = tmp / f"bench-{n}.db"
    out = subprocess.run([sys.executable, __file__, "--child", str(src), str(db)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def run(n: int = 100_000) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        sizes = sorted({max(1000, n // 4), max(1000, n // 2), n})
        results = {size: measure(size, Path(tmp)) for size in sizes}
    big = results[n]
    rows.append({"name": f"import throughput, {n:,} docs (250 words, FTS5 on)", "value": round(big["imported"] / big["seconds"]),
                 "unit": "docs/s", "target": ">= 5000", "note": f"{big['seconds']:.1f}s in all"})
    for size in sizes:
        rows.append({"name": f"import peak memory, {size:,} docs", "value": round(results[size]["peak_mb"]),
                     "unit": "MB RSS", "target": "flat as n grows", "note": ""})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        _import_once(*args.child)
        return
    for row in run(args.n):
        print(f"{row['name']:<55} {row['value']:>10} {row['unit']:<8} target {row['target']}  {row['note']}")


if __name__ == "__main__":
    main()
