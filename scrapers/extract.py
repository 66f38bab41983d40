"""Pure HTML extraction helpers: metadata (JSON-LD, OpenGraph), selectors, body text, dates.

Nothing here touches the network. The order every outlet follows lives in :meth:`Scraper.parse`.
"""
from __future__ import annotations

import html as htmllib
import json
import logging
import re
from datetime import datetime
from functools import lru_cache
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

from corpus.dates import DateParseError, parse_date

log = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")
ARTICLE_TYPES = frozenset({
    "Article", "NewsArticle", "BlogPosting", "OpinionNewsArticle", "ReportageNewsArticle",
    "AnalysisNewsArticle", "ReviewNewsArticle", "BackgroundNewsArticle", "Report", "ScholarlyArticle",
    "TechArticle", "LiveBlogPosting", "SocialMediaPosting", "Blog",
})
BLOCK_TAGS = ("p", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "pre")
#: Removed from every article body before its text is read.
BOILERPLATE = (
    "script", "style", "noscript", "template", "form", "iframe", "button", "nav", "aside", "footer",
    "figure", "figcaption", "svg", "video", "audio", "object", "embed", "input", "select", "textarea",
    "[class*='share']", "[id*='share']", "[class*='social']", "[class*='donat']", "[id*='donat']",
    "[class*='newsletter']", "[class*='subscribe']", "[class*='related']", "[id*='related']",
    "[class*='comment']", "[id*='comment']", "[class*='read-more']", "[class*='readmore']",
    "[class*='advert']", "[class*='promo']", "[class*='author-bio']", "[class*='sharedaddy']",
    "[class*='jp-relatedposts']", "[class*='wp-block-buttons']", "[class*='post-tags']",
    "[class*='newsletter']", "[role='complementary']", "[aria-hidden='true']",
)
#: Paragraphs dropped wherever they appear (calls to action, inline "READ MORE" links, share prompts).
DROP_PARAGRAPHS = (
    r"^\s*(read more|read next|related|see also|more from|also read)\s*[:\-–—]",
    r"^\s*(share|share this|share on|tweet|follow us)\b.{0,60}$",
    r"\bdonate here\b", r"^\s*donate\b.{0,80}$", r"\bsupport (our|us|independent)\b.{0,120}\b(donat|subscri|patron)",
    r"^\s*(subscribe|sign up)\b.{0,160}$", r"^\s*advertisement\s*$", r"^\s*(photo|image|credit)\s*:\s*.{0,160}$",
    r"^\s*(leave a (comment|reply)|\d+ comments?|comments? (are )?closed)\b",
)
_WS = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_NL = re.compile(r"\s*\n\s*")
_BY = re.compile(r"^\s*(by|words by|written by)\s*[:\-]?\s+", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\|)\s*")
_DOTTED = re.compile(r"^\s*(\d{1,2})[./](\d{1,2})[./](\d{4})\s*$")


# -- selectors --------------------------------------------------------------------------------
@lru_cache(maxsize=1024)
def compile_selector(css: str) -> CSSSelector:
    """A compiled CSS selector (cached: outlets reuse the same few)."""
    return CSSSelector(css, translator="html")


def select(root: Any, css: str | Iterable[str]) -> list:
    """Elements matching ``css`` (a selector or several; the first that matches wins)."""
    for one in ([css] if isinstance(css, str) else css):
        found = compile_selector(one)(root)
        if found:
            return found
    return []


def text_of(el: Any) -> str:
    """Visible text of an element, whitespace collapsed."""
    if isinstance(el, str):
        return clean_text(el)
    return clean_text(el.text_content())


def clean_text(s: str | None) -> str:
    if not s:
        return ""
    return _WS.sub(" ", htmllib.unescape(s)).strip()


def parse_tree(html: str) -> Any:
    """An lxml tree for ``html``; malformed markup is repaired, never fatal."""
    html = html.lstrip("\ufeff")
    if html.lstrip().startswith("<?xml"):
        html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    try:
        return lxml.html.document_fromstring(html or "<html></html>")
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")


# -- metadata ---------------------------------------------------------------------------------
def meta_map(tree: Any) -> dict[str, list[str]]:
    """Every ``<meta property|name|itemprop=... content=...>`` of a page: key -> values in order."""
    out: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key:
            value = clean_text(el.get("content"))
            if value:
                out.setdefault(key, []).append(value)
    return out


def meta_values(tree: Any, *names: str) -> list[str]:
    """``content`` of the named meta tags (``tree`` may be a page or its :func:`meta_map`)."""
    metas = tree if isinstance(tree, dict) else meta_map(tree)
    return [v for name in names for v in metas.get(name, ())]


def meta_value(tree: Any, *names: str) -> str | None:
    values = meta_values(tree, *names)
    return values[0] if values else None


def link_href(tree: Any, rel: str) -> str | None:
    for el in tree.iter("link"):
        if rel in (el.get("rel") or "").lower().split() and el.get("href"):
            return el.get("href").strip()
    return None


#: JSON-LD beyond these limits is page furniture gone wrong, not article metadata: skipped, never fatal.
JSON_LD_MAX_CHARS = 1_000_000
JSON_LD_MAX_DEPTH = 32
JSON_LD_MAX_NODES = 2_000


def _types(node: dict) -> set[str]:
    t = node.get("@type", ())
    if isinstance(t, str):
        return {t}
    if isinstance(t, list):
        return {x for x in t if isinstance(x, str)}
    return set()


def json_ld_nodes(tree: Any) -> list[dict]:
    """Every object in the page's JSON-LD blocks (``@graph`` and lists flattened).

    Pathological blocks (over :data:`JSON_LD_MAX_CHARS`, nested past Python's recursion limit,
    unreadable) are skipped, and the walk stops at :data:`JSON_LD_MAX_DEPTH` levels and
    :data:`JSON_LD_MAX_NODES` objects, so a broken block costs the page its JSON-LD layer only: the
    other layers (meta tags, selectors, trafilatura) still read the article.
    """
    nodes: list[dict] = []

    def walk(obj: Any) -> None:
        stack = [(obj, 0)]
        while stack and len(nodes) < JSON_LD_MAX_NODES:
            item, depth = stack.pop()
            if depth > JSON_LD_MAX_DEPTH:
                continue
            if isinstance(item, list):
                stack.extend((x, depth + 1) for x in reversed(item))
            elif isinstance(item, dict):
                nodes.append(item)
                for key in ("mainEntityOfPage", "mainEntity", "@graph"):  # where an article may nest
                    if isinstance(item.get(key), (dict, list)):
                        stack.append((item[key], depth + 1))

    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        if not raw:
            continue
        if len(raw) > JSON_LD_MAX_CHARS:
            log.debug("JSON-LD block of %d characters skipped", len(raw))
            continue
        try:
            walk(_loads_json_ld(raw))
        except (ValueError, RecursionError):
            log.debug("unreadable JSON-LD block skipped")
    return nodes


def _loads_json_ld(raw: str) -> Any:
    try:
        return json.loads(raw, strict=False)
    except json.JSONDecodeError:  # common breakage: trailing commas
        return json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)


def json_ld_article(nodes: list[dict]) -> dict | None:
    """The article node of a JSON-LD graph, if any."""
    for node in nodes:
        if _types(node) & ARTICLE_TYPES:
            return node
    return None


def json_ld_authors(article: dict, nodes: list[dict]) -> list[str]:
    """Author names of a JSON-LD article, resolving ``{"@id": ...}`` references through the graph."""
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    raw = article.get("author") or article.get("creator") or []
    if not isinstance(raw, list):
        raw = [raw]
    names = []
    for a in raw:
        if isinstance(a, dict) and "name" not in a and isinstance(a.get("@id"), str):
            a = by_id.get(a["@id"], a)
        if isinstance(a, dict):
            name = a.get("name")
            if isinstance(name, list):
                name = name[0] if name else None
        else:
            name = a
        if isinstance(name, str):
            names.extend(split_authors(name))
    return names


def json_ld_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [clean_text(v) for v in value.split(",") if clean_text(v)]
    if isinstance(value, list):
        return [clean_text(v) for v in value if isinstance(v, str) and clean_text(v)]
    return []


def split_authors(byline: str) -> list[str]:
    """``"By Ann Lee and Raj Patel"`` -> ``["Ann Lee", "Raj Patel"]``."""
    byline = _BY.sub("", clean_text(byline))
    if not byline or byline.startswith(("http://", "https://")):
        return []
    return [p.strip(" .") for p in _AUTHOR_SPLIT.split(byline) if p.strip(" .")]


def unique(items: Iterable[str]) -> list[str]:
    seen, out = set(), []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


# -- dates ------------------------------------------------------------------------------------
def to_aware_iso(value: str | None) -> tuple[str, str] | None:
    """``(iso, precision)`` with a timezone: naive times are read as Europe/London.

    A date without a time stays a date (``YYYY-MM-DD``, precision ``day``): inventing a time to hang a
    timezone on would be false precision.
    """
    if not value:
        return None
    value = clean_text(value)
    m = _DOTTED.match(value)
    if m and int(m.group(2)) > 12 >= int(m.group(1)):  # month-first "03.14.2024"
        value = f"{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}"
    try:
        iso, precision = parse_date(value)
    except DateParseError:
        return None
    if precision != "datetime":
        return iso, precision
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        return iso, precision
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=LONDON)
    return dt.isoformat(), "datetime"


# -- body -------------------------------------------------------------------------------------
def _drop_patterns(extra: Iterable[str]) -> list[re.Pattern]:
    return [re.compile(p, re.I) for p in (*DROP_PARAGRAPHS, *extra)]


@lru_cache(maxsize=64)
def drop_matcher(extra: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(_drop_patterns(extra))


def remove_elements(root: Any, selectors: Iterable[str] | str) -> None:
    """Delete every element matching any selector (keeping the tail text of inline ones)."""
    for css in ([selectors] if isinstance(selectors, str) else selectors):
        for el in compile_selector(css)(root):
            parent = el.getparent()
            if parent is None:
                continue
            if el.tail and el.tail.strip():
                prev = el.getprevious()
                if prev is not None:
                    prev.tail = (prev.tail or "") + el.tail
                else:
                    parent.text = (parent.text or "") + el.tail
            parent.remove(el)


def block_texts(containers: list, drop: Iterable[re.Pattern], link_share: bool = False) -> list:
    """Paragraph texts from body containers (or from paragraph elements matched directly).

    With ``link_share``, ``(text, share)`` pairs: the share of each paragraph's text inside links.
    """
    drop = tuple(drop)
    out: list = []
    seen: set[int] = set()
    for container in containers:
        if container.tag in BLOCK_TAGS:
            blocks = [container]
        else:
            blocks = [el for el in container.iter(*BLOCK_TAGS)
                      if not any(a.tag in BLOCK_TAGS for a in _ancestors(el, container))]
            if not blocks:
                blocks = [container]
        for el in blocks:
            if id(el) in seen:
                continue
            seen.add(id(el))
            t = text_of(el)
            if not t or any(p.search(t) for p in drop):
                continue
            if el.tag == "li":
                t = "- " + t
            if link_share:
                linked = sum(len(text_of(a)) for a in el.iter("a"))
                out.append((t, min(1.0, linked / max(1, len(t)))))
            else:
                out.append(t)
    return out


def _ancestors(el: Any, stop: Any) -> Iterable[Any]:
    p = el.getparent()
    while p is not None and p is not stop:
        yield p
        p = p.getparent()


def clean_body_lines(text: str, drop: Iterable[re.Pattern]) -> str:
    """Filter a plain-text body (e.g. from trafilatura) line by line."""
    drop = tuple(drop)
    lines = [clean_text(line) for line in _NL.split(text or "")]
    return "\n\n".join(line for line in lines if line and not any(p.search(line) for p in drop))


def count_words_fast(text: str) -> int:
    """Whitespace-separated words (a cheap length test)."""
    return len(text.split()) if text else 0


def heading_text(el: Any) -> str:
    """A heading's text; for an unclosed heading that swallowed the page, only its own leading text."""
    t = text_of(el)
    if len(t.split()) > 40:
        own = clean_text(el.text)
        for child in el:
            if child.tag in ("div", "p", "section", "article", "ul", "ol", "table", "main"):
                break
            own += " " + text_of(child) + " " + clean_text(child.tail)
        return clean_text(own)
    return t
