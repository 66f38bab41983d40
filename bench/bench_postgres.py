"""Benchmark: the PostgreSQL store beside the SQLite store, on the same synthetic articles.

Reports, for each store, ``add_many`` throughput (articles per second, full-text index included), a full
streamed read, and the median latency of a few searches; then ``corpus copy`` throughput from SQLite to
PostgreSQL and back. PostgreSQL is the server at ``--url`` (a database it may fill), or a throwaway one
started like the tests' (initdb, 127.0.0.1, fsync off: an upper bound on a real server's write speed).

    python bench/bench_postgres.py --n 20000
    python bench/bench_postgres.py --n 20000 --url postgresql://me@db.example.org/softleft_bench
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_corpus import WORDS  # noqa: E402
from corpus import Article, CorpusStore  # noqa: E402
from corpus.transfer import copy_corpus  # noqa: E402

QUERIES = ("devolution", "green new deal", "ownership -private", "fiscal rules", "strike")


def articles(n: int, seed: int = 0):
    rng = random.Random(seed)
    for i in range(n):
        yield Article(outlet=f"outlet{i % 7}", title=f"Doc {i} on {rng.choice(WORDS)}", authors=(f"Author {i % 300}",),
                      published=f"{2000 + i % 25}-0{1 + i % 9}-1{i % 9}", source="imported",
                      text=" ".join(rng.choice(WORDS) for _ in range(250)) + f" document {i}")


def measure(store: CorpusStore, n: int) -> dict[str, float]:
    start = time.perf_counter()
    store.add_many(articles(n))
    added = time.perf_counter() - start
    start = time.perf_counter()
    read = sum(1 for _ in store.articles())
    streamed = time.perf_counter() - start
    latencies = []
    for _ in range(3):
        for q in QUERIES:
            t = time.perf_counter()
            store.search(q, limit=20)
            latencies.append(time.perf_counter() - t)
    return {"add_per_s": n / added, "read_per_s": read / streamed, "search_ms": 1000 * statistics.median(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--url", help="a PostgreSQL database to fill (default: a throwaway server)")
    args = parser.parse_args()
    server = None
    if args.url is None:
        from tests.pgserver import start_server
        server = start_server()
        url = server.fresh_database()
    else:
        url = args.url
    try:
        with tempfile.TemporaryDirectory() as tmp:
            lite = Path(tmp) / "bench.db"
            results = {}
            for name, target in (("sqlite", lite), ("postgresql", url)):
                with CorpusStore(target) as store:
                    results[name] = measure(store, args.n)
            for name, r in results.items():
                print(f"{name:<11} add_many {r['add_per_s']:>8,.0f} articles/s   read {r['read_per_s']:>8,.0f} "
                      f"articles/s   search median {r['search_ms']:6.1f} ms")
            if server is not None:
                url2 = server.fresh_database()
                start = time.perf_counter()
                copied = copy_corpus(lite, url2)
                there = time.perf_counter() - start
                start = time.perf_counter()
                copy_corpus(url2, Path(tmp) / "back.db")
                back = time.perf_counter() - start
                rows = copied.to_dict()["rows"]
                print(f"corpus copy SQLite -> PostgreSQL {rows / there:,.0f} rows/s; PostgreSQL -> SQLite "
                      f"{rows / back:,.0f} rows/s ({rows} rows)")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
