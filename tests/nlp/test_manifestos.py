"""End to end on real text: the UK manifestos in ../shared/data (skipped where it is absent)."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from corpus import CorpusStore
from corpus.io import FieldMap, import_file

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "uk-manifestos" / "manifestos.jsonl"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not DATA.is_file(), reason="../shared/data/uk-manifestos is not here")]


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
    run = fit_topics(store, 4, seed=0, passes=3)
    assert all(len(t["terms"]) == 10 for t in run.topics) and run.coherence_c_v is not None
    rows = stored_topic_prevalence(store, run.name, by="tendency", period="year")
    cells = defaultdict(float)
    for r in rows:
        cells[(r["period"], r["group"])] += r["share"]
    assert {g for _, g in cells} == {"Lab", "Con"} and ("1945", "Lab") in cells and ("2005", "Con") in cells
    assert all(abs(v - 1) < 1e-4 for v in cells.values())


def test_the_early_era_topic_is_flagged_and_never_a_partys_rise(tmp_path):
    """On the manifestos every topic gets a stability score; the topic that dominates 1945-55 is an era topic,
    and no party's 'rise' in the findings is an era topic. (Same seeds, same stability: tests/nlp/topics/
    test_stability.py, on a corpus small enough to fit twice.)"""
    import numpy as np

    from nlp.documents import load_documents
    from nlp.text.preprocess import preprocess_corpus
    from nlp.topics.fit import fit_topics
    from nlp.topics.runs import document_topic_matrix, stored_topic_prevalence
    from nlp.topics.trends import recent_shifts
    from nlp.topics.trust import assess_run

    subset = tmp_path / "three.jsonl"
    with open(DATA, encoding="utf-8") as src, open(subset, "w", encoding="utf-8") as dst:
        for line in src:
            rec = json.loads(line)
            if rec["Party"] in ("Lab", "Con", "Lib", "LD") and rec["doc_id"] != "UK_natl_1959_en_Con" \
                    and not (rec["Year"] == 1979 and rec["Party"] in ("Lab", "Con")):
                dst.write(line)
    store = CorpusStore(tmp_path / "m.db")
    import_file(store, subset, fields=FieldMap(date="Year", label="Party"), outlet="manifestos")
    preprocess_corpus(store)
    docs = load_documents(store, preprocess=False)
    run = fit_topics(store, 8, seed=0, passes=2, docs=docs)
    run = assess_run(store, run, docs, seeds=2)
    assert all(t["stability"] is not None and 0 <= t["stability"] <= 1 for t in run.topics)
    theta = document_topic_matrix(store, run, docs)
    early = [i for i, y in enumerate(docs.years) if y is not None and y <= 1955 and not np.isnan(theta[i, 0])]
    dominant = int(np.argmax(theta[early].mean(axis=0)))
    assert run.topics[dominant]["era"] is True
    era = {t["label"] for t in run.topics if t["era"]}
    rows = stored_topic_prevalence(store, run.name, by="tendency", period="year")
    shifts, _ = recent_shifts(docs, theta, rows, min_support=1, bootstrap=50, exclude=era)
    assert not {s["label"] for s in shifts.values()} & era
