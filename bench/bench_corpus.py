"""Benchmark: import throughput into the corpus store (with the full-text index) and peak memory.

Writes synthetic JSON-lines files of growing size, imports each through the same code path as
``corpus import`` into a fresh store, and reports documents per second and the peak resident memory of a
fresh process per size (so "memory flat as the corpus grows" is measured, not assumed).

It also compares, on the same rows, three ways of storing them (CPU seconds, best of five, interleaved so
a busy machine affects all alike):
- "bare": a bare ``executemany`` of the prepared rows plus one ``INSERT INTO articles_fts ... SELECT``,
  the SQL floor;
- ``store.add_many`` from Article objects (the store's write path: ids, hashes, JSON columns, batched
  full-text indexing);
- ``corpus import`` from the JSON-lines file (reading, checking and mapping every record as well).
Each is printed as a ratio of the bare rate (target for ``add_many``: >= 0.8).

    python bench/bench_corpus.py            # 100,000 documents (and 25k / 50k for the memory curve)
    python bench/bench_corpus.py --n 20000  # quicker
    python bench/bench_corpus.py --ratio-only --n 20000
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


def _fresh_store(path: Path):
    from corpus import CorpusStore

    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return CorpusStore(path)


def _cpu(fn) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def compare_write_paths(n: int, tmp: Path, repeats: int = 5) -> dict:
    """CPU docs/s of the bare SQL floor, ``store.add_many`` and ``corpus import`` on the same n rows."""
    from corpus.io import FieldMap, import_file, record_to_article
    from corpus.store import _INSERT, _row

    src = tmp / f"ratio-{n}.jsonl"
    write_synthetic(src, n)
    fields = FieldMap(label="party", author="speaker", date="date")
    records = [json.loads(line) for line in src.open(encoding="utf-8")]
    rows = [_row(record_to_article(r, fields, None, None)) for r in records]
    db = tmp / "ratio.db"

    def bare() -> None:
        store = _fresh_store(db)
        conn = store.conn
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DROP TRIGGER articles_ai")
        conn.executemany(_INSERT, rows)
        conn.execute("INSERT INTO articles_fts (rowid, title, authors, text) SELECT pk, title, authors, text FROM articles")
        conn.execute("COMMIT")
        store.close()

    def add_many() -> None:
        articles = [record_to_article(r, fields, None, None) for r in records]  # fresh: hashes not cached
        store = _fresh_store(db)
        seconds = _cpu(lambda: store.add_many(articles))
        store.close()
        times["add_many"].append(seconds)

    def corpus_import() -> None:
        store = _fresh_store(db)
        import_file(store, src, fields=fields)
        store.close()

    times: dict[str, list[float]] = {"bare": [], "add_many": [], "import": []}
    for _ in range(repeats):
        times["bare"].append(_cpu(bare))
        add_many()
        times["import"].append(_cpu(corpus_import))
    best = {k: n / min(v) for k, v in times.items()}
    return {"rates": best, "ratios": {k: best[k] / best["bare"] for k in ("add_many", "import")}}


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
    return rows + ratio_rows(min(n, 20_000))


def ratio_rows(n: int) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        cmp = compare_write_paths(n, Path(tmp))
    rates, ratios = cmp["rates"], cmp["ratios"]
    note = f"bare executemany + one FTS insert: {rates['bare']:,.0f} docs/s CPU"
    return [
        {"name": f"store.add_many vs bare SQL, {n:,} docs", "value": round(ratios["add_many"], 2), "unit": "x",
         "target": ">= 0.8", "note": f"{rates['add_many']:,.0f} docs/s CPU; {note}"},
        {"name": f"corpus import (file) vs bare SQL, {n:,} docs", "value": round(ratios["import"], 2), "unit": "x",
         "target": "(reads, checks and maps each record too)", "note": f"{rates['import']:,.0f} docs/s CPU"},
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--child", nargs=2)
    parser.add_argument("--ratio-only", action="store_true", help="Only compare the write paths.")
    args = parser.parse_args()
    if args.child:
        _import_once(*args.child)
        return
    for row in ratio_rows(args.n) if args.ratio_only else run(args.n):
        print(f"{row['name']:<55} {row['value']:>10} {row['unit']:<8} target {row['target']}  {row['note']}")


if __name__ == "__main__":
    main()
