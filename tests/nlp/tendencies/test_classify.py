"""The classifier on synthetic term lists: evaluation, errors, saving and loading without pickles."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nlp.tendencies.classify import (
    ClassifyError, check_classes, cross_validate_documents, fit_documents, make_pipeline, make_splitter,
    predict_terms, top_features,
)
from nlp.documents import EmptySelectionError
from nlp.tendencies.model_files import ModelFileError, load_model, save_model

from tests.nlp.tendencies.synthetic import SIGNATURES, synthetic_corpus


@pytest.fixture(scope="module")
def corpus():
    return synthetic_corpus(n_per_class=30, authors_per_class=5, seed=3)


def test_grouped_evaluation_beats_its_baseline(corpus):
    docs, labels, groups = corpus
    result = cross_validate_documents(docs, labels, groups, folds=5, seed=0)
    assert result["macro_f1"] >= 0.85
    assert result["accuracy"] >= 0.85
    assert result["baseline"]["macro_f1"] <= 0.35
    assert result["splitter"] == "StratifiedGroupKFold" and result["folds"] == 5
    assert set(result["per_class"]) == set(SIGNATURES)
    assert set(result["per_class"]["soft_left"]) == {"precision", "recall", "f1", "support"}
    assert result["per_class"]["soft_left"]["support"] == 30
    matrix = np.array(result["confusion"]["matrix"])
    assert result["confusion"]["labels"] == sorted(SIGNATURES)
    assert matrix.sum() == 90 and matrix.shape == (3, 3)
    json.dumps(result)


def test_folds_never_split_a_group(corpus):
    docs, labels, groups = corpus
    splitter, n, _ = make_splitter(labels, groups, 5, seed=0)
    for train, test in splitter.split(np.zeros(len(labels)), labels, groups):
        assert not {groups[i] for i in train} & {groups[i] for i in test}


def test_leave_one_group_out_when_groups_are_few():
    docs, labels, groups = synthetic_corpus(n_per_class=10, authors_per_class=1, seed=0,
                                            classes=("soft_left", "hard_left"))
    groups = [f"{g}-{i % 2}" for i, g in enumerate(groups)]  # 4 groups, 2 per class
    result = cross_validate_documents(docs, labels, groups, folds=5, seed=0)
    assert result["splitter"] == "LeaveOneGroupOut" and result["folds"] == 4


def test_single_group_class_is_a_caveat():
    docs, labels, groups = synthetic_corpus(n_per_class=12, authors_per_class=1, seed=0)
    result = cross_validate_documents(docs, labels, groups, folds=5, seed=0)
    assert any("come from a single group" in c for c in result["caveats"])


def test_same_seed_same_numbers(corpus):
    docs, labels, groups = corpus
    a = cross_validate_documents(docs, labels, groups, folds=5, seed=7)
    b = cross_validate_documents(docs, labels, groups, folds=5, seed=7)
    assert a == b


def test_ungrouped_folds_capped_by_smallest_class():
    docs, labels, _ = synthetic_corpus(n_per_class=3, seed=0, classes=("soft_left", "hard_left"))
    result = cross_validate_documents(docs, labels, None, folds=5, seed=0)
    assert result["splitter"] == "StratifiedKFold" and result["folds"] == 3 and result["n_groups"] is None


def test_error_single_class():
    with pytest.raises(ClassifyError) as err:
        check_classes(["soft_left"] * 5)
    assert str(err.value) == ("Only one class ('soft_left', 5 articles): a classifier needs at least two; "
                              "label articles of another tendency")


def test_error_class_with_one_example():
    with pytest.raises(ClassifyError) as err:
        check_classes(["soft_left"] * 5 + ["hard_left"] * 4 + ["soft_right"])
    assert str(err.value) == ("Class 'soft_right' (1) has fewer than 2 examples; label more articles of it "
                              "or relabel them")


def test_error_empty_selection():
    with pytest.raises(EmptySelectionError, match="No labelled, preprocessed articles to classify by tendency"):
        check_classes([])


def test_error_one_group():
    labels = ["a", "a", "b", "b"]
    with pytest.raises(ClassifyError) as err:
        make_splitter(labels, ["outlet1"] * 4, 5, 0)
    assert str(err.value) == ("Grouping leaves only one group ('outlet1'): folds that never split a group need "
                              "at least two; use --by none, or another grouping")


def test_top_features_are_the_signature_words(corpus):
    docs, labels, _ = corpus
    features = top_features(fit_documents(docs, labels, seed=0), n=5)
    for cls, words in SIGNATURES.items():
        assert len({f["term"] for f in features[cls]} & set(words)) >= 4


def test_top_features_binary():
    docs, labels, _ = synthetic_corpus(n_per_class=20, seed=0, classes=("soft_left", "hard_left"))
    features = top_features(fit_documents(docs, labels, seed=0), n=5)
    assert {f["term"] for f in features["soft_left"]} & set(SIGNATURES["soft_left"])
    assert {f["term"] for f in features["hard_left"]} & set(SIGNATURES["hard_left"])


def test_save_and_load_give_the_same_probabilities(corpus, tmp_path):
    docs, labels, _ = corpus
    pipeline = fit_documents(docs, labels, seed=0)
    model_id = save_model(pipeline, tmp_path / "m", {"note": "test"})
    loaded, manifest = load_model(tmp_path / "m")
    assert manifest["model_id"] == model_id and manifest["format"] == "softleft-classifier"
    assert np.allclose(pipeline.predict_proba(docs[:10]), loaded.predict_proba(docs[:10]))
    assert predict_terms(loaded, [["pluralism", "devolution"]])[0]["label"] == "soft_left"
    # same fit, same id
    assert save_model(fit_documents(docs, labels, seed=0), tmp_path / "m2") == model_id
    assert not list((tmp_path / "m").glob("*.pkl")) and not list((tmp_path / "m").glob("*.joblib"))


def test_load_refuses_changed_files(corpus, tmp_path):
    docs, labels, _ = corpus
    save_model(fit_documents(docs, labels, seed=0), tmp_path / "m")
    coef = np.load(tmp_path / "m" / "coef.npy")
    np.save(tmp_path / "m" / "coef.npy", coef * 2)
    with pytest.raises(ModelFileError) as err:
        load_model(tmp_path / "m")
    assert str(err.value) == (f"{tmp_path / 'm'}: coef.npy does not match its checksum (changed or damaged); "
                              "refusing to load it: retrain with `classify train`")


def test_load_refuses_foreign_directories(tmp_path):
    with pytest.raises(ModelFileError, match="is not a model directory"):
        load_model(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "joblib", "files": {"model.pkl": "x"}}))
    with pytest.raises(ModelFileError) as err:
        load_model(tmp_path)
    assert str(err.value) == (f"{tmp_path} was not written by softleft (format is not 'softleft-classifier'); "
                              "refusing to load it")


def test_load_refuses_extra_listed_files(corpus, tmp_path):
    docs, labels, _ = corpus
    save_model(fit_documents(docs, labels, seed=0), tmp_path / "m")
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    manifest["files"]["model.pkl"] = "0" * 64
    (tmp_path / "m" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match="the manifest must list exactly"):
        load_model(tmp_path / "m")


def test_pipeline_is_a_scikit_learn_estimator():
    from sklearn.base import clone

    pipe = make_pipeline(seed=5)
    assert clone(pipe).named_steps["clf"].random_state == 5
    assert pipe.named_steps["clf"].class_weight == "balanced"


def test_a_pipeline_fitted_on_the_count_matrix_is_the_one_fitted_on_terms(corpus):
    """``train`` fits on the selection's count matrix (no term lists): the same features in the same order,
    the same idf, the same classifier settings and, to rounding, the same coefficients and probabilities."""
    from nlp.tendencies.classify import count_matrix
    from nlp.tendencies.estimator import fit_counts

    docs, labels, _ = corpus
    on_terms = fit_documents(docs, labels, seed=0)
    counts, vocabulary = count_matrix(docs)
    on_counts = fit_counts(counts, labels, vocabulary, seed=0)
    a, b = on_terms.named_steps, on_counts.named_steps
    assert list(a["tfidf"].get_feature_names_out()) == list(b["tfidf"].get_feature_names_out())
    assert np.array_equal(a["tfidf"].idf_, b["tfidf"].idf_)
    assert b["clf"].get_params() == a["clf"].get_params()
    assert np.allclose(a["clf"].coef_, b["clf"].coef_, rtol=0, atol=1e-9)
    assert np.allclose(on_terms.predict_proba(docs), on_counts.predict_proba(docs), rtol=0, atol=1e-9)


@pytest.mark.parametrize("block", [1, 13, 1 << 20])
@pytest.mark.parametrize("sublinear", [True, False])
def test_tfidf_weighted_in_place_by_blocks_of_rows_is_sklearns(block, sublinear, monkeypatch):
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer

    from nlp.tendencies import estimator

    monkeypatch.setattr(estimator, "_TFIDF_BLOCK", block)
    rng = np.random.default_rng(0)
    counts = sparse.random(120, 60, density=0.08, random_state=1, format="csr")
    counts.data = rng.integers(1, 6, len(counts.data)).astype(float)
    counts = counts.astype(np.int32)
    counts = sparse.csr_matrix(np.vstack([counts.toarray(), np.zeros((1, 60), dtype=np.int32)]))  # an empty row
    transformer = TfidfTransformer(sublinear_tf=sublinear).fit(counts)
    expected = transformer.transform(counts.astype(np.float64)).toarray()
    assert np.allclose(estimator._tfidf_in_place(counts.copy(), transformer).toarray(), expected, rtol=0, atol=1e-12)
