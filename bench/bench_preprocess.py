"""Preprocessing: ``preprocess_corpus`` against bare ``nlp.pipe``, and 1 against N processes (a plain script).

    python bench/bench_preprocess.py                 # UK manifestos (../shared/data), 1 and 2 processes
    python bench/bench_preprocess.py --processes 1,2 --repeat 3

Each figure is the best of ``--repeat`` runs on a fresh store holding the same texts (the UK manifestos when
present: 98 long real documents; else the demo articles x20). Printed as ratios measured side by side:

- ``preprocess_corpus`` (1 process) / bare ``nlp.pipe`` of the same blank English + lookup-lemma pipeline;
- ``preprocess_corpus`` with N processes against 1 (the ``--n-process`` speed-up);
- the serial tail after the workers finish: fitting the collocations from the counts gathered on the way in
  against re-reading the cache (what ``nlp preprocess`` did before);
- a control: pure-Python work split over 2 processes (what the machine's cores allow at the moment), and the
  speed-up as a share of it.

``run()`` returns rows for ``bench/run.py``.
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

from bench_nlp import _texts, bench_cpu_control  # noqa: E402


def _corpus_seconds(texts: list[str], n_process: int, tmp: Path) -> tuple[float, Path]:
    from corpus import Article, CorpusStore
    from nlp.text.preprocess import Preprocessor, preprocess_corpus

    db = tmp / f"pre-{n_process}-{time.perf_counter_ns()}.db"
    with CorpusStore(db) as store:
        store.add_many(Article(outlet="bench", source="imported", title=f"t{i}", text=t) for i, t in enumerate(texts))
        pre = Preprocessor(n_process=n_process)
        t0 = time.perf_counter()
        preprocess_corpus(store, pre)  # includes starting the worker processes
        return time.perf_counter() - t0, db


def _collocation_tail(db: Path) -> tuple[float, float]:
    """Seconds to fit the collocations from counts gathered on the way in, and by re-reading the cache."""
    from corpus import CorpusStore
    from nlp.text.preprocess import (CollocationCounts, Collocations, _CachedTerms, current_fingerprint,
                                     iter_cached_terms)

    with CorpusStore(db) as store:
        fp = current_fingerprint(store)
        counted = CollocationCounts()
        for terms in iter_cached_terms(store, fp):  # what the parent counts while the workers parse
            counted.add(terms)
        t0 = time.perf_counter()
        counted.collocations()
        t_counted = time.perf_counter() - t0
        t0 = time.perf_counter()
        Collocations.fit(_CachedTerms(store, fp))
        return t_counted, time.perf_counter() - t0


def run(processes: tuple[int, ...] = (1, 2), repeat: int = 2, quick: bool = False) -> list[dict]:
    import spacy

    texts, source = _texts()
    if quick:
        texts = texts[:20]
    bare = spacy.blank("en")
    bare.add_pipe("lemmatizer", config={"mode": "lookup"})
    bare.initialize()
    bare.max_length = max(len(t) for t in texts) + 1
    t_bare = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in bare.pipe(texts, batch_size=256):
            pass
        t_bare.append(time.perf_counter() - t0)
    tmp = Path(tempfile.mkdtemp(prefix="bench-preprocess-"))
    seconds: dict[int, float] = {}
    db = None
    for _ in range(repeat):  # interleaved, so a change in the machine's load hits every setting alike
        for n in processes:
            t, db = _corpus_seconds(texts, n, tmp)
            seconds[n] = min(seconds.get(n, t), t)
    t_counted, t_reread = _collocation_tail(db)
    base = seconds[processes[0]]
    rows = [{"name": "bare nlp.pipe", "value": round(min(t_bare), 2), "unit": "s", "target": "", "note": source},
            {"name": f"preprocess_corpus, {processes[0]} process", "value": round(base, 2), "unit": "s",
             "target": "", "note": "store read, spaCy, term rules, cache writes, collocations"},
            {"name": "bare nlp.pipe / preprocess_corpus (1 process)", "value": round(min(t_bare) / base, 2),
             "unit": "ratio", "target": ">= 0.7", "note": "1.0 = no cost beyond spaCy's own"}]
    for n in processes[1:]:
        rows.append({"name": f"preprocess_corpus speed-up, {n} processes", "value": round(base / seconds[n], 2),
                     "unit": "x", "target": ">= 1.8" if n == 2 else "", "note": f"{seconds[n]:.2f}s"})
    rows.append({"name": "collocation tail: counted on the way in", "value": round(t_counted, 3), "unit": "s",
                 "target": "", "note": f"re-reading the cache instead: {t_reread:.3f}s"})
    control = bench_cpu_control()
    rows.append(control)
    for n in processes[1:]:  # what the machine allowed at the moment: the speed-up as a share of the control's
        rows.append({"name": f"speed-up, {n} processes / control", "unit": "ratio", "target": "",
                     "value": round(base / seconds[n] / control["value"], 2),
                     "note": "1.0: all the parallelism the machine gave pure Python"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", default="1,2", help="comma-separated process counts, the first the base")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="20 texts (a smoke run)")
    args = parser.parse_args()
    for row in run(tuple(int(p) for p in args.processes.split(",")), args.repeat, args.quick):
        print(f"{row['name']:<50} {row['value']:>10} {row['unit']:<6} {row['target']:<8} {row['note']}")


if __name__ == "__main__":
    main()
