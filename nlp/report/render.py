"""The editors' report: one self-contained HTML file (inline CSS and SVG, no external requests; the only script
is the term explorer's own, allowed by its hash).

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
from typing import Any, Mapping, Sequence

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_HTTP = re.compile(r"^https?://[^/\s]", re.IGNORECASE)


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
ENV.tests["link"] = lambda value: isinstance(value, Link)


def safe_href(url: Any) -> str:
    """``url`` when it is an http(s) address, else "" (anything else, e.g. ``javascript:``, is not linked)."""
    if not isinstance(url, str):
        return ""
    url = url.strip()
    return url if _HTTP.match(url) and not any(c in url for c in "\n\r\t ") else ""


def display_title(title: str | None, text: str | None = None, id: str | None = None, words: int = 8) -> str:
    """An article's title for the report; an untitled one shows its first words (or its id)."""
    if title and title.strip():
        return title.strip()
    first = " ".join((text or "").split()[:words])
    if first:
        return first + ("…" if len((text or "").split()) > words else "")
    return f"(untitled {id})" if id else "(untitled)"


def display_date(published: str | None, precision: str | None = None) -> str:
    """A date as the report shows it: the day (``2024-03-31``), the month or the year alone when only that
    is known (``precision`` from the article's ``metadata["date_precision"]``), or "undated"."""
    if not published:
        return "undated"
    day = str(published)[:10]
    if precision == "year":
        return day[:4]
    if precision == "month":
        return day[:7]
    return day


@dataclass
class Link:
    """A table cell or list item that links to an article's own address (only http/https is linked)."""

    text: str
    href: str = ""

    def __post_init__(self) -> None:
        self.href = safe_href(self.href)

    def __str__(self) -> str:
        return self.text


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
    """A chart block: inline SVG from :func:`nlp.report.charts.figure_svg`, a caption, the one-line
    ``finding`` shown above it, and the ``data`` rows behind it (a CSV one click away, named ``name``).
    Every string is escaped."""

    svg: Markup
    caption: str
    finding: str = ""
    data: Sequence[Mapping[str, Any]] = ()
    name: str = "chart"

    @property
    def wide(self) -> bool:
        """Whether the chart is wider than a phone's screen at its natural size (358 px of content at 390 px: it then scrolls sideways)."""
        m = re.search(r"min-width:(\d+)px", str(self.svg)[:2000])
        return bool(m and int(m.group(1)) > 358)

    @property
    def csv_href(self) -> str:
        """The chart's data as a ``data:text/csv`` URL ("" without data)."""
        return csv_data_url(self.data) if self.data else ""


def csv_data_url(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows as a base64 ``data:text/csv`` URL, cells a spreadsheet would run as formulas neutralised."""
    import base64
    import io

    from corpus.output import SafeDictWriter

    fields = list(dict.fromkeys(k for row in rows for k in row))
    buf = io.StringIO()
    writer = SafeDictWriter(buf, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(buf.getvalue().encode("utf-8")).decode("ascii")


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
    scripts : tuple of str
        Scripts of ours (files in ``templates/``) the section needs; each is inlined once and allowed by its
        SHA-256 in the page's content-security policy.
    """

    id: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    data: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    not_run: dict[str, str] = field(default_factory=dict)
    scripts: tuple[str, ...] = ()

    def body(self) -> Any:
        """The section's body rendered from its template: an object templates insert as HTML (Jinja marks
        a rendered template safe), so no string is ever declared safe by hand."""
        return ENV.get_template("section.html").make_module({"section": self, **self.context})

    @property
    def html(self) -> str:
        """The section's body as an HTML string."""
        return str(self.body())


def render_report(sections: Sequence[Section], title: str, subtitle: str = "", notice: str | None = None,
                  footer: str = "", hint: str | Sequence[str] | None = None) -> str:
    """The whole HTML document.

    Parameters
    ----------
    sections : sequence of Section
        In reading order; each gets an entry in the navigation.
    title, subtitle, notice, footer : str
        Plain text (escaped); ``notice`` is shown highlighted under the title when given.
    hint : str or sequence of str, optional
        A line under the title on how to read the corpus better (e.g. when most groups are small): text, or
        pieces of text whose every second piece is an option, shown as code.
    """
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    scripts = [(TEMPLATES / name).read_text(encoding="utf-8")
               for name in dict.fromkeys(n for s in sections for n in s.scripts)]
    return ENV.get_template("report.html").render(
        sections=sections, title=title, subtitle=subtitle, notice=notice, footer=footer, generated=generated,
        hint=[hint] if isinstance(hint, str) else list(hint or ()),
        scripts=[Markup(text) for text in scripts], script_hashes=[script_hash(t) for t in scripts])


def script_hash(text: str) -> str:
    """A script's CSP source (``'sha256-…'``): the browser runs an inline script only when its text hashes
    to one the page's policy lists."""
    import base64
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"
