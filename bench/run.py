"""Run every benchmark and print them as one table (a plain script, not a test).

Each ``bench/bench_*.py`` module exposes ``run() -> list[dict]`` with keys name, value, unit, target and
note. Timings depend on the machine: compare figures from one machine only.

    python bench/run.py                 # all benchmarks
    python bench/run.py corpus nlp      # only bench_corpus.py and bench_nlp.py
    python bench/run.py --json out.json # also save the rows
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # so multiprocessing can pickle the module's functions
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="*", help="benchmark names (the part after bench_)")
    parser.add_argument("--json", dest="json_out", help="write all rows to this JSON file")
    args = parser.parse_args()
    modules = sorted(HERE.glob("bench_*.py"))
    if args.only:
        modules = [m for m in modules if m.stem[len("bench_"):] in args.only]
    rows, failed = [], []
    for path in modules:
        t0 = time.perf_counter()
        print(f"running {path.name} ...", file=sys.stderr, flush=True)
        try:
            for row in load(path).run():
                rows.append({"bench": path.stem[len("bench_"):], **row})
        except Exception:  # a broken benchmark must not hide the others
            traceback.print_exc()
            failed.append(path.name)
        print(f"  {path.name}: {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    print(f"\nsoftleft benchmarks on {platform.node()} ({platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()})\n")
    width = max([len(r["name"]) for r in rows] + [10])
    print(f"{'bench':<9} {'measure':<{width}} {'value':>12} {'unit':<10} {'target':<18} note")
    print("-" * (width + 60))
    for r in rows:
        value = r["value"]
        value = f"{value:,.2f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value)
        print(f"{r['bench']:<9} {r['name']:<{width}} {value:>12} {r.get('unit', ''):<10} {r.get('target', ''):<18} "
              f"{r.get('note', '')}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(rows, indent=2))
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
