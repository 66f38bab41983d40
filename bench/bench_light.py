"""Light commands on the demo: CPU seconds of each, start to finish, in a fresh interpreter (a plain script).

    python bench/bench_light.py                  # builds the demo in a temporary folder first (about 30 s)
    python bench/bench_light.py --db demo-output/softleft.db --repeat 5

Each command is run ``--repeat`` times as ``python cli.py --db DB ...`` and its best CPU time (user + system,
from ``getrusage`` of the child) is kept, with the heavy libraries it imported (spaCy, gensim, scikit-learn:
a second or more of CPU each). Target: under 0.5 s. ``scale place`` needs a stored scale: one on plain words
is fitted first (``scale wordfish --features words``) when the corpus has none.

``run()`` returns rows for ``bench/run.py``.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COMMANDS = (["--help"], ["topics", "show"], ["corpus", "stats"], ["corpus", "search", "community wealth"],
            ["scale", "place", "--text", "-"])
_PROBE = """
import sys
sys.path.insert(0, {root!r})
sys.argv = ["softleft", *sys.argv[1:]]
import cli
try:
    cli.main()
finally:
    print("imported:", ",".join(m for m in ("spacy", "gensim", "sklearn") if m in sys.modules), file=sys.stderr)
"""


def cpu_of(db: str, args: list[str]) -> tuple[float, str]:
    """CPU seconds of one command in a fresh interpreter, and the heavy libraries it imported."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-c", _PROBE.format(root=str(ROOT)), "--db", db, *args],
                          input="public ownership of the railways", capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
    heavy = done.stderr.rsplit("imported:", 1)[-1].strip()
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, heavy


def _cli(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "-q", *args], check=True, capture_output=True)


def run(db: str | None = None, repeat: int = 3) -> list[dict]:
    if db is None:
        out = Path(tempfile.mkdtemp(prefix="bench-light-")) / "demo"
        _cli("demo", "-o", str(out))
        db = str(out / "softleft.db")
    from corpus import CorpusStore
    from corpus.analyses import get_state

    with CorpusStore(db) as store:
        scaled = get_state(store, "last_scale")
    if not scaled:
        _cli("--db", db, "scale", "wordfish", "--features", "words")
    rows = []
    for args in COMMANDS:
        runs = [cpu_of(db, args) for _ in range(repeat)]
        rows.append({"name": " ".join(args), "value": round(min(c for c, _ in runs), 2), "unit": "s CPU",
                     "target": "< 0.5", "note": f"imports {runs[0][1] or 'no spaCy, gensim or scikit-learn'}"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="a corpus (default: the demo, built first)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for row in run(args.db, args.repeat):
        print(f"{row['name']:<32} {row['value']:>6} {row['unit']:<6} {row['target']:<6} {row['note']}")


if __name__ == "__main__":
    main()
