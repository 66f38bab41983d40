"""How far the drift measure of ``update`` swings by chance with few new articles (docs/editors.md).

The demo corpus is built in a temporary folder; the dictionary is made from its articles before 2025 as a topic
model's would be (``nlp.topics.bags.prepare_corpus``), its articles of 2025 are the new ones, and samples of k of
them (500 draws each) give the spread of the drift (the new articles' share of unknown terms minus the fitted
articles'). A plain script, not a test.

    python bench/drift_noise.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus import CorpusStore  # noqa: E402
from corpus.demo import fill_demo  # noqa: E402
from nlp.documents import load_documents  # noqa: E402
from nlp.topics.bags import prepare_corpus  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, CorpusStore(Path(tmp) / "demo.db") as store:
        fill_demo(store)
        docs = load_documents(store)
        old = [i for i, p in enumerate(docs.published) if p and p < "2025"]
        new = [i for i, p in enumerate(docs.published) if p and p >= "2025"]
        dictionary = prepare_corpus(docs.subset(old), Path(tmp)).dictionary

        def unknown(rows: list[int]) -> float:
            known = total = 0
            for i in rows:
                terms = docs.terms(i)
                known += sum(n for _, n in dictionary.doc2bow(terms))
                total += len(terms)
            return 1 - known / total

        base = unknown(old)
        rng = np.random.default_rng(0)
        print(f"baseline unknown share {base:.3f}; drift of all {len(new)} articles of 2025: "
              f"{unknown(new) - base:+.3f}")
        print("new articles  mean drift  sd     95th pct  largest")
        for k in (1, 3, 5, 10, 15):
            drifts = [unknown(list(rng.choice(new, size=k, replace=False))) - base for _ in range(500)]
            print(f"{k:>12}  {np.mean(drifts):+.3f}      {np.std(drifts):.3f}  {np.percentile(drifts, 95):+.3f}    "
                  f"{max(drifts):+.3f}")


if __name__ == "__main__":
    main()
