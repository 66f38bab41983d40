"""Work done once: a sweep keeps the model it chose, a parallel sweep is the serial one, and ``run`` reuses a
stored topic model on unchanged terms."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from nlp.documents import load_documents
from nlp.text.preprocess import preprocess_corpus
from nlp.topics.fit import fit_topics, sweep_topics
from nlp.topics.runs import document_topic_matrix, load_run

from tests.nlp.conftest import synthetic_articles


@pytest.fixture
def prepared(small_store):
    preprocess_corpus(small_store)
    return small_store


def test_sweep_keeps_the_best_model_it_fitted(prepared, tmp_path):
    result = sweep_topics(prepared, [2, 3], seed=0, passes=3, runs_dir=tmp_path / "runs", save_best="best-k{k}")
    run = result["run"]
    assert run.name == f"best-k{result['best_k']}" and run.k == result["best_k"]
    assert load_run(prepared, run.name).manifest["sweep"]["best_k"] == run.k
    assert run.coherence_npmi is not None  # shown with the run, so scored
    direct = fit_topics(prepared, run.k, seed=0, passes=3, name="direct", runs_dir=tmp_path / "runs")
    assert [t["terms"] for t in run.topics] == [t["terms"] for t in direct.topics]
    docs = load_documents(prepared, preprocess=False)
    np.testing.assert_allclose(document_topic_matrix(prepared, run, docs),
                               document_topic_matrix(prepared, direct, docs), atol=1e-6)
    assert run.coherence_c_v == pytest.approx(direct.coherence_c_v)


def test_parallel_sweep_equals_serial_sweep(prepared, tmp_path):
    serial = sweep_topics(prepared, [2, 3, 4], seed=3, passes=2, runs_dir=tmp_path / "a", n_jobs=1)
    parallel = sweep_topics(prepared, [2, 3, 4], seed=3, passes=2, runs_dir=tmp_path / "b", n_jobs=2)
    for s, p in zip(serial["rows"], parallel["rows"]):
        assert s["k"] == p["k"] and s["labels"] == p["labels"]
        assert s["coherence_c_v"] == pytest.approx(p["coherence_c_v"])
        assert s["coherence_npmi"] == pytest.approx(p["coherence_npmi"])
    assert serial["best_k"] == parallel["best_k"]


def test_sweep_without_npmi_scores_c_v_only(prepared, tmp_path):
    result = sweep_topics(prepared, [2, 3], seed=0, passes=2, runs_dir=tmp_path / "runs", npmi=False)
    assert all(r["coherence_c_v"] is not None and r["coherence_npmi"] is None for r in result["rows"])


def _topics_stage(store, **params):
    """The topics stage alone, through the engine and the corpus' stored results."""
    from nlp.engine import ResultCache, run_stages
    from nlp.stages import TopicsParams, stage_named

    docs = load_documents(store, preprocess=False, raw=True)
    return run_stages([stage_named("topics")], docs, {"topics": TopicsParams(passes=2, **params)},
                      cache=ResultCache(store))


@pytest.mark.parametrize("params", [{"k": 3}, {"sweep_ks": (2, 3)}])
def test_the_topic_model_is_reused_until_the_corpus_changes(prepared, params, caplog):
    first = _topics_stage(prepared, **params)
    assert first.computed == ["topics"]
    with caplog.at_level("INFO", logger="nlp.engine"):
        second = _topics_stage(prepared, **params)
    assert second.reused == ["topics"] and "reused" in caplog.text
    assert second.keys["topics"] == first.keys["topics"]
    fit, again = first.results["topics"], second.results["topics"]
    assert again.name == fit.name and again.sweep == fit.sweep and again.topics == fit.topics
    np.testing.assert_array_equal(again.theta, fit.theta)
    np.testing.assert_array_equal(again.lam, fit.lam)

    other = _topics_stage(prepared, seed=5, **params)  # another parameter: another key
    assert other.computed == ["topics"]

    article = synthetic_articles(n=1, seed=9)[0]
    prepared.add_many([replace(article, title="a new one", text=article.text + " Another.")])
    preprocess_corpus(prepared)
    third = _topics_stage(prepared, **params)
    assert third.computed == ["topics"] and third.keys["topics"] != first.keys["topics"]


@pytest.mark.slow
def test_run_says_what_it_reused_and_recompute_reuses_nothing(prepared, tmp_path):
    """``run`` on an unchanged corpus says the topic model was reused; ``--recompute`` fits it again."""
    import json

    from click.testing import CliRunner

    from cli import cli

    def run(out: str, *extra: str):
        args = ["--db", str(prepared.path), "run", "-o", str(tmp_path / out), "--k", "2", "--passes", "2",
                "--stability-seeds", "1", "--bootstrap", "0", "--jobs", "1", *extra]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result, json.loads((tmp_path / out / "manifest.json").read_text())["metrics"]

    _, first = run("one")
    said, second = run("two")
    again, third = run("three", "--recompute")
    assert not first["topics_reused"] and second["topics_reused"] and not third["topics_reused"]
    assert "Reused from an earlier run" in said.stderr and "topic model" in said.stderr
    assert "Reused" not in again.stderr
