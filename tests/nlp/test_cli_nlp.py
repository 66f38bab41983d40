"""The CLI contract of nlp, topics and terms: output shapes, exit codes and exact error text."""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

import pytest

from corpus import CorpusStore
from tests.nlp.conftest import synthetic_articles


@pytest.fixture
def corpus_db(db):
    with CorpusStore(db) as store:
        store.add_many(synthetic_articles())
    return db


def test_tokens_acceptance(run_cli):
    result = run_cli("nlp", "tokens", "The soft left and the hard left disagree about Labour First", "--json")
    assert result.exit_code == 0
    terms = json.loads(result.output)
    assert {"soft_left", "hard_left", "labour_first"} <= set(terms) and "leave" not in terms


def test_unknown_spacy_model(run_cli):
    result = run_cli("nlp", "tokens", "soft left", "--model", "en_nope_sm")
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown spaCy model 'en_nope_sm': install it with "
                                    "`python -m spacy download en_nope_sm`")


def test_not_preprocessed_then_full_flow(run_cli, corpus_db, tmp_path):
    result = run_cli("topics", "fit", "--k", "3")
    assert result.exit_code == 1
    assert "Error: no preprocessed terms: run `python cli.py nlp preprocess` first" in result.output

    result = run_cli("nlp", "preprocess", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["processed"] == 36 and summary["cached"] == 0
    assert json.loads(run_cli("nlp", "preprocess", "--json").stdout)["cached"] == 36

    result = run_cli("-q", "topics", "fit", "--k", "3", "--passes", "5", "--name", "t3", "--json")
    assert result.exit_code == 0, result.output
    fit = json.loads(result.stdout)
    assert {"name", "k", "coherence_c_v", "coherence_npmi", "topics"} <= set(fit)
    assert fit["name"] == "t3" and len(fit["topics"]) == 3
    assert {"id", "label", "terms"} <= set(fit["topics"][0])

    shown = json.loads(run_cli("topics", "show", "--json").stdout)
    assert shown["topics"] == fit["topics"]

    plot = tmp_path / "trends.png"
    result = run_cli("topics", "trends", "--by", "outlet", "--period", "quarter", "--format", "json",
                     "--plot", str(plot))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    cells = defaultdict(float)
    for r in rows:
        assert {"period", "group", "topic", "share", "n_docs"} <= set(r)
        cells[(r["period"], r["group"])] += r["share"]
    assert all(abs(v - 1) < 1e-4 for v in cells.values()) and plot.stat().st_size > 5000
    same = run_cli("topics", "trends", "--by", "outlet", "--period", "quarter", "--json")
    assert json.loads(same.stdout) == rows and "Hint" not in same.stderr
    assert "Hint: --format is now --json" in result.stderr

    result = run_cli("terms", "trends", "soft left", "devolution", "--by", "tendency")
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["term"] for r in table} == {"soft left", "devolution"} and all(float(r["per_10k"]) >= 0 for r in table)


def test_bad_k_is_a_usage_error(run_cli, corpus_db):
    assert run_cli("nlp", "preprocess").exit_code == 0
    result = run_cli("topics", "fit", "--k", "1")
    assert result.exit_code == 2 and "Invalid value for '--k': K must be at least 2 (got 1)" in result.output
    result = run_cli("topics", "fit", "--k", "99")
    assert result.exit_code == 2
    assert "K = 99 is more than the number of documents (36): choose K of at most 36" in result.output
    result = run_cli("topics", "sweep", "--k", "2,x")
    assert result.exit_code == 2 and "is not a comma-separated list of numbers" in result.output


def test_no_runs_and_unknown_run(run_cli, corpus_db):
    result = run_cli("topics", "trends")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no topic model fitted yet: run `python cli.py topics fit --k K` first"
    run_cli("nlp", "preprocess")
    run_cli("topics", "fit", "--k", "2", "--passes", "2", "--name", "two")
    result = run_cli("topics", "show", "--name", "nope")
    assert result.exit_code == 1 and result.output.strip() == "Error: unknown topic model 'nope'; known: two"


def test_empty_corpus(run_cli, db):
    CorpusStore(db).close()
    result = run_cli("topics", "fit", "--k", "3")
    assert result.exit_code == 1 and result.output.startswith("Error: the corpus is empty")
