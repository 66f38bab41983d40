"""Figures for the CLI's ``--plot`` options and the report: PNG files from analysis results."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from collections import Counter

import matplotlib

from nlp.errors import InvalidParameterError
from nlp.report.charts import save_figure
from nlp.report.styles import Styles, palette_colours
from nlp.tendencies.contrast import ContrastResult
from nlp.topics.trends import FEW_DOCS


def plot_sweep(rows: list[dict[str, Any]], path: str | Path) -> Path:
    """Coherence (c_v and NPMI, two axes) against K, as a PNG."""
    import matplotlib.pyplot as plt  # after charts has chosen the Agg backend

    ks = [r["k"] for r in rows]
    fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
    ax.plot(ks, [r["coherence_c_v"] for r in rows], "o-", color="#1b9e77", label="c_v")
    ax.set_xlabel("K (number of topics)")
    ax.set_ylabel("c_v", color="#1b9e77")
    ax2 = ax.twinx()
    ax2.plot(ks, [r["coherence_npmi"] for r in rows], "s--", color="#7570b3", label="NPMI")
    ax2.set_ylabel("NPMI", color="#7570b3")
    ax.set_xticks(ks)
    ax.set_title("Topic coherence by K (higher is better)", fontsize=10, loc="left")
    return save_figure(fig, path)


def plot_trends(rows: list[dict[str, Any]], path: str | Path, series: str = "label", value: str = "share",
                title: str = "", ylabel: str = "mean topic share", max_series: int = 10) -> Path:
    """A PNG with one panel per group and one line per topic (or term); cells resting on fewer than
    :data:`FEW_DOCS` documents are drawn as hollow markers."""
    import matplotlib.pyplot as plt  # after charts has chosen the Agg backend

    path = Path(path)
    if path.suffix.lower() != ".png":
        raise InvalidParameterError(f"the plot must be a .png file, not {path.name}", param="--plot")
    groups = sorted({r["group"] for r in rows}) or ["all"]
    periods = sorted({r["period"] for r in rows})
    x_of = {p: i for i, p in enumerate(periods)}
    totals: Counter = Counter()
    for r in rows:
        totals[r[series]] += r[value] * r.get("n_docs", 1)
    keep = [s for s, _ in totals.most_common(max_series)]
    colours = palette_colours(map(str, keep))
    fig, axes = plt.subplots(len(groups), 1, figsize=(9, 1.2 + 2.3 * len(groups)), sharex=True, sharey=True,
                             layout="constrained",
                             squeeze=False)
    for ax, g in zip(axes[:, 0], groups):
        for s in keep:
            cell = sorted(((x_of[r["period"]], r[value], r.get("n_docs", FEW_DOCS), r.get("lo"), r.get("hi"))
                           for r in rows if r["group"] == g and r[series] == s), key=lambda p: p[0])
            if not cell:
                continue
            colour = colours[str(s)]
            xs, ys, ns = [p[0] for p in cell], [p[1] for p in cell], [p[2] for p in cell]
            band = [(x, lo, hi) for x, _, _, lo, hi in cell if lo is not None and hi is not None]
            if len(band) > 1:  # the 95 % interval of each point, as a band
                bx, blo, bhi = zip(*band)
                ax.fill_between(bx, blo, bhi, color=colour, alpha=0.15, linewidth=0)
            ax.plot(xs, ys, color=colour, lw=1.4, label=str(s)[:40])
            ax.scatter(xs, ys, s=18, color=[colour if n >= FEW_DOCS else "white" for n in ns],
                       edgecolors=colour, zorder=3)
        ax.set_title(f"{g}", fontsize=10, loc="left")
        ax.set_ylabel(ylabel, fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    axes[-1, 0].set_xticks(range(len(periods)), periods, rotation=45 if len(periods) > 8 else 0,
                           ha="right" if len(periods) > 8 else "center", fontsize=8)
    axes[0, 0].legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if title:
        fig.suptitle(title + f"  (hollow: fewer than {FEW_DOCS} documents)", fontsize=10, x=0.01, ha="left")
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(fig, path)


def contrast_figure(result: ContrastResult, top: int = 15, styles: Styles | None = None, width: float = 8.0) -> Any:
    """A matplotlib figure of a contrast: each side's strongest terms as bars of their |z| (``width`` in inches:
    the report draws two side by side).

    A pyplot-free :class:`~matplotlib.figure.Figure` on the Agg canvas (no display, no global state); the
    report can inline it with :func:`nlp.report.charts.figure_svg`. Each side takes its tendency's colour
    and display name from ``styles`` (default: the shipped labels file).
    """
    styles = styles or Styles.default()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from nlp.report.charts import MIN_FONT, RC, tooltip

    side_a, side_b = result.terms_a[:top], result.terms_b[:top]
    rows = max(len(side_a), len(side_b), 1)
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width, 1.4 + 0.36 * rows))
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, 2)
        for ax, side, name in ((axes[0], side_a, result.a), (axes[1], side_b, result.b)):
            labels = [s.term.replace("_", " ") for s in side][::-1]
            values = [abs(s.z) for s in side][::-1]
            bars = ax.barh(range(len(values)), values, color=styles.colour(name))
            for bar, s in zip(bars, side[::-1]):
                tooltip(bar, f"{s.term.replace('_', ' ')}: {s.count_a} uses by {styles.name(result.a)}, "
                             f"{s.count_b} by {styles.name(result.b)} (z = {s.z:.1f})")
            ax.set_yticks(range(len(values)), labels, fontsize=MIN_FONT)
            ax.set_xlabel("how distinctive (z)")
            ax.set_title(f"more {styles.name(name)}", fontsize=12)
            ax.axvline(1.96, color="grey", linewidth=0.8, linestyle="--")
        fig.suptitle(f"{styles.name(result.a)} vs {styles.name(result.b)} ({result.field})", fontsize=12)
        fig.tight_layout()
    return fig



def plot_contrast(result: ContrastResult, path: str | Path, top: int = 15, styles: Styles | None = None) -> Path:
    """Write :func:`contrast_figure` as a PNG file; returns the path."""
    return save_figure(contrast_figure(result, top, styles), path, dpi=110)


#: Distinct hues for the groups of a scaling chart (matplotlib's tab10 without its grey, and a dark indigo);
#: groups beyond these are drawn in :data:`OTHER_GREY` unless named.
GROUP_HUES = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
              "#393b79")
OTHER_GREY = "#b3b3b3"


def group_colours(sizes: dict[str, int], styles: Styles | None = None, highlight: Sequence[str] = ()) -> dict[str, str]:
    """One colour per group of a chart: distinct hues for up to ten groups, grey for the rest.

    A group styled in the labels file keeps its colour. The other hues go first to the ``highlight`` ed groups,
    then to the largest groups (``sizes``: documents per group) until :data:`GROUP_HUES` runs out; every
    other group is :data:`OTHER_GREY`. Hues already taken by a styled group are not given again.
    """
    styles = styles or Styles.default()
    out: dict[str, str] = {}
    for g in sizes:
        style = styles.tendencies.get(g)
        if style and style.colour:
            out[g] = style.colour
    free = [h for h in GROUP_HUES if h.lower() not in {c.lower() for c in out.values()}]
    order = [g for g in highlight if g in sizes] + sorted(sizes, key=lambda g: (-sizes[g], g))
    for g in dict.fromkeys(order):
        if g not in out:
            out[g] = free.pop(0) if free else OTHER_GREY
    return out


def plot_positions(positions: Sequence[Any], path: str | Path, title: str = "", styles: Styles | None = None,
                   highlight: Sequence[str] = ()) -> Path:
    """:func:`positions_figure` as a PNG file."""
    return save_figure(positions_figure(positions, title, styles, highlight), path)


def within_period(positions: Sequence[Any]) -> list[tuple[Any, float]]:
    """Each dated group cell with its position relative to its period's mean (over the period's documents),
    so that each period's order shows whatever the whole scale does over time."""
    rows = [p for p in positions if p.period not in ("all", "undated")]
    totals: dict[str, list[float]] = {}
    for p in rows:
        t = totals.setdefault(p.period, [0.0, 0.0])
        t[0] += p.position * p.n
        t[1] += p.n
    return [(p, p.position - totals[p.period][0] / totals[p.period][1]) for p in rows]


def positions_figure(positions: Sequence[Any], title: str = "", styles: Styles | None = None,
                     highlight: Sequence[str] = ()) -> Any:
    """The scaling map: each group's mean position by period (line) with its 95 % interval (band), and below it
    each period's order (the groups' positions relative to the period's mean). Cells resting on fewer articles
    than the minimum support are drawn hollow; one colour per group (:func:`group_colours`), the grey groups
    drawn first and thin, unlabelled in the legend but for one "other groups" entry."""
    from nlp.report.charts import RC

    with matplotlib.rc_context(RC):
        return _positions_figure(positions, title, styles or Styles.default(), highlight)


def _positions_figure(positions: Sequence[Any], title: str, styles: Styles, highlight: Sequence[str]) -> Any:
    import matplotlib.pyplot as plt

    from nlp.report.charts import tooltip

    rows = [p for p in positions if p.period not in ("all", "undated")]
    periods = sorted({p.period for p in rows})
    if not periods:
        raise InvalidParameterError("no dated documents to map: the map needs publication dates", param="--plot")
    x_of = {p: i for i, p in enumerate(periods)}
    overall = {p.group: p.n for p in positions if p.period == "all"}
    sizes = {g: overall.get(g, sum(p.n for p in rows if p.group == g)) for g in {p.group for p in rows}}
    colours = group_colours(sizes, styles, highlight)
    ordered = styles.ordered(sorted(sizes))
    groups = [g for g in ordered if colours[g] == OTHER_GREY] + [g for g in ordered if colours[g] != OTHER_GREY]
    relative = {(p.group, p.period): r for p, r in within_period(positions)}
    fig, (ax, below) = plt.subplots(2, 1, figsize=(9, 7.6), layout="constrained", sharex=True,
                                    gridspec_kw={"height_ratios": [3, 2]})
    grey_labelled = False
    for g in groups:
        cell = sorted((p for p in rows if p.group == g), key=lambda p: x_of[p.period])
        if not cell:
            continue
        colour = colours[g]
        grey = colour == OTHER_GREY
        label = styles.name(g) if not grey else (None if grey_labelled else "other groups")
        grey_labelled = grey_labelled or grey
        xs = [x_of[p.period] for p in cell]
        band = [(x_of[p.period], p.lo, p.hi) for p in cell if p.lo is not None and p.hi is not None]
        if len(band) > 1 and not grey:
            bx, blo, bhi = zip(*band)
            ax.fill_between(bx, blo, bhi, color=colour, alpha=0.15, linewidth=0)
        for axis, ys in ((ax, [p.position for p in cell]), (below, [relative[(g, p.period)] for p in cell])):
            axis.plot(xs, ys, color=colour, lw=0.8 if grey else 1.6, label=label if axis is ax else None,
                      zorder=1 if grey else 2)
            for x, y, p in zip(xs, ys, cell):  # one mark per cell, its tooltip saying what it rests on
                mark, = axis.plot([x], [y], "o", markersize=3 if grey else 4.2, color=colour, zorder=1 if grey else 3,
                                  markerfacecolor=colour if p.supported else "white")
                span = f" (95% interval {p.lo:+.2f} to {p.hi:+.2f})" if p.lo is not None and p.hi is not None else ""
                where = "position" if axis is ax else "relative to the period's mean"
                tooltip(mark, f"{styles.name(g)}, {p.period}: {where} {y:+.2f}{span if axis is ax else ''}, "
                              f"{p.n} articles" + ("" if p.supported else " (too few to state)"))
    below.axhline(0, color="#444444", lw=0.6, ls=":")
    below.set_xticks(range(len(periods)), periods, rotation=45 if len(periods) > 10 else 0)
    ax.set_ylabel("position (mean of the documents)")
    below.set_ylabel("relative to the period's mean")
    below.set_title("Each period's order (the whole scale's drift over time taken out)", loc="left")
    for axis in (ax, below):
        axis.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if title:
        ax.set_title(title + "  (hollow: below the minimum support)", loc="left")
    return fig
