"""The topic stage against plain gensim, and coherence on a budget of tokens (a plain script, not a test).

    python bench/bench_topics.py                  # the UK manifestos and synthetic text, K = 10
    python bench/bench_topics.py --only stage     # one part: stage, budget or passes
    python bench/bench_topics.py --twin-docs 5000 --jobs 1,2

Corpora (``bench/realtext.py``): the UK manifestos (``../shared/data``: 98 documents, 453,000 terms after
preprocessing, modelled as about 450 passages) and synthetic articles of 720 words with a realistic vocabulary,
as terms (no spaCy): ``--twin-docs`` for the stage and the passes (2,800: about 1.1 M terms), ``--budget-docs``
for the budget (15,000: about 6 M terms, more than the coherence budget of 5 M).

1. **stage** — the run's topic stage for one K (``topics_stage``: the bag-of-words corpus, the LDA fit, c_v and
   NPMI, every document's shares, two more seeds for each topic's stability, era flags) against one plain
   ``gensim.models.LdaModel`` on the same bag of words (same K, passes, iterations, alpha, seed) plus gensim's
   ``CoherenceModel`` (c_v) on every document's terms: wall and CPU seconds and their ratio, with ``--jobs``
   processes (on 2, the stability seeds are fitted beside the model). Goal: at most 1.5.
2. **budget** — c_v counted on a budget of tokens (a seeded sample of passages, ``nlp.topics.coherence``)
   against c_v on every document, three sample seeds each: the largest difference, and the seconds.
3. **passes** — how the stability seeds are made cheaper: the stability of the same topics (the run's model, a
   plain ``LdaModel``) scored with seeds fitted as the stage fits them (gensim's ``LdaModel`` with the blocked
   E-step, ``nlp.topics.estep``) and with half and a third of the passes, each against seeds fitted by plain
   ``LdaModel`` at the full passes (and, for scale, two other seeds): the mean difference, the largest per topic.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import realtext  # noqa: E402


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(fn, *args, **kwargs):
    t0, c0 = time.perf_counter(), _cpu()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0, _cpu() - c0


def manifesto_documents(tmp: Path):
    """The manifestos imported and preprocessed in ``tmp``, as documents."""
    return _documents(realtext.manifesto_articles(), tmp / "manifestos.db")


def _documents(articles, path: Path):
    from corpus import CorpusStore
    from nlp.documents import load_documents
    from nlp.text.preprocess import preprocess_corpus

    with CorpusStore(path) as store:
        store.add_many(articles)
        preprocess_corpus(store)
        return load_documents(store, preprocess=False)


def bench_stage(docs, name: str, k: int, jobs: tuple[int, ...], passes: int = 10) -> list[dict]:
    """The topic stage for one K, with each number of processes, against plain LdaModel + CoherenceModel."""
    from gensim.models import LdaModel
    from gensim.models.coherencemodel import CoherenceModel

    from nlp.engine import Runtime
    from nlp.parallel import executor
    from nlp.stages.topics import TopicsParams, topics_stage
    from nlp.topics.fit import prepare_corpus

    prepared = prepare_corpus(docs, Path(tempfile.mkdtemp(prefix="bench-topics-")))
    bows, terms = list(prepared.corpus()), list(docs.iter_terms())

    def plain() -> float:
        lda = LdaModel(bows, id2word=prepared.dictionary, num_topics=k, passes=passes, iterations=100,
                       alpha="auto", random_state=0, eval_every=None, chunksize=2000)
        top = [[prepared.dictionary[i] for i, _ in lda.get_topic_terms(t, topn=10)] for t in range(k)]
        return CoherenceModel(topics=top, texts=terms, dictionary=prepared.dictionary, coherence="c_v",
                              processes=1).get_coherence()

    def stage(n: int):
        with executor(jobs=n) as ex:
            return topics_stage(docs, TopicsParams(k=k, passes=passes), Runtime(executor=ex))

    rows, stages = [], {}
    c_v, t_plain, c_plain = _timed(plain)
    for n in jobs:  # the plain fit again between the settings: a change in the machine's load hits both
        stages[n] = _timed(stage, n)
        _, t, c = _timed(plain)
        t_plain, c_plain = min(t_plain, t), min(c_plain, c)
    rows.append({"name": f"{name}: plain LdaModel + CoherenceModel c_v, K={k}", "value": round(t_plain, 1),
                 "unit": "s", "target": "", "note": f"CPU {c_plain:.1f}s; c_v {c_v:.3f}; {len(bows)} documents "
                 f"(passages) in the model"})
    for n, (fit, t, c) in stages.items():
        trust = fit.manifest["trust"]
        rows.append({"name": f"{name}: topic stage / plain, {n} process{'es' if n > 1 else ''}",
                     "value": round(t / t_plain, 2), "unit": "x", "target": "<= 1.5",
                     "note": f"{t:.1f}s wall, CPU {c / c_plain:.2f}x ({c:.1f}s); c_v {fit.coherence_c_v:.3f}; "
                     f"{trust['seeds']} seeds, stability mean {sum(trust['stability']) / k:.3f}"})
    return rows


def bench_budget(docs, name: str, k: int, budgets: tuple[int, ...], passes: int = 5) -> list[dict]:
    """c_v on a budget of tokens (three seeds) against c_v on every document, for one fitted model."""
    from nlp.topics.coherence import coherence, coherence_texts
    from nlp.topics.fit import fit_models, prepare_corpus

    prepared = prepare_corpus(docs, Path(tempfile.mkdtemp(prefix="bench-budget-")))
    topics = [t["terms"] for t in fit_models(prepared, [dict(k=k, random_state=0, passes=passes)])[0].topics_]
    score = lambda texts: coherence(topics, texts, prepared.dictionary, ("c_v",))["c_v"][0]  # noqa: E731
    full, t_full, _ = _timed(score, coherence_texts(docs, None))
    rows = [{"name": f"{name}: c_v on every document", "value": round(full, 4), "unit": "", "target": "",
             "note": f"{int(docs.offsets[-1]):,} tokens, {t_full:.2f}s"}]
    for budget in budgets:
        if budget >= docs.offsets[-1]:
            continue
        runs = [_timed(score, coherence_texts(docs, budget, seed)) for seed in range(3)]
        rows.append({"name": f"{name}: c_v on {budget:,} tokens (3 seeds), largest difference",
                     "value": round(max(abs(v - full) for v, _, _ in runs), 4), "unit": "", "target": "",
                     "note": ", ".join(f"{v:.4f}" for v, _, _ in runs) + f"; {min(t for _, t, _ in runs):.2f}s"})
    return rows


def bench_passes(docs, name: str, k: int, passes: int = 10) -> list[dict]:
    """Stability of one fit's topics scored with seeds fitted at lower cost (the blocked E-step, fewer passes),
    against seeds fitted by plain ``LdaModel`` at the full passes."""
    import numpy as np

    from nlp.topics.fit import prepare_corpus
    from nlp.topics.stability import fit_seeds, topic_stability

    prepared = prepare_corpus(docs, Path(tempfile.mkdtemp(prefix="bench-passes-")))
    corpus = prepared.corpus()
    reference = fit_seeds(corpus, prepared.dictionary, k, [0], passes=passes, estep="gensim")[0].phi

    def scores(seeds, p, estep="gensim"):
        fits, _, cpu = _timed(fit_seeds, corpus, prepared.dictionary, k, seeds, passes=p, estep=estep)
        return np.array(topic_stability([reference] + [f.phi for f in fits])), cpu

    full, c_full = scores([1, 2], passes)
    rows = [{"name": f"{name}: stability, seeds 1-2 at {passes} passes (plain LdaModel)",
             "value": round(full.mean(), 4), "unit": "mean", "target": "",
             "note": f"lowest {full.min():.3f}; CPU {c_full:.1f}s"}]
    for label, seeds, p, estep in (("the blocked E-step (the stage's seeds)", [1, 2], passes, "blocked"),
                                   ("seeds 10-11", [10, 11], passes, "gensim"),
                                   ("half the passes", [1, 2], passes // 2, "gensim"),
                                   ("a third of the passes", [1, 2], max(1, passes // 3), "gensim")):
        s, c = scores(seeds, p, estep)
        rows.append({"name": f"{name}: stability, {label} ({p} passes), mean difference",
                     "value": f"{s.mean() - full.mean():+.2g}", "unit": "", "target": "",
                     "note": f"largest per topic {np.abs(s - full).max():.2g}; CPU {c:.1f}s ({c / c_full:.2f}x)"})
    return rows


def run(quick: bool = False) -> list[dict]:
    """Rows for ``bench/run.py``: the stage and the budget on the manifestos (skipped without them)."""
    if not realtext.have_manifestos():
        return [{"name": "topics", "value": "skipped", "unit": "", "target": "",
                 "note": "../shared/data/uk-manifestos is not here"}]
    docs = manifesto_documents(Path(tempfile.mkdtemp(prefix="bench-topics-")))
    k = 6 if quick else 10
    return bench_stage(docs, "manifestos", k, (1, 2), passes=2 if quick else 10) + \
        bench_budget(docs, "manifestos", k, (100_000, 250_000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=("stage", "budget", "passes"), default=None)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--jobs", default="1,2", help="processes for the stage, e.g. 1,2")
    parser.add_argument("--twin-docs", type=int, default=2_800,
                        help="synthetic articles for the stage and the passes (0: none)")
    parser.add_argument("--budget-docs", type=int, default=15_000, help="synthetic articles for the budget (0: none)")
    args = parser.parse_args()
    parts = set(args.only or ("stage", "budget", "passes"))
    jobs = tuple(int(j) for j in args.jobs.split(","))
    tmp = Path(tempfile.mkdtemp(prefix="bench-topics-"))
    budgets = (100_000, 250_000, 1_000_000, 2_000_000, 5_000_000)
    work = []  # (name, documents or a function making them, parts)
    if realtext.have_manifestos():
        work.append(("manifestos", lambda: manifesto_documents(tmp), parts))
    if args.twin_docs and parts & {"stage", "passes"}:
        work.append((f"synthetic {args.twin_docs:,}", lambda: realtext.twin_documents(args.twin_docs),
                     parts & {"stage", "passes"}))
    if args.budget_docs and "budget" in parts:
        work.append((f"synthetic {args.budget_docs:,}", lambda: realtext.twin_documents(args.budget_docs),
                     {"budget"}))
    for name, make, these in work:
        docs, rows = make(), []
        if "stage" in these:
            rows += bench_stage(docs, name, args.k, jobs)
        if "budget" in these:
            rows += bench_budget(docs, name, args.k, budgets)
        if "passes" in these:
            rows += bench_passes(docs, name, args.k)
        for row in rows:
            print(f"{row['name']:<72} {row['value']!s:>8} {row['unit']:<4} {row['note']}", flush=True)


if __name__ == "__main__":
    main()
