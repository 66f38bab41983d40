"""The tendency classifier's estimator: one place for the pieces that training and model loading share.

A plain scikit-learn :class:`~sklearn.pipeline.Pipeline`: TF-IDF over lists of preprocessed terms, then
class-balanced logistic regression. :func:`make_pipeline` builds it for fitting; :func:`rebuild_pipeline`
puts a saved one back together from its arrays (see :mod:`nlp.tendencies.model_files`).
"""
from __future__ import annotations

import numbers
from typing import Any, Mapping, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

DEFAULT_PARAMS: dict[str, Any] = {"C": 10.0, "min_df": 2, "max_df": 1.0, "sublinear_tf": True, "max_iter": 2000}


def terms_analyzer(doc: Sequence[str]) -> Sequence[str]:
    """The TF-IDF analyzer: documents are already lists of preprocessed terms."""
    return doc


def make_pipeline(seed: int = 0, **params: Any) -> Pipeline:
    """TF-IDF over term lists + class-balanced logistic regression, seeded.

    Parameters
    ----------
    seed : int
        ``random_state`` of the logistic regression (the one source of randomness).
    **params
        Override :data:`DEFAULT_PARAMS` (``C``, ``min_df``, ``max_df``, ``sublinear_tf``, ``max_iter``).
    """
    p = {**DEFAULT_PARAMS, **params}
    return Pipeline([
        ("tfidf", TfidfVectorizer(analyzer=terms_analyzer, min_df=p["min_df"], max_df=p["max_df"],
                                  sublinear_tf=p["sublinear_tf"])),
        ("clf", make_classifier(seed, **params)),
    ])


def make_classifier(seed: int = 0, **params: Any) -> LogisticRegression:
    """The class-balanced logistic regression of :func:`make_pipeline`, on its own (for count matrices)."""
    p = {**DEFAULT_PARAMS, **params}
    return LogisticRegression(C=p["C"], class_weight="balanced", max_iter=p["max_iter"], random_state=seed)


def document_frequency_columns(counts: sparse.csr_matrix, **params: Any) -> np.ndarray:
    """The columns of a document-term count matrix kept by ``min_df`` / ``max_df`` (as TfidfVectorizer reads
    them: an int is a number of documents, a float a share of them); never a column no document uses."""
    p = {**DEFAULT_PARAMS, **params}
    counts = sparse.csr_matrix(counts)
    n = counts.shape[0]
    df = np.bincount(counts.indices[counts.data != 0], minlength=counts.shape[1])
    low = p["min_df"] if isinstance(p["min_df"], numbers.Integral) else p["min_df"] * n
    high = p["max_df"] if isinstance(p["max_df"], numbers.Integral) else p["max_df"] * n
    return np.flatnonzero((df >= max(low, 1)) & (df <= high))


def tfidf_rows(train: sparse.csr_matrix, test: sparse.csr_matrix | None = None,
               **params: Any) -> tuple[sparse.csr_matrix, sparse.csr_matrix | None, np.ndarray]:
    """TF-IDF of count rows, the idf learnt on ``train`` only (no leakage into ``test``).

    The same weighting as :func:`make_pipeline`'s vectorizer, on a count matrix built once for the whole
    selection: columns are pruned by the training rows' document frequencies
    (:func:`document_frequency_columns`), then sublinear tf, smoothed idf and l2 norm.

    Returns
    -------
    train_tfidf, test_tfidf, columns
        ``columns`` are the kept columns of the count matrix.
    """
    p = {**DEFAULT_PARAMS, **params}
    columns = document_frequency_columns(train, **params)
    transformer = TfidfTransformer(sublinear_tf=p["sublinear_tf"]).fit(train[:, columns])
    return (transformer.transform(train[:, columns]),
            transformer.transform(test[:, columns]) if test is not None else None, columns)


def rebuild_pipeline(vocabulary: Sequence[str], idf: np.ndarray, classes: Sequence[str], coef: np.ndarray,
                     intercept: np.ndarray, vectorizer: Mapping[str, Any] | None = None) -> Pipeline:
    """A fitted pipeline from its learnt arrays (the inverse of what ``save_model`` writes)."""
    v = vectorizer or {}
    tfidf = TfidfVectorizer(analyzer=terms_analyzer, vocabulary={t: i for i, t in enumerate(vocabulary)},
                            sublinear_tf=bool(v.get("sublinear_tf", True)), norm=v.get("norm", "l2"),
                            smooth_idf=bool(v.get("smooth_idf", True)))
    tfidf.idf_ = idf
    clf = LogisticRegression(class_weight="balanced")
    clf.classes_ = np.asarray(classes, dtype=object)
    clf.coef_, clf.intercept_ = coef, intercept
    clf.n_features_in_ = len(vocabulary)
    return Pipeline([("tfidf", tfidf), ("clf", clf)])


def fit_counts(counts: sparse.spmatrix, labels: Sequence[str], vocabulary: Sequence[str], seed: int = 0,
               rows: Sequence[int] | np.ndarray | None = None, **params: Any) -> Pipeline:
    """:func:`make_pipeline` fitted on a document-term count matrix instead of term lists.

    The same features in the same order (the columns ``min_df`` / ``max_df`` keep, ordered by term as
    ``TfidfVectorizer`` orders them), the same TF-IDF weights and the same seeded logistic regression, so the
    pipeline predicts what one fitted on the documents' terms predicts; but no term list is built, so the
    working memory is a copy of the matrix, not the corpus as Python strings. ``rows``: the rows of
    ``counts`` the labels belong to (default all).
    """
    p = {**DEFAULT_PARAMS, **params}
    counts = sparse.csr_matrix(counts)
    if rows is not None:
        counts = counts[np.asarray(rows, dtype=np.int64)]
    columns = document_frequency_columns(counts, **params)
    terms = np.asarray(vocabulary, dtype=object)[columns]
    order = np.argsort(terms, kind="stable")
    x = counts[:, columns[order]]
    del counts  # the row copy (when rows were given) is freed before the float matrix is made
    x.sort_indices()
    transformer = TfidfTransformer(sublinear_tf=p["sublinear_tf"]).fit(x)
    x = _tfidf_in_place(x, transformer)
    clf = make_classifier(seed, **params).fit(x, list(labels))
    pipeline = rebuild_pipeline([str(t) for t in terms[order]], transformer.idf_, clf.classes_, clf.coef_,
                                clf.intercept_, {"sublinear_tf": p["sublinear_tf"], "norm": transformer.norm,
                                                 "smooth_idf": transformer.smooth_idf})
    pipeline.steps[-1] = ("clf", clf)  # the fitted estimator itself, with its parameters
    return pipeline


#: Stored cells weighted at a time by :func:`_tfidf_in_place`.
_TFIDF_BLOCK = 1 << 20


def _tfidf_in_place(counts: sparse.csr_matrix, transformer: TfidfTransformer) -> sparse.csr_matrix:
    """``transformer.transform(counts)`` with one float copy of the counts' values and nothing else of
    their size: the float values share the counts' column indices and row pointers, and are weighted (tf,
    idf) and l2-normalised a block of whole rows at a time."""
    if transformer.norm not in ("l2", None):
        raise ValueError(f"norm {transformer.norm!r}: only l2 (TfidfVectorizer's default) or none")
    indptr = counts.indptr
    data = counts.data.astype(np.float64)
    x = sparse.csr_matrix((data, counts.indices, indptr), shape=counts.shape, copy=False)
    del counts
    idf, first = transformer.idf_, 0
    while first < x.shape[0]:
        last = max(first + 1, int(np.searchsorted(indptr, indptr[first] + _TFIDF_BLOCK, side="right")) - 1)
        last = min(last, x.shape[0])
        lo, hi = indptr[first], indptr[last]
        block = data[lo:hi]  # a view: weighted in place
        if transformer.sublinear_tf:
            np.log(block, out=block)
            block += 1.0
        block *= idf[x.indices[lo:hi]]
        if transformer.norm == "l2":
            lengths = np.diff(indptr[first:last + 1])
            rows = np.repeat(np.arange(last - first), lengths)
            norms = np.sqrt(np.bincount(rows, weights=block * block, minlength=last - first))
            norms[norms == 0] = 1.0
            block /= norms[rows]
        first = last
    return x
