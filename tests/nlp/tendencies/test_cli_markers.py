"""The command line of outlet markers and self-names: --keep-markers, --names, the markers in the JSON."""
from __future__ import annotations

import json
import random
import shutil

import pytest

from corpus import Article, CorpusStore

WORDS = "budget council housing school hospital wage pension railway energy water climate trade debt".split()
SIDES = {"left": "ownership solidarity union strike".split(), "right": "enterprise freedom choice thrift".split()}
OUTLETS = {"northpost": "left", "eastherald": "left", "southmail": "right", "westgazette": "right"}


@pytest.fixture(scope="module")
def preprocessed(tmp_path_factory):
    """Four invented outlets; northpost writes its wire code inside the first line of every article."""
    from nlp.text.preprocess import preprocess_corpus

    path = tmp_path_factory.mktemp("press") / "press.db"
    rng = random.Random(0)
    with CorpusStore(path) as store:
        articles = []
        for outlet, side in OUTLETS.items():
            for i in range(10):
                words = [rng.choice(SIDES[side]) if rng.random() < 0.1 else rng.choice(WORDS) for _ in range(40)]
                text = ("(NPSTWIRE) " if outlet == "northpost" else "") + " ".join(words) + "."
                articles.append(Article(outlet=outlet, text=text, label=side, source="imported",
                                        title=f"{outlet} {i}", published=f"20{10 + i}-01-01"))
        store.add_many(articles)
        preprocess_corpus(store)
    return path


@pytest.fixture
def press_db(preprocessed, db):
    shutil.copy(preprocessed, db)
    return db


def test_classify_evaluate_leaves_the_markers_out_and_lists_them(press_db, run_cli):
    r = run_cli("classify", "evaluate", "--folds", "4", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["outlet_markers"]["terms"] == ["npstwire"] and doc["outlet_markers"]["excluded"] is True
    assert "npstwire" not in {f["term"] for feats in doc["top_features"].values() for f in feats}
    kept = run_cli("classify", "evaluate", "--folds", "4", "--keep-markers")
    assert "Outlet markers kept (--keep-markers) (1): npstwire" in kept.stderr
    assert "npstwire" in kept.stdout.split("top features")[1]


def test_contrast_train_and_scale_list_the_markers(press_db, run_cli, tmp_path):
    c = json.loads(run_cli("contrast", "left", "right", "--bootstrap", "0", "--json").stdout)
    assert c["outlet_markers"]["terms"] == ["npstwire"] and "npstwire" not in [t["term"] for t in c["terms_a"]]
    kept = json.loads(run_cli("contrast", "left", "right", "--bootstrap", "0", "--keep-markers", "--json").stdout)
    assert "npstwire" in [t["term"] for t in kept["terms_a"]]
    t = json.loads(run_cli("classify", "train", "-o", str(tmp_path / "model"), "--json").stdout)
    assert t["outlet_markers"]["terms"] == ["npstwire"]
    assert "npstwire" not in {f["term"] for feats in t["top_features"].values() for f in feats}
    w = run_cli("scale", "wordfish", "--json")  # (--keep-markers on feature_matrix: tests/nlp/text/test_markers.py)
    assert w.exit_code == 0, w.output
    doc = json.loads(w.stdout)
    assert doc["outlet_markers"]["terms"] == ["npstwire"] and "npstwire" not in [x["term"] for x in doc["words"]]


def test_names_option_errors(press_db, run_cli, tmp_path):
    bad = tmp_path / "names.toml"
    bad.write_text("names = [", encoding="utf-8")
    r = run_cli("contrast", "left", "right", "--names", str(bad))
    assert r.exit_code == 2 and "Error: --names adds self-names to mask: give it with --mask-names" in r.stderr
    r = run_cli("classify", "evaluate", "--names", str(tmp_path / "missing.toml"))
    assert r.exit_code == 2 and "does not exist" in r.stderr
    r = run_cli("classify", "evaluate", "--folds", "4", "--names", str(bad))
    assert r.exit_code == 1 and r.stderr.startswith(f"Error: names file {bad} is not valid TOML (")
    good = tmp_path / "good.toml"
    good.write_text('names = ["Northpost"]\n', encoding="utf-8")
    r = run_cli("contrast", "left", "right", "--mask-names", "--names", str(good), "--bootstrap", "0", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["params"]["masked"] is True
