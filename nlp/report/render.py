"""The editors' report: one self-contained HTML file (inline CSS and SVG, no scripts, no external requests).

The HTML comes from Jinja2 templates in ``nlp/report/templates/`` with autoescape on, so every piece of
corpus text (titles, authors, outlet names, labels) is escaped by construction; the one trusted string
is the SVG that :func:`nlp.report.charts.figure_svg` makes. The report is built from *sections*; each
analysis contributes one (see :mod:`nlp.pipeline`), and a section whose analysis did not run is left out,
never faked. A section is data plus the name of its template in ``templates/sections/``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def fmt_value(value: Any) -> str:
    """A table cell's text: floats to three decimals (or one with thousands), ints with thousands."""
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def _is_iso_day(value: Any) -> bool:
    return isinstance(value, str) and bool(_ISO_DAY.fullmatch(value))


ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                  trim_blocks=True, lstrip_blocks=True)
ENV.filters["number"] = fmt_value
ENV.tests["isoday"] = _is_iso_day


@dataclass
class Table:
    """A table block: ``headers``, ``rows`` of cells (formatted by :func:`fmt_value`), and the indexes of
    the ``numeric`` (right-aligned) columns. On narrow screens each row becomes a block whose cells are
    labelled with their column's header."""

    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    numeric: Sequence[int] = ()


@dataclass
class Figure:
    """A chart block: inline SVG from :func:`nlp.report.charts.figure_svg` and a caption (escaped)."""

    svg: Markup
    caption: str


@dataclass
class Section:
    """One part of the report.

    Attributes
    ----------
    id, title : str
        The anchor and the heading.
    template : str
        A file in ``templates/sections/`` that renders the body from ``context``.
    context : dict
        Plain values, :class:`Table` and :class:`Figure` blocks for the template.
    data : dict
        The rows behind the section's charts (written as CSV beside the report).
    not_run : dict
        Analyses of this part that could not run, and why; shown after the body.
    """

    id: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    data: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    not_run: dict[str, str] = field(default_factory=dict)

    def body(self) -> Any:
        """The section's body rendered from its template: an object templates insert as HTML (Jinja marks
        a rendered template safe), so no string is ever declared safe by hand."""
        return ENV.get_template("section.html").make_module({"section": self, **self.context})

    @property
    def html(self) -> str:
        """The section's body as an HTML string."""
        return str(self.body())


def render_report(sections: Sequence[Section], title: str, subtitle: str = "", notice: str | None = None,
                  footer: str = "") -> str:
    """The whole HTML document.

    Parameters
    ----------
    sections : sequence of Section
        In reading order; each gets an entry in the navigation.
    title, subtitle, notice, footer : str
        Plain text (escaped); ``notice`` is shown highlighted under the title when given.
    """
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return ENV.get_template("report.html").render(sections=sections, title=title, subtitle=subtitle,
                                                  notice=notice, footer=footer, generated=generated)
