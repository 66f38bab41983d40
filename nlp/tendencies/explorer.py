"""Every term of a contrast, for the report's term explorer: not only each side's top list.

:func:`explore_contrast` scores every term used at least ``min_count`` times by the two sides of a contrast
(:class:`~nlp.tendencies.contrast.ContrastResult`: a tendency against the rest, or two tendencies) with the
same weighted log-odds as the contrast itself (:func:`nlp.tendencies.contrast.weighted_log_odds`, Monroe et
al. 2008), and adds what a reader needs to judge a term: its uses and the documents using it on each side,
and its **stability** — the share of bootstrap resamples of each side's documents (copies drawn together)
in which the term stays distinctive of the same side (``|z| >= 1.96``, same sign). For the explorer's
contexts it keeps, for each term, the ids of the :data:`CONTEXT_ARTICLES` articles of the side it favours
that use it most.

Bounded in size: at most :data:`MAX_TERMS` terms per contrast (the most distinctive; the result says how
many there were) and :data:`CONTEXT_ARTICLES` article ids per term, whatever the corpus.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from scipy import sparse

from nlp.copies import copy_units, resample_weights
from nlp.documents import DocumentTerms, group_matches
from nlp.tendencies.contrast import REST, ContrastResult, _log_odds

#: Terms per contrast in the explorer, at most (the most distinctive, by |z|).
MAX_TERMS = 2_000
#: Article ids kept per term for its contexts (the side's articles using it most).
CONTEXT_ARTICLES = 2
#: A term "stays distinctive" in a resample when its |z| is at least this, on the same side.
Z_DISTINCT = 1.96
#: The columns of each term's row, in order.
COLUMNS = ("term", "z", "count_a", "count_b", "docs_a", "docs_b", "stability")


def explore_contrast(docs: DocumentTerms, result: ContrastResult, min_count: int = 3, bootstrap: int = 20,
                     seed: int = 0, max_terms: int = MAX_TERMS) -> dict[str, Any]:
    """Every term of the contrast ``result`` (computed on ``docs``), with its figures and context articles.

    Returns
    -------
    dict
        ``{"a", "b", "field", "docs_a", "docs_b", "n_terms" (terms used at least ``min_count`` times),
        "columns": COLUMNS, "terms": [[term, z, count_a, count_b, docs_a, docs_b, stability], ...] (by |z|,
        at most ``max_terms``), "contexts": {term: [ids of the favoured side's articles using it most]}}``.
    """
    rows_a, rows_b = _sides(docs, result)
    m = sparse.csr_matrix(docs.matrix)
    used = np.flatnonzero(_column_sums(m[np.concatenate([rows_a, rows_b])]) > 0)  # the contrast's columns
    vocabulary = [docs.vocabulary[j] for j in used]
    m_a, m_b = m[rows_a][:, used], m[rows_b][:, used]
    ya, yb = _column_sums(m_a), _column_sums(m_b)
    dfa, dfb = _column_sums(_presence(m_a)), _column_sums(_presence(m_b))
    _, z = _log_odds(ya, yb, ya + yb, None)
    eligible = np.flatnonzero((ya + yb) >= min_count)
    order = eligible[np.lexsort((eligible, -np.abs(z[eligible])))][:max_terms]
    stability = _stability(m_a, m_b, z, order, bootstrap, seed,
                           (copy_units(docs.copy_clusters, rows_a), copy_units(docs.copy_clusters, rows_b)))
    terms = [[vocabulary[j], round(float(z[j]), 3), int(ya[j]), int(yb[j]), int(dfa[j]), int(dfb[j]),
              None if s is None else round(float(s), 3)] for j, s in zip(order, stability)]
    contexts = _context_ids(docs.ids, vocabulary, m_a, m_b, rows_a, rows_b, order, z)
    return {"a": result.a, "b": result.b, "field": result.field, "docs_a": len(rows_a), "docs_b": len(rows_b),
            "n_terms": int(len(eligible)), "columns": list(COLUMNS), "terms": terms, "contexts": contexts}


def _sides(docs: DocumentTerms, result: ContrastResult) -> tuple[np.ndarray, np.ndarray]:
    """The rows of each side, as the contrast took them (an article in both groups is evidence for neither)."""
    in_a = np.array([group_matches(result.a, docs.values(i, result.field), result.field) for i in range(len(docs))],
                    dtype=bool)
    if result.b == REST:
        in_b = ~in_a
    else:
        in_b = np.array([group_matches(result.b, docs.values(i, result.field), result.field)
                         for i in range(len(docs))], dtype=bool)
    return np.flatnonzero(in_a & ~in_b), np.flatnonzero(in_b & ~in_a)


def _column_sums(m: sparse.csr_matrix, weights: np.ndarray | None = None) -> np.ndarray:
    w = np.ones(m.shape[0]) if weights is None else weights.astype(float)
    return np.asarray(m.T @ w, dtype=float).ravel()


def _presence(m: sparse.csr_matrix) -> sparse.csr_matrix:
    return sparse.csr_matrix((np.ones(len(m.data)), m.indices, m.indptr), shape=m.shape)


def _stability(m_a: sparse.csr_matrix, m_b: sparse.csr_matrix, z: np.ndarray, columns: np.ndarray,
               bootstrap: int, seed: int, units: tuple[np.ndarray | None, np.ndarray | None]
               ) -> list[float | None]:
    """For each of ``columns``: the share of resamples in which its z keeps its sign and ``|z| >= 1.96``."""
    if not bootstrap or not len(columns) or not m_a.shape[0] or not m_b.shape[0]:
        return [None] * len(columns)
    rng = np.random.default_rng(seed)
    sign = np.sign(z[columns])
    hits = np.zeros(len(columns))
    for _ in range(bootstrap):
        wa = resample_weights(rng, m_a.shape[0], units[0])
        wb = resample_weights(rng, m_b.shape[0], units[1])
        ya, yb = _column_sums(m_a, wa), _column_sums(m_b, wb)
        _, zb = _log_odds(ya, yb, ya + yb, None)
        hits += (np.sign(zb[columns]) == sign) & (np.abs(zb[columns]) >= Z_DISTINCT)
    return list(hits / bootstrap)


def _context_ids(ids: Sequence[str], vocabulary: Sequence[str], m_a: sparse.csr_matrix, m_b: sparse.csr_matrix,
                 rows_a: np.ndarray, rows_b: np.ndarray, columns: Sequence[int], z: np.ndarray
                 ) -> dict[str, list[str]]:
    """For each term: the ids of the articles of the side it favours that use it most (ties by id)."""
    out: dict[str, list[str]] = {}
    sides = {1: (sparse.csc_matrix(m_a), rows_a), -1: (sparse.csc_matrix(m_b), rows_b)}
    for j in columns:
        matrix, rows = sides[1 if z[j] >= 0 else -1]
        lo, hi = matrix.indptr[j], matrix.indptr[j + 1]
        found = sorted(zip(-matrix.data[lo:hi], (ids[rows[r]] for r in matrix.indices[lo:hi])))
        out[vocabulary[j]] = [id_ for _, id_ in found[:CONTEXT_ARTICLES]]
    return out
