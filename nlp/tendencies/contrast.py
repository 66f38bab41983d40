"""Which words set one group of articles apart from another.

The statistic is the weighted log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi and
Quinn (2008, "Fightin' Words", *Political Analysis* 16(4)). For a term *w* used ``y_a`` times in group A
(``n_a`` terms in all) and ``y_b`` times in group B, with prior pseudo-counts ``alpha_w`` summing to
``alpha_0``::

    delta_w = log((y_a + alpha_w) / (n_a + alpha_0 - y_a - alpha_w))
            - log((y_b + alpha_w) / (n_b + alpha_0 - y_b - alpha_w))
    var_w  ~= 1 / (y_a + alpha_w) + 1 / (y_b + alpha_w)
    z_w     = delta_w / sqrt(var_w)

The prior is informative: ``alpha_w = alpha_0 * pi_w`` with ``pi_w`` the term's share of the whole selection
(both groups, or a background corpus) and, by default, ``alpha_0`` a tenth of the two groups' terms, so rare
words are shrunk towards "no difference" and frequent words are not over-rewarded the way raw log-odds or
frequency differences are. ``z > 0`` favours A, ``z < 0`` B; ``|z| > 1.96`` is the usual
two-sided 5% threshold, not corrected for the many terms tested.

Terms are the preprocessed terms (multi-word names such as ``soft_left`` are one term); ``ngrams=2`` adds
pairs of adjacent terms ("public ownership") as phrases.

A signature term must be *real*, not one author's habit: it must occur in at least ``min_docs`` documents of
the side it favours (a word repeated forty times in one pamphlet is not a signature of its side), and its
**stability** is reported: the share of ``bootstrap`` resamples of each side's documents (with
replacement, seeded; near-duplicates are drawn together, as one cluster) in which it stays in that side's
top list. ``docs_a`` / ``n_docs`` count articles, copies included. ``mask`` drops self-names
(:func:`nlp.tendencies.masking.self_names`) before anything is counted, and the outlet markers
(:mod:`nlp.text.markers`) are left out unless ``keep_markers``.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from scipy import sparse

from nlp.copies import copy_units, resample_weights
from nlp.design import PairDesign, documents_pair_design, pair_design, side_masks
from nlp.documents import (
    DocumentTerms, EmptySelectionError, GroupError, check_groups, group_matches,
)
from nlp.tendencies.stratified import StrataCounts, pooled_log_odds
from nlp.text.markers import without_markers

log = logging.getLogger(__name__)

REST = "rest"
#: Default strength of the prior, as a share of the terms of the two groups (see :func:`weighted_log_odds`).
PRIOR_SHARE = 0.1
#: A signature term occurs in at least this many documents of its side.
MIN_DOCS = 3
#: Bootstrap resamples for the stability of the signature terms.
BOOTSTRAP = 50


@dataclass
class TermScore:
    """One term's score in a contrast.

    ``n_docs`` is the number of documents of the side the term favours that use it; ``stability`` the share
    of bootstrap resamples in which it stays in that side's top list (None without a bootstrap); ``q``
    Cochran's Q of a contrast pooled within outlets (:mod:`nlp.tendencies.stratified`; None otherwise).
    """

    term: str
    z: float
    count_a: int
    count_b: int
    delta: float = 0.0
    n_docs: int = 0
    stability: float | None = None
    q: float | None = None


@dataclass
class ContrastResult:
    """The outcome of :func:`contrast`: each side's most distinctive terms, strongest first.

    ``design`` is the comparison's design (:class:`nlp.design.PairDesign`: outlets per side, within or
    across outlets) and ``caveats`` the sentences a reader must see beside the terms.
    """

    a: str
    b: str
    field: str
    terms_a: list[TermScore]
    terms_b: list[TermScore]
    docs_a: int = 0
    docs_b: int = 0
    total_a: int = 0
    total_b: int = 0
    overlap: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    design: dict[str, Any] = field(default_factory=dict)
    caveats: list[str] = field(default_factory=list)
    #: The selection's outlet markers (:meth:`nlp.text.markers.OutletMarkers.to_dict`), left out or kept; None
    #: for a contrast of plain term lists (they know no outlets).
    outlet_markers: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``contrast --json`` (CLI.md) plus sizes, parameters, design and caveats."""
        def rows(scores: list[TermScore]) -> list[dict[str, Any]]:
            return [{"term": s.term, "z": round(s.z, 4), "count_a": s.count_a, "count_b": s.count_b,
                     "log_odds": round(s.delta, 4), "n_docs": s.n_docs, "stability": s.stability,
                     **({"q": s.q} if s.q is not None else {})} for s in scores]
        return {
            "a": self.a, "b": self.b, "field": self.field,
            "terms_a": rows(self.terms_a), "terms_b": rows(self.terms_b),
            "docs_a": self.docs_a, "docs_b": self.docs_b, "terms_total_a": self.total_a,
            "terms_total_b": self.total_b, "overlap_docs": self.overlap, "params": self.params,
            "design": self.design, "caveats": self.caveats,
            **({"outlet_markers": self.outlet_markers} if self.outlet_markers is not None else {}),
        }


def add_ngrams(terms: Sequence[str], ngrams: int = 1) -> list[str]:
    """The terms, plus adjacent pairs joined by a space when ``ngrams >= 2``."""
    if ngrams <= 1:
        return list(terms)
    return list(terms) + [f"{x} {y}" for x, y in zip(terms, terms[1:])]


def _log_odds(ya: np.ndarray, yb: np.ndarray, alpha: np.ndarray,
              alpha0: float | None) -> tuple[np.ndarray, np.ndarray]:
    """``(delta, z)`` of :func:`weighted_log_odds` on count arrays (``alpha``: the prior's shape)."""
    alpha = np.maximum(alpha, 0.01)
    if alpha0 is None:
        alpha0 = PRIOR_SHARE * (ya.sum() + yb.sum())
    if alpha0 > 0:
        alpha = alpha * (float(alpha0) / alpha.sum())
    a0 = alpha.sum()
    if len(ya) < 2:  # one term has no odds against the others: nothing to contrast (a bootstrap of a tiny corpus)
        return np.zeros(len(ya)), np.zeros(len(ya))
    na, nb = ya.sum(), yb.sum()
    # the rest of the vocabulary, written (others' counts) + (others' prior) so it cannot round below zero
    rest_a = np.maximum(na - ya, 0) + np.maximum(a0 - alpha, 0)
    rest_b = np.maximum(nb - yb, 0) + np.maximum(a0 - alpha, 0)
    delta = (np.log(ya + alpha) - np.log(rest_a)) - (np.log(yb + alpha) - np.log(rest_b))
    var = 1.0 / (ya + alpha) + 1.0 / (yb + alpha)
    return delta, delta / np.sqrt(var)


def weighted_log_odds(
    counts_a: Mapping[str, int],
    counts_b: Mapping[str, int],
    prior: Mapping[str, float] | None = None,
    alpha0: float | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Weighted log-odds ratios with an informative Dirichlet prior (Monroe et al. 2008).

    Parameters
    ----------
    counts_a, counts_b : mapping of str to int
        Term counts of the two groups.
    prior : mapping of str to float, optional
        Background term counts that shape the prior; default ``counts_a + counts_b``. Terms missing from it
        get a tiny pseudo-count so every ``alpha_w > 0``.
    alpha0 : float, optional
        Total strength of the prior (sum of the ``alpha_w``), in pseudo-terms. Default:
        :data:`PRIOR_SHARE` (a tenth) of the terms of the two groups, so the prior weighs like a tenth
        of the data: enough to shrink rare words, not so much that frequent differences are drowned.
        ``alpha0 <= 0`` uses the raw background counts (a prior as strong as the data, as tidylo does).

    Returns
    -------
    vocab : list of str
        The terms, in sorted order.
    delta : ndarray
        Log-odds ratio of A against B for each term (positive favours A).
    z : ndarray
        ``delta`` divided by its estimated standard deviation.
    """
    vocab = sorted(set(counts_a) | set(counts_b))
    if not vocab:
        return [], np.zeros(0), np.zeros(0)
    ya, yb = _array(counts_a, vocab), _array(counts_b, vocab)
    alpha = ya + yb if prior is None else _array(prior, vocab)
    delta, z = _log_odds(ya, yb, alpha, alpha0)
    return vocab, delta, z


def _array(mapping: Mapping[str, float], vocab: Sequence[str]) -> np.ndarray:
    return np.fromiter((float(mapping.get(w, 0)) for w in vocab), dtype=float, count=len(vocab))


def _top_sides(z: np.ndarray, ya: np.ndarray, yb: np.ndarray, dfa: np.ndarray | None, dfb: np.ndarray | None,
               top: int, min_count: int, min_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices of the ``top`` terms favouring A and B (columns sorted by term, so ties break on it)."""
    eligible = (ya + yb) >= min_count
    sides = []
    for sign, df in ((1, dfa), (-1, dfb)):
        ok = eligible & (sign * z > 0)
        if df is not None:
            ok &= df >= min_docs
        idx = np.flatnonzero(ok)
        sides.append(idx[np.lexsort((idx, -sign * z[idx]))][:top])
    return sides[0], sides[1]


def rank_terms(
    counts_a: Mapping[str, int],
    counts_b: Mapping[str, int],
    top: int = 20,
    min_count: int = 3,
    prior: Mapping[str, float] | None = None,
    alpha0: float | None = None,
    docs_a: Mapping[str, int] | None = None,
    docs_b: Mapping[str, int] | None = None,
    min_docs: int = MIN_DOCS,
) -> tuple[list[TermScore], list[TermScore]]:
    """The ``top`` terms favouring A and favouring B, each sorted by ``|z|``, strongest first.

    Terms used fewer than ``min_count`` times in both groups together are not reported (they still shape
    the totals); with document frequencies ``docs_a`` / ``docs_b`` (documents of each side using a term), nor
    are terms used by fewer than ``min_docs`` documents of the side they favour. Ties break on the term, so
    the order is deterministic.
    """
    vocab, delta, z = weighted_log_odds(counts_a, counts_b, prior=prior, alpha0=alpha0)
    ya, yb = _array(counts_a, vocab), _array(counts_b, vocab)
    dfa = _array(docs_a, vocab) if docs_a is not None else None
    dfb = _array(docs_b, vocab) if docs_b is not None else None
    side_a, side_b = _top_sides(z, ya, yb, dfa, dfb, top, min_count, min_docs)

    def score(i: int, df: np.ndarray | None) -> TermScore:
        return TermScore(vocab[i], float(z[i]), int(ya[i]), int(yb[i]), float(delta[i]),
                         int(df[i]) if df is not None else 0)
    return [score(i, dfa) for i in side_a], [score(i, dfb) for i in side_b]


def rank_matrices(
    counts_a: sparse.spmatrix,
    counts_b: sparse.spmatrix,
    vocab: Sequence[str],
    top: int = 20,
    min_count: int = 3,
    min_docs: int = MIN_DOCS,
    prior: np.ndarray | None = None,
    alpha0: float | None = None,
    bootstrap: int = BOOTSTRAP,
    seed: int = 0,
    columns: np.ndarray | None = None,
    units: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
) -> tuple[list[TermScore], list[TermScore]]:
    """:func:`rank_terms` on document-term count matrices of the two sides, with bootstrap stability.

    Parameters
    ----------
    counts_a, counts_b : scipy.sparse matrix
        Documents x terms of each side (same columns, ``vocab`` sorted so ties break on the term).
    prior : ndarray, optional
        Background counts per column; default the counts of both sides (of each resample).
    bootstrap : int
        Resamples of each side's documents (with replacement); a term's ``stability`` is the share of them in
        which it is among its side's ``top``, after the same ``min_count`` and ``min_docs`` filters. 0: none.
    seed : int
    columns : array of int, optional
        The matrices' columns that ``vocab`` names, in its order (the others are left out); default all.
        Saves copying a selection's count matrix to contrast part of its vocabulary.
    units : (array or None, array or None)
        Each side's rows' copy clusters (:func:`nlp.copies.copy_units`): the bootstrap draws clusters, so
        near-duplicates come and go together.

    The sums are integer matrix-vector products on the matrices as given (no float copy of either side);
    they are exact, so the scores equal those of float arithmetic.
    """
    counts_a, counts_b = _integer_counts(counts_a), _integer_counts(counts_b)
    used_a, used_b = _presence(counts_a), _presence(counts_b)
    totals = {id(m): int(m.data.sum(dtype=np.int64)) for m in (counts_a, counts_b, used_a, used_b)}

    def sums(m: sparse.csr_matrix, w: np.ndarray) -> np.ndarray:
        return _weighted_sum(m, totals[id(m)], w, columns)

    def rank(wa: np.ndarray, wb: np.ndarray):
        ya, yb = sums(counts_a, wa), sums(counts_b, wb)
        dfa, dfb = sums(used_a, wa), sums(used_b, wb)
        delta, z = _log_odds(ya, yb, ya + yb if prior is None else prior, alpha0)
        return (ya, yb, dfa, dfb, delta, z), _top_sides(z, ya, yb, dfa, dfb, top, min_count, min_docs)

    na, nb = counts_a.shape[0], counts_b.shape[0]
    (ya, yb, dfa, dfb, delta, z), (side_a, side_b) = rank(np.ones(na, dtype=np.int64), np.ones(nb, dtype=np.int64))
    hits_a, hits_b = np.zeros(len(side_a)), np.zeros(len(side_b))
    rng = np.random.default_rng(seed)
    for _ in range(bootstrap):
        wa, wb = resample_weights(rng, na, units[0]), resample_weights(rng, nb, units[1])
        _, (top_a, top_b) = rank(wa, wb)
        hits_a += np.isin(side_a, top_a)
        hits_b += np.isin(side_b, top_b)

    def scores(side: np.ndarray, hits: np.ndarray, df: np.ndarray) -> list[TermScore]:
        return [TermScore(str(vocab[i]), float(z[i]), int(ya[i]), int(yb[i]), float(delta[i]), int(df[i]),
                          round(float(h) / bootstrap, 4) if bootstrap else None) for i, h in zip(side, hits)]
    return scores(side_a, hits_a, dfa), scores(side_b, hits_b, dfb)


def _integer_counts(m: sparse.spmatrix) -> sparse.csr_matrix:
    """``m`` as a CSR matrix of integer counts: itself when it already is one (no copy)."""
    m = sparse.csr_matrix(m)
    if m.dtype.kind not in "iu":
        m = m.astype(np.int64)
    return m


def _presence(m: sparse.csr_matrix) -> sparse.csr_matrix:
    """1 for every stored cell of ``m``: a new data array on ``m``'s own column indices and row pointers."""
    return sparse.csr_matrix((np.ones(len(m.data), dtype=m.dtype), m.indices, m.indptr), shape=m.shape, copy=False)


def _weighted_sum(m: sparse.csr_matrix, total: int, weights: np.ndarray, columns: np.ndarray | None) -> np.ndarray:
    """``m.T @ weights`` (documents weighted, summed per column) as floats, restricted to ``columns``.

    In ``m``'s own integer type when no sum can overflow it (``total``: the sum of ``m``; no copy of the
    matrix), else in 64 bits."""
    safe = int(weights.max(initial=0)) * total < np.iinfo(m.dtype).max
    out = m.T @ weights.astype(m.dtype if safe else np.int64)
    return (out if columns is None else out[columns]).astype(np.float64)


class _SideMatrix:
    """Accumulates one side's documents (their terms, flat) for a sparse count matrix built at the end."""

    def __init__(self) -> None:
        self.flat: list[str] = []
        self.lengths: list[int] = []

    def add(self, terms: Sequence[str]) -> None:
        self.flat.extend(terms)
        self.lengths.append(len(terms))

    def __len__(self) -> int:
        return len(self.lengths)

    def matrix(self, index: dict[str, int]) -> sparse.csr_matrix:
        """Documents x terms counts, columns by ``index`` (term -> column)."""
        cols = np.fromiter(map(index.__getitem__, self.flat), dtype=np.int64, count=len(self.flat))
        rows = np.repeat(np.arange(len(self.lengths), dtype=np.int64), self.lengths)
        m = sparse.csr_matrix((np.ones(len(cols), dtype=np.int32), (rows, cols)), shape=(len(self.lengths), len(index)))
        m.sum_duplicates()
        return m


def _mask_filter(mask: Iterable[str] | None):
    """A predicate: is a term (or a part of a phrase, or of a compound with an outlet's name) NOT a masked
    name (:func:`nlp.tendencies.masking.is_self_name`)."""
    from nlp.tendencies.masking import SelfNames, is_self_name

    names = mask if isinstance(mask, SelfNames) else SelfNames(frozenset(m.casefold() for m in mask or ()))
    cache: dict[str, bool] = {}

    def keep(term: str) -> bool:
        if term not in cache:
            cache[term] = not is_self_name(term, names)
        return cache[term]
    return keep


def contrast_pairs(
    pairs: Iterable[tuple[Sequence[str], Sequence[str]]],
    a: str,
    b: str | None = None,
    field: str = "tendency",
    top: int = 20,
    min_count: int = 3,
    ngrams: int = 1,
    alpha0: float | None = None,
    prior: Mapping[str, float] | None = None,
    min_docs: int = MIN_DOCS,
    bootstrap: int = BOOTSTRAP,
    seed: int = 0,
    mask: Iterable[str] | None = None,
) -> ContrastResult:
    """Contrast group ``a`` with group ``b`` (or with every other article when ``b`` is None/"rest").

    Parameters
    ----------
    pairs : iterable of (values, terms)
        Each article's values for ``field`` (e.g. ``("soft_left",)``, or its authors) and its terms.
    a, b : str
        Group names (case-insensitive; for ``year`` a range such as ``2016-2019``).
    field : str
        Only used to word errors and results.
    top, min_count, ngrams, alpha0, prior
        See :func:`rank_terms` and :func:`add_ngrams`.
    min_docs : int
        A signature term occurs in at least this many documents of the side it favours.
    bootstrap, seed
        Resamples for each term's ``stability`` (see :func:`rank_matrices`); 0 for none.
    mask : iterable of str, optional
        Terms (self-names) left out before counting; a phrase is left out when a part of it is.

    Raises
    ------
    GroupError
        When a group name matches no article (the message lists the known groups), or A and B are the same.
    EmptySelectionError
        When there are no articles at all, or one side has no terms.
    """
    one_vs_rest = b is None or b.casefold() == REST
    if not one_vs_rest and a.casefold().strip() == b.casefold().strip():
        raise GroupError(f"Contrast needs two different groups, got {a!r} twice")
    side_a, side_b = _SideMatrix(), _SideMatrix()
    keep = _mask_filter(mask)
    known: Counter = Counter()
    overlap = n_docs = 0
    for values, terms in pairs:
        n_docs += 1
        known.update(set(values))
        in_a = group_matches(a, values, field)
        in_b = (not in_a) if one_vs_rest else group_matches(b, values, field)  # type: ignore[arg-type]
        if in_a and in_b:
            overlap += 1  # belongs to both sides (e.g. co-authored): evidence for neither
            continue
        if in_a or in_b:
            grams = add_ngrams(terms, ngrams)
            (side_a if in_a else side_b).add([t for t in grams if keep(t)] if mask is not None else grams)
    if n_docs == 0:
        raise EmptySelectionError("No preprocessed articles in the selection; import articles and run `nlp preprocess`")
    check_groups([a] if one_vs_rest else [a, b], known, field)  # type: ignore[list-item]
    b_name = REST if one_vs_rest else b
    for name, side in ((a, side_a), (b_name, side_b)):
        if len(side) == 0 or not side.flat:
            raise EmptySelectionError(
                f"Group {name!r} ({field}) has no terms to contrast"
                + (f" ({overlap} articles belong to both groups)" if overlap else "")
            )
    vocab = sorted(set(side_a.flat) | set(side_b.flat))
    index = {t: i for i, t in enumerate(vocab)}
    return _result(a, b_name, field, side_a.matrix(index), side_b.matrix(index), vocab, None, overlap, top=top,
                   min_count=min_count, min_docs=min_docs, ngrams=ngrams, alpha0=alpha0, prior=prior,
                   bootstrap=bootstrap, seed=seed, masked=mask is not None)


def _result(a: str, b: str, field: str, m_a: sparse.spmatrix, m_b: sparse.spmatrix, vocab: list[str],
            columns: np.ndarray | None, overlap: int, *, top: int, min_count: int, min_docs: int, ngrams: int,
            alpha0: float | None, prior: Mapping[str, float] | None, bootstrap: int, seed: int,
            masked: bool, units: tuple[np.ndarray | None, np.ndarray | None] = (None, None)) -> ContrastResult:
    """The contrast of two sides' count matrices (``columns``: the ones ``vocab`` names, None: all)."""
    m_a, m_b = _integer_counts(m_a), _integer_counts(m_b)
    background = _array(prior, vocab) if prior is not None else None
    terms_a, terms_b = rank_matrices(m_a, m_b, vocab, top=top, min_count=min_count, min_docs=min_docs,
                                     prior=background, alpha0=alpha0, bootstrap=bootstrap, seed=seed, columns=columns,
                                     units=units)
    log.info("contrast %s=%s (%d docs) vs %s (%d docs): %d terms", field, a, m_a.shape[0], b, m_b.shape[0],
             len(vocab))
    return ContrastResult(
        a=a, b=b, field=field, terms_a=terms_a, terms_b=terms_b, docs_a=m_a.shape[0], docs_b=m_b.shape[0],
        total_a=_total(m_a, columns), total_b=_total(m_b, columns), overlap=overlap,
        params={"top": top, "min_count": min_count, "min_docs": min_docs, "ngrams": ngrams,
                "bootstrap": bootstrap, "seed": seed, "masked": masked,
                "prior": "background counts" if prior is not None else "counts of both groups",
                "alpha0": alpha0 if alpha0 is not None else f"{PRIOR_SHARE} x terms of both groups",
                "method": "weighted log-odds, informative Dirichlet prior (Monroe et al. 2008)"},
    )


def _total(m: sparse.csr_matrix, columns: np.ndarray | None) -> int:
    """The counts of ``m`` in ``columns`` (all: None), summed without a copy of the matrix."""
    m = _integer_counts(m)
    total = int(m.data.sum(dtype=np.int64))
    return int(_weighted_sum(m, total, np.ones(m.shape[0], dtype=np.int64), columns).sum()) if columns is not None \
        else total


def _contrast_matrix(docs: DocumentTerms, a: str, b: str | None, field: str, *, top: int, min_count: int,
                     alpha0: float | None, min_docs: int, bootstrap: int, seed: int,
                     mask: Iterable[str] | None) -> ContrastResult:
    """:func:`contrast_pairs` on the selection's count matrix (terms after collocations, single terms): the
    same groups, checks and result, from two row selections of the matrix instead of term lists."""
    one_vs_rest = b is None or b.casefold() == REST
    if not one_vs_rest and a.casefold().strip() == b.casefold().strip():  # type: ignore[union-attr]
        raise GroupError(f"Contrast needs two different groups, got {a!r} twice")
    if len(docs) == 0:
        raise EmptySelectionError("No preprocessed articles in the selection; import articles and run `nlp preprocess`")
    in_a, in_b, b_name, overlap = side_masks(docs, a, b, field)  # in both groups: evidence for neither
    rows_a, rows_b = np.flatnonzero(in_a), np.flatnonzero(in_b)
    m_a, m_b = docs.matrix[rows_a], docs.matrix[rows_b]
    ones = (np.ones(m.shape[0], dtype=np.int64) for m in (m_a, m_b))
    used = sum(_weighted_sum(m, int(m.data.sum(dtype=np.int64)), w, None) for m, w in zip((m_a, m_b), ones))
    keep = _mask_filter(mask)
    columns = [i for i in np.flatnonzero(used) if mask is None or keep(docs.vocabulary[i])]
    columns.sort(key=lambda i: docs.vocabulary[i])
    columns = np.asarray(columns, dtype=np.int64)
    for name, m in ((a, m_a), (b_name, m_b)):
        if m.shape[0] == 0 or not _total(m, columns):
            raise EmptySelectionError(
                f"Group {name!r} ({field}) has no terms to contrast"
                + (f" ({overlap} articles belong to both groups)" if overlap else ""))
    return _result(a, b_name, field, m_a, m_b, [docs.vocabulary[i] for i in columns], columns, overlap, top=top,
                   min_count=min_count, min_docs=min_docs, ngrams=1, alpha0=alpha0, prior=None,
                   bootstrap=bootstrap, seed=seed, masked=mask is not None,
                   units=(copy_units(docs.copy_clusters, rows_a), copy_units(docs.copy_clusters, rows_b)))


def contrast(
    docs: DocumentTerms,
    a: str,
    b: str | None = None,
    field: str = "tendency",
    top: int = 20,
    min_count: int = 3,
    ngrams: int = 1,
    alpha0: float | None = None,
    collocations: bool = True,
    min_docs: int = MIN_DOCS,
    bootstrap: int = BOOTSTRAP,
    seed: int = 0,
    mask: Iterable[str] | None = None,
    within: str = "auto",
    keep_markers: bool = False,
) -> ContrastResult:
    """Contrast two groups of a selection (or one group against the rest) on their preprocessed terms.

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
    a, b : str
        Group names of ``field``; ``b=None`` or ``"rest"`` contrasts ``a`` with every other article.
    field : {"tendency", "outlet", "author", "year"}
    top, min_count, ngrams, alpha0, min_docs, bootstrap, seed, mask
        See :func:`contrast_pairs`; for ``mask`` give ``self_names(docs, ...)``
        (:func:`nlp.tendencies.masking.self_names`).
    collocations : bool
        False contrasts the terms before collocations (``docs`` read with ``raw=True``).
    within : {"auto", "outlet", "none"}
        ``outlet``: compare within each outlet that publishes both groups and pool
        (:func:`contrast_within_outlets`); ``none``: across outlets; ``auto``:
        within outlets when those shared outlets hold most of the articles (:func:`nlp.design.pair_design`).
        The result's ``design`` says which, with the outlets per side, and ``caveats`` what follows.
    keep_markers : bool
        Keep the outlet markers (:mod:`nlp.text.markers`); by default they are left out, and listed in
        ``outlet_markers`` either way.

    Examples
    --------
    >>> result = contrast(load_documents(store), "soft_left", "hard_left")   # doctest: +SKIP
    >>> [(t.term, t.n_docs, t.stability) for t in result.terms_a[:2]]  # doctest: +SKIP
    [('pluralism', 41, 1.0), ('devolution', 37, 0.96)]
    """
    docs, markers = without_markers(docs, keep=keep_markers)
    # (an empty selection gets the empty-selection error of the contrast itself)
    design = documents_pair_design(docs, a, b, field, within) if len(docs) else None
    on_matrix = collocations and ngrams == 1  # the selection's count matrix holds exactly these terms
    if design is not None and design.within == "outlet":
        if on_matrix:
            result = contrast_within_outlets(docs, a, b, field, top=top, min_count=min_count, min_docs=min_docs,
                                             alpha0=alpha0, bootstrap=bootstrap, seed=seed, mask=mask, design=design)
            return replace(result, outlet_markers=markers.to_dict())
        if within == "outlet":
            raise GroupError("--within outlet contrasts single terms after collocations; drop --ngrams 2")
        design = documents_pair_design(docs, a, b, field, "none")
    if on_matrix:
        result = _contrast_matrix(docs, a, b, field, top=top, min_count=min_count, alpha0=alpha0, min_docs=min_docs,
                                  bootstrap=bootstrap, seed=seed, mask=mask)
    else:
        result = contrast_pairs(docs.grouped(field, raw=not collocations), a, b, field=field, top=top,
                                min_count=min_count, ngrams=ngrams, alpha0=alpha0, min_docs=min_docs,
                                bootstrap=bootstrap, seed=seed, mask=mask)
    if design is not None:
        result = replace(result, design=design.to_dict(), caveats=design.caveats())
    return replace(result, outlet_markers=markers.to_dict())


def contrast_each_against_rest(
    docs: DocumentTerms,
    field: str = "tendency",
    top: int = 20,
    min_count: int = 3,
    min_group_docs: int = 2,
    exclude: Sequence[str] = ("unlabelled", "mixed"),
    min_docs: int = MIN_DOCS,
    bootstrap: int = 0,
    seed: int = 0,
    mask: Iterable[str] | None = None,
    keep_markers: bool = False,
) -> list[ContrastResult]:
    """One-against-the-rest contrasts for every group of ``field`` with at least ``min_group_docs`` articles.

    Works on the selection's count matrix (read once). The rest of a group is every other article,
    including excluded groups (``exclude`` only decides which groups get a contrast of their own). For
    reports and ``run``; ``min_docs``, ``bootstrap``, ``seed`` and ``mask`` as in :func:`contrast_pairs`,
    ``keep_markers`` as in :func:`contrast`.
    """
    docs, markers = without_markers(docs, keep=keep_markers)
    counts = docs.matrix
    totals = np.asarray(counts.sum(axis=0)).ravel()
    if not totals.sum():
        raise EmptySelectionError("No preprocessed articles in the selection; import articles and run `nlp preprocess`")
    keep = _mask_filter(mask)
    columns = [i for i in np.flatnonzero(totals) if mask is None or keep(docs.vocabulary[i])]
    columns.sort(key=lambda i: docs.vocabulary[i])
    vocab = [docs.vocabulary[i] for i in columns]
    columns = np.asarray(columns, dtype=np.int64)  # ranked in place: the matrix is not copied per column set
    members: dict[str, list[int]] = {}
    for i in range(len(docs)):
        for v in set(docs.values(i, field)):
            members.setdefault(v, []).append(i)
    results = []
    for group in sorted(members):
        rows = np.asarray(members[group], dtype=np.int64)
        if group in exclude or len(rows) < min_group_docs or len(rows) == len(docs):
            continue
        rest = np.setdiff1d(np.arange(len(docs)), rows)
        m_a, m_b = counts[rows], counts[rest]
        if not m_b.sum():
            continue
        side_a, side_b = rank_matrices(m_a, m_b, vocab, top=top, min_count=min_count, min_docs=min_docs,
                                       bootstrap=bootstrap, seed=seed, columns=columns,
                                       units=(copy_units(docs.copy_clusters, rows),
                                              copy_units(docs.copy_clusters, rest)))
        results.append(ContrastResult(
            a=group, b=REST, field=field, terms_a=side_a, terms_b=side_b, docs_a=len(rows), docs_b=len(rest),
            total_a=_total(m_a, columns), total_b=_total(m_b, columns),
            params={"top": top, "min_count": min_count, "min_docs": min_docs, "bootstrap": bootstrap,
                    "seed": seed, "masked": mask is not None, "prior": "counts of both groups",
                    "alpha0": f"{PRIOR_SHARE} x terms of both groups"},
        ))
        results[-1] = replace(results[-1], outlet_markers=markers.to_dict())
    return results


def scores_as_dicts(scores: Iterable[TermScore]) -> list[dict[str, Any]]:
    """Plain dicts for JSON or a report table."""
    return [asdict(s) for s in scores]


WITHIN_METHOD = ("weighted log-odds with an informative Dirichlet prior (Monroe et al. 2008) within each outlet, "
                 "pooled by fixed-effect inverse-variance weights")


def contrast_within_outlets(
    docs: DocumentTerms,
    a: str,
    b: str | None = None,
    field: str = "tendency",
    top: int = 20,
    min_count: int = 3,
    min_docs: int = MIN_DOCS,
    alpha0: float | None = None,
    bootstrap: int = BOOTSTRAP,
    seed: int = 0,
    mask: Iterable[str] | None = None,
    design: PairDesign | None = None,
) -> ContrastResult:
    """Contrast ``a`` with ``b`` (None or ``"rest"``: every other document) within each outlet that publishes
    both, pooled by inverse-variance weights (:mod:`nlp.tendencies.stratified`); documents of outlets that
    publish one side only are left out (``params["left_out"]``).

    Parameters are those of :func:`contrast` (``bootstrap`` resamples documents within each outlet and side);
    ``design`` is the pair's :class:`nlp.design.PairDesign` if already known. Each term carries Cochran's
    ``q`` (``params["q_df"]`` degrees of freedom).

    Raises
    ------
    GroupError
        An unknown group, or no outlet holding at least two documents of each side.
    """
    in_a, in_b, b_name, overlap = side_masks(docs, a, b, field)
    outlets = np.asarray(docs.outlets, dtype=object)
    if design is None or design.within != "outlet":
        design = pair_design(outlets[in_a].tolist(), outlets[in_b].tolist(), a, b_name, field, within="outlet")
    strata = list(design.strata)
    side_a, side_b = (StrataCounts(docs.matrix, [np.flatnonzero(m & (outlets == o)) for o in strata])
                      for m in (in_a, in_b))
    keep = _mask_filter(mask)
    used = np.flatnonzero(np.asarray(side_a.counts.sum(axis=0) + side_b.counts.sum(axis=0)).ravel())
    columns = np.asarray(sorted((i for i in used if mask is None or keep(docs.vocabulary[i])),
                                key=lambda i: docs.vocabulary[i]), dtype=np.int64)
    for name, side in ((a, side_a), (b_name, side_b)):
        if not len(columns) or not side.counts[:, columns].sum():
            raise EmptySelectionError(f"Group {name!r} ({field}) has no terms to contrast in the outlets it shares")

    def rank(wa: np.ndarray, wb: np.ndarray):
        (ya, dfa), (yb, dfb) = side_a.sums(wa, columns), side_b.sums(wb, columns)
        delta, _, z, q = pooled_log_odds(ya, yb, PRIOR_SHARE, alpha0=alpha0)
        ya, yb = ya.sum(axis=0), yb.sum(axis=0)
        return (ya, yb, dfa, dfb, delta, z, q), _top_sides(z, ya, yb, dfa, dfb, top, min_count, min_docs)

    (ya, yb, dfa, dfb, delta, z, q), (top_a, top_b) = rank(side_a.ones(), side_b.ones())
    hits_a, hits_b = np.zeros(len(top_a)), np.zeros(len(top_b))
    rng = np.random.default_rng(seed)
    for _ in range(bootstrap):
        _, (again_a, again_b) = rank(side_a.resample(rng), side_b.resample(rng))
        hits_a += np.isin(top_a, again_a)
        hits_b += np.isin(top_b, again_b)

    def scores(chosen: np.ndarray, hits: np.ndarray, df: np.ndarray) -> list[TermScore]:
        return [TermScore(docs.vocabulary[columns[i]], float(z[i]), int(ya[i]), int(yb[i]), float(delta[i]),
                          int(df[i]), round(float(h) / bootstrap, 4) if bootstrap else None, round(float(q[i]), 4))
                for i, h in zip(chosen, hits)]

    log.info("contrast within %d outlets: %s=%s (%d docs) vs %s (%d docs)", len(strata), field, a, len(side_a),
             b_name, len(side_b))
    return ContrastResult(
        a=a, b=b_name, field=field, terms_a=scores(top_a, hits_a, dfa), terms_b=scores(top_b, hits_b, dfb),
        docs_a=len(side_a), docs_b=len(side_b), total_a=int(ya.sum()), total_b=int(yb.sum()), overlap=overlap,
        params={"top": top, "min_count": min_count, "min_docs": min_docs, "ngrams": 1, "bootstrap": bootstrap,
                "seed": seed, "masked": mask is not None, "prior": "counts of both groups in the shared outlets",
                "alpha0": alpha0 if alpha0 is not None else f"{PRIOR_SHARE} x terms of both groups, per outlet",
                "method": WITHIN_METHOD, "q_df": len(strata) - 1,
                "left_out": {"a": design.docs_a - len(side_a), "b": design.docs_b - len(side_b)}},
        design=design.to_dict(), caveats=design.caveats())
