"""bench/bench_classify.py runs (on a few documents: timings belong in bench/, not here)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench" / "bench_classify.py"


def test_bench_rows_have_the_shared_keys():
    spec = importlib.util.spec_from_file_location("bench_classify", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = module.run(n=300)
    assert rows and all(set(r) == {"name", "value", "unit", "target", "note"} for r in rows)
    assert "signature terms on top: True" in rows[0]["note"]
