"""Topic shares of documents from a fitted LDA model, chunk by chunk, as pure functions of arrays.

:func:`infer_shares` is LDA's variational E-step (Blei, Ng & Jordan 2003; gensim's ``LdaModel.inference``)
on a chunk of bags of words, vectorised over the chunk: each document's ``gamma`` is updated until its mean
absolute change falls below ``threshold`` (then it is frozen) or ``iterations`` are spent. It reads only its
arguments — the model's arrays (:func:`model_arrays`) and a CSR chunk — and each row's result depends on that
row alone, so the shares do not depend on how the documents are cut into chunks, nor on where a chunk runs (a
process, a Dask task). ``gamma`` starts at 1 for every topic (gensim draws it at random around 1), so the
result is the same on every run.

:func:`iter_shares` walks a whole bag-of-words matrix in chunks of bounded size (:func:`chunk_bounds`);
:func:`infer_chunk` is the same work as one pure task, for :meth:`~nlp.topics.model.TopicModel.transform` to run
in this process or on Dask workers (:mod:`nlp.parallel`) with the same result.
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np
from scipy import sparse
from scipy.special import psi

__all__ = ["model_arrays", "infer_shares", "infer_chunk", "bows_matrix", "chunk_bounds", "iter_shares", "CHUNK_NNZ",
           "GAMMA_THRESHOLD"]

#: Stop a document's updates when the mean absolute change of its gamma is below this (gensim's default).
GAMMA_THRESHOLD = 1e-3
#: Nonzero (document, term) cells per chunk: bounds the (cells x K) working arrays of :func:`infer_shares`.
CHUNK_NNZ = 200_000


def model_arrays(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(exp_elog_beta, alpha)`` of a fitted gensim ``LdaModel`` (or a :class:`~nlp.topics.model.TopicModel`),
    as float64 arrays of shape (K, V) and (K,): what :func:`infer_shares` needs."""
    lda = getattr(model, "model_", model)
    lam = np.asarray(lda.state.get_lambda(), dtype=np.float64)
    return exp_dirichlet_expectation(lam), np.asarray(lda.alpha, dtype=np.float64)


def exp_dirichlet_expectation(lam: np.ndarray) -> np.ndarray:
    """``exp(E[log beta])`` for topic-term variational parameters ``lam`` (K, V): each row's
    ``exp(psi(lam) - psi(lam.sum()))``."""
    lam = np.asarray(lam, dtype=np.float64)
    return np.exp(psi(lam) - psi(lam.sum(axis=1, keepdims=True)))


def infer_shares(bows: sparse.csr_matrix, exp_elog_beta: np.ndarray, alpha: np.ndarray, iterations: int = 100,
                 threshold: float = GAMMA_THRESHOLD) -> np.ndarray:
    """Topic shares of a chunk of documents (rows sum to 1).

    Parameters
    ----------
    bows : scipy.sparse.csr_matrix, shape (n, V)
        Term counts of the chunk's documents over the model's vocabulary.
    exp_elog_beta : ndarray, shape (K, V)
        ``exp(E[log beta])`` of the fitted model (:func:`model_arrays`).
    alpha : ndarray, shape (K,)
        The model's document-topic prior.
    iterations : int
        Most updates per document.
    threshold : float
        A document is done when the mean absolute change of its ``gamma`` falls below this.

    Returns
    -------
    ndarray, shape (n, K)
        Each document's expected topic shares ``gamma / gamma.sum()`` (a document with no term gets the
        prior's shares).
    """
    bows = sparse.csr_matrix(bows)
    n, k = bows.shape[0], exp_elog_beta.shape[0]
    if bows.shape[1] != exp_elog_beta.shape[1]:
        raise ValueError(f"the documents have {bows.shape[1]} terms, the model {exp_elog_beta.shape[1]}")
    alpha = np.asarray(alpha, dtype=np.float64)
    gamma = np.ones((n, k))
    if n == 0:
        return gamma
    eps = np.finfo(np.float64).eps
    # `todo`: documents whose cells are in the working arrays; `live`: those of them still changing (a finished
    # one stays frozen there until a quarter have finished, when the arrays are rebuilt without them).
    todo = np.arange(n)
    live = np.ones(n, dtype=bool)
    part, beta, rows, counts = _cells(bows, todo, exp_elog_beta)
    for _ in range(max(1, int(iterations))):
        g = gamma[todo]
        exp_elog_theta = np.exp(psi(g) - psi(g.sum(axis=1, keepdims=True)))
        phinorm = np.einsum("ck,ck->c", exp_elog_theta[rows], beta) + eps
        weights = sparse.csr_matrix((counts / phinorm, np.arange(len(rows)), part.indptr),
                                    shape=(len(todo), len(rows)))
        new = alpha + exp_elog_theta * (weights @ beta)
        gamma[todo[live]] = new[live]
        live &= np.abs(new - g).mean(axis=1) >= threshold
        if not live.any():
            break
        if live.sum() < 0.75 * len(todo):
            todo = todo[live]
            live = np.ones(len(todo), dtype=bool)
            part, beta, rows, counts = _cells(bows, todo, exp_elog_beta)
    return gamma / gamma.sum(axis=1, keepdims=True)


def _cells(bows: sparse.csr_matrix, todo: np.ndarray, exp_elog_beta: np.ndarray):
    """The rows ``todo`` of ``bows``, and per nonzero cell its term's column of ``exp_elog_beta`` (cells x K),
    its row in the part and its count."""
    part = bows[todo]
    rows = np.repeat(np.arange(len(todo)), np.diff(part.indptr))
    return part, exp_elog_beta[:, part.indices].T, rows, part.data.astype(np.float64)


def chunk_bounds(bows: sparse.csr_matrix, max_nnz: int = CHUNK_NNZ) -> list[tuple[int, int]]:
    """Row ranges ``(start, end)`` covering ``bows``, each with at most about ``max_nnz`` nonzero cells (and at
    least one row)."""
    bounds, start = [], 0
    n = bows.shape[0]
    while start < n:
        end = int(np.searchsorted(bows.indptr, bows.indptr[start] + max_nnz, side="right")) - 1
        end = min(max(end, start + 1), n)
        bounds.append((start, end))
        start = end
    return bounds


def iter_shares(bows: sparse.csr_matrix, exp_elog_beta: np.ndarray, alpha: np.ndarray, iterations: int = 100,
                max_nnz: int = CHUNK_NNZ, executor: Any = None) -> Iterator[np.ndarray]:
    """:func:`infer_shares` over ``bows`` chunk by chunk (:func:`chunk_bounds`): one (rows, K) array per chunk,
    in order; with ``executor`` (:mod:`nlp.parallel`) the chunks are its tasks, with the same result."""
    if executor is None:
        for start, end in chunk_bounds(bows, max_nnz):
            yield infer_shares(bows[start:end], exp_elog_beta, alpha, iterations)
        return
    import functools

    work = functools.partial(infer_chunk, exp_elog_beta, alpha, iterations)
    chunks = ((i, bows[start:end]) for i, (start, end) in enumerate(chunk_bounds(bows, max_nnz)))
    for _, shares in executor.map_chunks(work, chunks, ordered=True):
        yield shares


def infer_chunk(exp_elog_beta: np.ndarray, alpha: np.ndarray, iterations: int, bows: sparse.csr_matrix) -> np.ndarray:
    """:func:`infer_shares` with the model's arrays first: a pure task over one chunk (``functools.partial``
    binds the arrays, the executor passes the chunk)."""
    return infer_shares(bows, exp_elog_beta, alpha, iterations)


def bows_matrix(bows: Any, n_terms: int) -> sparse.csr_matrix:
    """gensim bags of words (lists of ``(term id, count)``) as a CSR matrix of ``n_terms`` columns."""
    lengths = [len(b) for b in bows]
    cols = np.fromiter((int(t) for b in bows for t, _ in b), dtype=np.int64, count=sum(lengths))
    data = np.fromiter((float(c) for b in bows for _, c in b), dtype=np.float64, count=sum(lengths))
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return sparse.csr_matrix((data, cols, indptr), shape=(len(lengths), n_terms))
