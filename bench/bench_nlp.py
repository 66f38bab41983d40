"""Benchmarks of preprocessing and topic models (a plain script, not a test).

    python bench/bench_nlp.py            # prints the rows
    python bench/bench_nlp.py --quick    # smaller sizes (a smoke run)

``run()`` returns rows ``{name, value, unit, target, note}`` for ``bench/run.py``:

- preprocessing throughput (words/s) of ``preprocess_corpus`` (store read, spaCy, phrase layer, term rules,
  cache writes, collocation fit) and of ``Preprocessor.pipe`` alone, each against bare ``nlp.pipe`` of the
  same blank English + lookup-lemma pipeline on the same texts, as ratios (target >= 0.7);
- the speed-up of ``--n-process 2``;
- topic-model fit time (``fit_topics``: dictionary, corpus file, LDA, shares, coherence) for 10,000 and
  50,000 synthetic documents of 720 words with a realistic vocabulary (``bench/realtext.py``; their terms are
  written to the store as if preprocessed);
- peak memory (RSS) of a fit as the corpus grows: each size runs in a fresh process.

Texts: the UK manifestos in ../shared/data when present (real, long documents), else the demo corpus.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _texts() -> tuple[list[str], str]:
    import realtext

    if realtext.have_manifestos():
        return [r["text"] for r in realtext.manifesto_records()], "UK manifestos (98 long documents)"
    from corpus.demo import iter_demo_articles
    texts = [a.text for a in iter_demo_articles()]
    return texts * 20, f"demo corpus x20 ({len(texts) * 20} articles)"


def _best(fn, repeat: int = 2) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_preprocessing(quick: bool = False) -> list[dict]:
    import spacy

    from corpus import Article, CorpusStore
    from corpus.models import count_words
    from nlp.text.preprocess import Preprocessor, preprocess_corpus

    texts, source = _texts()
    if quick:
        texts = texts[:20]
    words = sum(count_words(t) for t in texts)

    bare = spacy.blank("en")
    bare.add_pipe("lemmatizer", config={"mode": "lookup"})
    bare.initialize()
    bare.max_length = max(len(t) for t in texts) + 1

    def run_bare() -> None:
        for _ in bare.pipe(texts, batch_size=256):
            pass

    def run_pipe() -> float:
        pre = Preprocessor()  # fresh (cold term cache), built outside the timing like the bare pipeline
        t0 = time.perf_counter()
        for _ in pre.pipe(((t, i) for i, t in enumerate(texts)), collocations=False):
            pass
        return time.perf_counter() - t0

    tmp = Path(tempfile.mkdtemp(prefix="bench-nlp-"))

    def run_corpus(n_process: int) -> float:
        db = tmp / f"pre-{n_process}-{time.perf_counter_ns()}.db"
        with CorpusStore(db) as store:
            store.add_many(Article(outlet="bench", source="imported", text=t) for t in texts)
            pre = Preprocessor(n_process=n_process)
            t0 = time.perf_counter()
            preprocess_corpus(store, pre)  # includes starting the worker processes
            return time.perf_counter() - t0

    t_bare = _best(run_bare)
    t_pipe = min(run_pipe() for _ in range(2))
    t_corpus1 = min(run_corpus(1) for _ in range(2))
    t_corpus2 = min(run_corpus(2) for _ in range(2))
    cpus = os.cpu_count() or 1
    return [
        {"name": "bare nlp.pipe (blank en + lookup lemmas)", "value": round(words / t_bare), "unit": "words/s",
         "target": "", "note": source},
        {"name": "Preprocessor.pipe throughput", "value": round(words / t_pipe), "unit": "words/s", "target": "",
         "note": "phrase layer + term rules, no store"},
        {"name": "Preprocessor.pipe / bare nlp.pipe", "value": round(t_bare / t_pipe, 2), "unit": "ratio",
         "target": ">= 0.7", "note": "same texts, same blank+lookups pipeline"},
        {"name": "preprocess_corpus throughput (1 process)", "value": round(words / t_corpus1), "unit": "words/s",
         "target": "", "note": "store read + spaCy + cache writes + collocation fit"},
        {"name": "preprocess_corpus / bare nlp.pipe", "value": round(t_bare / t_corpus1, 2), "unit": "ratio",
         "target": ">= 0.7", "note": "the whole `nlp preprocess` step"},
        {"name": "preprocess_corpus speed-up, 2 processes", "value": round(t_corpus1 / t_corpus2, 2), "unit": "x",
         "target": "> 1", "note": f"--n-process 2 on a {cpus}-CPU machine"},
    ]


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def bench_cpu_control() -> dict:
    """The ceiling for any 2-process speed-up here: pure-Python work split over 2 processes."""
    import multiprocessing as mp

    n = 30_000_000
    t0 = time.perf_counter()
    _spin(n)
    _spin(n)
    serial = time.perf_counter() - t0
    with mp.get_context("fork").Pool(2) as pool:
        t0 = time.perf_counter()
        pool.map(_spin, [n, n])
        parallel = time.perf_counter() - t0
    return {"name": "control: pure-Python work, 2 processes", "value": round(serial / parallel, 2), "unit": "x",
            "target": "", "note": "what this machine's CPUs allow (2.0 = two real cores)"}


# ----------------------------------------------------------------------------- topic models
_BUILD = r"""
import json, sys
sys.path[:0] = [{root!r}, {bench!r}]
from corpus import Article, CorpusStore
from corpus.analyses import set_state
from nlp.text.preprocess import Preprocessor
from realtext import twin_documents

n, db = {n}, {db!r}
docs = twin_documents(n, 720)  # terms with a realistic vocabulary, written as if preprocessed (no spaCy)
pre = Preprocessor()
fp = pre.fingerprint
with CorpusStore(db) as store:
    def flush(batch):
        store.add_many(a for a, _ in batch)
        with store.transaction() as c:
            c.executemany("INSERT OR REPLACE INTO article_terms VALUES (?, ?, ?, ?, ?)",
                          [(a.id, fp, a.content_hash, json.dumps(w), len(w)) for a, w in batch])
    batch = []
    for i in range(n):
        words = docs.terms(i)
        batch.append((Article(outlet=docs.outlets[i], source="imported", published=docs.published[i],
                              text=" ".join(words) + f" d{{i}}"), words))
        if len(batch) == 2000:
            flush(batch)
            batch = []
    flush(batch)
    set_state(store, "preprocessor", pre.config())
"""

# A fresh process that only fits; a thread samples its resident memory (the import peak of spaCy and
# matplotlib would otherwise hide the fit's own memory in ru_maxrss).
_FIT = r"""
import json, os, resource, sys, threading, time
sys.path.insert(0, {root!r})
import gensim.models, scipy.stats, matplotlib
from corpus import CorpusStore
from nlp.topics.fit import fit_topics

def rss_mb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

before = rss_mb()
peak, done = [before], threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss_mb())
        time.sleep(0.02)
threading.Thread(target=sample, daemon=True).start()
with CorpusStore({db!r}) as store:
    t0 = time.perf_counter()
    run = fit_topics(store, 20, seed=0, passes={passes}, iterations=50)
    total = time.perf_counter() - t0
done.set()
print(json.dumps({{"seconds_total": total, "seconds_fit": run.manifest["seconds_fit"], "rss_before_mb": before,
                  "rss_peak_mb": max(peak[0], rss_mb())}}))
"""


def _child(code: str, what: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"{what} failed:\n{out.stderr[-3000:]}")
    return out.stdout


def _fit_in_child(n: int, passes: int) -> dict:
    db = Path(tempfile.mkdtemp(prefix="bench-topics-")) / "t.db"
    _child(_BUILD.format(root=str(ROOT), bench=str(ROOT / "bench"), n=n, db=str(db)),
           f"building {n} synthetic documents")
    out = _child(_FIT.format(root=str(ROOT), db=str(db), passes=passes), f"topic fit on {n} documents")
    return {"n": n, **json.loads(out.strip().splitlines()[-1])}


def bench_topics(quick: bool = False) -> list[dict]:
    passes = 2
    sizes = (1_000, 2_000) if quick else (5_000, 10_000, 25_000, 50_000)
    results = {n: _fit_in_child(n, passes) for n in sizes}
    rows = []
    for n in sizes[-3:] if not quick else sizes:
        if n in (10_000, 50_000) or quick:
            r = results[n]
            rows.append({"name": f"topic fit, {n:,} synthetic docs (K=20)", "value": round(r["seconds_fit"], 1),
                         "unit": "s", "target": "", "note": f"LdaModel, {passes} passes, ~400 terms/doc; whole "
                         f"fit_topics incl. coherence and stored shares: {r['seconds_total']:.0f}s"})
    for n in sizes:
        r = results[n]
        rows.append({"name": f"fit memory, {n:,} docs", "value": round(r["rss_peak_mb"] - r["rss_before_mb"]),
                     "unit": "MB", "target": "flat", "note": f"peak resident memory above the {r['rss_before_mb']:.0f} "
                     "MB of a process that has imported everything (sampled every 20 ms)"})
    small, large = results[sizes[0]], results[sizes[-1]]
    growth = (large["rss_peak_mb"] - large["rss_before_mb"]) / max(small["rss_peak_mb"] - small["rss_before_mb"], 1)
    rows.append({"name": f"fit memory growth {sizes[0]:,} -> {sizes[-1]:,} docs", "value": round(growth, 2),
                 "unit": "x", "target": f"<< {sizes[-1] // sizes[0]}x",
                 "note": "streamed corpus: memory follows vocabulary and K, not documents"})
    return rows


def run(quick: bool = False) -> list[dict]:
    return bench_preprocessing(quick) + [bench_cpu_control()] + bench_topics(quick)


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    for row in run(quick):
        value = row["value"]
        print(f"{row['name']:<48} {value:>12,} {row['unit']:<8} {row['target']:<10} {row['note']}")
