"""Benchmark: near-duplicate detection (corpus.duplicates) on a press-sized corpus, first pass and update.

A synthetic corpus (written here): ``--n`` articles of 400-900 words drawn from a Zipf law over 20,000
invented words, so unrelated articles share almost no 5-word shingle; 5 % of them have a second edition
(another header, a rewritten opening sentence, the last sentence cut), as a press database holds print and
online editions. Timed on a fresh SQLite corpus (the articles are inserted untimed):

* the first pass: every article sketched, candidates found by LSH, verified exactly, stored;
* an update after ``--new`` more articles (a tenth of them copies of stored ones): only they are sketched,
  and compared with every stored signature;
* recall and precision against the planted pairs, at the default threshold.

Wall-clock and CPU seconds are both given: on a loaded machine the CPU time is the steadier figure.

    python bench/bench_duplicates.py                 # 10,000 articles, then 200 new
    python bench/bench_duplicates.py --n 2600        # the size of the press corpus of issue 22
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus import Article, CorpusStore  # noqa: E402
from corpus.duplicates import near_duplicate_clusters, update_near_duplicates  # noqa: E402


class PressCorpus:
    """Seeded synthetic articles and their planted second editions."""

    def __init__(self, seed: int = 0, vocabulary: int = 20_000):
        self.rng = np.random.default_rng(seed)
        self.rnd = random.Random(seed)
        letters = "abcdefghijklmnopqrstuvwxyz"
        self.words = np.array(["".join(self.rnd.choice(letters) for _ in range(self.rnd.randint(3, 9)))
                               for _ in range(vocabulary)])
        p = 1.0 / np.arange(1, vocabulary + 1)
        self.p = p / p.sum()
        self.n = 0

    def sentences(self) -> list[str]:
        length = int(self.rng.integers(400, 900))
        words = self.words[self.rng.choice(len(self.words), size=length, p=self.p)]
        cuts = np.cumsum(self.rng.integers(12, 25, size=length // 12))
        return [" ".join(part) + "." for part in np.split(words, cuts[cuts < length]) if len(part)]

    def article(self, outlet: str = "gazette") -> tuple[Article, list[str]]:
        self.n += 1
        sentences = self.sentences()
        text = f"THE EXAMPLE GAZETTE print edition, page {self.n % 40 + 1}.\n\n" + " ".join(sentences)
        return Article(outlet=outlet, text=text, title=f"piece {self.n}", source="imported"), sentences

    def edition(self, sentences: list[str]) -> Article:
        self.n += 1
        opening = " ".join(self.words[self.rng.choice(len(self.words), size=16, p=self.p)]) + "."
        text = f"examplegazette.test | updated {self.n % 24:02d}:00\n\n" + " ".join([opening] + sentences[1:-1])
        return Article(outlet="gazette_online", text=text, title=f"piece {self.n}, online", source="imported")

    def batch(self, n: int, share: float) -> tuple[list[Article], list[tuple[int, int]]]:
        """``n`` articles, a ``share`` of them followed by a second edition; the planted pairs as indices."""
        out, pairs = [], []
        while len(out) < n:
            article, sentences = self.article()
            out.append(article)
            if self.rnd.random() < share and len(out) < n:
                out.append(self.edition(sentences))
                pairs.append((len(out) - 2, len(out) - 1))
        return out, pairs


def run(n: int = 10_000, new: int = 200, seed: int = 0) -> list[dict]:
    corpus = PressCorpus(seed)
    articles, planted = corpus.batch(n, share=0.05)
    more, more_pairs = corpus.batch(new, share=0.1)
    with tempfile.TemporaryDirectory() as tmp:
        store = CorpusStore(Path(tmp) / "bench.db")
        store.add_many(articles)
        t0, c0 = time.perf_counter(), time.process_time()
        first = update_near_duplicates(store)
        t_first, c_first = time.perf_counter() - t0, time.process_time() - c0
        store.add_many(more)
        t0, c0 = time.perf_counter(), time.process_time()
        update = update_near_duplicates(store)
        t_update, c_update = time.perf_counter() - t0, time.process_time() - c0
        found = {frozenset(c.ids) for c in near_duplicate_clusters(store).clusters}
        every = articles + more
        ids = [a.id for a in every]
        expected = {frozenset((ids[a], ids[b])) for a, b in planted}
        expected |= {frozenset((ids[len(articles) + a], ids[len(articles) + b])) for a, b in more_pairs}
        store.close()
    hits = len(found & expected)
    return [
        {"name": f"near-duplicates, first pass, {len(articles):,} articles", "value": round(len(articles) / t_first),
         "unit": "articles/s", "target": ">= 500",
         "note": f"{t_first:.1f} s ({c_first:.1f} s of CPU: {len(articles) / c_first:.0f} articles per CPU second); "
                 f"{first.candidates} candidate pairs, {first.pairs} stored"},
        {"name": f"near-duplicates, update with {len(more)} new articles", "value": round(t_update, 2), "unit": "s",
         "target": "<= 10", "note": f"{update.sketched} sketched against {len(articles):,} stored signatures "
                                    f"({c_update:.2f} s of CPU)"},
        {"name": "near-duplicates, planted editions found", "value": round(hits / max(len(expected), 1), 3),
         "unit": "recall", "target": ">= 0.95",
         "note": f"{hits} of {len(expected)} planted pairs; {len(found) - hits} clusters not planted"},
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for row in run(args.n, args.new, args.seed):
        print(f"{row['name']:<55} {row['value']:>10} {row['unit']:<11} (target {row['target']})  {row['note']}")


if __name__ == "__main__":
    main()
