"""What a reader must know before reading a scale: does it track time, is one end held by a fringe, which
words make each end, did the fit converge, are the references corroborated.

:func:`scale_diagnostics` gathers these checks for a fitted :class:`~nlp.scaling.ScalingResult` over a
:class:`~nlp.documents.DocumentTerms` selection and turns each problem into a caveat, a sentence to print
beside the positions. Thresholds (documented in docs/scaling.md):

* **time**: the rank correlation (Spearman ρ) of the documents' positions with their dates; |ρ| ≥
  :data:`TIME_RHO` means the axis tracks time (vocabulary change) at least as much as anything else.
* **fringe**: counted from one end, at least :data:`POLE_SHARE` of the documents (and three) come before the
  first document of a large group (one with at least :data:`LARGE_GROUP` of the documents): that end is held
  by small groups alone, and the axis separates them (a region, a fringe party) from the rest rather than
  ordering the main ones.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from nlp.scaling.results import ScalingResult

#: |ρ| of positions with dates from which the axis is said to track time.
TIME_RHO = 0.7
#: Share of the documents (at least three) that small groups must hold alone at one end for the fringe check.
POLE_SHARE = 0.05
#: A group with at least this share of the (grouped) documents is one of the large groups.
LARGE_GROUP = 0.1
#: Words listed at each end of the scale.
POLE_WORDS = 10


def date_values(published: Sequence[str | None]) -> np.ndarray:
    """Dates as fractional years (``"1997-05-01"`` → 1997.33; a bare year → its middle); NaN when undated."""
    out = np.full(len(published), np.nan)
    for i, value in enumerate(published):
        if not value or not value[:4].isdigit():
            continue
        year = int(value[:4])
        month = int(value[5:7]) if len(value) >= 7 and value[5:7].isdigit() else None
        day = int(value[8:10]) if len(value) >= 10 and value[8:10].isdigit() else 15
        out[i] = year + 0.5 if month is None else year + (month - 1 + (min(day, 28) - 1) / 28) / 12
    return out


def time_correlation(scores: Sequence[float], published: Sequence[str | None]) -> tuple[float | None, int]:
    """Spearman ρ of ``scores`` with the documents' dates, over the dated ones; ``(None, n)`` when fewer than
    three are dated or either side is constant."""
    from scipy.stats import spearmanr

    when = date_values(published)
    scores = np.asarray(scores, dtype=float)
    ok = np.isfinite(when) & np.isfinite(scores)
    n = int(ok.sum())
    if n < 3 or np.ptp(when[ok]) == 0 or np.ptp(scores[ok]) == 0:
        return None, n
    return float(spearmanr(scores[ok], when[ok]).statistic), n


def pole_words(result: ScalingResult, n: int = POLE_WORDS, counts: Sequence[float] | None = None
               ) -> dict[str, list[str]]:
    """The words that pull hardest towards each end: ``{"low": [...], "high": [...]}``, strongest first.

    Wordfish: the largest and smallest β among the frequent half of the words (by ψ). Wordscores: the
    highest and lowest word scores among the frequent half of the scored words (by ``counts``, the words'
    total counts in the order of ``result.words``, when given). Tokens with fewer than two letters or digits
    (stray characters, garbled bytes) are left out.
    """
    words = [w for w in result.words if sum(c.isalnum() for c in w.term) >= 2]
    if result.method == "wordfish":
        rows = [(w.term, w.beta, w.psi) for w in words if w.beta is not None and w.psi is not None]
    else:
        weight = dict(zip((w.term for w in result.words), counts)) if counts is not None else {}
        rows = [(w.term, w.score, weight.get(w.term, 0.0)) for w in words if w.score is not None
                and math.isfinite(w.score)]
    if not rows:
        return {"low": [], "high": []}
    cut = sorted(r[2] for r in rows)[len(rows) // 2] if (result.method == "wordfish" or counts is not None) else -math.inf
    frequent = [r for r in rows if r[2] >= cut]
    # ties (Wordscores: every word of one reference alone has that reference's score): the more frequent first
    low = sorted(frequent, key=lambda r: (r[1], -r[2], r[0]))
    high = sorted(frequent, key=lambda r: (-r[1], -r[2], r[0]))
    return {"low": [r[0] for r in low[:n]], "high": [r[0] for r in high[:n]]}


def fringe_split(scores: Sequence[float], groups: Sequence[str], share: float = POLE_SHARE,
                 large: float = LARGE_GROUP) -> dict[str, Any] | None:
    """The end of the scale held only by small groups, if one is: ``{"pole", "groups", "n", "large_groups"}``.

    From each end, the documents are counted until the first one of a large group (one with at least
    ``large`` of the documents); an end is a fringe when that run holds at least ``share`` of the documents
    (and three). The longer such run is returned (None when neither end is a fringe, or no group is large).
    """
    scores = np.asarray(scores, dtype=float)
    n = scores.size
    sizes = Counter(groups)
    big = {g for g, m in sizes.items() if m >= large * n}
    if n < 10 or not big or len(big) == len(sizes):
        return None
    order = np.argsort(scores, kind="stable")
    found = []
    for pole, idx in (("low", order), ("high", order[::-1])):
        run = next((k for k, i in enumerate(idx) if groups[i] in big), n)
        if run >= max(3, math.ceil(share * n)):
            held = list(dict.fromkeys(groups[i] for i in idx[:run]))  # the most extreme first
            found.append((run, {"pole": pole, "groups": held, "n": int(run),
                                "large_groups": sorted(big)}))
    return max(found, key=lambda f: f[0])[1] if found else None


@dataclass(frozen=True)
class ScaleDiagnostics:
    """The checks behind a scale, and the caveats they call for (sentences a reader must see)."""

    time_correlation: float | None
    dated: int
    poles: dict[str, list[str]]
    fringe: dict[str, Any] | None = None
    convergence: dict[str, Any] | None = None
    corroboration: dict[str, Any] | None = None
    caveats: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = {"time_correlation": self.time_correlation, "dated_documents": self.dated, "poles": self.poles,
               "fringe": self.fringe}
        if self.convergence is not None:
            out["convergence"] = self.convergence
        if self.corroboration is not None:
            out["corroboration"] = self.corroboration
        return out


def group_values(docs: Any, by: str) -> list[str]:
    """Each document's group under ``by`` (tendency, outlet or author; an author's first name for author)."""
    if by == "author":
        return [a[0] if a else "(no author)" for a in docs.authors]
    return list(docs.labels if by == "tendency" else docs.outlets)


def scale_diagnostics(docs: Any, result: ScalingResult, by: str = "tendency", counts: Sequence[float] | None = None,
                      corroboration: dict[str, Any] | None = None) -> ScaleDiagnostics:
    """Time, fringe, pole words, convergence (Wordfish) and corroboration (Wordscores) of a scale.

    Parameters
    ----------
    docs : DocumentTerms
        The selection the scale was made from (dates and groups are read from it).
    result : ScalingResult
        The positions; Wordscores' reference texts are left out of the time and fringe checks (their
        position is given, not found).
    by : {"tendency", "outlet", "author"}
        The groups of the fringe check.
    counts : sequence of float, optional
        Wordscores: the words' total counts, in the order of ``result.words`` (for the pole words).
    corroboration : dict, optional
        Wordscores: :func:`nlp.scaling.wordscores.leave_one_reference_out`'s summary.

    Returns
    -------
    ScaleDiagnostics
    """
    where = {id_: i for i, id_ in enumerate(docs.ids)}
    placed = [(where[d.id], d.score) for d in result.documents if d.id in where and not d.reference
              and math.isfinite(d.score)]
    idx = [i for i, _ in placed]
    scores = [s for _, s in placed]
    rho, dated = time_correlation(scores, [docs.published[i] for i in idx])
    group_of = group_values(docs, by)
    fringe = fringe_split(scores, [group_of[i] for i in idx])
    poles = pole_words(result, counts=counts)
    caveats = []
    convergence = None
    if result.method == "wordfish" and "converged" in result.info:
        convergence = {k: result.info.get(k) for k in ("converged", "n_iter", "stop", "log_posterior")}
        if not result.info.get("converged"):
            why = ("the log-posterior fell five rounds in a row, drifting away from its peak, whose positions are "
                   "given" if result.info.get("stop") == "drift" else "the positions may still move")
            caveats.append(f"Wordfish stopped after {result.info.get('n_iter')} rounds without converging ({why}): "
                           "treat them as provisional (fewer, more frequent words, or fewer very short "
                           "documents, help).")
    if rho is not None and abs(rho) >= TIME_RHO:
        caveats.append(f"The positions track time (rank correlation {rho:+.2f} with the date over {dated} "
                       "documents): this axis may measure how the language changed over the years rather than "
                       "where the documents stand. Read positions against their own period (--within year or "
                       "decade) or compare documents of one period.")
    if fringe is not None:
        named = ", ".join(fringe["groups"][:6]) + (" …" if len(fringe["groups"]) > 6 else "")
        caveats.append(f"The {fringe['pole']} end of the axis is held by small groups only ({named}: the "
                       f"{fringe['n']} most extreme documents), with none of the large groups "
                       f"({', '.join(fringe['large_groups'])}) near it: the axis may separate those groups (a region, "
                       "a fringe) from the rest rather than order the main ones. Scale the main groups alone "
                       f"(--{'tendency' if by == 'tendency' else by} ...) to read their order.")
    if corroboration is not None and not corroboration.get("corroborated"):
        caveats.append(corroboration["reason"])
    return ScaleDiagnostics(rho, dated, poles, fringe, convergence, corroboration, caveats)
