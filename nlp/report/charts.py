"""Charts for the report and the CLI: matplotlib (Agg) figures as inline SVG or PNG files.

Text in SVG is drawn as paths (``svg.fonttype = 'path'``), so a chart carries no live text from the
corpus into the report's HTML. :func:`figure_svg` is the one place the report trusts a string as markup.
Colours come from the caller (:mod:`nlp.report.styles`); a chart given none colours its series by
:func:`~nlp.report.styles.palette_colours`.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

from corpus.output import write_bytes_atomic

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from markupsafe import Markup  # noqa: E402

from nlp.report.styles import palette_colours  # noqa: E402


def figure_svg(fig) -> Markup:
    """Render a figure as an inline ``<svg>`` element and close it.

    The result is :class:`~markupsafe.Markup`: matplotlib wrote it and its text is drawn as paths (the
    glyphs' source text survives only in XML comments, which matplotlib escapes), so the templates insert
    it as it is. This is the only string the report does not escape.
    """
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buf.getvalue()
    start = svg.find("<svg")
    svg = svg[start:]
    # Let CSS size the chart: drop fixed width/height, keep the viewBox.
    head, rest = svg.split(">", 1)
    for attr in ("width", "height"):
        i = head.find(f' {attr}="')
        if i >= 0:
            j = head.find('"', i + len(attr) + 3)
            head = head[:i] + head[j + 1:]
    return Markup(head + ' role="img" preserveAspectRatio="xMidYMid meet">' + rest)


def save_figure(fig, path: str | Path, dpi: int = 130) -> Path:
    """Write a figure as a PNG, whole or not at all (``corpus.output``: one clear error when it cannot be)."""
    path = Path(path)
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    write_bytes_atomic(path, buf.getvalue())
    return path


def stacked_bars(categories: Sequence[str], series: Mapping[str, Sequence[float]], title: str,
                 ylabel: str = "articles", horizontal: bool = False, colours: Mapping[str, str] | None = None):
    """A stacked bar chart: one bar per category, one coloured segment per series (``colours[series]``)."""
    colours = {**palette_colours(series), **(colours or {})}
    fig, ax = plt.subplots(figsize=(7.5, 3.6 if not horizontal else max(2.4, 0.38 * len(categories) + 1)))
    base = [0.0] * len(categories)
    for name, values in series.items():
        if horizontal:
            ax.barh(categories, values, left=base, label=name, color=colours[name])
        else:
            ax.bar(categories, values, bottom=base, label=name, color=colours[name])
        base = [b + v for b, v in zip(base, values)]
    ax.set_title(title, fontsize=11, loc="left")
    (ax.xaxis if horizontal else ax.yaxis).get_major_locator().set_params(integer=True)
    if horizontal:
        ax.set_xlabel(ylabel)
        ax.invert_yaxis()
    else:
        ax.set_ylabel(ylabel)
        if len(categories) > 8:
            plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, ncol=min(4, len(series)), loc="upper left", bbox_to_anchor=(0, -0.18 if not horizontal else -0.12))
    return fig


def small_multiples(panels: Mapping[str, Mapping[str, Sequence[tuple[str, float, int]]]], title: str,
                    ylabel: str = "share", few: int = 3, ncols: int = 3, colours: Mapping[str, str] | None = None):
    """One panel per key of ``panels``; in each, one line per series of ``(x, y, n_docs[, lo, hi])`` points
    (with ``lo``/``hi``, the interval is drawn as a band around the line).

    Points resting on fewer than ``few`` documents are drawn hollow, so a reader sees when a point is
    thin. All panels share their axes. Series are drawn and listed in the order of ``colours`` when given.
    """
    names = list(panels)
    ncols = max(1, min(ncols, len(names)))
    nrows = (len(names) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.3 * ncols, 2.5 * nrows + 0.6), sharex=True, sharey=True,
                             squeeze=False)
    xs_all = sorted({pt[0] for p in panels.values() for pts in p.values() for pt in pts})
    index = {x: i for i, x in enumerate(xs_all)}
    series_names = list(dict.fromkeys(s for p in panels.values() for s in p))
    if colours:
        series_names = [s for s in colours if s in series_names] + [s for s in series_names if s not in colours]
    colours = {**palette_colours(series_names), **(colours or {})}
    for ax, name in zip(axes.flat, names):
        for s in series_names:
            pts = panels[name].get(s)
            if not pts:
                continue
            pts = sorted(pts, key=lambda p: index[p[0]])
            xi = [index[p[0]] for p in pts]
            ys = [p[1] for p in pts]
            band = [(i, p[3], p[4]) for i, p in zip(xi, pts) if len(p) > 4 and p[3] is not None and p[4] is not None]
            if len(band) > 1:  # the 95 % interval of each point, as a band
                bx, blo, bhi = zip(*band)
                ax.fill_between(bx, blo, bhi, color=colours[s], alpha=0.15, linewidth=0)
            ax.plot(xi, ys, color=colours[s], linewidth=1.6, label=s)
            thin = [(i, p[1]) for i, p in zip(xi, pts) if p[2] < few]
            solid = [(i, p[1]) for i, p in zip(xi, pts) if p[2] >= few]
            if solid:
                ax.scatter(*zip(*solid), s=12, color=colours[s], zorder=3)
            if thin:
                ax.scatter(*zip(*thin), s=16, facecolors="white", edgecolors=colours[s], zorder=3)
        ax.set_title(_shorten(name, 38), fontsize=8.5, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    step = max(1, len(xs_all) // 5)
    for ax in axes[-1]:
        ax.set_xticks(range(0, len(xs_all), step))
        ax.set_xticklabels(xs_all[::step], rotation=0)
    for row in axes:
        row[0].set_ylabel(ylabel, fontsize=8)
    handles = [plt.Line2D([], [], color=colours[s], linewidth=2) for s in series_names]
    fig.legend(handles, series_names, loc="lower center", ncol=min(5, len(series_names)), fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, -0.02))
    fig.suptitle(title, fontsize=11, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    return fig


def heatmap(rows: Sequence[str], cols: Sequence[str], values: Sequence[Sequence[float]], title: str,
            fmt: str = "{:.0%}"):
    """A labelled heatmap (rows x columns), each cell annotated."""
    import numpy as np

    data = np.asarray(values, dtype=float)
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.36 * len(rows)))
    ax.imshow(data, cmap="Oranges", aspect="auto", vmin=0)
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels([_shorten(c, 22) for c in cols], rotation=40, ha="right", fontsize=7.5)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows, fontsize=8)
    top = data.max() if data.size else 1
    for i in range(len(rows)):
        for j in range(len(cols)):
            ax.text(j, i, fmt.format(data[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if data[i, j] > 0.6 * top else "#333")
    ax.set_title(title, fontsize=11, loc="left")
    return fig


def _shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def stacked_areas(panels: Mapping[str, Mapping[str, Sequence[tuple[str, float]]]], title: str, ncols: int = 3):
    """One panel per group; in each, the shares of every series stacked over time (they sum to 1)."""
    import numpy as np

    names = list(panels)
    ncols = max(1, min(ncols, len(names)))
    nrows = (len(names) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.3 * ncols, 2.3 * nrows + 0.9), sharey=True, squeeze=False)
    series_names = list(dict.fromkeys(s for p in panels.values() for s in p))
    colours = palette_colours(series_names)
    for ax, name in zip(axes.flat, names):
        xs = sorted({x for pts in panels[name].values() for x, _ in pts})
        if not xs:
            continue
        index = {x: i for i, x in enumerate(xs)}
        ys = np.zeros((len(series_names), len(xs)))
        for si, s in enumerate(series_names):
            for x, y in panels[name].get(s, ()):
                ys[si, index[x]] = y
        ax.stackplot(range(len(xs)), ys, colors=[colours[s] for s in series_names], linewidth=0)
        ax.set_xlim(0, max(1, len(xs) - 1))
        ax.set_ylim(0, 1)
        step = max(1, len(xs) // 4)
        ax.set_xticks(range(0, len(xs), step))
        ax.set_xticklabels(xs[::step], fontsize=7)
        ax.tick_params(labelsize=7)
        ax.set_title(_shorten(name, 34), fontsize=8.5, loc="left")
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[s]) for s in series_names]
    fig.legend(handles, [_shorten(s, 30) for s in series_names], loc="lower center", ncol=min(3, len(series_names)),
               fontsize=7.5, frameon=False, bbox_to_anchor=(0.5, -0.01))
    fig.suptitle(title, fontsize=11, x=0.01, ha="left")
    legend_rows = (len(series_names) + 2) // 3
    fig.tight_layout(rect=(0, min(0.35, 0.035 * legend_rows + 0.03), 1, 0.96))
    return fig
