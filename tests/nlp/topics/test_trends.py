"""Topic and term trends: shares per cell sum to 1, n_docs, periods, charts, per-10k counts."""
from __future__ import annotations

from collections import defaultdict

import pytest

from nlp.errors import InvalidParameterError
from nlp.report.plots import plot_trends
from nlp.documents import load_documents
from nlp.text.preprocess import Preprocessor
from nlp.topics.runs import stored_topic_prevalence
from nlp.topics.trends import format_rows, period_of, term_trends


@pytest.mark.parametrize("by,period", [("tendency", "year"), ("outlet", "quarter"), ("none", "month")])
def test_shares_sum_to_one_per_cell(fitted, by, period):
    store, _ = fitted
    rows = stored_topic_prevalence(store, "base", by=by, period=period)
    cells = defaultdict(float)
    docs = {}
    for r in rows:
        cells[(r["period"], r["group"])] += r["share"]
        docs.setdefault((r["period"], r["group"]), r["n_docs"])
    assert cells and all(abs(v - 1) < 1e-4 for v in cells.values())
    assert sum(docs.values()) == 36


def test_groups_and_periods(fitted):
    store, _ = fitted
    rows = stored_topic_prevalence(store, "base", by="tendency", period="quarter")
    assert {r["group"] for r in rows} == {"soft_left", "hard_left", "soft_right"}
    assert all(len(r["period"]) == 7 and r["period"][4:6] == "-Q" for r in rows)
    assert period_of("2019-11-02", "month") == "2019-11" and period_of("1945", "quarter") == "1945"
    assert period_of(None) is None


def test_topic_trends_plot_and_csv(fitted, tmp_path):
    store, _ = fitted
    rows = stored_topic_prevalence(store, by="outlet")
    assert plot_trends(rows, tmp_path / "trends.png").stat().st_size > 5000
    assert format_rows(rows, "csv").splitlines()[0] == "period,group,topic,label,share,lo,hi,n_docs,n_authors"


def test_every_trend_row_carries_support_and_an_interval(fitted):
    store, _ = fitted
    rows = stored_topic_prevalence(store, "base", by="tendency", period="year")
    assert all(r["n_docs"] >= 1 and r["n_authors"] >= 0 for r in rows)
    with_interval = [r for r in rows if r["lo"] is not None]
    assert with_interval and all(r["lo"] - 1e-9 <= r["share"] <= r["hi"] + 1e-9 for r in with_interval)
    again = stored_topic_prevalence(store, "base", by="tendency", period="year")
    assert rows == again  # seeded: same numbers
    terms = term_trends(load_documents(store, raw=True), ["devolution"], Preprocessor.from_store(store, collocations=None),
                        by="tendency")
    assert all(r["lo"] is None or r["lo"] - 1e-9 <= r["per_10k"] <= r["hi"] + 1e-9 for r in terms)
    assert all(0 <= r["n_docs_using"] <= r["n_docs"] for r in terms)


def test_cluster_bootstrap_resamples_authors_not_articles():
    import numpy as np

    from nlp.uncertainty import bootstrap_means

    # one prolific author with ten identical articles, ten single-article authors: the interval must reflect
    # 11 independent writers, not 20 articles
    values = np.array([1.0] * 10 + list(np.linspace(0, 1, 10)))
    keys = ["prolific"] * 10 + [f"w{i}" for i in range(10)]
    lo, hi = bootstrap_means(values, keys, n_boot=500, seed=0)
    lo_naive, hi_naive = bootstrap_means(values, [f"a{i}" for i in range(20)], n_boot=500, seed=0)
    assert hi - lo > hi_naive - lo_naive
    assert bootstrap_means(values, keys, n_boot=500, seed=0) == (lo, hi)


def test_term_trends_per_10k(fitted):
    store, _ = fitted
    rows = term_trends(load_documents(store, raw=True), ["soft left", "devolution"], Preprocessor.from_store(store, collocations=None), by="none")
    soft = [r for r in rows if r["term"] == "soft left"]
    assert all(r["terms"] == "soft_left" for r in soft)
    # every synthetic article says "the soft left" once
    assert all(r["count"] == r["n_docs"] for r in soft)
    assert all(r["per_10k"] == pytest.approx(10_000 * r["count"] / r["n_terms"], abs=1e-3) for r in rows)
    assert '"per_10k"' in format_rows(rows, "json")


def test_term_trends_bad_word(fitted):
    store, _ = fitted
    with pytest.raises(InvalidParameterError, match=r"^'the' has no terms after preprocessing"):
        term_trends(load_documents(store, raw=True), ["the"], Preprocessor.from_store(store, collocations=None))


def test_undated_corpus_is_a_clear_error(tmp_path):
    from corpus import Article, CorpusStore
    from nlp.errors import NlpError
    from nlp.text.preprocess import preprocess_corpus
    from nlp.topics.fit import fit_topics

    store = CorpusStore(tmp_path / "u.db")
    texts = ["energy rail water price bill", "council mayor devolution region town"]
    store.add_many(Article(outlet="x", source="imported", text=f"{texts[i % 2]} number {i}") for i in range(6))
    preprocess_corpus(store)
    fit_topics(store, 2, passes=1, name="u")
    with pytest.raises(NlpError, match=r"^none of the 6 documents in this selection has a date"):
        stored_topic_prevalence(store)
    with pytest.raises(NlpError, match=r"^none of the 6 documents"):
        term_trends(load_documents(store, raw=True), ["energy"], Preprocessor.from_store(store, collocations=None))
