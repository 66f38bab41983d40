"""Input checks shared by the scaling estimators (one-line messages that name the fix)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from .errors import ScalingError


def as_counts(X, what: str = "X", min_docs: int = 1) -> sp.csr_matrix:
    """``X`` as a float64 CSR count matrix, checked: two-dimensional, finite, non-negative, enough rows."""
    if isinstance(X, (list, tuple)):
        X = np.asarray(X, dtype=np.float64)
    if not (sp.issparse(X) or isinstance(X, np.ndarray)):
        raise ScalingError(f"{what} must be a documents × words count matrix (scipy.sparse or numpy), "
                           f"not {type(X).__name__}; build one with nlp.scaling.word_matrix")
    if X.ndim != 2:
        raise ScalingError(f"{what} must be two-dimensional (documents × words), not {X.ndim}-dimensional; "
                           "pass one row per document")
    X = sp.csr_matrix(X, dtype=np.float64)
    X.sum_duplicates()
    if X.data.size and not np.all(np.isfinite(X.data)):
        raise ScalingError(f"{what} holds NaN or infinite counts; pass whole-number word counts")
    if X.data.size and X.data.min() < 0:
        raise ScalingError(f"{what} holds negative counts; pass word counts (0 or more)")
    if X.shape[0] < min_docs:
        noun = "document" if min_docs == 1 else "documents"
        raise ScalingError(f"{what} has {X.shape[0]} document(s); scaling needs at least {min_docs} {noun}: "
                           "select more documents")
    return X


def doc_label(i: int, ids: Sequence[str] | None) -> str:
    """How a message names document ``i``: its id where known, else its row number."""
    if ids is not None and i < len(ids):
        return f"document {ids[i]!r} (row {i})"
    return f"document at row {i}"


def check_no_empty_docs(X: sp.csr_matrix, ids: Sequence[str] | None, what: str = "X") -> np.ndarray:
    """Row sums of ``X``; raises naming the first document with no words."""
    rows = np.asarray(X.sum(axis=1)).ravel()
    empty = np.flatnonzero(rows <= 0)
    if empty.size:
        more = f" and {empty.size - 1} more" if empty.size > 1 else ""
        raise ScalingError(f"{doc_label(int(empty[0]), ids)}{more} in {what} has no words; "
                           "drop empty documents before scaling")
    return rows


def check_ids(ids: Sequence[str] | None, n: int, what: str = "ids") -> list[str] | None:
    """``ids`` as a list of strings of length ``n`` (or None)."""
    if ids is None:
        return None
    ids = [str(i) for i in ids]
    if len(ids) != n:
        raise ScalingError(f"{what} has {len(ids)} entries for {n} documents; pass one id per row")
    return ids


def check_feature_names(names: Sequence[str] | None, n: int) -> list[str] | None:
    """``feature_names`` as a list of strings of length ``n`` (or None)."""
    if names is None:
        return None
    names = [str(t) for t in names]
    if len(names) != n:
        raise ScalingError(f"feature_names has {len(names)} entries for {n} columns; pass the names "
                           "word_matrix returned with the matrix")
    return names
