"""Charts for the report and the CLI: matplotlib (Agg) figures as inline SVG or PNG files.

Text in SVG is drawn as paths (``svg.fonttype = 'path'``), so a chart carries no live text from the
corpus into the report's HTML.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TENDENCY_COLOURS = {
    "soft_left": "#d35400", "hard_left": "#a50026", "soft_right": "#2c7bb6", "mixed": "#7f7f7f",
    "unlabelled": "#bdbdbd",
}
PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
           "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6"]


def colour_for(name: str, i: int) -> str:
    return TENDENCY_COLOURS.get(name, PALETTE[i % len(PALETTE)])


def figure_svg(fig) -> str:
    """Render a figure as an inline ``<svg>`` element and close it."""
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
    return head + ' role="img" preserveAspectRatio="xMidYMid meet">' + rest


def save_figure(fig, path: str | Path, dpi: int = 130) -> Path:
    path = Path(path)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return path


def stacked_bars(categories: Sequence[str], series: Mapping[str, Sequence[float]], title: str,
                 ylabel: str = "articles", horizontal: bool = False):
    """A stacked bar chart: one bar per category, one coloured segment per series."""
    fig, ax = plt.subplots(figsize=(7.5, 3.6 if not horizontal else max(2.4, 0.38 * len(categories) + 1)))
    base = [0.0] * len(categories)
    for i, (name, values) in enumerate(series.items()):
        if horizontal:
            ax.barh(categories, values, left=base, label=name, color=colour_for(name, i))
        else:
            ax.bar(categories, values, bottom=base, label=name, color=colour_for(name, i))
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
