"""Working memory of the steps of `run`'s classifier stage, one step at a time (Linux only).

    python bench/bench_memory.py DB                  # this checkout
    python bench/bench_memory.py DB --root ../old    # another checkout (git worktree add ../old COMMIT)

DB is a corpus whose terms are cached (e.g. ``scale-50000.db`` that ``bench/bench_scale.py --keep DIR``
leaves). The selection is read as ``run`` reads it; then, for each step, the heap is handed back
(``gc`` + ``malloc_trim``), the process's peak is reset (``/proc/self/clear_refs``) and the step runs: what
is printed is the step's peak above the resident memory it started from (MB), and its seconds. Steps: the
count matrix, classifier evaluation (twice: folds by outlet, by author), training, prediction, the
contrasts, mentions, and finding the articles to quote. The numbers are a process's own, not its workers'.
"""
from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _status(key: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} in /proc/self/status")


def _release() -> None:
    import ctypes
    import gc

    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)


def measured(name: str, fn):
    """``fn`` printing its peak above its starting resident memory."""
    @functools.wraps(fn)
    def step(*args, **kwargs):
        _release()
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset the peak (VmHWM) to the current resident memory
        start, t0 = _status("VmRSS:"), time.perf_counter()
        out = fn(*args, **kwargs)
        print(f"{name:<32} +{_status('VmHWM:') - start:6.0f} MB  {time.perf_counter() - t0:6.1f} s"
              f"   (resident at its start {start:.0f} MB)", flush=True)
        return out
    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code is measured")
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    from corpus import CorpusStore
    from nlp.documents import DocumentTerms, load_documents
    import nlp.tendencies.analysis as analysis

    try:
        from nlp.tendencies.analysis import example_ids
    except ImportError:  # older code: in the pipeline module
        from nlp.pipeline import example_ids
    for name in ("evaluate", "train_arrays", "predict_unlabelled", "contrast_each_against_rest", "contrast", "mentions"):
        setattr(analysis, name, measured(name, getattr(analysis, name)))
    store = CorpusStore(args.db)
    docs = load_documents(store, preprocess=False, raw=True)
    _release()
    print(f"{len(docs):,} articles read; resident {_status('VmRSS:'):.0f} MB (code: {args.root.resolve()})")
    measured("count matrix", lambda: DocumentTerms.matrix.func(docs))()
    result = analysis.analyse_tendencies(docs, seed=0, train=True)
    measured("articles to quote", example_ids)(docs, result.quote_pairs(8))


if __name__ == "__main__":
    main()
