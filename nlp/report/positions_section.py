"""The report's "Where each tendency stands": the scaling map, the words at each end, and who moved where."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from nlp.report.charts import figure_svg
from nlp.report.plots import positions_figure, within_period
from nlp.report.render import Figure, Section, Table
from nlp.report.styles import Styles
from nlp.scaling.diagnostics import pole_words
from nlp.scaling.positions import period_orders
from nlp.scaling.results import ScalingResult
from nlp.uncertainty import is_fall, is_rise

SKIP = ("mixed", "unlabelled")


def anchor_words(result: ScalingResult, n: int = 10) -> tuple[list[str], list[str]]:
    """The words that pull hardest towards each end (:func:`nlp.scaling.diagnostics.pole_words`), low end first."""
    poles = pole_words(result, n=n)
    plain = lambda ws: [w.replace("_", " ") for w in ws]  # noqa: E731
    return plain(poles["low"]), plain(poles["high"])


def order_sentences(positions: Sequence[Any], styles: Styles) -> list[str]:
    """Each period's order of the largest tendencies, as a tally: what one overall mean hides when the whole
    scale moves with time."""
    rows = [p for p in positions if p.group not in SKIP]
    out = []
    for o in period_orders(rows):
        if o["periods"] >= 2:
            out.append(f"Within a period, the {styles.name(o['low'])} sits below the {styles.name(o['high'])} in "
                       f"{o['below']} of the {o['periods']} periods where both are placed.")
    return out


def positions_sentences(positions: Sequence[Any], styles: Styles) -> list[str]:
    """Plain sentences: where each supported tendency stands overall, and who moved where between its first
    and last supported periods (a move is stated only when the two intervals part)."""
    overall = [p for p in positions if p.period == "all" and p.group not in SKIP]
    supported = sorted((p for p in overall if p.supported), key=lambda p: p.position)
    out = []
    if len(supported) >= 2:
        listing = "; ".join(f"{styles.name(p.group)} {p.position:+.2f} ({p.lo:+.2f} to {p.hi:+.2f}, {p.n} articles)"
                            for p in supported if p.lo is not None)
        out.append(f"From one end of the scale to the other: {listing}.")
        parted = any(a.hi is not None and b.lo is not None and a.hi < b.lo
                     for i, a in enumerate(supported) for b in supported[i + 1:])
        if not parted:
            out.append("Their intervals overlap: on this scale the tendencies cannot be told apart.")
    thin = [p for p in overall if not p.supported]
    if thin:
        out.append("Too few articles to place: " + ", ".join(f"{styles.name(p.group)} ({p.n})" for p in thin) + ".")
    for group in sorted({p.group for p in positions if p.group not in SKIP}):
        cells = sorted((p for p in positions if p.group == group and p.supported and p.period not in ("all", "undated")
                        and p.lo is not None), key=lambda p: p.period)
        if len(cells) < 2:
            continue
        first, last = cells[0], cells[-1]
        moved = ("moved up the scale" if is_rise((first.lo, first.hi), (last.lo, last.hi)) else
                 "moved down the scale" if is_fall((first.lo, first.hi), (last.lo, last.hi)) else None)
        if moved:
            out.append(f"The {styles.name(group)} {moved} from {first.period} ({first.position:+.2f}, {first.n} "
                       f"articles) to {last.period} ({last.position:+.2f}, {last.n} articles).")
    return out


def positions_section(result: ScalingResult, positions: Sequence[Any], info: Mapping[str, Any],
                      styles: Styles | None = None) -> Section:
    styles = styles or Styles.default()
    low, high = anchor_words(result)
    rows = [p for p in positions if p.group not in SKIP or p.period == "all"]
    fig = positions_figure([p for p in rows if p.group not in SKIP], "Mean position by period", styles)
    caveats = [f"Caveat: {c}" for c in info.get("caveats", [])]
    table = Table(["tendency", "articles", "authors", "position", "from", "to"],
                  [(styles.name(p.group), p.n, p.n_authors, round(p.position, 3),
                    None if p.lo is None else round(p.lo, 3), None if p.hi is None else round(p.hi, 3))
                   for p in positions if p.period == "all"], numeric=(1, 2, 3, 4, 5))
    context: dict[str, Any] = {
        "sentences": caveats + positions_sentences(positions, styles) + order_sentences(positions, styles),
        "low_words": ", ".join(low), "high_words": ", ".join(high),
        "figure": Figure(figure_svg(fig), "Above, each line is a tendency's mean position that year; the band is "
                                          "its 95% interval (articles resampled by author). Below, each year's "
                                          "order: the positions relative to that year's mean, so a drift of the "
                                          "whole scale over time does not hide who stands where.",
                         data=[{"tendency": p.group, "period": p.period, "position": round(p.position, 4),
                                "relative_to_period": round(r, 4), "lo": p.lo, "hi": p.hi, "articles": p.n,
                                "supported": p.supported}
                               for p, r in within_period([p for p in rows if p.group not in SKIP])],
                         name="positions_by_tendency"),
        "table": table, "info": dict(info)}
    data = {"positions_by_tendency": [{"group": p.group, "period": p.period, "position": round(p.position, 4),
                                       "lo": p.lo, "hi": p.hi, "n": p.n, "n_authors": p.n_authors,
                                       "supported": p.supported} for p in positions],
            "positions_words": [{"term": w.term, "beta": w.beta, "psi": w.psi} for w in result.words]}
    return Section("positions", "Where each tendency stands", "positions.html", context, data)
