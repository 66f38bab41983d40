"""Outlet markers: terms that nearly identify one outlet, left out of the analyses of tendencies.

When each outlet's articles carry its tendency, any term that identifies the outlet separates the
tendencies: a database code in the header ("GRDN", "INDOP"), the outlet's web address run together
("guardiancouk"), its publisher ("media_group", "print_ltd"), a dateline or a sign-off. A classifier ranks
them first and a contrast at stability 1.0, and neither says anything about what a tendency argues.
Boilerplate *lines* are dropped at preprocessing (:mod:`nlp.text.boilerplate`); markers catch what is left,
the codes written inside a line.

A term *t* is a **marker of outlet O** (METHODS.md, "When the label is a property of the outlet") when, over
the documents of the selection:

* **coverage**: at least :data:`MIN_COVERAGE` of O's documents use it (a large share of the outlet);
* **concentration**: at least :data:`MIN_CONCENTRATION` of the documents that use it are O's (almost all
  its documents lie in one outlet);
* **rate ratio**: O's documents use it at least :data:`MIN_RATE_RATIO` times as often as the other outlets'
  documents do (so that a common word of an outlet holding most of the selection is not a marker merely
  because most documents are that outlet's);
* **support**: at least :data:`MIN_DOCS` of O's documents use it.

There must be at least two outlets; documents without an outlet count as "elsewhere" but own no markers.
A term joined from words one of which is a marker (``grdn_final``) is a marker too. The thresholds are
conservative on purpose: a word that one outlet's writers use in a third of its articles and the other
outlets almost never use cannot be told apart from that outlet's house style, whatever it means; with
tendencies spread over several outlets, a tendency's own vocabulary is shared by its outlets and stays.

Every analysis of tendencies takes its documents through :func:`without_markers` (classifier, contrasts,
scaling, meaning contexts); ``keep=True`` (``--keep-markers``) keeps them, and the markers are listed in the
results either way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
from scipy import sparse

__all__ = ["MIN_COVERAGE", "MIN_CONCENTRATION", "MIN_RATE_RATIO", "MIN_DOCS", "Marker", "OutletMarkers",
           "find_markers", "without_markers"]

#: A marker is used by at least this share of its outlet's documents ...
MIN_COVERAGE = 0.5
#: ... at least this share of the documents using it are that outlet's ...
MIN_CONCENTRATION = 0.9
#: ... its rate in the outlet's documents is at least this many times its rate in the others' ...
MIN_RATE_RATIO = 10.0
#: ... and at least this many of the outlet's documents use it (the minimum support of a finding).
MIN_DOCS = 5


@dataclass(frozen=True)
class Marker:
    """One outlet marker: the term, its outlet, and the figures that made it one."""

    term: str
    outlet: str
    n_docs: int
    coverage: float
    concentration: float
    compound_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"term": self.term, "outlet": self.outlet, "documents": self.n_docs,
               "coverage": round(self.coverage, 4), "concentration": round(self.concentration, 4)}
        if self.compound_of:
            out["compound_of"] = self.compound_of
        return out


@dataclass(frozen=True)
class OutletMarkers:
    """The outlet markers of a selection (:func:`find_markers`).

    ``excluded`` says whether the analysis that reports them left them out (the default) or kept them
    (``--keep-markers``).
    """

    markers: tuple[Marker, ...] = ()
    n_outlets: int = 0
    excluded: bool = True
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(m.term for m in self.markers)

    def __len__(self) -> int:
        return len(self.markers)

    def __contains__(self, term: object) -> bool:
        return term in self.terms

    def by_outlet(self) -> dict[str, list[Marker]]:
        out: dict[str, list[Marker]] = {}
        for m in self.markers:
            out.setdefault(m.outlet, []).append(m)
        return out

    def kept(self) -> "OutletMarkers":
        """The same markers, reported as kept in the analysis."""
        return OutletMarkers(self.markers, self.n_outlets, False, dict(self.params))

    def to_dict(self) -> dict[str, Any]:
        """``{"terms", "excluded", "outlets", "by_outlet": {OUTLET: [{"term", "documents", "coverage",
        "concentration"}]}, "params"}``: the ``outlet_markers`` key of the analyses' JSON."""
        return {"terms": sorted(self.terms), "excluded": self.excluded, "outlets": self.n_outlets,
                "by_outlet": {o: [m.to_dict() for m in ms] for o, ms in sorted(self.by_outlet().items())},
                "params": dict(self.params)}


def _presence(tokens: np.ndarray, offsets: np.ndarray, n_terms: int) -> sparse.csr_matrix:
    """Documents x terms, 1 where a document uses a term (``tokens`` copied: summing duplicates sorts in place)."""
    n = len(offsets) - 1
    m = sparse.csr_matrix((np.ones(len(tokens), dtype=np.int32), np.array(tokens, dtype=np.int32),
                           np.array(offsets, dtype=np.int64)), shape=(n, n_terms))
    m.sum_duplicates()
    m.data[:] = 1
    return m


def _find(presence: sparse.csr_matrix, vocabulary: list[str], outlet_of: np.ndarray, outlets: list[str],
          min_coverage: float, min_concentration: float, min_rate_ratio: float, min_docs: int) -> list[Marker]:
    n = presence.shape[0]
    owners = sparse.csr_matrix((np.ones(n, dtype=np.int32), (outlet_of, np.arange(n))), shape=(len(outlets), n))
    by_outlet = (owners @ presence).tocsr()  # outlets x terms: documents of each outlet using each term
    df = np.asarray(presence.sum(axis=0)).ravel()
    sizes = np.bincount(outlet_of, minlength=len(outlets))
    found = []
    for o, outlet in enumerate(outlets):
        if not outlet or sizes[o] < min_docs:
            continue
        row = by_outlet.getrow(o)
        terms, inside = row.indices, row.data.astype(np.float64)
        outside = df[terms] - inside
        coverage = inside / sizes[o]
        concentration = inside / df[terms]
        rest = n - sizes[o]
        # rate inside / rate outside, without dividing by zero: inside * rest >= ratio * outside * size
        ratio_ok = inside * rest >= min_rate_ratio * outside * sizes[o]
        ok = (inside >= min_docs) & (coverage >= min_coverage) & (concentration >= min_concentration) & ratio_ok
        for j in np.flatnonzero(ok):
            found.append(Marker(vocabulary[terms[j]], outlet, int(inside[j]), float(coverage[j]),
                                float(concentration[j])))
    return found


def find_markers(docs: Any, min_coverage: float = MIN_COVERAGE, min_concentration: float = MIN_CONCENTRATION,
                 min_rate_ratio: float = MIN_RATE_RATIO, min_docs: int = MIN_DOCS) -> OutletMarkers:
    """The outlet markers of a selection (see the module doc for the rule and its thresholds).

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
        Its terms (and its raw terms, before collocations, when it has them: a code inside a joined term
        is found either way) and outlets.
    min_coverage, min_concentration, min_rate_ratio, min_docs : float, float, float, int
        The thresholds (:data:`MIN_COVERAGE`, :data:`MIN_CONCENTRATION`, :data:`MIN_RATE_RATIO`,
        :data:`MIN_DOCS`).

    Returns
    -------
    OutletMarkers
        Sorted by outlet, then by coverage (highest first); empty with fewer than two outlets.

    Examples
    --------
    >>> docs = DocumentTerms.from_terms([["grdn", "cut"]] * 6 + [["cut", "tax"]] * 6,
    ...                                 outlets=["guardian"] * 6 + ["times"] * 6)  # doctest: +SKIP
    >>> sorted(find_markers(docs).terms)  # doctest: +SKIP
    ['grdn']
    """
    params = {"min_coverage": min_coverage, "min_concentration": min_concentration,
              "min_rate_ratio": min_rate_ratio, "min_docs": min_docs}
    outlets = sorted(set(docs.outlets))
    named = [o for o in outlets if o]
    if len(named) < 2 or len(docs) == 0:
        return OutletMarkers((), len(named), True, params)
    code = {o: i for i, o in enumerate(outlets)}
    outlet_of = np.fromiter((code[o] for o in docs.outlets), dtype=np.int64, count=len(docs))
    rule = (min_coverage, min_concentration, min_rate_ratio, min_docs)
    presence = docs.matrix.copy()
    presence.data[:] = 1
    found = {(m.term, m.outlet): m for m in _find(presence, docs.vocabulary, outlet_of, outlets, *rule)}
    if docs.raw_tokens is not None:
        raw = _presence(docs.raw_tokens, docs.raw_offsets, len(docs.vocabulary))
        for m in _find(raw, docs.vocabulary, outlet_of, outlets, *rule):
            found.setdefault((m.term, m.outlet), m)
    # a term joined from a marker and another word is a marker too (``grdn_final``)
    plain = {m.term: m for m in found.values()}
    for term in docs.vocabulary:
        if "_" in term and term not in plain:
            part = next((p for p in term.split("_") if p in plain), None)
            if part is not None:
                m = plain[part]
                found[(term, m.outlet)] = Marker(term, m.outlet, m.n_docs, m.coverage, m.concentration, part)
    markers = sorted(found.values(), key=lambda m: (m.outlet, m.compound_of is not None, -m.coverage, m.term))
    return OutletMarkers(tuple(markers), len(named), True, params)


def without_markers(docs: Any, keep: bool = False, exempt: Iterable[str] = ()) -> tuple[Any, OutletMarkers]:
    """The documents an analysis of tendencies works on, and the outlet markers of the selection.

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
    keep : bool
        Keep the markers (``--keep-markers``): ``docs`` itself, the markers reported as kept.
    exempt : iterable of str
        Terms never left out (the term a ``meaning`` query asks about).

    Returns
    -------
    (DocumentTerms, OutletMarkers)
        A view of ``docs`` without the markers (:meth:`nlp.documents.DocumentTerms.without_terms`), or
        ``docs`` itself when there are none or ``keep``.
    """
    markers = docs.outlet_markers
    if keep:
        return docs, markers.kept()
    exempt = set(exempt)
    return docs.without_terms(t for t in markers.terms if t not in exempt), markers
