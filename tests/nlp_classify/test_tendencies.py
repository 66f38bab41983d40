"""The run/demo stage: analyses that can run do, the others are recorded as skipped, never faked."""
from __future__ import annotations

from types import SimpleNamespace

from corpus.labels import LabelSet
from nlp.documents import load_documents
from nlp.pipeline import stage_tendencies
from nlp.report.tendency_sections import tendency_sections
from nlp.tendencies.analysis import analyse_tendencies

from .corpus_fixture import build_store


def test_single_tendency_is_skipped_with_its_reason(tmp_path):
    store = build_store(tmp_path / "c.db")
    store.load_labels(LabelSet.from_mapping({"outlets": {o: "soft_left" for o in
                      ("commonweal", "plural", "redcorner", "picketpen", "forwardbench", "newcentre")}}))
    analysis = analyse_tendencies(load_documents(store, raw=True))
    assert analysis["evaluation"] == {}
    assert analysis["skipped"]["classifier, folds by outlet"].startswith("Only one class ('soft_left'")
    sections = tendency_sections(analysis)
    assert "classifier" not in [s.id for s in sections]
    assert "Not run: classifier, folds by outlet" in sections[-1].html
    store.close()


def test_stage_adds_sections_metrics_model_and_predictions(tmp_path):
    store = build_store(tmp_path / "c.db")
    docs = load_documents(store, raw=True)
    (tmp_path / "run").mkdir()
    ctx = SimpleNamespace(store=store, config=SimpleNamespace(seed=0), sections=[], metrics={}, method={}, results={},
                          out_dir=tmp_path / "run", documents=lambda: docs)
    stage_tendencies(ctx)
    assert [s.id for s in ctx.sections] == ["classifier", "contrasts", "mentions"]
    assert ctx.metrics["classifier_macro_f1_by_outlet"] >= 0.8
    assert {"Classifier", "Contrasts", "Mentions"} <= set(ctx.method)
    assert "<svg" in ctx.sections[1].html and ctx.sections[1].data["contrasts"]
    assert (tmp_path / "run" / "model" / "manifest.json").is_file()
    classifier = ctx.sections[0]
    assert "Where the unlabelled writers fall" in classifier.html and "Blogger" in classifier.html
    rows = classifier.data["classifier_predictions_by_author"]
    assert {r["author"] for r in rows} >= {"Blogger", "Ledger Writer 0"}
    assert store.conn.execute("SELECT COUNT(*) FROM predictions").fetchone()[0] == 8
    store.close()
    assert ctx.results["tendencies"]["evaluation"]  # what the findings summary reads



def test_evaluation_in_plain_words():
    from nlp.report.tendency_sections import plain_words

    e = {"group_by": "author", "accuracy": 0.893, "n_documents": 121, "macro_f1": 0.892,
         "baseline": {"class": "soft_left", "accuracy": 0.347, "macro_f1": 0.172}}
    assert plain_words(e) == (
        "Tested on each author's articles after training on other authors' writing, the classifier "
        "names the right tendency for 89% of 121 articles; always answering 'soft_left' would be right for 35%. "
        "Averaged over the tendencies (macro-F1 0.89 against 0.17), that is clearly better than guessing.")
    assert plain_words({**e, "macro_f1": 0.2}).endswith("that is hardly better than guessing.")


def test_run_scores_masked_names_and_term_stability(tmp_path):
    store = build_store(tmp_path / "c.db")
    analysis = analyse_tendencies(load_documents(store, raw=True), labels=store.labels)
    for evaluation in analysis["evaluation"].values():
        assert 0 <= evaluation["masked_macro_f1"] <= 1 and "top_features" in evaluation
        assert "plural" in evaluation["masked_terms"]  # an outlet of the fixture corpus
    terms = [t for r in analysis["against_rest"] + analysis["pairwise"] for t in r.terms_a + r.terms_b]
    assert terms and all(t.n_docs >= 3 and 0 <= t.stability <= 1 for t in terms)
    store.close()
