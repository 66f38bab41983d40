"""Self-names under control: the masked score, the interval against the baseline, folds forward in time."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from corpus.labels import LabelSet
from nlp.documents import DocumentTerms
from nlp.tendencies.classify import cross_validate_documents, evaluate, make_splitter
from nlp.tendencies.crossval import macro_f1_interval
from nlp.tendencies.estimator import tfidf_rows
from nlp.tendencies.masking import masked_columns, self_names
from nlp.text.vocabulary import load_vocabulary

from tests.nlp.tendencies.synthetic import COMMON, synthetic_corpus

NAMES = {"Lab": "labour", "Con": "conservative"}


def named_corpus(n_per_class: int = 40, authors_per_class: int = 5, length: int = 80, seed: int = 0):
    """Two parties whose documents differ ONLY by their own party's name (same word distribution otherwise)."""
    rng = random.Random(seed)
    docs, labels, groups, years = [], [], [], []
    for party, name in NAMES.items():
        for i in range(n_per_class):
            doc = [rng.choice(COMMON[:120]) for _ in range(length)] + [name] * 3
            rng.shuffle(doc)
            docs.append(doc)
            labels.append(party)
            groups.append(f"{party}-author{i % authors_per_class}")
            years.append(str(1990 + i % 8))
    return docs, labels, groups, years


@pytest.fixture(scope="module")
def named():
    return named_corpus()


def test_self_names_gathers_labels_outlets_vocabulary_and_aliases():
    docs = DocumentTerms.from_terms([["x"], ["y"]], labels=["Lab", "Con"], outlets=["redcorner", "newcentre"])
    labels = LabelSet.from_mapping({"outlets": {"plural": {"tendency": "soft_left", "name": "Plural Voice"}}})
    names = self_names(docs, load_vocabulary(), labels)
    for expected in ("lab", "con", "labour", "conservative", "tory", "tories", "redcorner", "newcentre",
                     "plural", "plural_voice", "soft_left", "momentum", "labour_party", "liberal_democrats"):
        assert expected in names, expected
    # multi-word names enter joined, never as their words; institutions no side owns stay
    for kept in ("soft", "left", "voice", "trade_union", "house_of_commons", "mixed", "unlabelled"):
        assert kept not in names, kept
    assert list(masked_columns(["growth", "tory", "Labour", "tory cut"], names)) == [1, 2, 3]


def test_separable_only_by_self_names(named):
    docs, labels, groups, _ = named
    result = cross_validate_documents(docs, labels, groups, folds=5, seed=0, mask=self_names(extra=labels))
    assert result["macro_f1"] >= 0.9
    assert result["masked_macro_f1"] <= 0.7  # near chance (0.5) for two balanced classes
    assert {"labour"} <= set(result["self_names_in_top_features"]["Lab"])
    assert any(c.startswith("Self-names are among the top features") for c in result["caveats"])
    assert any(c.startswith("With party, faction, outlet and label names masked, macro-F1 falls") for c in result["caveats"])


def test_separable_by_content_keeps_its_score():
    docs, labels, groups = synthetic_corpus(n_per_class=30, authors_per_class=5, seed=3)
    # the shipped labels name an outlet "renewal", one of soft_left's signature words here: leave them out
    result = cross_validate_documents(docs, labels, groups, folds=5, seed=0,
                                      mask=self_names(extra=labels, labels=LabelSet()))
    assert result["macro_f1"] >= 0.85 and result["masked_macro_f1"] >= 0.85
    assert not any(c.startswith("Self-names") or c.startswith("With party") for c in result["caveats"])
    assert all(terms == [] for terms in result["self_names_in_top_features"].values())
    flagged = cross_validate_documents(docs, labels, groups, folds=5, seed=0, mask=self_names(extra=labels))
    assert flagged["self_names_in_top_features"]["soft_left"] == ["renewal"]


def test_evaluate_reports_the_masked_score_by_default(named):
    docs, labels, groups, years = named
    dt = DocumentTerms.from_terms(docs, labels=labels, authors=[(g,) for g in groups], outlets=["o"] * len(docs),
                                  published=[f"{y}-05-01" for y in years])
    result = evaluate(dt, group_by="author", folds=4, seed=0)
    assert result.macro_f1 >= 0.9 and result.masked_macro_f1 <= 0.7
    assert "labour" in result.masked_terms and "conservative" in result.masked_terms
    assert set(result.top_features) == {"Con", "Lab"}
    assert result.macro_f1_lo <= result.macro_f1 <= result.macro_f1_hi
    unmasked = evaluate(dt, group_by="author", folds=4, seed=0, mask_names=False)
    assert unmasked.masked_macro_f1 is None and unmasked.macro_f1 == result.macro_f1


def test_serial_and_parallel_give_the_same_numbers(named):
    docs, labels, groups, _ = named
    mask = self_names(extra=labels)
    serial = cross_validate_documents(docs, labels, groups, folds=5, seed=4, mask=mask, n_jobs=1)
    parallel = cross_validate_documents(docs, labels, groups, folds=5, seed=4, mask=mask, n_jobs=2)
    assert serial == parallel


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_rows_of_a_larger_matrix_score_as_the_rows_copied_out(named, n_jobs):
    """``rows=`` scores a subset of the matrix's rows without the caller copying them out: the same numbers
    as cross-validating the copied rows, in process and with the matrix mapped into worker processes."""
    from nlp.tendencies.classify import count_matrix
    from nlp.tendencies.crossval import cross_validate_matrix

    docs, labels, groups, _ = named
    counts, vocabulary = count_matrix(docs)
    rows = np.arange(1, counts.shape[0], 2)  # every other document, as if the others were unlabelled
    masked = masked_columns(vocabulary, self_names(extra=labels))
    sub_labels, sub_groups = [labels[i] for i in rows], [groups[i] for i in rows]
    copied = cross_validate_matrix(counts[rows], sub_labels, vocabulary, sub_groups, folds=3, seed=2, masked=masked,
                                   n_jobs=1)
    indexed = cross_validate_matrix(counts, sub_labels, vocabulary, sub_groups, folds=3, seed=2, masked=masked,
                                    n_jobs=n_jobs, rows=rows)
    assert indexed == copied and copied["n_documents"] == len(rows)


def test_idf_is_learnt_on_the_training_rows_only():
    train = sparse.csr_matrix(np.array([[1, 1, 0], [2, 1, 0], [0, 3, 0]]))
    test = sparse.csr_matrix(np.array([[1, 0, 5]]))
    x_train, x_test, columns = tfidf_rows(train, test, min_df=1)
    assert list(columns) == [0, 1]  # the term only the test row uses is not a feature
    assert x_test.shape == (1, 2) and x_test[0, 0] == pytest.approx(1.0)


def test_interval_reaching_the_baseline_is_a_caveat():
    rng = random.Random(5)
    docs = [[rng.choice(COMMON[:100]) for _ in range(60)] for _ in range(60)]
    labels = ["a", "b"] * 30
    groups = [f"g{i % 12}" for i in range(60)]
    result = cross_validate_documents(docs, labels, groups, folds=4, seed=0)
    assert result["baseline"]["chance_macro_f1"] == 0.5 and result["baseline"]["macro_f1"] <= 0.34
    assert result["macro_f1_lo"] <= 0.5
    assert any(c.startswith("The classifier cannot tell these groups apart under this grouping") for c in result["caveats"])


def test_interval_is_seeded_and_resamples_groups():
    y = ["a"] * 20 + ["b"] * 20
    pred = ["a"] * 15 + ["b"] * 5 + ["b"] * 18 + ["a"] * 2
    units = [f"g{i // 4}" for i in range(40)]
    first = macro_f1_interval(y, pred, units, replicates=300, seed=1)
    assert first == macro_f1_interval(y, pred, units, replicates=300, seed=1)
    assert 0 <= first[0] < 0.82 < first[1] <= 1


def test_period_folds_go_forward_in_time(named):
    docs, labels, groups, years = named
    splitter, k, name = make_splitter(labels, years, 5, seed=0, forward=True)
    assert name == "ForwardPeriodSplit" and k == 5
    for train, test in splitter.split(np.zeros(len(labels)), labels, years):
        assert max(int(years[i]) for i in train) < min(int(years[i]) for i in test)


def test_evaluate_by_period(named):
    docs, labels, groups, years = named
    dt = DocumentTerms.from_terms(docs + [["word1"] * 5], labels=labels + ["Lab"], outlets=["o"] * (len(docs) + 1),
                                  published=[f"{y}-01-01" for y in years] + [None])
    result = evaluate(dt, group_by="period", folds=3, seed=0, period_years=2)
    assert result.splitter == "ForwardPeriodSplit" and result.folds == 3 and result.period_years == 2
    assert result.excluded == {"no date": 1}
    assert result.n_groups == 4 and result.n_tested < result.n_documents == len(docs)
    with pytest.raises(Exception, match="Cannot predict the year while grouping by period"):
        evaluate(dt, label_field="year", group_by="period")


MANIFESTOS = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "uk-manifestos" / "manifestos.jsonl"


@pytest.mark.skipif(not MANIFESTOS.is_file(), reason="../shared/data is absent")
def test_real_manifestos_name_their_parties():
    stop = set("the a an and or of to in for on is are be will we our that this it with as by at from which "
               "have has not their they its all was were been".split())
    terms, labels, published = [], [], []
    with MANIFESTOS.open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            if d["doc_id"] == "UK_natl_1959_en_Con" or d["Party"] not in ("Lab", "Con"):  # 1959 Con is Labour's
                continue
            terms.append([t for t in re.findall(r"[a-z]+", d["text"].lower()) if t not in stop and len(t) > 2])
            labels.append(d["Party"])
            published.append(str(d["Year"]))
    docs = DocumentTerms.from_terms(terms, labels=labels, published=published, outlets=["manifesto"] * len(terms))
    result = evaluate(docs, group_by="period", folds=5, seed=0)
    assert result.macro_f1 >= 0.8 and result.masked_macro_f1 >= 0.75  # content, not only names
    assert {"labour", "tory"} <= set(result.self_names_in_top_features["Lab"])
    assert "conservative" in result.self_names_in_top_features["Con"]
    assert any(c.startswith("Self-names are among the top features") for c in result.caveats)


def test_the_corpus_own_phrase_file_is_masked_too(tmp_path):
    from nlp.tendencies.masking import corpus_vocabulary
    from nlp.text.preprocess import Preprocessor, preprocess_corpus

    from tests.nlp.tendencies.corpus_fixture import build_store

    phrases = tmp_path / "phrases.toml"
    phrases.write_text('version = 1\n[terms.red_rose_circle]\ncategory = "faction"\nname = "Red Rose Circle"\n'
                       'patterns = ["Red Rose Circle"]\n', encoding="utf-8")
    store = build_store(tmp_path / "c.db", per_outlet=2, preprocess=False)
    preprocess_corpus(store, Preprocessor(phrases_file=phrases))
    assert "red_rose_circle" in self_names(vocabulary=corpus_vocabulary(store))
    assert "red_rose_circle" not in self_names()
    store.close()
