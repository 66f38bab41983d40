"""Finding article URLs: feeds, the WordPress REST API, sitemaps, and archive pages as a last resort.

Feeds are read first (cheap, newest first). A complete source comes next: the WordPress REST API where
the outlet has one, otherwise its sitemaps (index and nested, ``lastmod`` used for ``--since``). Archive
pagination runs only when neither exists. Parsing functions are pure; :class:`Discovery` does the
fetching through the shared :class:`~scrapers.http.Fetcher`.
"""
from __future__ import annotations

import json
import logging
import re
import zlib
from dataclasses import dataclass
from typing import Callable, Iterator
from urllib.parse import urlencode, urljoin

from lxml import etree

from . import extract as ex
from .base import SITEMAP_SKIP, Scraper
from .errors import FetchError, HostUnreachable, RobotsDisallowed
from .http import Fetcher, Page

log = logging.getLogger(__name__)

_XML = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
_SKIP = re.compile(SITEMAP_SKIP, re.I)
FEED_ACCEPT = "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.8,*/*;q=0.5"


@dataclass
class Candidate:
    """A URL that may be an article, with what the source said about its dates."""

    url: str
    lastmod: str | None = None
    published: str | None = None
    via: str = ""


# -- pure parsers -------------------------------------------------------------------------------
def _xml_root(content: bytes):
    content = content.lstrip()
    if not content:
        return None
    try:
        return etree.fromstring(content, parser=_XML)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _local(el) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()


def _child_text(el, *names: str) -> str | None:
    for child in el:
        if _local(child) in names and (child.text or "").strip():
            return child.text.strip()
    return None


def _own_descendants(el) -> Iterator:
    """``el``'s descendants in document order, minus other items nested inside it.

    Markup in a title (``<title>Rents <b>fall</title>``) that the forgiving XML parser repairs by
    nesting can push an item's ``<link>`` and date below its title, and even the next item inside it.
    """
    stack = list(reversed(el))
    while stack:
        node = stack.pop()
        if _local(node) in ("item", "entry"):
            continue
        yield node
        stack.extend(reversed(node))


def _item_text(el, *names: str) -> str | None:
    """Text of the item's first child element named so; failing that, of its first such descendant."""
    found = _child_text(el, *names)
    if found:
        return found
    for node in _own_descendants(el):
        if _local(node) in names and (node.text or "").strip():
            return node.text.strip()
    return None


def _atom_link(el) -> str | None:
    for nodes in (iter(el), _own_descendants(el)):
        for node in nodes:
            if _local(node) == "link" and node.get("rel", "alternate") == "alternate" and node.get("href"):
                return node.get("href").strip()
    return None


def parse_feed(content: bytes, base_url: str = "") -> list[Candidate]:
    """Items of an RSS 2.0, RSS 1.0 or Atom feed (``[]`` for anything else).

    An item keeps its link and date when markup in its title (or description) broke the XML.
    """
    root = _xml_root(content)
    if root is None:
        return []
    out = []
    for el in root.iter():
        name = _local(el)
        if name == "item":
            link = _item_text(el, "link")
            if not link:
                for child in el:
                    if _local(child) == "guid" and child.get("isPermaLink", "true") != "false" and child.text:
                        link = child.text.strip()
            date = _item_text(el, "pubdate", "date", "published", "issued")
        elif name == "entry":
            link = _atom_link(el)
            date = _item_text(el, "published", "issued", "updated")
        else:
            continue
        if link:
            published = ex.to_aware_iso(date) if date else None
            out.append(Candidate(urljoin(base_url, link), published=published[0] if published else None, via="feed"))
    return out


def parse_sitemap(content: bytes) -> tuple[str, list[Candidate]]:
    """``("index", children)``, ``("urlset", urls)`` or ``("none", [])`` for a sitemap document."""
    if content[:2] == b"\x1f\x8b":
        try:
            content = _gunzip(content)
        except (OSError, EOFError, zlib.error):
            return "none", []
    root = _xml_root(content)
    if root is None:
        return "none", []
    kind = _local(root)
    if kind not in ("sitemapindex", "urlset"):
        return "none", []
    out = []
    for el in root:
        if _local(el) not in ("sitemap", "url"):
            continue
        loc = _child_text(el, "loc")
        if loc:
            lastmod = _child_text(el, "lastmod")
            iso = ex.to_aware_iso(lastmod) if lastmod else None
            out.append(Candidate(loc, lastmod=iso[0] if iso else None, via="sitemap"))
    return ("index" if kind == "sitemapindex" else "urlset"), out


def _gunzip(content: bytes, cap: int = 50_000_000) -> bytes:
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = d.decompress(content, cap)
    if d.unconsumed_tail:
        raise OSError("gzipped sitemap too large")
    return out


def parse_listing(html: str, url: str, scraper: Scraper) -> list[str]:
    """Article links on an archive page: the outlet's listing selectors, else any article-like link."""
    tree = ex.parse_tree(html)
    links = [a.get("href") for a in ex.select(tree, scraper.spec.selectors.listing_links) if a.get("href")]
    if not links:
        links = [a.get("href") for a in tree.iter("a") if a.get("href")]
    out = []
    for href in links:
        absolute = urljoin(url, href.strip())
        if scraper.is_article_url(absolute):
            out.append(absolute)
    return out


# -- fetching -----------------------------------------------------------------------------------
class Discovery:
    """Yields :class:`Candidate` URLs for one outlet, fetching lazily (so a crawl can stop early).

    Parameters
    ----------
    scraper, fetcher
    cache : dict
        ``url -> (etag, last_modified)`` from earlier runs, for conditional requests on feeds and leaf
        sitemaps.
    on_cache : callable
        Called with ``(url, etag, last_modified)`` once a document's every candidate has been consumed.
    since, until : str, optional
        ISO dates; used where a source gives dates (feed dates, sitemap ``lastmod``, the API's filters).
    stop_archive : callable, optional
        Given an archive page's links, says whether to stop paging (incremental re-runs).
    """

    def __init__(self, scraper: Scraper, fetcher: Fetcher, cache: dict[str, tuple[str | None, str | None]] | None = None,
                 on_cache: Callable[[str, str | None, str | None], None] | None = None,
                 since: str | None = None, until: str | None = None,
                 stop_archive: Callable[[list[str]], bool] | None = None):
        self.scraper, self.fetcher = scraper, fetcher
        self.cache = cache or {}
        self.on_cache = on_cache or (lambda *a: None)
        self.since, self.until = since, until
        self.stop_archive = stop_archive
        self.errors: list[str] = []
        self.sources: list[str] = []
        self.skipped_robots = 0
        self.not_modified = 0

    def __iter__(self) -> Iterator[Candidate]:
        yield from self.feeds()
        complete = False
        if self.scraper.spec.wp_api:
            api_ok = yield from self.wp_api()
            complete = complete or api_ok
        if not complete:
            sitemap_ok = yield from self.sitemaps()
            complete = complete or sitemap_ok
        if not complete and self.scraper.spec.archive:
            yield from self.archive()

    # -- sources ------------------------------------------------------------------------------
    def _get(self, url: str, conditional: bool = False, accept: str | None = None) -> Page | None:
        etag, lm = self.cache.get(url, (None, None)) if conditional else (None, None)
        try:
            page = self.fetcher.fetch(url, scope=self.scraper, etag=etag, last_modified=lm, accept=accept)
        except HostUnreachable:
            raise
        except RobotsDisallowed:
            self.skipped_robots += 1
            log.info("%s: robots.txt disallows %s", self.scraper.name, url)
            return None
        except FetchError as exc:
            self.errors.append(str(exc))
            log.info("%s: %s", self.scraper.name, exc)
            return None
        if page.not_modified:
            self.not_modified += 1
        return page

    def _remember(self, url: str, page: Page) -> None:
        if page.ok and (page.headers.get("etag") or page.headers.get("last-modified")):
            self.on_cache(url, page.headers.get("etag"), page.headers.get("last-modified"))

    def in_range(self, c: Candidate) -> bool:
        """Whether a candidate's dates (feed date, else sitemap lastmod for --since) fit the window."""
        if c.published:
            day = c.published[:10]
            if (self.since and day < self.since) or (self.until and day > self.until):
                return False
        elif c.lastmod and self.since and c.lastmod[:10] < self.since:
            return False  # last modified before --since: published before it too
        return True

    def feeds(self) -> Iterator[Candidate]:
        for path in self.scraper.spec.feeds:
            url = self.scraper.site_url(path)
            page = self._get(url, conditional=True, accept=FEED_ACCEPT)
            if page is None or page.not_modified or not page.ok:
                continue
            items = parse_feed(page.content, url)
            if not items:
                continue
            self.sources.append(f"feed {path}")
            for c in items:
                if self.scraper.is_own(c.url) and self.in_range(c):
                    yield c
            self._remember(url, page)

    def wp_api(self) -> Iterator[Candidate]:
        """Posts from ``/wp-json/wp/v2/posts`` (links and dates only); returns whether the API answered."""
        params = {"per_page": 100, "_fields": "link,date_gmt,modified_gmt", "orderby": "date", "order": "desc"}
        if self.since:
            params["after"] = f"{self.since}T00:00:00"
        if self.until:
            params["before"] = f"{self.until}T23:59:59"
        answered = False
        links: set[str] = set()
        for n in range(1, 10_000):
            url = self.scraper.site_url("/wp-json/wp/v2/posts") + "?" + urlencode({**params, "page": n})
            page = self._get(url, accept="application/json")
            if page is None or not page.ok:
                break
            try:
                posts = json.loads(page.text)
            except json.JSONDecodeError:
                break
            if not isinstance(posts, list):
                break
            if not answered:
                self.sources.append("wp-json")
            answered = True
            fresh = [p for p in posts if isinstance(p, dict) and isinstance(p.get("link"), str)
                     and p["link"] not in links]
            if not fresh:  # an empty page, or a server that ignores ?page= and repeats itself
                break
            for post in fresh:
                links.add(post["link"])
                date = ex.to_aware_iso(post["date_gmt"] + "+00:00") if isinstance(post.get("date_gmt"), str) else None
                c = Candidate(post["link"], published=date[0] if date else None, via="wp-json")
                if self.scraper.is_own(c.url) and self.in_range(c):
                    yield c
            total = page.headers.get("x-wp-totalpages", "")
            if total.isdigit() and n >= int(total):
                break
        return answered

    def sitemaps(self) -> Iterator[Candidate]:
        """URLs from the outlet's sitemaps and those robots.txt names; returns whether any was read."""
        queue = [self.scraper.site_url(p) for p in self.scraper.spec.sitemaps]
        for extra in self.fetcher.robots_sitemaps(self.scraper.base_url + "/"):
            queue.append(self.scraper.to_fetch_url(extra))
        seen: set[str] = set()
        found_any = False
        while queue:
            url = queue.pop(0)
            if url in seen or len(seen) > 500:
                continue
            seen.add(url)
            page = self._get(url, conditional=url in self.cache, accept="application/xml,text/xml;q=0.9,*/*;q=0.5")
            if page is None:
                continue
            if page.not_modified:
                found_any = True
                continue
            if not page.ok:
                continue
            kind, entries = parse_sitemap(page.content)
            if kind == "none":
                continue
            if not found_any:
                self.sources.append("sitemap")
            found_any = True
            if kind == "index":
                for c in entries:
                    child = self.scraper.to_fetch_url(c.url)
                    if _SKIP.search(child.rsplit("/", 1)[-1]) or not self.scraper.is_own(child):
                        continue
                    if c.lastmod and self.since and c.lastmod[:10] < self.since:
                        continue  # nothing in that sitemap changed since --since
                    queue.append(child)
                continue
            for c in entries:
                if self.scraper.is_article_url(c.url) and self.in_range(c):
                    yield c
            self._remember(url, page)
        return found_any

    def archive(self) -> Iterator[Candidate]:
        """Listing pages, page after page, until one brings nothing new (or is missing)."""
        spec = self.scraper.spec
        seen: set[str] = set()
        for template in spec.archive:
            pages = [template] if "{n}" not in template else \
                (template.format(n=n) for n in range(spec.archive_start, spec.archive_start + spec.max_archive_pages))
            stale = 0
            for path in pages:
                url = self.scraper.site_url(path)
                page = self._get(url)
                if page is None or not page.ok:
                    break
                links = parse_listing(page.text, url, self.scraper)
                fresh = [u for u in links if self.scraper.canonical(u) not in seen]
                if not links:
                    break
                if not fresh:  # e.g. "?page=1" repeating the first page: stop only at the second such page
                    stale += 1
                    if stale >= 2:
                        break
                    continue
                stale = 0
                if "archive" not in self.sources:
                    self.sources.append("archive")
                for u in fresh:
                    seen.add(self.scraper.canonical(u))
                    yield Candidate(u, via="archive")
                if self.stop_archive and self.stop_archive(fresh):
                    return
