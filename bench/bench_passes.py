"""Are fewer LDA passes enough on a large corpus? The evidence behind ``auto_passes``.

On ``--n`` synthetic articles of 720 words with a realistic vocabulary (``bench/realtext.py``, as terms: no
spaCy), or the corpus at ``--db``, this fits K topics with the passes
``auto_passes`` chooses for that size and with seed 0 and 1, then with ``--most`` passes (the small-corpus
default, 10) and seed 0, and prints the mean and lowest topic similarity (1 - Jensen-Shannon divergence after
Hungarian matching, as ``topics fit`` scores stability) of every pair, with each fit's time:

- ``auto`` passes against ``most`` passes, same seed: what the fewer passes change;
- seed 0 against seed 1 at ``auto`` passes: what a different seed changes anyway.

Fewer passes are enough when the first figure is well above the second.

    python bench/bench_passes.py                 # 50,000 articles (auto: 2 passes), about 5 minutes idle
    python bench/bench_passes.py --n 20000 --db /tmp/s20k.db
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50_000, help="synthetic articles")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--most", type=int, default=10, help="the passes to compare against")
    parser.add_argument("--db", type=Path, help="a corpus to use instead (preprocessed here where need be)")
    args = parser.parse_args()

    from corpus import CorpusStore
    from realtext import twin_documents
    from nlp.documents import load_documents
    from nlp.topics.fit import prepare_corpus
    from nlp.topics.model import TopicModel, auto_passes
    from nlp.topics.stability import topic_stability

    tmp = Path(tempfile.mkdtemp(prefix="bench-passes-"))
    if args.db is None:
        docs = twin_documents(args.n, 720)
    else:
        with CorpusStore(args.db) as store:
            docs = load_documents(store)  # preprocessed first where need be
    prepared = prepare_corpus(docs, tmp / "prepared")
    auto = auto_passes(len(docs))
    print(f"{len(docs):,} documents, K = {args.k}: auto_passes gives {auto}")
    phis = {}
    for passes, seed in [(auto, 0), (auto, 1), (args.most, 0)]:
        t0 = time.perf_counter()
        model = TopicModel(k=args.k, random_state=seed, passes=passes).fit(prepared.corpus(), prepared.dictionary)
        phis[(passes, seed)] = model.model_.get_topics()
        print(f"fit, {passes} passes, seed {seed}: {time.perf_counter() - t0:.1f}s", flush=True)
    for a, b, what in [((auto, 0), (args.most, 0), f"{auto} passes against {args.most}, seed 0"),
                       ((auto, 0), (auto, 1), f"seed 0 against seed 1, {auto} passes")]:
        sim = topic_stability([phis[a], phis[b]])
        print(f"{what:<40} topic similarity mean {np.mean(sim):.3f}, lowest {min(sim):.3f}")


if __name__ == "__main__":
    main()
