"""What knowing the design costs: contrasts with their design (across and within outlets) against the plain
matrix contrast, and era topics with their permutation test against the R² floor alone. Same run, ratios.

    python bench/bench_design.py            # 50,000 synthetic documents, K = 20 topic shares
    python bench/bench_design.py --n 10000
    python bench/run.py design
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _best(fn, repeats: int = 3) -> tuple[object, float]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, min(times)


def run(n: int = 50_000) -> list[dict]:
    import numpy as np

    from nlp.documents import DocumentTerms
    from nlp.tendencies.contrast import _contrast_matrix, contrast
    from nlp.topics.effects import era_topics

    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(20_000)]
    terms = [rng.choices(vocab, k=80) for _ in range(n)]
    labels = [("soft_left", "hard_left")[i % 2] for i in range(n)]
    rows = []
    for name, outlets in (("outlets of their own", [f"{lab}-{i % 7}" for i, lab in enumerate(labels)]),
                          ("shared outlets", [f"outlet{i % 7}" for i in range(n)])):
        docs = DocumentTerms.from_terms(terms, labels=labels, outlets=outlets,
                                        published=[str(2000 + i % 20) for i in range(n)])
        docs.matrix  # built once, outside the timings
        _, plain = _best(lambda: _contrast_matrix(docs, "soft_left", "hard_left", "tendency", top=20, min_count=3,
                                                  alpha0=None, min_docs=3, bootstrap=0, seed=0, mask=None))
        result, designed = _best(lambda: contrast(docs, "soft_left", "hard_left", bootstrap=0))
        rows.append({"name": f"contrast with its design / plain, {name}", "value": round(designed / plain, 2),
                     "unit": "x", "target": "",
                     "note": f"{designed:.2f}s vs {plain:.2f}s, {n:,} documents; compared {result.design['within']}"})
    theta = np.random.default_rng(0).dirichlet(np.ones(20), size=n)
    _, floor = _best(lambda: era_topics(docs, theta, permutations=0), repeats=1)
    _, tested = _best(lambda: era_topics(docs, theta), repeats=1)
    rows.append({"name": "era topics with the permutation test / R² floor alone", "value": round(tested / floor, 1),
                 "unit": "x", "target": "", "note": f"{tested:.2f}s vs {floor:.2f}s, {n:,} documents, K = 20, "
                                                    "99 shuffles"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50_000, help="synthetic documents")
    for row in run(parser.parse_args().n):
        print(f"{row['name']}: {row['value']}{row['unit']}  ({row['note']})")


if __name__ == "__main__":
    main()
