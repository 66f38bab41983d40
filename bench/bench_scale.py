"""How ``run --k 10`` grows with the corpus: each stage's time, its growth exponent, and peak memory.

    python bench/bench_scale.py                          # 2,000 and 10,000 articles
    python bench/bench_scale.py --sizes 2000,10000,50000 # 50,000 is slow (tens of minutes)
    python bench/bench_scale.py --sizes 2000 --twice     # also a second run on the unchanged corpus
    python bench/bench_scale.py --sizes 50000 --baseline ../old   # against an older checkout, same corpus
    python bench/bench_scale.py --text resampled         # the resampled demo articles (the figures before 2026-12)

``--baseline ROOT`` names a checkout of older code (``git worktree add ../old COMMIT``): for each size its own
``cli.py run`` runs on a corpus built by its own ``corpus`` package from the same synthetic articles, one
after the other with this code's run, and the ratio of the whole-process times is printed.

For each size a corpus of synthetic articles is built: by default articles of about 720 words (a press
article's length) with a realistic, Zipfian vocabulary (``bench/realtext.py``: tens of thousands of distinct
terms per million, as real text has), three tendencies as article labels; with ``--text resampled`` the demo
articles resampled by paragraph (``bench/synthetic.py``, with the demo labels: a vocabulary of a few thousand
terms at any size, which understates what real text costs). Same seed, same corpus. Then
``python cli.py --db DB run --k 10 --jobs N`` runs in a fresh process under ``/usr/bin/time -v``. Each stage's time
comes from the run's ``manifest.json`` (``timings_seconds``); the growth exponent of a stage is the slope of
log(time) against log(articles) between consecutive sizes (1 = linear); peak RSS is the run process's.
``--twice`` runs ``run`` again on the unchanged corpus (the topic model is then reused) and prints the ratio;
``--skip classifier`` leaves out the stages whose name holds a word (for sizes where one is too slow).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


_BUILD = """
import sys
sys.path[:0] = [{root!r}, {bench!r}]
from corpus import CorpusStore
from corpus.demo import demo_labels
from realtext import twin_articles
from synthetic import articles
with CorpusStore({db!r}) as store:
    if {text!r} == "realistic":
        store.add_many(twin_articles({n}, 720, {seed}))
    else:
        store.load_labels(demo_labels())
        inserted, round = store.add_many(articles({n}, {seed})).inserted, 1
        while inserted < {n}:  # a resampled article can repeat another: top up with other draws
            inserted += store.add_many(articles({n} - inserted, {seed} + 1000 * round)).inserted
            round += 1
"""


def build(n: int, db: Path, seed: int = 0, root: Path = ROOT, text: str = "realistic") -> None:
    """A corpus of ``n`` synthetic articles (``text``: "realistic" or "resampled"), written by the ``corpus``
    package of ``root``."""
    code = _BUILD.format(root=str(root), bench=str(ROOT / "bench"), db=str(db), n=n, seed=seed, text=text)
    subprocess.run([sys.executable, "-c", code], check=True)


#: ``cli.py`` with some stages of ``run`` left out (``--skip``), for sizes where a stage is too slow to wait for.
_WITHOUT = """
import sys
sys.path.insert(0, {root!r})
import nlp.stages as s
s.GRAPH[:] = [g for g in s.GRAPH if not any(w in g.title for w in {skip!r})]
import cli
cli.main()
"""


def run_once(db: Path, out: Path, k: int, n_process: int, skip: tuple[str, ...] = (), root: Path = ROOT) -> dict:
    """``cli.py run`` of ``root`` in a fresh process: wall seconds, peak RSS (MB) and the manifest's stage timings."""
    entry = ["-c", _WITHOUT.format(root=str(root), skip=skip)] if skip else [str(root / "cli.py")]
    helptext = subprocess.run([sys.executable, str(root / "cli.py"), "run", "--help"], capture_output=True,
                              text=True).stdout
    procs = (["--jobs", str(n_process)] if "--jobs" in helptext  # older code: --n-process, or no option
             else ["--n-process", str(n_process)] if "--n-process" in helptext else [])
    cmd = ["/usr/bin/time", "-v", sys.executable, *entry, "--db", str(db), "--quiet", "run", "-o",
           str(out), "--k", str(k), *procs]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"run failed:\n{proc.stderr[-3000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    manifest = json.loads((out / "manifest.json").read_text())
    return {"wall": wall, "rss_mb": int(rss.group(1)) / 1024 if rss else float("nan"),
            "timings": manifest["timings_seconds"], "reused": manifest["metrics"].get("topics_reused"),
            "stages_reused": manifest["metrics"].get("stages_reused", []), "memory": manifest.get("memory_mb", {})}


def slope(t1: float, t2: float, n1: int, n2: int) -> float:
    return math.log(max(t2, 1e-3) / max(t1, 1e-3)) / math.log(n2 / n1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,10000", help="comma-separated numbers of articles")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--jobs", "--n-process", dest="n_process", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--text", choices=("realistic", "resampled"), default="realistic",
                        help="synthetic text with a realistic vocabulary, or the demo articles resampled")
    parser.add_argument("--twice", action="store_true", help="run again on the unchanged corpus (reuse)")
    parser.add_argument("--skip", default="", help="comma-separated words: leave out the stages whose name has "
                        "one (e.g. classifier)")
    parser.add_argument("--keep", help="build the corpora in this folder (kept) instead of a temporary one")
    parser.add_argument("--baseline", type=Path, help="a checkout of older code to run on the same corpus, for ratios")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    tmp = Path(args.keep or tempfile.mkdtemp(prefix="bench-scale-"))
    tmp.mkdir(parents=True, exist_ok=True)
    results, again, base = {}, {}, {}
    for n in sizes:
        db = tmp / f"scale-{args.text}-{n}.db"
        if not db.exists():
            t0 = time.perf_counter()
            build(n, db, text=args.text)
            print(f"built {n:,} articles in {time.perf_counter() - t0:.1f}s: {db}", file=sys.stderr)
        skip = tuple(w for w in args.skip.split(",") if w)
        results[n] = run_once(db, tmp / f"run-{n}", args.k, args.n_process, skip)
        print(f"run on {n:,} articles: {results[n]['wall']:.1f}s", file=sys.stderr)
        if args.twice:
            again[n] = run_once(db, tmp / f"run-{n}-again", args.k, args.n_process, skip)
        if args.baseline:
            old_db = tmp / f"scale-{args.text}-{n}-baseline.db"
            if not old_db.exists():
                build(n, old_db, root=args.baseline.resolve(), text=args.text)
            base[n] = run_once(old_db, tmp / f"run-{n}-baseline", args.k, args.n_process, skip,
                               root=args.baseline.resolve())
            print(f"baseline run on {n:,} articles: {base[n]['wall']:.1f}s", file=sys.stderr)
    stages = list(results[sizes[0]]["timings"])
    head = "".join(f"{n:>10,}" for n in sizes)
    exps = "".join(f"  {a}->{b}" for a, b in zip(sizes, sizes[1:]))
    print(f"run --k {args.k} --jobs {args.n_process} on {args.text} synthetic text"
          + (f", without {args.skip}" if args.skip else "") + "; seconds per stage")
    print(f"{'stage':<38}{head}   exponent{exps}")
    for stage in stages:
        times = [results[n]["timings"].get(stage, float("nan")) for n in sizes]
        growth = " ".join(f"{slope(a, b, n1, n2):5.2f}" for (a, n1), (b, n2) in
                          zip(zip(times, sizes), zip(times[1:], sizes[1:])))
        print(f"{stage:<38}" + "".join(f"{t:>10.1f}" for t in times) + f"   {growth}")
    print(f"{'wall (process)':<38}" + "".join(f"{results[n]['wall']:>10.1f}" for n in sizes))
    print(f"{'peak RSS (MB)':<38}" + "".join(f"{results[n]['rss_mb']:>10.0f}" for n in sizes))
    if all(results[n]["memory"] for n in sizes):  # the process's peak so far at each stage's end (manifest)
        print("peak RSS so far at the end of each stage (MB), in the order the stages ran")
        for stage in results[sizes[0]]["memory"]:
            print(f"  {stage:<36}" + "".join(f"{results[n]['memory'].get(stage, {}).get('peak', float('nan')):>10.0f}"
                                             for n in sizes))
    if len(sizes) > 1:
        low, high = results[sizes[0]]["rss_mb"], results[sizes[-1]]["rss_mb"]
        print(f"peak RSS at {sizes[-1]:,} / at {sizes[0]:,}: {high / low:.2f}")
    for n, b in base.items():
        r = results[n]
        print(f"{n:,} articles against the baseline {args.baseline}: {r['wall']:.1f}s against {b['wall']:.1f}s "
              f"= {r['wall'] / b['wall']:.2f} of the baseline's time; peak RSS {r['rss_mb']:.0f} MB against "
              f"{b['rss_mb']:.0f} MB")
    for n, r in again.items():
        first, second = results[n], r
        print(f"second run on {n:,} unchanged articles: {second['wall']:.1f}s against {first['wall']:.1f}s "
              f"({second['wall'] / first['wall']:.2f} of the first; topic model reused: {second['reused']}; "
              f"topic stage {second['timings']['topic model']:.1f}s against {first['timings']['topic model']:.1f}s; "
              f"stages replayed: {', '.join(second['stages_reused']) or 'none'})")


if __name__ == "__main__":
    main()
