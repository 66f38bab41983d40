"""Topic fits against plain gensim (and tomotopy), and how large a coherence sample must be (a plain script).

    python bench/bench_topics.py                       # 20,000 synthetic documents, K = 10
    python bench/bench_topics.py --docs 5000 --passes 2
    python bench/bench_topics.py --skip-sample         # only the fit comparison

Documents: the demo articles' terms resampled in runs of 20 terms (``bench/synthetic.py``), so they have
the demo corpus' vocabulary and topics and none is a copy of another.

1. **Fit.** softleft's fit (``prepare_corpus`` + :class:`TopicModel`: dictionary, corpus file, LdaModel, FREX
   labels) against a plain ``gensim.models.LdaModel`` on the same bag of words (same K, passes, iterations,
   seed, alpha), and tomotopy's ``LDAModel`` (Gibbs sampling, ``--tp-iterations``) when it is installed:
   seconds and c_v (on the same seeded sample of 2,000 documents) as ratios to plain gensim.
2. **Coherence sample.** c_v of one model on seeded samples of 500 / 1,000 / 2,000 / 5,000 documents (three
   seeds each) against c_v on every document: the largest difference, and the seconds each costs.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _c_v(topics: list[list[str]], docs, dictionary, size: int, seed: int = 0) -> tuple[float, float]:
    from nlp.topics.model import _Sample, coherence

    t0 = time.perf_counter()
    value = coherence(topics, _Sample(docs, size, seed), dictionary, ("c_v",))["c_v"][0]
    return value, time.perf_counter() - t0


def bench_fit(docs, k: int, passes: int, iterations: int, sample: int, tp_iterations: int = 500) -> list[dict]:
    from gensim.models import LdaModel

    from nlp.topics.fit import fit_models, prepare_corpus

    work = Path(tempfile.mkdtemp(prefix="bench-topics-"))
    t0 = time.perf_counter()
    prepared = prepare_corpus(docs, work)
    model = fit_models(prepared, [dict(k=k, random_state=0, passes=passes, iterations=iterations)])[0]
    ours = time.perf_counter() - t0
    ours_lda = model.fit_seconds_
    ours_cv, _ = _c_v([t["terms"] for t in model.topics_], docs, prepared.dictionary, sample)

    bow = list(prepared.corpus())  # plain gensim: the same bag of words, in memory
    t0 = time.perf_counter()
    plain = LdaModel(bow, id2word=prepared.dictionary, num_topics=k, passes=passes, iterations=iterations,
                     random_state=0, alpha="auto", eval_every=None, chunksize=2000)
    t_plain = time.perf_counter() - t0
    plain_topics = [[prepared.dictionary[i] for i, _ in plain.get_topic_terms(t, topn=10)] for t in range(k)]
    plain_cv, _ = _c_v(plain_topics, docs, prepared.dictionary, sample)
    rows = [
        {"name": f"plain gensim LdaModel, {len(bow):,} docs, K={k}", "value": round(t_plain, 1), "unit": "s",
         "note": f"c_v {plain_cv:.3f}"},
        {"name": "softleft fit (dictionary, corpus file, LDA, labels)", "value": round(ours, 1), "unit": "s",
         "note": f"c_v {ours_cv:.3f}"},
        {"name": "softleft / plain gensim: time", "value": round(ours / t_plain, 2), "unit": "ratio",
         "note": f"the LDA alone (streamed from the corpus file): {ours_lda / t_plain:.2f}"},
        {"name": "softleft / plain gensim: c_v", "value": round(ours_cv / plain_cv, 3), "unit": "ratio", "note": ""},
    ]
    try:
        import tomotopy as tp
    except ImportError:
        rows.append({"name": "tomotopy", "value": "-", "unit": "", "note": "not installed (pip install tomotopy)"})
        return rows
    vocab = prepared.dictionary
    t0 = time.perf_counter()
    mdl = tp.LDAModel(k=k, seed=0)
    for b in bow:
        words = [vocab[i] for i, n in b for _ in range(int(n))]
        if words:
            mdl.add_doc(words)
    mdl.train(tp_iterations, workers=1)
    t_tp = time.perf_counter() - t0
    tp_cv, _ = _c_v([[w for w, _ in mdl.get_topic_words(t, top_n=10)] for t in range(k)], docs, vocab, sample)
    rows += [{"name": f"tomotopy LDAModel {tp.__version__} (1 worker)", "value": round(t_tp, 1), "unit": "s",
              "note": f"c_v {tp_cv:.3f}; {tp_iterations} Gibbs iterations"},
             {"name": "tomotopy / plain gensim: time", "value": round(t_tp / t_plain, 2), "unit": "ratio", "note": ""},
             {"name": "tomotopy / plain gensim: c_v", "value": round(tp_cv / plain_cv, 3), "unit": "ratio", "note": ""}]
    return rows


def bench_sample(docs, k: int, passes: int, sizes: tuple[int, ...] = (500, 1000, 2000, 5000)) -> list[dict]:
    from nlp.topics.fit import fit_models, prepare_corpus

    prepared = prepare_corpus(docs, Path(tempfile.mkdtemp(prefix="bench-coherence-")))
    model = fit_models(prepared, [dict(k=k, random_state=0, passes=passes)])[0]
    topics = [t["terms"] for t in model.topics_]
    full, t_full = _c_v(topics, docs, prepared.dictionary, len(docs))
    rows = [{"name": f"c_v on all {len(docs):,} docs", "value": round(full, 4), "unit": "", "note": f"{t_full:.1f}s"}]
    for size in sizes:
        runs = [_c_v(topics, docs, prepared.dictionary, size, seed) for seed in range(3)]
        worst = max(abs(v - full) for v, _ in runs)
        rows.append({"name": f"c_v on {size:,} docs (3 seeds): largest difference", "value": round(worst, 4),
                     "unit": "", "note": f"{', '.join(f'{v:.4f}' for v, _ in runs)}; "
                     f"{min(t for _, t in runs):.1f}s ({min(t for _, t in runs) / t_full:.0%} of the full cost)"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--tp-iterations", type=int, default=500, help="tomotopy's Gibbs sampling iterations")
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--skip-fit", action="store_true")
    args = parser.parse_args()
    from nlp.documents import DocumentTerms
    from synthetic import term_lists

    docs = DocumentTerms.from_terms(term_lists(args.docs))
    rows = []
    if not args.skip_fit:
        rows += bench_fit(docs, args.k, args.passes, args.iterations, 2000, args.tp_iterations)
    if not args.skip_sample:
        rows += bench_sample(docs, args.k, args.passes)
    for row in rows:
        print(f"{row['name']:<56} {row['value']:>9} {row['unit']:<6} {row['note']}")


if __name__ == "__main__":
    main()
