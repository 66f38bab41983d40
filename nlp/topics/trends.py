"""Trends: topic prevalence and term frequency by period and group.

Topic prevalence of a cell (period, group) is the mean topic share of the cell's documents, so the shares
of a cell sum to 1; every row carries ``n_docs``, the number of documents behind it, so a reader sees when
a point rests on two articles. Term trends are counts per 10,000 terms of the cell.

Everything streams: memory grows with the number of cells, not with the corpus.
"""
from __future__ import annotations

import csv
import io
import json
import logging
from collections import Counter, defaultdict
from typing import Any, Callable, Sequence

import numpy as np

from nlp.documents import DocumentTerms
from nlp.errors import InvalidParameterError, NlpError
from nlp.text.preprocess import Preprocessor
from nlp.text.vocabulary import nearest_terms

log = logging.getLogger(__name__)

PERIODS = ("month", "quarter", "year")
GROUPS = ("tendency", "outlet", "none")
#: Cells resting on fewer documents than this are drawn hollow in charts.
FEW_DOCS = 3


def period_of(published: str | None, period: str = "year") -> str | None:
    """``"2019-03-14"`` -> ``"2019"`` (year), ``"2019-Q1"`` (quarter), ``"2019-03"`` (month).

    A date known only to the year stays ``"2019"`` whatever the period; undated is None.
    """
    if period not in PERIODS:
        raise InvalidParameterError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}", param="--period")
    if not published or not published[:4].isdigit():
        return None
    year = published[:4]
    month = published[5:7]
    if period == "year" or not month.isdigit():
        return year
    if period == "quarter":
        return f"{year}-Q{(int(month) - 1) // 3 + 1}"
    return f"{year}-{month}"


def _group_fn(docs: DocumentTerms, by: str) -> Callable[[int], str]:
    if by not in GROUPS:
        raise InvalidParameterError(f"unknown grouping {by!r}; use one of {', '.join(GROUPS)}", param="--by")
    if by == "tendency":
        return lambda i: docs.labels[i]
    if by == "outlet":
        return lambda i: docs.outlets[i]
    return lambda i: "all"


def _check_cells(any_cells: bool, undated: int) -> None:
    if not any_cells:
        if undated:
            raise NlpError(f"none of the {undated} documents in this selection has a date: trends need "
                           "publication dates (import them with --date-field)")
        raise NlpError("no modelled documents in this selection: widen it, or fit the model on this corpus")
    if undated:
        log.warning("%d undated documents left out of the trends", undated)


# ----------------------------------------------------------------------------- topics
def topic_prevalence(docs: DocumentTerms, theta: np.ndarray, labels: Sequence[str] | None = None,
                     by: str = "tendency", period: str = "year") -> list[dict[str, Any]]:
    """Topic prevalence by period and group.

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
    theta : array of shape (n_docs, K)
        Each document's topic shares (a row of NaN for a document the model did not cover), e.g. from
        :func:`nlp.topics.runs.document_topic_matrix`.
    labels : sequence of str, optional
        Topic labels (default: the topic numbers).
    by : {"tendency", "outlet", "none"}
    period : {"month", "quarter", "year"}

    Returns
    -------
    list of dict
        ``{"period", "group", "topic", "label", "share", "n_docs"}`` sorted by period, group, topic; the
        shares of one (period, group) sum to 1.
    """
    period_of(None, period)  # validate
    group = _group_fn(docs, by)
    theta = np.asarray(theta, dtype=float)
    k = theta.shape[1]
    sums: dict[tuple[str, str], np.ndarray] = {}
    counts: Counter = Counter()
    undated = 0
    for i in range(len(docs)):
        if np.isnan(theta[i, 0]):
            continue  # not in the model (no modelled terms, or added since the fit)
        p = period_of(docs.published[i], period)
        if p is None:
            undated += 1
            continue
        cell = (p, group(i))
        sums[cell] = sums.get(cell, 0) + theta[i]
        counts[cell] += 1
    _check_cells(bool(sums), undated)
    names = list(labels) if labels is not None else [str(t) for t in range(k)]
    rows = []
    for cell in sorted(sums):
        mean = sums[cell] / counts[cell]
        for t in range(k):
            rows.append({"period": cell[0], "group": cell[1], "topic": t, "label": names[t],
                         "share": round(float(mean[t]), 6), "n_docs": counts[cell]})
    return rows


# ----------------------------------------------------------------------------- terms
def term_trends(docs: DocumentTerms, words: Sequence[str], preprocessor: Preprocessor, by: str = "tendency",
                period: str = "year", case_sensitive: bool = False) -> list[dict[str, Any]]:
    """How often words or phrases are used, per 10,000 terms, by period and group.

    Each word is mapped to the corpus' terms by :meth:`Preprocessor.query_terms`, as every term query is:
    vocabulary names in any case (``"nhs"`` and ``"NHS"`` both count ``national_health_service``), the rest
    through the pipeline (``"devolved"`` -> ``devolve``). Give the preprocessor that made the corpus' terms
    (``Preprocessor.from_store(store)``).

    Parameters
    ----------
    case_sensitive : bool
        Map vocabulary names only as written (``"nhs"`` is then the word ``nhs``).

    Returns
    -------
    list of dict
        ``{"period", "group", "term", "terms", "count", "n_terms", "per_10k", "n_docs"}``.

    Raises
    ------
    InvalidParameterError
        A word that preprocessing removes entirely (a stop word, a number), or whose terms the selection
        never uses (the message names the nearest terms it does use).
    NotPreprocessedError
    """
    period_of(None, period)
    group = _group_fn(docs, by)
    if not words:
        raise InvalidParameterError("name at least one word or phrase", param="WORD")
    # Counted on the terms before collocations, so "soft left" is found inside a soft_left_hard_left
    # collocation too; a multi-word query is counted as a sequence.
    queries: dict[str, tuple[str, ...]] = {}
    known = set(docs.vocabulary)
    for word in words:
        terms = preprocessor.query_terms(word, case_sensitive=case_sensitive)
        if not terms:
            raise InvalidParameterError(f"{word!r} has no terms after preprocessing (a stop word or a number?)",
                                        param="WORD")
        unknown = [t for t in terms if t not in known]
        if unknown:
            near = nearest_terms(word if len(terms) == 1 else unknown[0], known, vocabulary=preprocessor.vocabulary)
            raise InvalidParameterError(
                f"{word!r} (term {unknown[0]!r}) is used nowhere in this selection; nearest terms used: "
                f"{', '.join(near) if near else 'none'}", param="WORD")
        queries[word] = terms
    hits: dict[tuple[str, str], Counter] = defaultdict(Counter)
    n_terms: Counter = Counter()
    n_docs: Counter = Counter()
    undated = 0
    for i in range(len(docs)):
        p = period_of(docs.published[i], period)
        if p is None:
            undated += 1
            continue
        terms = docs.raw_terms(i)
        cell = (p, group(i))
        n_terms[cell] += len(terms)
        n_docs[cell] += 1
        unigrams = Counter(terms)
        for word, seq in queries.items():
            hits[cell][word] += unigrams[seq[0]] if len(seq) == 1 else _count_sequence(terms, seq)
    _check_cells(bool(n_terms), undated)
    rows = []
    for cell in sorted(n_terms):
        for word, seq in queries.items():
            count = hits[cell][word]
            rows.append({"period": cell[0], "group": cell[1], "term": word, "terms": " ".join(seq),
                         "count": count, "n_terms": n_terms[cell],
                         "per_10k": round(10_000 * count / n_terms[cell], 3) if n_terms[cell] else 0.0,
                         "n_docs": n_docs[cell]})
    return rows


def _count_sequence(terms: list[str], seq: tuple[str, ...]) -> int:
    n, m = len(terms), len(seq)
    return sum(1 for i in range(n - m + 1) if terms[i] == seq[0] and tuple(terms[i:i + m]) == seq)


# ----------------------------------------------------------------------------- output
def format_rows(rows: list[dict[str, Any]], fmt: str = "csv") -> str:
    """Rows as CSV (with a header) or as one JSON list."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if fmt != "csv":
        raise InvalidParameterError(f"unknown format {fmt!r}; use csv or json", param="--format")
    buf = io.StringIO()
    fields = list(rows[0]) if rows else ["period", "group", "value"]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()




