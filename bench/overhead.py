"""The whole `run` on real text against the sum of its plain parts, and against synthetic text of the same size.

    python bench/overhead.py                  # the UK manifestos, --jobs 1, and the synthetic twin
    python bench/overhead.py --jobs 2         # the run on two processes (the plain parts stay on one)
    python bench/overhead.py --skip-twin      # only the comparison with the plain parts
    python bench/overhead.py --repeats 2      # real and synthetic twice each, the best times compared

1. **Overhead.** ``cli.py run`` on the UK manifestos (``../shared/data``: 98 usable, about 1 M words; imported,
   not yet preprocessed, so the run preprocesses them), timed in a child process (wall and CPU, its workers
   included) — against the plain library calls that do the same work on the same text, each timed here:

   * spaCy: ``nlp.pipe`` of a blank English pipeline with lookup lemmas over the texts;
   * gensim: for each K the run sweeps, an ``LdaModel`` on the run's bag-of-words corpus (same K, passes,
     iterations, alpha, seed) and a ``CoherenceModel`` (c_v) of its top 10 terms on every document's terms;
   * gensim ``Word2Vec`` with the meaning stage's settings on its training terms (when the run trained vectors);
   * scikit-learn: a TF-IDF + logistic-regression pipeline scored by 5-fold cross-validation on the terms;
   * a plain numpy Wordfish (``bench/realtext.py``) on the counts of the 3,000 most frequent terms.

   Printed: each part, their sum, the run's own stage times, and **run / sum of the plain parts** (CPU and
   wall). The run does more than the parts (two more seeds for stability, NPMI, every article's topic shares,
   trends, effects, contrasts, mentions, the report), so 1.0 is not the floor; the ratio says how much the
   toolkit costs beyond the libraries it stands on.
2. **Real against synthetic.** The same ``run`` on a synthetic twin (``bench/realtext.py``: political prose with
   a realistic, Zipfian vocabulary, ``bench/synthetic.py``) with the manifestos' design but none of their
   text: as many documents, each as long as its manifesto, the same parties and election years, single line
   breaks. Timed the same way: seconds per article, real / synthetic (goal: at most 1.2), and each stage's.

Timings depend on the machine and its load: compare the ratios, which are measured side by side.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import realtext  # noqa: E402


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(db: Path, out: Path, jobs: int, k: int | None = None) -> dict:
    """``cli.py run`` in a child process: wall and CPU seconds (with its workers) and the manifest's stage times."""
    command = [sys.executable, str(ROOT / "cli.py"), "-q", "--db", str(db), "run", "-o", str(out), "--jobs", str(jobs)]
    if k is not None:
        command += ["--k", str(k)]
    cpu, t0 = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu
    if done.returncode:
        raise RuntimeError(f"run failed:\n{done.stderr[-3000:]}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {"wall": wall, "cpu": cpu, "stages": manifest["timings_seconds"], "metrics": manifest["metrics"]}


def best(a: dict, b: dict) -> dict:
    """Two timed runs of the same corpus as one: the least wall and CPU seconds, each stage's least seconds."""
    return {"wall": min(a["wall"], b["wall"]), "cpu": min(a["cpu"], b["cpu"]), "metrics": a["metrics"],
            "stages": {s: min(v, b["stages"].get(s, v)) for s, v in a["stages"].items()}}


class Clock:
    """Wall and CPU seconds of the plain parts, one named part at a time."""

    def __init__(self) -> None:
        self.parts: dict[str, tuple[float, float]] = {}

    def __call__(self, name: str, fn, *args, **kwargs):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn(*args, **kwargs)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        before = self.parts.get(name, (0.0, 0.0))
        self.parts[name] = (before[0] + wall, before[1] + cpu)
        return out

    def total(self) -> tuple[float, float]:
        return sum(w for w, _ in self.parts.values()), sum(c for _, c in self.parts.values())


def plain_parts(db: Path, texts: list[str], run: dict, seed: int = 0) -> Clock:
    """Time the plain library calls doing the run's work on the same text (see the module docstring)."""
    import numpy as np
    import spacy
    from gensim.models import LdaModel, Word2Vec
    from gensim.models.coherencemodel import CoherenceModel
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline

    from corpus import CorpusStore
    from nlp.documents import load_documents
    from nlp.meaning.embeddings import DEFAULTS
    from nlp.stages.scaling import MEANING_TRAINING_TERMS, training_sample
    from nlp.tendencies.analysis import MIN_CLASS_ARTICLES
    from nlp.topics.fit import prepare_corpus

    clock = Clock()
    bare = spacy.blank("en")
    bare.add_pipe("lemmatizer", config={"mode": "lookup"})
    bare.initialize()
    bare.max_length = max(len(t) for t in texts) + 1
    clock("spaCy nlp.pipe", lambda: [None for _ in bare.pipe(texts, batch_size=256)])

    with CorpusStore(db) as store:
        docs = load_documents(store, preprocess=False)
    terms = list(docs.iter_terms())
    prepared = prepare_corpus(docs, Path(tempfile.mkdtemp(prefix="bench-overhead-")))  # the run's bags (not timed)
    bows = list(prepared.corpus())
    metrics = run["metrics"]
    ks = [row["k"] for row in metrics.get("topic_sweep") or []] or [metrics["topics_k"]]
    for k in ks:
        lda = clock("gensim LdaModel", LdaModel, bows, id2word=prepared.dictionary, num_topics=k,
                    passes=metrics["topics_passes"], iterations=100, alpha="auto", random_state=seed,
                    eval_every=None, chunksize=2000)
        top = [[prepared.dictionary[i] for i, _ in lda.get_topic_terms(t, topn=10)] for t in range(k)]
        clock("gensim CoherenceModel c_v", lambda: CoherenceModel(
            topics=top, texts=terms, dictionary=prepared.dictionary, coherence="c_v", processes=1).get_coherence())

    if run["stages"].get("meaning", 0) > 1.0:  # the run trained word vectors
        training = training_sample(docs, MEANING_TRAINING_TERMS, seed)
        sentences = list(training.iter_terms())
        clock("gensim Word2Vec", Word2Vec, sentences=sentences, seed=seed, workers=1, **DEFAULTS)

    labels = np.array(docs.labels)
    names, counts = np.unique(labels, return_counts=True)
    kept = np.isin(labels, names[counts >= MIN_CLASS_ARTICLES])  # the classes the run's classifier keeps
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    pipeline = make_pipeline(TfidfVectorizer(analyzer=lambda x: x, min_df=2),
                             LogisticRegression(max_iter=1000, C=1.0))
    clock("scikit-learn CV", cross_val_score, pipeline, [t for t, keep in zip(terms, kept) if keep], labels[kept],
          cv=folds, scoring="f1_macro")

    X = docs.matrix.tocsr()
    used = np.asarray((X > 0).sum(axis=0)).ravel() >= 3
    columns = np.flatnonzero(used)[np.argsort(-np.asarray(X[:, used].sum(axis=0)).ravel(), kind="stable")[:3000]]
    Y = X[:, np.sort(columns)]
    keep = np.asarray(Y.sum(axis=1)).ravel() > 0
    Y = Y[keep]
    clock("numpy Wordfish", realtext.plain_wordfish, Y, 0, 1)
    return clock


def corpus_of(articles, path: Path) -> Path:
    from corpus import CorpusStore

    with CorpusStore(path) as store:
        store.add_many(articles)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=1, help="processes for the run (the plain parts use one)")
    parser.add_argument("--k", type=int, help="the run's K (default: the run's sweep of K)")
    parser.add_argument("--skip-twin", action="store_true", help="leave out the run on synthetic text")
    parser.add_argument("--keep", help="keep the corpora and runs in this folder")
    parser.add_argument("--repeats", type=int, default=1,
                        help="run the real and the synthetic corpus this many times each, alternately, and compare "
                             "the best times (each stage's and the whole run's): a busy machine inflates single runs")
    args = parser.parse_args()
    if not realtext.have_manifestos():
        print("skipped: ../shared/data/uk-manifestos is not here")
        return
    tmp = Path(args.keep or tempfile.mkdtemp(prefix="bench-overhead-"))
    tmp.mkdir(parents=True, exist_ok=True)
    texts = [r["text"] for r in realtext.manifesto_records()]
    n, mean_words = len(texts), sum(map(realtext.words, texts)) / len(texts)
    print(f"UK manifestos: {n} documents, {mean_words:,.0f} words each on average; run --jobs {args.jobs}"
          f"{f' --k {args.k}' if args.k else ''}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
          flush=True)
    real_db = corpus_of(realtext.manifesto_articles(), tmp / "manifestos.db")
    real = timed_run(real_db, tmp / "run-manifestos", args.jobs, args.k)
    clock = plain_parts(real_db, texts, real)
    wall, cpu = clock.total()
    print(f"\n{'plain part':<30} {'wall s':>8} {'CPU s':>8}")
    for name, (w, c) in clock.parts.items():
        print(f"{name:<30} {w:>8.1f} {c:>8.1f}")
    print(f"{'sum of the plain parts':<30} {wall:>8.1f} {cpu:>8.1f}")
    print(f"{'the whole run':<30} {real['wall']:>8.1f} {real['cpu']:>8.1f}")
    print("the run's stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in real["stages"].items()))
    lda = [clock.parts.get(p, (0, 0)) for p in ("gensim LdaModel", "gensim CoherenceModel c_v")]
    topics_plain = sum(w for w, _ in lda)
    print(f"\nrun / sum of its plain parts: CPU {real['cpu'] / cpu:.2f}, wall {real['wall'] / wall:.2f}")
    print(f"topic stage / (LdaModel + CoherenceModel for each K): {real['stages']['topic model'] / topics_plain:.2f} "
          f"(wall: {real['stages']['topic model']:.1f}s against {topics_plain:.1f}s)")
    if args.skip_twin:
        return
    twins = []
    for r in range(args.repeats):
        if r:  # again on fresh stores (a run on a preprocessed store reuses its terms)
            real = best(real, timed_run(corpus_of(realtext.manifesto_articles(), tmp / f"manifestos-{r}.db"),
                                        tmp / f"run-manifestos-{r}", args.jobs, args.k))
        twin_db = corpus_of(realtext.twin_articles(n, round(mean_words), design=realtext.manifesto_design()),
                            tmp / (f"twin-{r}.db" if r else "twin.db"))
        twins.append(timed_run(twin_db, tmp / (f"run-twin-{r}" if r else "run-twin"), args.jobs, args.k))
    twin = functools.reduce(best, twins)
    print(f"\nrun on {n} synthetic articles of {mean_words:,.0f} words on average (the manifestos' design): "
          f"wall {twin['wall']:.1f}s, CPU {twin['cpu']:.1f}s"
          + (f"; best of {args.repeats} runs each, real and synthetic alternately (real: wall {real['wall']:.1f}s, "
             f"CPU {real['cpu']:.1f}s)" if args.repeats > 1 else ""))
    print(f"{'stage':<36} {'real s':>8} {'synthetic s':>12} {'ratio':>6}")
    for stage, seconds in real["stages"].items():
        other = twin["stages"].get(stage, 0.0)
        print(f"{stage:<36} {seconds:>8.1f} {other:>12.1f} {seconds / other if other else float('nan'):>6.2f}")
    print(f"run per article, real / synthetic: wall {real['wall'] / twin['wall']:.2f}, "
          f"CPU {real['cpu'] / twin['cpu']:.2f} (goal <= 1.2)")
    not_run = set(twin["metrics"].get("stages_not_run") or {}) - set(real["metrics"].get("stages_not_run") or {})
    if not_run:
        alike = [s for s in real["stages"] if s not in not_run and s != "total"]
        ratio = sum(real["stages"][s] for s in alike) / sum(twin["stages"].get(s, 0.0) for s in alike)
        print(f"  the synthetic run could not run: {', '.join(sorted(not_run))} (what it needs is not in synthetic "
              f"text); over the stages both ran, real / synthetic: {ratio:.2f}")


if __name__ == "__main__":
    main()
