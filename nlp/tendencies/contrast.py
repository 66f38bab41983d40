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
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from nlp.documents import (
    DocumentTerms, EmptySelectionError, GroupError, check_groups, group_matches,
)

log = logging.getLogger(__name__)

REST = "rest"
#: Default strength of the prior, as a share of the terms of the two groups (see :func:`weighted_log_odds`).
PRIOR_SHARE = 0.1


@dataclass
class TermScore:
    """One term's score in a contrast."""

    term: str
    z: float
    count_a: int
    count_b: int
    delta: float = 0.0


@dataclass
class ContrastResult:
    """The outcome of :func:`contrast`: each side's most distinctive terms, strongest first."""

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

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``contrast --json`` (CLI.md) plus sizes and parameters."""
        def rows(scores: list[TermScore]) -> list[dict[str, Any]]:
            return [{"term": s.term, "z": round(s.z, 4), "count_a": s.count_a, "count_b": s.count_b,
                     "log_odds": round(s.delta, 4)} for s in scores]
        return {
            "a": self.a, "b": self.b, "field": self.field,
            "terms_a": rows(self.terms_a), "terms_b": rows(self.terms_b),
            "docs_a": self.docs_a, "docs_b": self.docs_b, "terms_total_a": self.total_a,
            "terms_total_b": self.total_b, "overlap_docs": self.overlap, "params": self.params,
        }


def add_ngrams(terms: Sequence[str], ngrams: int = 1) -> list[str]:
    """The terms, plus adjacent pairs joined by a space when ``ngrams >= 2``."""
    if ngrams <= 1:
        return list(terms)
    return list(terms) + [f"{x} {y}" for x, y in zip(terms, terms[1:])]


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
    ya = np.fromiter((counts_a.get(w, 0) for w in vocab), dtype=float, count=len(vocab))
    yb = np.fromiter((counts_b.get(w, 0) for w in vocab), dtype=float, count=len(vocab))
    if prior is None:
        alpha = ya + yb
    else:
        alpha = np.fromiter((float(prior.get(w, 0.0)) for w in vocab), dtype=float, count=len(vocab))
    alpha = np.maximum(alpha, 0.01)
    if alpha0 is None:
        alpha0 = PRIOR_SHARE * (ya.sum() + yb.sum())
    if alpha0 > 0:
        alpha = alpha * (float(alpha0) / alpha.sum())
    a0 = alpha.sum()
    na, nb = ya.sum(), yb.sum()
    delta = (np.log(ya + alpha) - np.log(na + a0 - ya - alpha)) - (np.log(yb + alpha) - np.log(nb + a0 - yb - alpha))
    var = 1.0 / (ya + alpha) + 1.0 / (yb + alpha)
    return vocab, delta, delta / np.sqrt(var)


def rank_terms(
    counts_a: Mapping[str, int],
    counts_b: Mapping[str, int],
    top: int = 20,
    min_count: int = 3,
    prior: Mapping[str, float] | None = None,
    alpha0: float | None = None,
) -> tuple[list[TermScore], list[TermScore]]:
    """The ``top`` terms favouring A and favouring B, each sorted by ``|z|``, strongest first.

    Terms used fewer than ``min_count`` times in both groups together are not reported (they still shape
    the totals). Ties break on the term, so the order is deterministic.
    """
    vocab, delta, z = weighted_log_odds(counts_a, counts_b, prior=prior, alpha0=alpha0)
    scores = []
    for i, w in enumerate(vocab):
        ca, cb = int(counts_a.get(w, 0)), int(counts_b.get(w, 0))
        if ca + cb >= min_count:
            scores.append(TermScore(w, float(z[i]), ca, cb, float(delta[i])))
    side_a = sorted((s for s in scores if s.z > 0), key=lambda s: (-s.z, s.term))[:top]
    side_b = sorted((s for s in scores if s.z < 0), key=lambda s: (s.z, s.term))[:top]
    return side_a, side_b


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
    counts_a: Counter = Counter()
    counts_b: Counter = Counter()
    known: Counter = Counter()
    docs_a = docs_b = overlap = n_docs = 0
    for values, terms in pairs:
        n_docs += 1
        known.update(set(values))
        in_a = group_matches(a, values, field)
        in_b = (not in_a) if one_vs_rest else group_matches(b, values, field)  # type: ignore[arg-type]
        if in_a and in_b:
            overlap += 1  # belongs to both sides (e.g. co-authored): evidence for neither
            continue
        if in_a:
            docs_a += 1
            counts_a.update(add_ngrams(terms, ngrams))
        elif in_b:
            docs_b += 1
            counts_b.update(add_ngrams(terms, ngrams))
    if n_docs == 0:
        raise EmptySelectionError("No preprocessed articles in the selection; import articles and run `nlp preprocess`")
    check_groups([a] if one_vs_rest else [a, b], known, field)  # type: ignore[list-item]
    b_name = REST if one_vs_rest else b
    for name, docs, counts in ((a, docs_a, counts_a), (b_name, docs_b, counts_b)):
        if docs == 0 or not counts:
            raise EmptySelectionError(
                f"Group {name!r} ({field}) has no terms to contrast"
                + (f" ({overlap} articles belong to both groups)" if overlap else "")
            )
    terms_a, terms_b = rank_terms(counts_a, counts_b, top=top, min_count=min_count, prior=prior, alpha0=alpha0)
    log.info("contrast %s=%s (%d docs) vs %s (%d docs): %d terms", field, a, docs_a, b_name, docs_b,
             len(set(counts_a) | set(counts_b)))
    return ContrastResult(
        a=a, b=b_name, field=field, terms_a=terms_a, terms_b=terms_b, docs_a=docs_a, docs_b=docs_b,
        total_a=sum(counts_a.values()), total_b=sum(counts_b.values()), overlap=overlap,
        params={"top": top, "min_count": min_count, "ngrams": ngrams,
                "prior": "background counts" if prior is not None else "counts of both groups",
                "alpha0": alpha0 if alpha0 is not None else f"{PRIOR_SHARE} x terms of both groups", "method": "weighted log-odds, informative Dirichlet prior (Monroe et al. 2008)"},
    )


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
) -> ContrastResult:
    """Contrast two groups of a selection (or one group against the rest) on their preprocessed terms.

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
    a, b : str
        Group names of ``field``; ``b=None`` or ``"rest"`` contrasts ``a`` with every other article.
    field : {"tendency", "outlet", "author", "year"}
    top, min_count, ngrams, alpha0
        See :func:`contrast_pairs`.
    collocations : bool
        False contrasts the terms before collocations (``docs`` read with ``raw=True``).

    Examples
    --------
    >>> result = contrast(load_documents(store), "soft_left", "hard_left")   # doctest: +SKIP
    >>> [t.term for t in result.terms_a[:3]]                          # doctest: +SKIP
    ['pluralism', 'devolution', 'coalition']
    """
    return contrast_pairs(docs.grouped(field, raw=not collocations), a, b, field=field, top=top,
                          min_count=min_count, ngrams=ngrams, alpha0=alpha0)


def contrast_each_against_rest(
    docs: DocumentTerms,
    field: str = "tendency",
    top: int = 20,
    min_count: int = 3,
    min_docs: int = 2,
    exclude: Sequence[str] = ("unlabelled", "mixed"),
) -> list[ContrastResult]:
    """One-against-the-rest contrasts for every group of ``field`` with at least ``min_docs`` articles.

    One pass over the corpus. The rest of a group is every other article, including excluded groups
    (``exclude`` only decides which groups get a contrast of their own). For reports and ``run``.
    """
    per_group: dict[str, Counter] = {}
    n_docs: Counter = Counter()
    total: Counter = Counter()
    for values, terms in docs.grouped(field):
        total.update(terms)
        for v in set(values):
            per_group.setdefault(v, Counter()).update(terms)
            n_docs[v] += 1
    if not total:
        raise EmptySelectionError("No preprocessed articles in the selection; import articles and run `nlp preprocess`")
    results = []
    for group in sorted(per_group):
        if group in exclude or n_docs[group] < min_docs:
            continue
        rest = total - per_group[group]
        if not rest:
            continue
        side_a, side_b = rank_terms(per_group[group], rest, top=top, min_count=min_count)
        results.append(ContrastResult(
            a=group, b=REST, field=field, terms_a=side_a, terms_b=side_b, docs_a=n_docs[group],
            total_a=sum(per_group[group].values()), total_b=sum(rest.values()),
            params={"top": top, "min_count": min_count, "prior": "counts of both groups",
                    "alpha0": f"{PRIOR_SHARE} x terms of both groups"},
        ))
    return results



def scores_as_dicts(scores: Iterable[TermScore]) -> list[dict[str, Any]]:
    """Plain dicts for JSON or a report table."""
    return [asdict(s) for s in scores]
