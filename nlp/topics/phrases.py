"""Topic names that read as phrases: the phrases most particular to each topic ("community wealth building,
public ownership") instead of a triple of single words ("blame, bill, payment").

Candidates are the corpus' own multi-word terms (its collocations and the phrase vocabulary, joined by ``_``
in the preprocessed terms) and the pairs of adjacent single-word terms that recur: at least :data:`MIN_COUNT` uses in
:data:`MIN_DOCS` documents, with a normalised pointwise mutual information of at least :data:`MIN_NPMI` (a
pair that occurs together far more often than its words' frequencies predict). Every word of a candidate
must be in the topic model's dictionary, and none may hold a digit (dates, codes, page furniture).

Each use of a candidate in document *d* is shared among the topics in proportion to
``theta[d, t] * prod(phi[t, w] for w in the candidate)`` — how much the topic weighs in the document times
how likely the topic makes each of the candidate's words — which gives every topic an expected count of
each candidate. The topic's phrases are its frequent candidates ranked by their expected uses in the topic
times the share of all their uses that fall in it (frequency times exclusivity, as FREX weighs the single
words of a label; on phrases, whose counts are small, FREX's ranks let a rare but exclusive phrase win), two
phrases that share a word never both kept.

The counts are taken on a seeded sample of at most :data:`SAMPLE_DOCS` documents, so naming costs the same
on any corpus.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import sparse

from nlp.documents import DocumentTerms

#: A pair of adjacent terms is a candidate with at least this many uses...
MIN_COUNT = 5
#: ...in at least this many documents...
MIN_DOCS = 3
#: ...and a normalised PMI at least this high (0: independent words; 1: they only ever occur together).
MIN_NPMI = 0.3
#: A topic's phrase must have at least this many expected uses in the topic.
MIN_EXPECTED = 2.0
#: Documents counted at most (a seeded sample beyond).
SAMPLE_DOCS = 5_000
#: The topic's most used candidates among which FREX chooses.
POOL = 25


def topic_phrases(docs: DocumentTerms, theta: np.ndarray, topic_word: np.ndarray, vocabulary: Sequence[str],
                  n: int = 3, seed: int = 0, sample: int = SAMPLE_DOCS) -> list[list[str]]:
    """Each topic's most particular phrases, as words ("public ownership"), best first.

    Parameters
    ----------
    docs : DocumentTerms
        The documents the shares ``theta`` are of (their terms after collocations).
    theta : ndarray (n_docs, K)
        Topic shares; NaN rows (documents the model could not place) are skipped.
    topic_word : ndarray (K, V)
        The topics' word distributions, columns in the order of ``vocabulary`` (the model's dictionary).
    n : int
        Phrases per topic, at most (fewer when a topic has no frequent phrase of its own).
    seed, sample
        The seeded sample of documents counted (at most ``sample``).

    Returns
    -------
    list of list of str
        Per topic, in topic order.
    """
    k = topic_word.shape[0]
    rows = np.flatnonzero(~np.isnan(theta[:, 0])) if len(theta) else np.zeros(0, dtype=np.int64)
    if len(rows) > sample:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=sample, replace=False))
    if not len(rows):
        return [[] for _ in range(k)]
    model_id = {w: i for i, w in enumerate(vocabulary) if not any(c.isdigit() for c in w)}  # no dates, codes
    to_model = np.array([model_id.get(w, -1) for w in docs.vocabulary], dtype=np.int64)
    single = np.array(["_" not in w for w in docs.vocabulary], dtype=bool)
    doc_of, first, second = _adjacent_pairs(docs, rows, np.where(single, to_model, -1))  # pairs of single words
    candidates, counts = _candidates(docs, rows, to_model, doc_of, first, second, len(vocabulary))
    if not candidates:
        return [[] for _ in range(k)]
    phi = topic_word / np.maximum(topic_word.sum(axis=1, keepdims=True), 1e-300)
    psi = np.ones((k, len(candidates)))  # how likely each topic makes each candidate's words
    for j, words in enumerate(candidates):
        for w in words:
            psi[:, j] *= phi[:, w]
    expected = _expected_counts(counts, theta[rows], psi)
    # uses in the topic times the share of the phrase's uses that fall in it: frequent and the topic's own
    score = expected * expected / np.maximum(expected.sum(axis=0, keepdims=True), 1e-300)
    return [_choose(expected[t], score[t], candidates, vocabulary, n) for t in range(k)]


def _adjacent_pairs(docs: DocumentTerms, rows: np.ndarray, to_model: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of adjacent terms within the documents ``rows`` (positions in ``rows``), both in the model."""
    doc_of, first, second = [], [], []
    for pos, i in enumerate(rows):
        tokens = to_model[docs.tokens[docs.offsets[i]:docs.offsets[i + 1]]]
        keep = (tokens[:-1] >= 0) & (tokens[1:] >= 0) & (tokens[:-1] != tokens[1:])
        first.append(tokens[:-1][keep])
        second.append(tokens[1:][keep])
        doc_of.append(np.full(int(keep.sum()), pos, dtype=np.int64))
    return (np.concatenate(doc_of), np.concatenate(first), np.concatenate(second))


def _candidates(docs: DocumentTerms, rows: np.ndarray, to_model: np.ndarray, doc_of: np.ndarray,
                first: np.ndarray, second: np.ndarray, v: int) -> tuple[list[tuple[int, ...]], sparse.csr_matrix]:
    """The candidates (as tuples of model word ids) and their counts per document (documents x candidates)."""
    # single terms that are phrases already (collocations, the phrase vocabulary)
    multi = [i for i, w in enumerate(docs.vocabulary) if "_" in w and to_model[i] >= 0]
    tokens = np.concatenate([docs.tokens[docs.offsets[i]:docs.offsets[i + 1]] for i in rows])
    lengths = np.array([docs.offsets[i + 1] - docs.offsets[i] for i in rows])
    token_doc = np.repeat(np.arange(len(rows)), lengths)
    is_multi = np.isin(tokens, multi)
    # adjacent pairs that recur and cohere (NPMI)
    key = first * v + second
    pair_keys, pair_counts = np.unique(key, return_counts=True)
    unigram = np.bincount(to_model[tokens][to_model[tokens] >= 0], minlength=v).astype(float)
    n_pairs, n_words = max(len(key), 1), max(unigram.sum(), 1.0)
    p_ab = pair_counts / n_pairs
    p_a, p_b = unigram[pair_keys // v] / n_words, unigram[pair_keys % v] / n_words
    with np.errstate(divide="ignore", invalid="ignore"):
        npmi = np.log(p_ab / (p_a * p_b)) / -np.log(p_ab)
    doc_pairs = np.unique(doc_of * (v * v) + key)  # (document, pair) once each
    pair_docs = np.unique(doc_pairs % (v * v), return_counts=True)
    docs_of_pair = dict(zip(pair_docs[0].tolist(), pair_docs[1].tolist()))
    good = [(int(kk), c) for kk, c, m in zip(pair_keys, pair_counts, npmi)
            if c >= MIN_COUNT and m >= MIN_NPMI and docs_of_pair.get(int(kk), 0) >= MIN_DOCS]
    candidates: list[tuple[int, ...]] = [(int(to_model[i]),) for i in multi]
    candidates += [(kk // v, kk % v) for kk, _ in good]
    # counts per document: multi-word terms from the tokens, pairs from the adjacent pairs
    col_of_multi = {i: j for j, i in enumerate(multi)}
    m_rows = token_doc[is_multi]
    m_cols = np.array([col_of_multi[t] for t in tokens[is_multi]], dtype=np.int64)
    col_of_pair = {kk: len(multi) + j for j, (kk, _) in enumerate(good)}
    in_good = np.isin(key, np.array([kk for kk, _ in good], dtype=np.int64))
    p_rows = doc_of[in_good]
    p_cols = np.array([col_of_pair[int(kk)] for kk in key[in_good]], dtype=np.int64)
    counts = sparse.csr_matrix((np.ones(len(m_rows) + len(p_rows)), (np.concatenate([m_rows, p_rows]),
                                np.concatenate([m_cols, p_cols]))), shape=(len(rows), len(candidates)))
    counts.sum_duplicates()
    return candidates, counts


def _expected_counts(counts: sparse.csr_matrix, theta: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """Topics x candidates: each document's uses of a candidate shared among topics by theta * psi."""
    coo = counts.tocoo()
    z = np.einsum("nk,kn->n", theta[coo.row], psi[:, coo.col])  # each use's normaliser
    weights = sparse.csr_matrix((coo.data / np.maximum(z, 1e-300), (coo.row, coo.col)), shape=counts.shape)
    return psi * np.asarray((weights.T @ theta).T)


def _choose(expected: np.ndarray, score: np.ndarray, candidates: list[tuple[int, ...]], vocabulary: Sequence[str],
            n: int) -> list[str]:
    """A topic's phrases: its frequent candidates (``expected`` uses) by ``score``, none sharing a word with one
    already chosen."""
    pool = [j for j in np.argsort(-expected, kind="stable")[:POOL] if expected[j] >= MIN_EXPECTED]
    chosen: list[str] = []
    used: set[str] = set()
    for j in sorted(pool, key=lambda j: (-score[j], j)):
        words = [part for w in candidates[j] for part in vocabulary[w].split("_")]
        if used & set(words):
            continue
        chosen.append(" ".join(words))
        used.update(words)
        if len(chosen) == n:
            break
    return chosen
