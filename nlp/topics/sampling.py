"""Which documents a topic model is fitted on when the corpus is large: a seeded, stratified sample.

A topic model fitted on a well-drawn sample of a large corpus finds nearly the topics of a fit on all of it,
at a fraction of the cost (docs/topics.md, "Fitting on a sample", has the figures); every document's topic
shares are then inferred from the fitted model (:mod:`nlp.topics.infer`). The sample is stratified by
tendency x period x outlet, so a small tendency, a quiet year or a small outlet is never left out of the fit
by chance:

- **Allocation**: proportional to each stratum's documents, with at least one document in every non-empty
  stratum when the sample is at least as large as the number of strata (largest remainders settle the
  rounding). A sample smaller than the number of strata takes one document from each of ``size`` strata,
  drawn with probability proportional to their size.
- **Drawing**: within a stratum, documents are drawn uniformly without replacement, all from one
  ``numpy.random.default_rng(seed)`` going through the strata in sorted order: the same corpus and seed
  give the same sample; another seed gives another.

:func:`stratified_sample` returns a :class:`FitSample` (sorted indices and the strata summary that goes
into a run's manifest); :func:`resolve_fit_sample` turns ``--fit-sample`` (a number, ``auto`` or nothing)
into the size to draw.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nlp.documents import DocumentTerms
from nlp.errors import InvalidParameterError
from nlp.topics.trends import period_of

__all__ = ["FitSample", "stratified_sample", "resolve_fit_sample", "AUTO_FIT_SAMPLE", "STRATA_PERIOD"]

#: ``--fit-sample auto``: fit on a stratified sample of this many documents when the selection is larger
#: (else on every document). Sample fits of 20,000 documents find the full fit's topics (docs/topics.md).
AUTO_FIT_SAMPLE = 20_000

#: The period of the strata (tendency x period x outlet).
STRATA_PERIOD = "year"


@dataclass
class FitSample:
    """A stratified sample of a selection's documents.

    Attributes
    ----------
    indices : ndarray of int
        The sampled documents' positions in the selection, sorted.
    requested : int or str
        The size asked for (a number, or ``"auto"``).
    seed : int
    period : str
        The period of the strata (``"year"``, ``"quarter"`` or ``"month"``).
    strata : list of dict
        One row per non-empty stratum: ``{"tendency", "period", "outlet", "corpus", "sample"}`` (documents
        in the selection and in the sample), sorted by tendency, period and outlet.
    n_docs : int
        Documents in the selection.
    """

    indices: np.ndarray
    requested: int | str
    seed: int
    period: str
    strata: list[dict[str, Any]] = field(default_factory=list)
    n_docs: int = 0

    @property
    def size(self) -> int:
        """Documents in the sample."""
        return int(len(self.indices))

    def to_dict(self) -> dict[str, Any]:
        """The manifest's ``fit_sample`` record: sizes, seed, strata (``by``, counts, and each stratum)."""
        return {"requested": self.requested, "used": self.size, "of": self.n_docs, "seed": self.seed,
                "method": "stratified by tendency x period x outlet, proportional allocation with at least one "
                          "document per non-empty stratum where the size allows",
                "by": ["tendency", "period", "outlet"], "period": self.period,
                "n_strata": len(self.strata), "strata_in_sample": sum(1 for s in self.strata if s["sample"]),
                "strata": self.strata}


def resolve_fit_sample(requested: int | str | None, n_docs: int) -> int | None:
    """The number of documents to fit on for ``--fit-sample`` (None: fit on every document).

    Parameters
    ----------
    requested : int, str or None
        A positive number of documents, ``"auto"`` (:data:`AUTO_FIT_SAMPLE` when the selection is larger,
        else every document), or None (every document).
    n_docs : int
        Documents in the selection.

    Raises
    ------
    InvalidParameterError
        When ``requested`` is neither a positive number nor ``"auto"``.
    """
    if requested is None:
        return None
    if isinstance(requested, str):
        text = requested.strip().casefold()
        if text == "auto":
            return AUTO_FIT_SAMPLE if n_docs > AUTO_FIT_SAMPLE else None
        if not text.replace("_", "").replace(",", "").isdigit():
            raise InvalidParameterError(f"--fit-sample {requested!r} is not a number of documents or 'auto': "
                                        "e.g. --fit-sample 20000", param="--fit-sample")
        requested = int(text.replace("_", "").replace(",", ""))
    if int(requested) < 1:
        raise InvalidParameterError(f"--fit-sample must be at least 1 document (got {requested})",
                                    param="--fit-sample")
    return int(requested) if int(requested) < n_docs else None


def _strata(docs: DocumentTerms, period: str) -> tuple[list[tuple[str, str, str]], np.ndarray]:
    """The sorted stratum keys ``(tendency, period, outlet)`` and each document's stratum number."""
    keys = [(docs.labels[i] or "", period_of(docs.published[i], period) or "undated", docs.outlets[i] or "")
            for i in range(len(docs))]
    names = sorted(set(keys))
    number = {k: j for j, k in enumerate(names)}
    return names, np.fromiter((number[k] for k in keys), dtype=np.int64, count=len(keys))


def _allocate(counts: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Documents to draw from each stratum: ``size`` in all, proportional to ``counts``, each stratum at least
    one when ``size`` allows, never more than a stratum holds."""
    n = int(counts.sum())
    if size >= n:
        return counts.copy()
    if size < len(counts):  # not every stratum can be in: one from each of `size` strata, by size
        chosen = rng.choice(len(counts), size=size, replace=False, p=counts / n)
        out = np.zeros(len(counts), dtype=np.int64)
        out[chosen] = 1
        return out
    quota = size * counts / n
    out = np.clip(np.floor(quota).astype(np.int64), 1, counts)
    order = np.lexsort((np.arange(len(counts)), -(quota - np.floor(quota))))  # largest remainders first
    while out.sum() < size:  # hand out what rounding down left, to the largest remainders that have room
        for j in order:
            if out.sum() >= size:
                break
            if out[j] < counts[j]:
                out[j] += 1
    while out.sum() > size:  # the floor of one each overshot: take back from the most over-served strata
        over = np.where(out > 1, out - quota, -np.inf)
        out[int(np.argmax(over))] -= 1
    return out


def stratified_sample(docs: DocumentTerms, size: int, seed: int = 0, period: str = STRATA_PERIOD,
                      requested: int | str | None = None) -> FitSample:
    """A seeded sample of ``size`` documents, stratified by tendency x period x outlet.

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
        The selection.
    size : int
        Documents to draw (every document when ``size`` is at least ``len(docs)``).
    seed : int
        The same documents, seed and size give the same sample.
    period : str
        ``"year"`` (default), ``"quarter"`` or ``"month"``; undated documents form their own period.
    requested : int or str, optional
        What the user asked for (recorded as such, e.g. ``"auto"``); default ``size``.

    Returns
    -------
    FitSample
        Sorted indices into ``docs`` and the per-stratum counts in the selection and in the sample.

    Raises
    ------
    InvalidParameterError
        When ``size`` is below 1 or ``period`` is unknown.
    """
    if size < 1:
        raise InvalidParameterError(f"a sample needs at least 1 document (got {size})", param="--fit-sample")
    names, stratum = _strata(docs, period)
    counts = np.bincount(stratum, minlength=len(names))
    rng = np.random.default_rng(seed)
    take = _allocate(counts, int(size), rng)
    members = np.argsort(stratum, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)])
    picked = [rng.choice(members[starts[j]:starts[j + 1]], size=int(take[j]), replace=False)
              for j in range(len(names)) if take[j]]
    indices = np.sort(np.concatenate(picked)) if picked else np.zeros(0, dtype=np.int64)
    strata = [{"tendency": t, "period": p, "outlet": o, "corpus": int(c), "sample": int(s)}
              for (t, p, o), c, s in zip(names, counts.tolist(), take.tolist())]
    return FitSample(indices=indices.astype(np.int64), requested=size if requested is None else requested,
                     seed=int(seed), period=period, strata=strata, n_docs=len(docs))
