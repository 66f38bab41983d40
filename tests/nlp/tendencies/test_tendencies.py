"""The run/demo stage: analyses that can run do, the others are recorded as skipped, never faked."""
from __future__ import annotations

from corpus.labels import LabelSet
from nlp.documents import load_documents
from nlp.report.tendency_sections import tendency_sections
from nlp.tendencies.analysis import analyse_tendencies

from tests.nlp.tendencies.corpus_fixture import build_store


def test_single_tendency_is_skipped_with_its_reason(tmp_path):
    store = build_store(tmp_path / "c.db")
    store.load_labels(LabelSet.from_mapping({"outlets": {o: "soft_left" for o in
                      ("commonweal", "plural", "redcorner", "picketpen", "forwardbench", "newcentre")}}))
    analysis = analyse_tendencies(load_documents(store, raw=True))
    assert analysis.evaluation == {}
    assert analysis.skipped["classifier, folds by outlet"].startswith("Only one class ('soft_left'")
    sections = tendency_sections(analysis)
    assert "classifier" not in [s.id for s in sections]
    assert "Not run: classifier, folds by outlet" in sections[-1].html
    store.close()


def test_stage_result_gives_sections_model_and_predictions(tmp_path):
    """The tendency stage writes nothing: its result holds the evaluation, the classifier and its predictions;
    the run's edge writes the model folder and stores the predictions, and the report draws the sections."""
    from nlp.engine import Runtime
    from nlp.stages.tendencies import TendenciesParams, tendencies_stage

    store = build_store(tmp_path / "c.db")
    docs = load_documents(store, raw=True)
    result = tendencies_stage(docs, TendenciesParams(labels=store.labels), Runtime())
    assert store.conn.execute("SELECT COUNT(*) FROM predictions").fetchone()[0] == 0  # nothing stored inside
    assert result.evaluation["outlet"].macro_f1 >= 0.8
    sections = tendency_sections(result.analysis(), examples=lambda group, term: [])
    assert [s.id for s in sections] == ["classifier", "contrasts", "mentions"]
    assert "<svg" in sections[1].html and sections[1].data["contrasts"]
    assert result.classifier.write(tmp_path / "model") == result.predicted["model_id"]
    assert (tmp_path / "model" / "manifest.json").is_file()
    classifier = sections[0]
    assert "Where the unlabelled writers fall" in classifier.html and "Blogger" in classifier.html
    rows = classifier.data["classifier_predictions_by_author"]
    assert {r["author"] for r in rows} >= {"Blogger", "Ledger Writer 0"}
    assert result.predicted["predicted"] == 8
    assert any(result.examples.values())  # the articles to quote for the signature terms
    store.close()


def test_evaluation_in_plain_words():
    from dataclasses import replace

    from nlp.report.tendency_sections import plain_words
    from nlp.tendencies.classify import EvaluationResult

    e = EvaluationResult(group_by="author", accuracy=0.893, n_documents=121, n_tested=121, macro_f1=0.892, folds=5,
                         splitter="StratifiedGroupKFold",
                         baseline={"class": "soft_left", "accuracy": 0.347, "macro_f1": 0.172})
    assert plain_words(e) == (
        "Tested on each author's articles after training on other authors' writing, the classifier "
        "names the right tendency for 89% of 121 articles; always answering 'soft_left' would be right for 35%. "
        "Averaged over the tendencies (macro-F1 0.89 against 0.17), that is clearly better than guessing.")
    assert plain_words(replace(e, macro_f1=0.2)).endswith("that is hardly better than guessing.")


def test_run_scores_masked_names_and_term_stability(tmp_path):
    store = build_store(tmp_path / "c.db")
    analysis = analyse_tendencies(load_documents(store, raw=True), labels=store.labels)
    for evaluation in analysis.evaluation.values():
        assert 0 <= evaluation.masked_macro_f1 <= 1 and evaluation.top_features
        assert "plural" in evaluation.masked_terms  # an outlet of the fixture corpus
    terms = [t for r in analysis.against_rest + analysis.pairwise for t in r.terms_a + r.terms_b]
    assert terms and all(t.n_docs >= 3 and 0 <= t.stability <= 1 for t in terms)
    store.close()


def test_the_analysis_is_typed_and_round_trips(tmp_path):
    import json

    from nlp.tendencies.analysis import TendencyAnalysis
    from nlp.tendencies.classify import EvaluationResult
    from nlp.tendencies.contrast import ContrastResult
    from nlp.tendencies.mentions import MentionsResult

    store = build_store(tmp_path / "c.db")
    docs = load_documents(store, raw=True)
    analysis = analyse_tendencies(docs, labels=store.labels)
    assert isinstance(analysis, TendencyAnalysis) and isinstance(analysis.mentions, MentionsResult)
    assert all(isinstance(e, EvaluationResult) for e in analysis.evaluation.values())
    assert all(isinstance(r, ContrastResult) for r in analysis.against_rest + analysis.pairwise)
    data = analysis.to_dict()
    assert list(data) == ["evaluation", "headline", "design", "against_rest", "pairwise", "mentions", "model",
                          "classifier", "predicted", "predictions", "skipped"]  # "coding" only where people coded
    assert data["evaluation"] == {g: e.to_dict() for g, e in analysis.evaluation.items()}
    assert data["mentions"] == analysis.mentions.to_dict()
    assert TendencyAnalysis.from_dict(json.loads(json.dumps(data))) == analysis
    assert analysis.quote_pairs(2)[:2] == [(analysis.against_rest[0].a, t.term)
                                           for t in analysis.against_rest[0].terms_a[:2]]
    trained = analyse_tendencies(docs, train=True, labels=store.labels)  # with the classifier's arrays
    back = TendencyAnalysis.from_dict(json.loads(json.dumps(trained.to_dict())))
    assert back.to_dict() == trained.to_dict() and back.classifier.model_id() == trained.classifier.model_id()
    store.close()
