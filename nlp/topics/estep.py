"""gensim's LDA E-step computed a block of documents at a time: the same fits, at a quarter of the CPU.

gensim's ``LdaModel.inference`` updates one document at a time: for each, up to ``iterations`` rounds of
``gamma = alpha + exp(E[log theta]) * ((counts / phinorm) @ exp(E[log beta])[:, ids].T)`` until the mean
absolute change of its ``gamma`` falls below ``gamma_threshold``. On documents of a few hundred distinct terms
and K = 10 each round is two small matrix-vector products and half a dozen numpy calls on arrays of K numbers, so
most of the time goes to calling numpy, not to arithmetic (about 80 rounds per document and pass on the UK
manifestos).

:func:`blocked_estep` makes the same rounds for a block of documents of similar length at once (documents
sorted by their number of distinct terms, padded to the longest of the block, each block about
:data:`BLOCK_CELLS` cells so its slice of ``exp(E[log beta])`` stays in the processor's cache): every document
starts from the ``gamma`` gensim draws for it, is updated by the same formula and leaves the block when its own
change falls below the threshold, as gensim's loop breaks. The sufficient statistics are gensim's: each document's last
``exp(E[log theta])`` times ``counts / phinorm``, summed over documents. What differs is the order of
floating-point sums (float32, as gensim): on the manifestos, K = 10, 10 passes, the topic-term weights of a
:class:`BlockedLdaModel` fit are within 1e-6 of gensim's ``LdaModel`` with the same seed and the stability
scores within 2e-6 (``tests/nlp/topics/test_estep.py``; docs/benchmarks.md, "The topic stage against plain
gensim"), at 0.9-1.1 s of CPU against 3.4-3.8 s.

:class:`BlockedLdaModel` is gensim's ``LdaModel`` with this E-step, fitted on a CSR matrix of counts: same
initialisation, same random draws, same online updates (``rho``, ``alpha="auto"``, ``eta``), only ``inference``
replaced. The topic stage fits its stability seeds with it (:mod:`nlp.topics.stability`); the run's own model
stays a plain ``LdaModel``.
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np
from gensim.matutils import dirichlet_expectation
from gensim.models import LdaModel
from scipy import sparse

__all__ = ["BLOCK_CELLS", "blocked_estep", "BlockedLdaModel"]

#: Padded (document, term) cells per block: the block's slice of ``exp(E[log beta])`` is K x this float32s
#: (640 KB at K = 10). CPU of a fit against gensim's LdaModel (K = 10, 10 passes), manifestos / 2,800 synthetic
#: articles: 1,024 cells 1.14x / 0.60x, 4,096 0.41x / 0.32x, 16,384 0.28x / 0.23x, 65,536 0.41x / 0.26x.
BLOCK_CELLS = 16_384


def blocked_estep(rows: Any, exp_elog_beta: np.ndarray, alpha: np.ndarray, gamma: np.ndarray, iterations: int,
                  threshold: float, collect_sstats: bool = True, block_cells: int = BLOCK_CELLS
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """gensim's ``LdaModel.inference`` on a chunk of documents, a block of documents at a time.

    Parameters
    ----------
    rows : scipy.sparse matrix, shape (n, V)
        The chunk's term counts.
    exp_elog_beta : ndarray, shape (K, V)
        The model's ``expElogbeta``; its dtype is the computation's (gensim: float32).
    alpha : ndarray, shape (K,)
    gamma : ndarray, shape (n, K)
        Each document's starting ``gamma`` (gensim draws it from Gamma(100, 1/100)).
    iterations : int
        Most rounds per document.
    threshold : float
        A document is done when the mean absolute change of its ``gamma`` in a round is below this.
    collect_sstats : bool
        Also return the sufficient statistics for the M-step.
    block_cells : int
        Padded cells per block.

    Returns
    -------
    (gamma, sstats)
        ``gamma`` (n, K); ``sstats`` (K, V), or None without ``collect_sstats`` — as gensim returns them.
    """
    dtype = exp_elog_beta.dtype
    rows = sparse.csr_matrix(rows)
    if not rows.has_sorted_indices:  # the order of a row's terms is the order of its sums: fix it
        rows = rows.copy()
        rows.sort_indices()
    n, k = rows.shape[0], exp_elog_beta.shape[0]
    gamma = np.array(gamma, dtype=dtype, copy=True).reshape(n, k)
    exp_theta = np.empty((n, k), dtype=dtype)
    weights = np.zeros(rows.nnz, dtype=dtype)  # counts / phinorm of each cell, at its document's last round
    eps = np.finfo(dtype).eps
    alpha = np.asarray(alpha, dtype=dtype)
    beta_t = np.ascontiguousarray(exp_elog_beta.T)
    lengths = np.diff(rows.indptr)
    order = np.argsort(lengths, kind="stable")  # documents of similar length share a block: little padding
    for docs in _blocks(order, lengths[order], block_cells):
        width = max(int(lengths[docs[-1]]), 1)
        valid = np.arange(width)[None, :] < lengths[docs][:, None]
        cells = (rows.indptr[docs][:, None] + np.arange(width)[None, :])[valid]
        ids = np.zeros((len(docs), width), dtype=np.int64)
        counts = np.zeros((len(docs), width), dtype=dtype)
        ids[valid], counts[valid] = rows.indices[cells], rows.data[cells]
        beta = np.ascontiguousarray(beta_t[ids].transpose(0, 2, 1))  # (documents, K, width)
        g, e, w = _rounds(beta, counts, gamma[docs], alpha, iterations, threshold, eps)
        gamma[docs], exp_theta[docs], weights[cells] = g, e, w[valid]
    if not collect_sstats:
        return gamma, None
    # sstats[k, w] = sum over documents d of exp_theta[d, k] * counts[d, w] / phinorm[d, w], times exp_elog_beta
    w_rows = sparse.csr_matrix((weights, rows.indices, rows.indptr), shape=rows.shape)
    sstats = np.asarray((w_rows.T @ exp_theta).T, dtype=dtype)
    sstats *= exp_elog_beta
    return gamma, sstats


def _blocks(order: np.ndarray, sorted_lengths: np.ndarray, block_cells: int) -> Iterator[np.ndarray]:
    """Consecutive runs of ``order`` (documents by ascending length) of at most ``block_cells`` padded cells
    (at least one document each)."""
    start, n = 0, len(order)
    while start < n:
        end = start + 1
        while end < n and int(sorted_lengths[end]) * (end + 1 - start) <= block_cells:
            end += 1
        yield order[start:end]
        start = end


def _rounds(beta: np.ndarray, counts: np.ndarray, gamma: np.ndarray, alpha: np.ndarray, iterations: int,
            threshold: float, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One block's documents updated round by round, each until its own change is below ``threshold``:
    ``(gamma, exp(E[log theta]), counts / phinorm)`` at each document's last round."""
    out_gamma, out_theta, out_weights = np.empty_like(gamma), np.empty_like(gamma), np.empty_like(counts)
    live = np.arange(len(gamma))
    exp_theta = np.exp(dirichlet_expectation(gamma))
    phinorm = np.matmul(exp_theta[:, None, :], beta)[:, 0, :] + eps
    for _ in range(max(0, int(iterations))):
        new = alpha + exp_theta * np.matmul(beta, (counts / phinorm)[:, :, None])[:, :, 0]
        exp_theta = np.exp(dirichlet_expectation(new))
        phinorm = np.matmul(exp_theta[:, None, :], beta)[:, 0, :] + eps
        done = np.abs(new - gamma).mean(axis=1) < threshold
        gamma = new
        if done.any():
            at = live[done]
            out_gamma[at], out_theta[at], out_weights[at] = gamma[done], exp_theta[done], counts[done] / phinorm[done]
            keep = ~done
            if not keep.any():
                return out_gamma, out_theta, out_weights
            live, beta, counts, gamma, exp_theta, phinorm = (a[keep] for a in (live, beta, counts, gamma,
                                                                                exp_theta, phinorm))
    out_gamma[live], out_theta[live], out_weights[live] = gamma, exp_theta, counts / phinorm
    return out_gamma, out_theta, out_weights


class _RowNumbers:
    """The corpus :class:`BlockedLdaModel` hands gensim's ``update``: the row numbers of its matrix (gensim only
    counts and chunks the corpus; ``inference`` reads the rows)."""

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.n))


class BlockedLdaModel(LdaModel):
    """gensim's ``LdaModel`` fitted on a CSR matrix of counts, its E-step a block of documents at a time
    (:func:`blocked_estep`); everything else is gensim's.

    Parameters
    ----------
    rows : scipy.sparse matrix, shape (n_docs, n_terms)
        The corpus, one row per document (at most ``id2word``'s terms as columns).
    **kwargs
        ``LdaModel`` parameters other than ``corpus`` (``distributed`` is not supported).
    """

    def __init__(self, rows: Any, **kwargs: Any):
        if kwargs.pop("corpus", None) is not None or kwargs.get("distributed"):
            raise ValueError("BlockedLdaModel fits the rows it is given, in one process")
        self._rows = None
        super().__init__(corpus=None, **kwargs)
        rows = sparse.csr_matrix(rows, dtype=np.float64)
        if rows.shape[1] > self.num_terms:
            raise ValueError(f"the rows have {rows.shape[1]} terms, the dictionary {self.num_terms}")
        rows.resize((rows.shape[0], self.num_terms))
        rows.sort_indices()
        self._rows = rows
        try:
            if rows.shape[0]:
                self.update(_RowNumbers(rows.shape[0]))  # as LdaModel(corpus) trains in __init__
        finally:
            self._rows = None  # the fitted model does not carry its corpus

    def inference(self, chunk, collect_sstats=False):
        chunk = list(chunk)
        if chunk and self._rows is not None and isinstance(chunk[0], (int, np.integer)):
            rows = self._rows[np.asarray(chunk, dtype=np.int64)]
        else:  # bags of words, as gensim's own callers give them
            from nlp.topics.infer import bows_matrix

            rows = bows_matrix(chunk, self.num_terms)
        gamma = self.random_state.gamma(100., 1. / 100., (len(chunk), self.num_topics)).astype(self.dtype, copy=False)
        return blocked_estep(rows, self.expElogbeta, self.alpha, gamma, self.iterations, self.gamma_threshold,
                             collect_sstats)
