"""Charts for the report and the CLI: matplotlib (Agg) figures as inline SVG or PNG files.

Text in SVG stays text (``svg.fonttype = 'none'`` with a font stack), so a browser can find it and a screen
reader can read it; matplotlib escapes every string it writes, and :func:`figure_svg` escapes the tooltips
it adds. A chart's marks carry ``<title>`` tooltips (:func:`tooltip`). No chart text is smaller than
:data:`MIN_FONT` units, and the report never shows a chart below its natural width (a narrow screen scrolls
the chart inside its frame instead), so labels stay legible on a phone. :func:`figure_svg` is the one place
the report trusts a string as markup. Colours come from the caller (:mod:`nlp.report.styles`); a chart given
none colours its series by :func:`~nlp.report.styles.palette_colours`.
"""
from __future__ import annotations

import hashlib
import io
import math
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

import matplotlib

from corpus.output import write_bytes_atomic

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from markupsafe import Markup, escape  # noqa: E402

from nlp.report.styles import palette_colours  # noqa: E402

#: The smallest chart text, in SVG user units (pixels at the chart's natural width).
MIN_FONT = 11
#: Fonts a browser tries, in order, for chart text.
FONT_STACK = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "sans-serif"]
RC = {"svg.fonttype": "none", "font.family": "sans-serif", "font.sans-serif": FONT_STACK, "font.size": MIN_FONT,
      "axes.titlesize": 12, "axes.labelsize": MIN_FONT, "xtick.labelsize": MIN_FONT, "ytick.labelsize": MIN_FONT,
      "legend.fontsize": MIN_FONT,
      # the same chart gives the same SVG: fixed ids (clip paths, marks) and no date in the metadata
      "svg.hashsalt": "softleft"}
#: Points in a rolling mean (centred) drawn over the raw points of a trend.
SMOOTH = 3
_FONT_SIZE = re.compile(r"font-size: ?([0-9.]+)px")
_TITLES = "_softleft_titles"


def tooltip(artist: Any, text: str) -> Any:
    """Give a chart mark (a bar, a point, a cell's label) a ``<title>`` tooltip ``text`` (escaped when
    :func:`figure_svg` writes it); returns the artist."""
    fig = artist.get_figure()
    titles = fig.__dict__.setdefault(_TITLES, {})
    gid = f"mark{len(titles)}"
    artist.set_gid(gid)
    titles[gid] = text
    return artist


def figure_svg(fig) -> Markup:
    """Render a figure as an inline ``<svg>`` element and close it.

    The result is :class:`~markupsafe.Markup`: matplotlib wrote it (escaping every text it draws), the
    tooltips added here are escaped, and so the templates insert it as it is. This is the only string the
    report does not escape. Text smaller than :data:`MIN_FONT` is raised to it; the element keeps its
    natural width as a minimum (``style="min-width: …px"``) so type is never scaled below that size.
    """
    buf = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    titles = fig.__dict__.get(_TITLES, {})
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.find("<svg"):]
    svg = _FONT_SIZE.sub(lambda m: f"font-size: {max(float(m.group(1)), MIN_FONT):g}px", svg)
    prefix = "c" + hashlib.sha1(svg.encode("utf-8")).hexdigest()[:8]
    for gid, text in titles.items():
        svg = svg.replace(f'<g id="{gid}">', f'<g id="{prefix}-{gid}"><title>{escape(text)}</title>', 1)
    # Let CSS size the chart: drop fixed width/height, keep the viewBox and the natural width as a minimum.
    head, rest = svg.split(">", 1)
    for attr in ("width", "height"):
        i = head.find(f' {attr}="')
        if i >= 0:
            j = head.find('"', i + len(attr) + 3)
            head = head[:i] + head[j + 1:]
    box = re.search(r'viewBox="[0-9.\-]+ [0-9.\-]+ ([0-9.]+) ', head)
    # Never below the natural width (type stays >= MIN_FONT px); never far above it (type stays modest).
    # rounded up: a chart a fraction of a pixel narrower than its viewBox would draw 11 px type at 10.99 px
    width = (f' style="min-width:{math.ceil(float(box.group(1)))}px;max-width:{1.3 * float(box.group(1)):.0f}px"'
             if box else "")
    return Markup(head + f' class="chart"{width} preserveAspectRatio="xMidYMid meet">' + rest)


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


def rolling_mean(values: Sequence[float], window: int = SMOOTH) -> list[float]:
    """A centred rolling mean (shorter at the ends): the smoothed line drawn over a trend's raw points."""
    half = window // 2
    return [sum(values[max(0, i - half):i + half + 1]) / len(values[max(0, i - half):i + half + 1])
            for i in range(len(values))]


def _styled(make):
    """Build a chart under :data:`RC` (fonts are fixed when text is created, not when it is saved)."""
    import functools

    @functools.wraps(make)
    def build(*args: Any, **kwargs: Any):
        with matplotlib.rc_context(RC):
            return make(*args, **kwargs)
    return build


@_styled
def stacked_bars(categories: Sequence[str], series: Mapping[str, Sequence[float]], title: str,
                 ylabel: str = "articles", horizontal: bool = False, colours: Mapping[str, str] | None = None):
    """A stacked bar chart: one bar per category, one coloured segment per series (``colours[series]``);
    each segment's tooltip names its category, series and value."""
    colours = {**palette_colours(series), **(colours or {})}
    # Narrow enough to fit a phone's screen at its natural size (about 360 px); a laptop shows it larger.
    categories = [_wrap(c, 18) for c in categories] if horizontal else list(categories)
    fig, ax = plt.subplots(figsize=(3.9, 3.6 if not horizontal else max(2.6, 0.5 * len(categories) + 1.3)))
    base = [0.0] * len(categories)
    for name, values in series.items():
        if horizontal:
            bars = ax.barh(categories, values, left=base, label=name, color=colours[name])
        else:
            bars = ax.bar(categories, values, bottom=base, label=name, color=colours[name])
        for bar, category, value in zip(bars, categories, values):
            if value:
                tooltip(bar, f"{category}: {name}, {value:,.0f} {ylabel}")
        base = [b + v for b, v in zip(base, values)]
    ax.set_title(_wrap(title, 30 if horizontal else 44), loc="left")
    (ax.xaxis if horizontal else ax.yaxis).get_major_locator().set_params(integer=True)
    if horizontal:
        ax.set_xlabel(ylabel)
        ax.invert_yaxis()
    else:
        ax.set_ylabel(ylabel)
        if len(categories) > 4:
            plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
    ax.spines[["top", "right"]].set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    fig.tight_layout()
    fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.01, 0.0), ncol=min(2, len(series)), frameon=False)
    return fig


@_styled
def small_multiples(panels: Mapping[str, Mapping[str, Sequence[tuple[str, float, int]]]], title: str,
                    ylabel: str = "share", few: int = 3, ncols: int = 3, colours: Mapping[str, str] | None = None,
                    fmt: str = "{:.0%}"):
    """One panel per key of ``panels``; in each, one series of ``(x, y, n_docs[, lo, hi])`` points per
    series: the raw points, a rolling mean of :data:`SMOOTH` points over them, and (with ``lo``/``hi``) the
    interval as a band.

    Points resting on fewer than ``few`` documents are drawn hollow, so a reader sees when a point is thin.
    All panels share their axes (one scale to compare). Every point's tooltip gives its panel, series,
    period, value (``fmt``), interval and articles. Series are drawn and listed in the order of ``colours``.
    """
    names = list(panels)
    ncols = max(1, min(ncols, len(names)))
    nrows = (len(names) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 2.7 * nrows + 0.8), sharex=True, sharey=True,
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
                ax.fill_between(bx, blo, bhi, color=colours[s], alpha=0.13, linewidth=0)
            line, = ax.plot(xi, rolling_mean(ys) if len(ys) >= SMOOTH else ys, color=colours[s], linewidth=1.8)
            tooltip(line, f"{name}: {s}, rolling mean of {SMOOTH} periods")
            for i, p in zip(xi, pts):
                interval = (f" ({fmt.format(p[3])}–{fmt.format(p[4])})"
                            if len(p) > 4 and p[3] is not None and p[4] is not None else "")
                mark, = ax.plot([i], [p[1]], "o", markersize=3.6, color=colours[s],
                                markerfacecolor=colours[s] if p[2] >= few else "white", zorder=3)
                tooltip(mark, f"{name}: {s}, {p[0]}: {fmt.format(p[1])}{interval}, {p[2]:,} articles")
        ax.set_title(_wrap(name, 32), fontsize=MIN_FONT, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    step = max(1, (len(xs_all) + 2) // 3)
    for ax in axes[-1]:
        ax.set_xticks(range(0, len(xs_all), step))
        ax.set_xticklabels(xs_all[::step], rotation=0)
    for row in axes:
        row[0].set_ylabel(ylabel)
    if fmt.endswith("%}"):
        from matplotlib.ticker import PercentFormatter
        axes[0][0].yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    fig.suptitle(title, fontsize=12, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    handles = [plt.Line2D([], [], color=colours[s], linewidth=2.4) for s in series_names]
    fig.legend(handles, series_names, loc="upper left", ncol=min(3, len(series_names)), frameon=False,
               bbox_to_anchor=(0.01, 0.0))
    return fig


@_styled
def heatmap(rows: Sequence[str], cols: Sequence[str], values: Sequence[Sequence[float]], title: str,
            fmt: str = "{:.0%}"):
    """A labelled heatmap (rows x columns), each cell annotated and carrying a tooltip."""
    import numpy as np

    data = np.asarray(values, dtype=float)
    fig, ax = plt.subplots(figsize=(max(4.5, 1.0 + 0.95 * len(cols)), 1.9 + 0.4 * len(rows)))
    ax.imshow(data, cmap="Oranges", aspect="auto", vmin=0)
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels([_wrap(c, 22) for c in cols], rotation=40, ha="right")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_wrap(r, 30) for r in rows])
    top = data.max() if data.size else 1
    for i in range(len(rows)):
        for j in range(len(cols)):
            text = ax.text(j, i, fmt.format(data[i, j]), ha="center", va="center",
                           color="white" if data[i, j] > 0.6 * top else "#333")
            tooltip(text, f"{rows[i]} / {cols[j]}: {fmt.format(data[i, j])}")
    ax.set_title(title, loc="left")
    return fig


def _wrap(text: str, width: int) -> str:
    """A label on as many lines as it needs (never cut)."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


@_styled
def stacked_areas(panels: Mapping[str, Mapping[str, Sequence[tuple[str, float]]]], title: str, ncols: int = 3,
                  colours: Mapping[str, str] | None = None):
    """One panel per group; in each, the shares of every series stacked over time (they sum to 1). Each
    band's tooltip names its panel and series with its mean share."""
    import numpy as np

    names = list(panels)
    ncols = max(1, min(ncols, len(names)))
    nrows = (len(names) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 2.6 * nrows + 0.6), sharey=True, squeeze=False)
    series_names = list(dict.fromkeys(s for p in panels.values() for s in p))
    colours = {**palette_colours(series_names), **(colours or {})}
    for ax, name in zip(axes.flat, names):
        xs = sorted({x for pts in panels[name].values() for x, _ in pts})
        if not xs:
            continue
        index = {x: i for i, x in enumerate(xs)}
        ys = np.zeros((len(series_names), len(xs)))
        for si, s in enumerate(series_names):
            for x, y in panels[name].get(s, ()):
                ys[si, index[x]] = y
        bands = ax.stackplot(range(len(xs)), ys, colors=[colours[s] for s in series_names], linewidth=0)
        for band, s, row in zip(bands, series_names, ys):
            tooltip(band, f"{name}: {s}, {row.mean():.0%} on average over {xs[0]}–{xs[-1]}")
        ax.set_xlim(0, max(1, len(xs) - 1))
        ax.set_ylim(0, 1)
        from matplotlib.ticker import PercentFormatter
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        step = max(1, (len(xs) + 2) // 3)
        ax.set_xticks(range(0, len(xs), step))
        ax.set_xticklabels(xs[::step])
        ax.set_title(_wrap(name, 30), fontsize=MIN_FONT, loc="left")
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=12, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[s]) for s in series_names]
    fig.legend(handles, [_wrap(s, 36) for s in series_names], loc="upper left", ncol=2, frameon=False,
               bbox_to_anchor=(0.01, 0.0))
    return fig
