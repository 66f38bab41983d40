"""Positions read against their own time (``--within year|decade``).

When a scale tracks time (vocabulary drifts over the decades), a document's position says more about when
it was written than where it stands. Two remedies, one per estimator:

* **Wordfish** is refitted within each period on that period's documents alone, so each period gets its own
  axis (what sets its documents apart from one another); each period's axis is oriented to agree with the
  pooled fit (positive correlation on the period's documents), or by ``--high``/``--low`` where both named
  documents fall in the period. Periods with fewer than :data:`MIN_PERIOD_DOCUMENTS` documents are left out.
* **Wordscores** keeps its reference texts (they may come from other periods) and detrends: each virgin
  text's position minus the mean of the virgin texts of its period, so the position is relative to its
  contemporaries.

Either way positions from different periods are no longer on one scale: compare documents and groups
within a period (the within-period view of ``--plot`` and of the report).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping, Sequence

import numpy as np

from nlp.scaling.errors import ScalingError
from nlp.scaling.results import DocumentPosition, ScalingResult

WITHIN = ("year", "decade")
#: Fewest documents a period needs for its own Wordfish fit.
MIN_PERIOD_DOCUMENTS = 3


def period_label(published: str | None, within: str) -> str | None:
    """The period of a date: ``"1997"`` (year) or ``"1990s"`` (decade); None when undated."""
    if within not in WITHIN:
        raise ScalingError(f"unknown period {within!r} for --within; use year or decade")
    if not published or not published[:4].isdigit():
        return None
    year = int(published[:4])
    return str(year) if within == "year" else f"{year // 10 * 10}s"


def periods_of(published: Sequence[str | None], within: str) -> dict[str, list[int]]:
    """``{period: [document indices]}`` in period order (undated documents under None are left out)."""
    out: dict[str, list[int]] = {}
    for i, value in enumerate(published):
        label = period_label(value, within)
        if label is not None:
            out.setdefault(label, []).append(i)
    return dict(sorted(out.items()))


def wordfish_within(docs: Any, X: Any, feature_names: Sequence[str], within: str, pooled: ScalingResult,
                    direction: tuple[int, int] | None = None, seed: int = 0) -> ScalingResult:
    """Wordfish refitted within each period (see the module); the pooled fit's words are kept.

    Parameters
    ----------
    docs : DocumentTerms
        The selection (its dates decide the periods).
    X, feature_names
        Its count matrix and column names (as the pooled fit used).
    within : {"year", "decade"}
    pooled : ScalingResult
        The pooled fit over every document: orients each period's axis and gives the words.
    direction : (int, int), optional
        Row numbers of the ``--high`` and ``--low`` documents.
    seed : int

    Returns
    -------
    ScalingResult
        The documents of the periods that could be fitted, each on its period's axis; ``info["within"]``,
        ``info["periods"]`` (per period: documents, rounds, converged) and ``info["left_out"]`` (ids).
    """
    from nlp.scaling.wordfish import Wordfish

    X = X.tocsr()
    by_id = {d.id: d.score for d in pooled.documents}
    documents: list[DocumentPosition] = []
    periods: dict[str, Any] = {}
    left_out: list[str] = [docs.ids[i] for i, p in enumerate(docs.published) if period_label(p, within) is None]
    for period, idx in periods_of(docs.published, within).items():
        if len(idx) < MIN_PERIOD_DOCUMENTS:
            left_out += [docs.ids[i] for i in idx]
            periods[period] = {"documents": len(idx), "fitted": False, "reason": "too few documents"}
            continue
        sub = X[idx]
        sub = sub[:, np.flatnonzero(np.asarray(sub.sum(axis=0)).ravel() > 0)]
        local = None
        if direction and direction[0] in idx and direction[1] in idx:
            local = (idx.index(direction[0]), idx.index(direction[1]))
        try:
            model = Wordfish(dir=local, random_state=seed).fit(sub, ids=[docs.ids[i] for i in idx])
        except ScalingError as exc:
            left_out += [docs.ids[i] for i in idx]
            periods[period] = {"documents": len(idx), "fitted": False, "reason": str(exc)}
            continue
        theta = model.theta_
        sign = 1.0
        if local is None:
            ref = np.array([by_id.get(docs.ids[i], np.nan) for i in idx])
            ok = np.isfinite(ref)
            if ok.sum() >= 2 and np.corrcoef(theta[ok], ref[ok])[0, 1] < 0:
                sign = -1.0
        result = model.result()
        for d in result.documents:
            lo, hi = sorted((sign * d.lo, sign * d.hi))
            documents.append(replace(d, index=len(documents), score=sign * d.score, raw=sign * d.score, lo=lo, hi=hi))
        periods[period] = {"documents": len(idx), "fitted": True, "n_iter": model.n_iter_,
                           "converged": model.converged_, "stop": model.stop_}
    if not documents:
        raise ScalingError(f"no {within} has {MIN_PERIOD_DOCUMENTS} or more dated documents to scale within it; "
                           "use a longer period (--within decade) or scale without --within")
    converged = all(p.get("converged", True) for p in periods.values())
    info = {**pooled.info, "within": within, "periods": periods, "left_out": left_out, "converged": converged,
            "n_iter": max(p.get("n_iter", 0) for p in periods.values())}
    return ScalingResult("wordfish", tuple(documents), pooled.words, info)


def detrend_within(docs: Any, result: ScalingResult, within: str) -> ScalingResult:
    """Each scored (non-reference) document's position minus the mean of its period's (see the module)."""
    where = {id_: i for i, id_ in enumerate(docs.ids)}
    cells: dict[str, list[float]] = {}
    period_of: dict[str, str | None] = {}
    for d in result.documents:
        i = where.get(d.id)
        period_of[d.id] = period_label(docs.published[i], within) if i is not None else None
        if not d.reference and period_of[d.id] is not None:
            cells.setdefault(period_of[d.id], []).append(d.score)
    means: Mapping[str, float] = {p: float(np.mean(v)) for p, v in cells.items()}
    documents, left_out = [], []
    for d in result.documents:
        if d.reference:
            documents.append(d)
            continue
        p = period_of[d.id]
        if p is None:
            left_out.append(d.id)
            continue
        shift = means[p]
        documents.append(replace(d, score=d.score - shift, lo=d.lo - shift, hi=d.hi - shift))
    info = {**result.info, "within": within, "left_out": left_out,
            "periods": {p: {"documents": len(v), "mean": means[p]} for p, v in cells.items()}}
    return ScalingResult(result.method, tuple(documents), result.words, info)
