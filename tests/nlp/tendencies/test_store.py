"""Classify, contrast, KWIC and mentions on a small preprocessed store."""
from __future__ import annotations

import json

import pytest

from nlp.tendencies.classify import (EvaluationResult, evaluate, predict_text, predict_unlabelled, prediction_summary,
                                     train)
from nlp.tendencies.contrast import contrast, contrast_each_against_rest
from nlp.errors import NotPreprocessedError
from nlp.documents import GroupError, load_documents
from nlp.text.kwic import kwic, kwic_dicts
from nlp.tendencies.mentions import mentions, mentions_table

from tests.nlp.tendencies.corpus_fixture import build_store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = build_store(tmp_path_factory.mktemp("store") / "c.db")
    yield s
    s.close()


@pytest.fixture(scope="module")
def docs(store):
    """The store's documents, read once (raw terms kept for mentions)."""
    return load_documents(store, raw=True)


def test_evaluate_by_outlet_with_house_style_caveat(docs):
    result = evaluate(docs, group_by="outlet", folds=6, seed=0)
    assert result.group_by == "outlet" and result.n_documents == 36
    assert result.splitter == "LeaveOneGroupOut" and result.folds == 6
    assert result.macro_f1 >= 0.8 and result.macro_f1 > result.baseline["macro_f1"]
    assert result.excluded == {"mixed": 4, "unlabelled": 4}
    assert result.label_levels == {"outlet": 36}
    assert any("house style" in c for c in result.caveats)
    json.dumps(result.to_dict())


def test_evaluate_by_author_same_seed_same_numbers(docs):
    a = evaluate(docs, group_by="author", folds=4, seed=1)
    assert a == evaluate(docs, group_by="author", folds=4, seed=1)
    assert a.splitter == "StratifiedGroupKFold" and a.n_groups == 12


#: The keys of ``classify evaluate --json`` (CLI.md), in order; those marked "?" only where their analysis ran.
EVALUATION_KEYS = ["group_by", "label_field", "seed", "macro_f1", "macro_f1_lo?", "macro_f1_hi?", "interval?",
                   "accuracy", "permutation_test?", "masked_macro_f1?", "masked_accuracy?", "masked_fold_macro_f1?",
                   "top_features", "self_names_in_top_features?", "per_class", "confusion", "folds", "splitter",
                   "baseline", "fold_macro_f1", "n_documents", "n_tested", "n_groups", "caveats", "copies",
                   "period_years?", "masked_terms?", "outlet_markers", "person_names_in_top_features", "design?",
                   "unit?", "dropped_classes", "min_class", "label_levels", "excluded", "model"]


@pytest.mark.parametrize("options", [dict(group_by="author", folds=4, permutations=3),
                                     dict(group_by="none", mask_names=False, permutations=0),
                                     dict(group_by="period", label_field="outlet", mask_names=False)],
                         ids=["author", "none-unmasked", "period-outlet"])
def test_the_evaluation_is_typed_and_its_dict_is_the_json_document(docs, options):
    result = evaluate(docs, seed=0, **options)
    assert isinstance(result, EvaluationResult)
    data = result.to_dict()
    present = [k.rstrip("?") for k in EVALUATION_KEYS if not k.endswith("?") or getattr(result, k[:-1]) is not None]
    assert list(data) == present
    assert ("masked_macro_f1" in data) == options.get("mask_names", True)
    assert ("period_years" in data) == (options["group_by"] == "period")
    assert ("design" in data) == (options.get("label_field", "tendency") == "tendency")
    assert ("permutation_test" in data) == (options.get("permutations") != 0)
    back = EvaluationResult.from_dict(json.loads(json.dumps(data)))
    assert back == result and back.to_dict() == data
    frame = result.to_frame()
    assert list(frame.columns) == [result.label_field, "precision", "recall", "f1", "support"]
    assert len(frame) == len(result.per_class) and frame["support"].sum() == result.n_tested


def test_evaluate_unknown_options(docs):
    with pytest.raises(GroupError, match="Unknown grouping 'party'; use one of: outlet, author, period, none"):
        evaluate(docs, group_by="party")
    with pytest.raises(GroupError, match="Cannot predict the outlet while grouping by outlet"):
        evaluate(docs, label_field="outlet", group_by="outlet")


def test_evaluate_single_outlet_selection_is_one_class(store):
    from nlp.tendencies.classify import ClassifyError
    with pytest.raises(ClassifyError, match=r"Only one class \('soft_left', 6 articles\)"):
        evaluate(load_documents(store, outlet="plural"), group_by="none")


def test_contrast_and_rest(docs):
    result = contrast(docs, "soft_left", "hard_left", top=10, collocations=False)
    assert {"pluralism", "devolution"} & {t.term for t in result.terms_a[:5]}
    assert {"worker", "boss", "socialism", "solidarity"} & {t.term for t in result.terms_b[:5]}
    rest = contrast(docs, "soft_right", "rest")
    assert rest.b == "rest" and rest.terms_a
    with pytest.raises(GroupError, match=r"Unknown outlet 'tribune'; known outlet groups \(articles\): "):
        contrast(docs, "tribune", "plural", field="outlet")
    each = contrast_each_against_rest(docs, field="tendency")
    assert [r.a for r in each] == ["hard_left", "soft_left", "soft_right"]


def test_kwic_phrase_and_term_forms(store):
    lines = kwic(store, "soft_left", window=4, limit=5)
    assert len(lines) == 5 and all(line.match.lower() in ("soft left",) for line in lines)
    assert lines[0].left and lines[0].right
    hyphen = kwic(store, "fence sitters", limit=None)
    assert hyphen and all(line.match == "fence-sitters" for line in hyphen)
    only = kwic(store, "socialis*", limit=None, outlet="redcorner")
    assert only and {line.outlet for line in only} == {"redcorner"}
    assert kwic(store, "nothingatall") == []
    assert set(kwic_dicts(lines)[0]) == {"id", "title", "outlet", "published", "tendency", "left", "match", "right"}


def test_mentions_self_and_others(docs):
    result = mentions(docs, window=6)
    factions = {f.faction: f for f in result.factions}
    soft_left = factions["soft_left"]
    assert soft_left.self_mentions > 0 and soft_left.other_mentions > 0
    assert soft_left.by_tendency["soft_left"].self is True
    assert soft_left.by_tendency["hard_left"].self is False
    own = {t.term for t in soft_left.by_tendency["soft_left"].terms}
    hard = {t.term for t in soft_left.by_tendency["hard_left"].terms}
    right = {t.term for t in soft_left.by_tendency["soft_right"].terms}
    assert {"pluralist", "democratic", "patient"} & own
    assert {"careerist", "betray", "fence"} & hard
    assert {"naive", "meaning"} & right
    hard_left = factions["hard_left"]
    assert set(hard_left.by_tendency) >= {"soft_left", "soft_right"}
    assert hard_left.tendency == "hard_left"
    rows = mentions_table(result)
    assert rows and {"faction", "writer_tendency", "mentions", "terms"} <= set(rows[0])
    with pytest.raises(GroupError, match="Unknown faction 'centrists'; known factions: "):
        mentions(docs, factions=["centrists"])


def test_train_predict_and_store_probabilities(store, docs, tmp_path):
    from corpus.analyses import save_predictions
    from nlp.text.preprocess import Preprocessor

    info = train(docs, str(tmp_path / "model"), seed=0)
    assert info["classes"] == ["hard_left", "soft_left", "soft_right"] and info["n_documents"] == 36
    one = predict_text(str(tmp_path / "model"), "Solidarity with the strike: nationalise rail now!",
                       preprocessor=Preprocessor.from_store(store))
    assert one["label"] == "hard_left" and abs(sum(one["probabilities"].values()) - 1) < 1e-3
    result = predict_unlabelled(docs, str(tmp_path / "model"))
    assert result["predicted"] == 8 and sum(result["by_label"].values()) == 8
    save_predictions(store, result["model_id"], result["articles"], "2025-01-01T00:00:00Z")
    rows = store.conn.execute("SELECT COUNT(*) FROM predictions WHERE model = ?", (info["model_id"],)).fetchone()
    assert rows[0] == 8
    again = predict_unlabelled(docs, str(tmp_path / "model"))
    save_predictions(store, again["model_id"], again["articles"], "2025-01-02T00:00:00Z")  # replaces, does not duplicate
    assert again["predicted"] == 8
    assert store.conn.execute("SELECT COUNT(*) FROM predictions").fetchone()[0] == 8
    by_author = prediction_summary(again, by="author")
    assert by_author[0]["author"] == "Blogger" and by_author[0]["articles"] == 4


def test_not_preprocessed_articles_are_preprocessed_first(tmp_path, caplog):
    from corpus import Article
    s = build_store(tmp_path / "raw.db", per_outlet=3, preprocess=False)
    with pytest.raises(NotPreprocessedError):
        load_documents(s, preprocess=False)
    result = evaluate(load_documents(s), group_by="outlet", folds=5)  # 6 outlets, classes of 6 articles
    assert result.n_documents == 18 and result.splitter == "StratifiedGroupKFold"
    assert any("26 articles are not preprocessed yet" in r.getMessage() for r in caplog.records)
    s.add(Article(outlet="plural", text="A new piece on pluralism and devolution.", source="demo"))
    assert contrast(load_documents(s), "soft_left", "hard_left", min_count=1).docs_a == 7  # 2 outlets x 3, and the new one
    s.close()


def test_empty_corpus(tmp_path):
    from corpus import CorpusStore
    from nlp.documents import DocumentTerms, EmptySelectionError

    with CorpusStore(tmp_path / "empty.db") as empty:
        with pytest.raises(EmptySelectionError, match="The corpus is empty; import or scrape articles first"):
            load_documents(empty)
        with pytest.raises(EmptySelectionError, match="No labelled, preprocessed articles"):
            evaluate(DocumentTerms.from_terms([]))


def test_kwic_errors(tmp_path):
    from corpus import CorpusStore
    from nlp.documents import EmptySelectionError

    with CorpusStore(tmp_path / "empty.db") as empty:
        with pytest.raises(EmptySelectionError, match="The corpus is empty; import or scrape articles first"):
            kwic(empty, "soft left")
        with pytest.raises(GroupError, match="--window must be 0 or more, not -1"):
            kwic(empty, "soft left", window=-1)
        with pytest.raises(GroupError, match="Keyword '\\?\\?' has no words to look for"):
            kwic(empty, "??")
