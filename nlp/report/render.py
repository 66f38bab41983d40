"""The editors' report: one self-contained HTML file (inline CSS and SVG, no external requests).

Every piece of corpus text (titles, authors, outlet names, snippets) goes through :func:`esc`; charts are
SVG with their text drawn as paths. The report is built from *sections*; each analysis contributes one
(see :mod:`nlp.pipeline`), and a section whose analysis did not run is left out, never faked.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence




esc = html.escape
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Section:
    """One part of the report: an anchor id, a heading, HTML, and the data behind its charts."""

    id: str
    title: str
    html: str
    data: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


CSS = """
:root{--ink:#1d1d1f;--muted:#5f6368;--line:#e3e3e6;--bg:#fff;--soft:#f6f6f8;--accent:#b03a2e}
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header,main,footer{max-width:62rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem;border-bottom:3px solid var(--accent)}
h1{font-size:1.7rem;margin:.2rem 0}
h2{font-size:1.3rem;margin:2.2rem 0 .6rem;padding-top:.4rem;border-top:1px solid var(--line)}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
p.lead{color:var(--muted);margin:.2rem 0 1rem}
.notice{background:#fff4e5;border-left:4px solid #e69500;padding:.6rem .8rem;margin:1rem 0}
nav{margin:.8rem 0 1rem;display:flex;flex-wrap:wrap;gap:.3rem .9rem;font-size:.95rem}
nav a{color:var(--accent);text-decoration:none}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.6rem;margin:1rem 0}
.card{background:var(--soft);border-radius:8px;padding:.6rem .8rem}
.card b{display:block;font-size:1.5rem}
.card span{color:var(--muted);font-size:.85rem}
figure{margin:1rem 0}
figure svg{width:100%;height:auto}
figcaption{color:var(--muted);font-size:.9rem}
.table-wrap{overflow-x:auto;margin:.6rem 0}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--soft)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.date{white-space:nowrap}
.terms{font-size:.92rem}
.pill{display:inline-block;background:var(--soft);border-radius:999px;padding:0 .5rem;margin:.1rem;font-size:.85rem}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem}
footer{color:var(--muted);font-size:.85rem;padding:2rem 1rem}
@media (max-width:480px){body{font-size:15px}h1{font-size:1.35rem}.card b{font-size:1.2rem}}
@media (max-width:640px){
 figure{overflow-x:auto}
 figure svg{min-width:36rem}
 table.stack thead{display:none}
 table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
 table.stack tr{border-bottom:1px solid var(--line);padding:.4rem 0}
 table.stack td{border:0;padding:.1rem 0;text-align:left}
 table.stack td[data-label]:not([data-label=""])::before{content:attr(data-label) ": ";color:var(--muted);font-size:.85rem}
}
"""


def render_report(sections: Sequence[Section], title: str, subtitle: str = "", notice: str | None = None,
                  footer: str = "") -> str:
    """The whole HTML document."""
    nav = "".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in sections)
    body = "".join(f'<section id="{esc(s.id)}"><h2>{esc(s.title)}</h2>{s.html}</section>' for s in sections)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{esc(title)}</h1><p class=\"lead\">{esc(subtitle)}</p>"
        + (f'<p class="notice">{esc(notice)}</p>' if notice else "")
        + f"<nav>{nav}</nav></header><main>{body}</main>"
        f"<footer>Made by softleft on {generated}. {esc(footer)}</footer></body></html>"
    )


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Sequence[int] = ()) -> str:
    """An escaped HTML table; columns listed in ``numeric`` are right-aligned.

    On narrow screens each row becomes a block whose cells are labelled with their column's header.
    """
    head = "".join(f'<th class="num">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
                   for i, h in enumerate(headers))
    def cell(i: int, value: Any) -> str:
        label = esc(str(headers[i])) if i < len(headers) else ""
        css = ' class="num"' if i in numeric else ' class="date"' if _ISO_DAY.fullmatch(str(value or "")) else ""
        return f'<td{css} data-label="{label}">{esc(_fmt(value))}</td>'

    body = "".join("<tr>" + "".join(cell(i, c) for i, c in enumerate(row)) + "</tr>" for row in rows)
    return (f'<div class="table-wrap"><table class="stack"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)
