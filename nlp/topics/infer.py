"""Topic shares of documents from a fitted LDA model's arrays: the inference step, runnable in any process.

A fitted model is, for inference, two arrays: the document-topic prior ``alpha`` (K,) and
``exp_elog_beta`` (K, V), the exponentiated expected log topic-word weights. :func:`infer_shares` runs
gensim's variational inference (``LdaModel.inference``: the same updates, the same stopping rule) on a
chunk of bag-of-words documents with those arrays alone, so chunks can be inferred on Dask workers
(:mod:`nlp.parallel`) or by a model fitted on a sample and applied to every document.

Inference starts each document from random Gamma draws. :func:`infer_chunk` draws them from a generator
derived from the seed and the chunk's index (:func:`nlp.parallel.chunk_rng`), so a document's shares depend
on the seed and the chunk it is in, never on which process ran the chunk or in which order.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from nlp.parallel import chunk_rng

__all__ = ["infer_shares", "infer_chunk"]

Bow = Sequence[tuple[int, float]]


def infer_shares(alpha: np.ndarray, exp_elog_beta: np.ndarray, bows: Sequence[Bow], random_state: Any,
                 iterations: int = 50, gamma_threshold: float = 0.001) -> np.ndarray:
    """Topic shares of a chunk of bag-of-words documents (each row sums to 1).

    Parameters
    ----------
    alpha : array (K,)
        The model's document-topic prior (gensim ``LdaModel.alpha``).
    exp_elog_beta : array (K, V)
        ``exp(E[log beta])`` (gensim ``LdaModel.expElogbeta``); its dtype is the computation's.
    bows : sequence of list of (term id, count)
        The documents, as gensim bags of words.
    random_state : numpy.random.Generator or numpy.random.RandomState
        Draws the starting values (``gamma(100, 1/100)`` per document and topic, as gensim does).
    iterations : int
        Most updates per document (gensim ``LdaModel.iterations``).
    gamma_threshold : float
        A document stops when its mean absolute change falls below this.

    Returns
    -------
    array (len(bows), K)
    """
    from gensim.matutils import dirichlet_expectation, mean_absolute_difference

    dtype = exp_elog_beta.dtype
    k = exp_elog_beta.shape[0]
    alpha = np.asarray(alpha, dtype=dtype)
    gamma = random_state.gamma(100.0, 1.0 / 100.0, (len(bows), k)).astype(dtype, copy=False)
    eps = np.finfo(dtype).eps
    for d, doc in enumerate(bows):
        ids = [int(i) for i, _ in doc]
        cts = np.fromiter((c for _, c in doc), dtype=dtype, count=len(doc))
        gammad = gamma[d, :]
        exp_elog_thetad = np.exp(dirichlet_expectation(gammad))
        exp_elog_betad = exp_elog_beta[:, ids]
        phinorm = np.dot(exp_elog_thetad, exp_elog_betad) + eps
        for _ in range(iterations):
            last = gammad
            # Lee & Seung's trick (as in gensim): phi stays implicit in the gamma update.
            gammad = alpha + exp_elog_thetad * np.dot(cts / phinorm, exp_elog_betad.T)
            exp_elog_thetad = np.exp(dirichlet_expectation(gammad))
            phinorm = np.dot(exp_elog_thetad, exp_elog_betad) + eps
            if mean_absolute_difference(gammad, last) < gamma_threshold:
                break
        gamma[d, :] = gammad
    return gamma / gamma.sum(axis=1, keepdims=True)


def infer_chunk(alpha: np.ndarray, exp_elog_beta: np.ndarray, seed: int, iterations: int, gamma_threshold: float,
                chunk: tuple[int, Sequence[Bow]]) -> np.ndarray:
    """:func:`infer_shares` of ``chunk = (index, bows)`` with the chunk's own generator (a pure task).

    Parameters
    ----------
    alpha, exp_elog_beta, iterations, gamma_threshold
        As for :func:`infer_shares`.
    seed : int
        The model's ``random_state``.
    chunk : (int, sequence of bag of words)

    Returns
    -------
    array (len(bows), K)
    """
    index, bows = chunk
    return infer_shares(alpha, exp_elog_beta, bows, chunk_rng(seed, index), iterations, gamma_threshold)
