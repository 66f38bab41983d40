"""CLI contract of classify, contrast, kwic and mentions: exit codes, exact errors, JSON on stdout."""
from __future__ import annotations

import json

import pytest

from tests.nlp.tendencies.corpus_fixture import build_store


@pytest.fixture
def corpus_db(db):
    build_store(db).close()
    return db


def test_classify_evaluate_json_contract(corpus_db, run_cli):
    r = run_cli("classify", "evaluate", "--by", "author", "--folds", "4", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert {"macro_f1", "accuracy", "per_class", "confusion", "group_by", "folds"} <= set(doc)
    assert doc["group_by"] == "author" and doc["folds"] == 4
    assert set(doc["confusion"]) == {"labels", "matrix"}
    assert doc["macro_f1"] >= 0.8 and "baseline" in doc
    again = json.loads(run_cli("classify", "evaluate", "--by", "author", "--folds", "4", "--json").stdout)
    assert again == doc


def test_classify_evaluate_text_and_caveat(corpus_db, run_cli):
    r = run_cli("classify", "evaluate")
    assert r.exit_code == 0
    assert "macro-F1" in r.stdout and "baseline (majority class)" in r.stdout
    assert ("Caveat: The outlet is the unit: the tendency is constant within outlets, so this score rests on 6 "
            "held-out outlets: hard_left from 2 outlets (picketpen, redcorner), soft_left from 2 (commonweal, plural), "
            "soft_right from 2 (forwardbench, newcentre); with so few, house style and tendency cannot be "
            "separated\n") in r.stderr


def test_classify_errors(corpus_db, run_cli):
    r = run_cli("classify", "evaluate", "--outlet", "plural", "--by", "none")
    assert r.exit_code == 1
    assert r.stderr == ("Error: Only one class ('soft_left', 6 articles): a classifier needs at least two; "
                        "label articles of another tendency\n")
    r = run_cli("classify", "evaluate", "--outlet", "plural", "--outlet", "redcorner", "--by", "outlet",
                "--label-field", "tendency", "--folds", "2")
    assert r.exit_code == 0  # two outlets: leave-one-outlet-out
    r = run_cli("classify", "predict")
    assert r.exit_code == 2 and "Error: Give exactly one of --text TEXT or --unlabelled." in r.stderr
    r = run_cli("classify", "evaluate", "--folds", "1")
    assert r.exit_code == 2


def test_one_group_error(db, run_cli):
    from corpus import Article, CorpusStore
    from nlp.text.preprocess import preprocess_corpus

    with CorpusStore(db) as store:
        store.add_many(Article(outlet="imported", text=f"Text {i} about {'rail strikes' if i % 2 else 'voters'}.",
                               label="a" if i % 2 else "b") for i in range(6))
        preprocess_corpus(store)
    r = run_cli("classify", "evaluate", "--by", "outlet")
    assert r.exit_code == 1
    assert r.stderr == ("Error: Grouping leaves only one group ('imported'): folds that never split a group need "
                        "at least two; use --by none, or another grouping\n")


def test_train_and_predict(corpus_db, run_cli, tmp_path):
    model = str(tmp_path / "model")
    r = run_cli("classify", "train", "-o", model, "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["classes"] == ["hard_left", "soft_left", "soft_right"]
    r = run_cli("classify", "predict", "--model", model, "--text", "Pluralism and devolution for the regions", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["label"] == "soft_left"
    r = run_cli("classify", "predict", "--model", model, "--unlabelled", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["predicted"] == 8
    r = run_cli("classify", "predict", "--model", str(tmp_path / "none"), "--text", "x")
    assert r.exit_code == 1
    assert r.stderr == (f"Error: {tmp_path / 'none'} is not a model directory (no manifest.json); "
                        "train one with `classify train -o DIR`\n")


def test_contrast_json_and_unknown_group(corpus_db, run_cli, tmp_path):
    r = run_cli("contrast", "soft_left", "hard_left", "--top", "5", "--json", "--plot", str(tmp_path / "c.png"))
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert doc["a"] == "soft_left" and doc["b"] == "hard_left" and doc["field"] == "tendency"
    assert len(doc["terms_a"]) == 5 and {"term", "z", "count_a", "count_b"} <= set(doc["terms_a"][0])
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    r = run_cli("contrast", "soft_left", "centrists")
    assert r.exit_code == 1
    assert r.stderr == ("Error: Unknown tendency 'centrists'; known tendency groups (articles): hard_left (12), "
                        "soft_left (12), soft_right (12), mixed (4), unlabelled (4)\n")
    r = run_cli("contrast", "plural", "rest", "--by", "outlet", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["b"] == "rest"


def test_kwic_and_mentions(corpus_db, run_cli):
    r = run_cli("kwic", "soft left", "--limit", "3", "--json")
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 3
    r = run_cli("kwic", "soft left", "--limit", "2")
    assert r.exit_code == 0 and r.stdout.count("[soft left]") == 2
    r = run_cli("mentions", "--json")
    assert r.exit_code == 0
    factions = {f["faction"]: f for f in json.loads(r.stdout)["factions"]}
    assert factions["soft_left"]["self_mentions"] > 0
    r = run_cli("mentions", "--faction", "soft left")
    assert r.exit_code == 0 and r.stdout.startswith("soft left (soft_left")
    r = run_cli("mentions", "--faction", "centrists")
    assert r.exit_code == 1 and r.stderr.startswith("Error: Unknown faction 'centrists'; known factions: ")


def test_runs_right_after_an_import(db, run_cli):
    build_store(db, per_outlet=2, preprocess=False).close()
    r = run_cli("contrast", "soft_left", "hard_left", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["terms_a"]
    assert "20 articles are not preprocessed yet: preprocessing them first" in r.stderr


def test_evaluate_reports_masked_score_interval_and_top_features(corpus_db, run_cli):
    r = run_cli("classify", "evaluate", "--by", "author", "--folds", "4", "--json")
    doc = json.loads(r.stdout)
    assert {"masked_macro_f1", "masked_accuracy", "macro_f1_lo", "macro_f1_hi", "top_features",
            "self_names_in_top_features", "masked_terms"} <= set(doc)
    assert doc["macro_f1_lo"] <= doc["macro_f1"] <= doc["macro_f1_hi"]
    assert set(doc["top_features"]) == {"hard_left", "soft_left", "soft_right"}
    r = run_cli("classify", "evaluate", "--by", "author", "--folds", "4", "--no-mask-names", "--json")
    assert "masked_macro_f1" not in json.loads(r.stdout)
    r = run_cli("classify", "evaluate", "--by", "author", "--folds", "4")
    assert "self-names masked: macro-F1" in r.stdout and "top features (* a self-name)" in r.stdout


def test_contrast_min_docs_bootstrap_and_mask(corpus_db, run_cli):
    r = run_cli("contrast", "soft_left", "hard_left", "--top", "5", "--bootstrap", "10", "--seed", "2",
                "--mask-names", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    row = doc["terms_a"][0]
    assert row["n_docs"] >= 3 and 0 <= row["stability"] <= 1
    assert doc["params"]["bootstrap"] == 10 and doc["params"]["masked"] is True
    terms = {t["term"] for t in doc["terms_a"] + doc["terms_b"]}
    assert not terms & {"soft_left", "hard_left", "plural", "redcorner"}
    r = run_cli("contrast", "soft_left", "hard_left", "--min-docs", "0")
    assert r.exit_code == 2
