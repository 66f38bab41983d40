"""End to end on real text: the UK manifestos in ../shared/data (skipped where it is absent)."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from corpus import CorpusStore
from corpus.io import FieldMap, import_file

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "uk-manifestos" / "manifestos.jsonl"

pytestmark = pytest.mark.skipif(not DATA.is_file(), reason="../shared/data/uk-manifestos is not here")


def test_manifestos_import_fit_trends(tmp_path):
    from nlp.text.preprocess import preprocess_corpus
    from nlp.topics.fit import fit_topics
    from nlp.topics.runs import stored_topic_prevalence

    # Labour and Conservative only (fast), without the mislabelled 1959 "Conservative" text.
    subset = tmp_path / "lab_con.jsonl"
    with open(DATA, encoding="utf-8") as src, open(subset, "w", encoding="utf-8") as dst:
        for line in src:
            rec = json.loads(line)
            if rec["Party"] in ("Lab", "Con") and rec["doc_id"] != "UK_natl_1959_en_Con":
                dst.write(line)
    store = CorpusStore(tmp_path / "m.db")
    report = import_file(store, subset, fields=FieldMap(date="Year", label="Party"), outlet="manifestos")
    assert report.imported == 31
    assert preprocess_corpus(store)["processed"] == 31
    run = fit_topics(store, 4, seed=0, passes=3, coherence_docs=10)
    assert all(len(t["terms"]) == 10 for t in run.topics) and run.coherence_c_v is not None
    rows = stored_topic_prevalence(store, run.name, by="tendency", period="year")
    cells = defaultdict(float)
    for r in rows:
        cells[(r["period"], r["group"])] += r["share"]
    assert {g for _, g in cells} == {"Lab", "Con"} and ("1945", "Lab") in cells and ("2005", "Con") in cells
    assert all(abs(v - 1) < 1e-4 for v in cells.values())
