"""What every outlet shares: its facts (:class:`OutletSpec`) and the :class:`Scraper` that uses them.

An outlet module holds only facts (domains, feeds, sitemaps, URL patterns, selectors, quirks) in an
``OutletSpec``; a plain WordPress outlet needs nothing else and can be defined in TOML
(``scrapers/outlets.toml``). Parsing is pure: :meth:`Scraper.parse` takes HTML and a URL and returns an
:class:`~corpus.models.Article`; it tries JSON-LD / OpenGraph / ``article:published_time`` first, the
outlet's selectors second, trafilatura last.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from corpus.models import Article

from . import extract as ex
from .body import Block, BodyChoice, choose_body, key as body_key
from .urls import canonicalise, netloc_key, strip_tracking

log = logging.getLogger(__name__)

SCRAPER_VERSION = "1"
#: Child sitemaps never worth reading for articles (taxonomies, authors, static pages).
SITEMAP_SKIP = r"(taxonom|categor|tag|author|user|page-sitemap|sitemap-pages|posts-page|image|video)"
#: Paths that are never articles, on any outlet.
NON_ARTICLE = (r"^/(tag|tags|category|categories|author|authors|topic|topics|search|page|feed|wp-json|"
               r"wp-content|wp-admin|wp-login|cart|account|login|subscribe|donate|shop)(/|$)",
               r"\.(xml|rss|json|txt|jpg|jpeg|png|gif|webp|svg|ico|pdf|css|js|zip|gz|mp3|mp4)$",
               r"^/\d{4}(/\d{1,2}){0,2}/?$",  # date archives: /2024/, /2024/05/, /2024/05/02/
               r"^/$")


@dataclass(frozen=True)
class Selectors:
    """CSS selectors for one outlet; each field is a tuple tried in order (first match wins)."""

    title: tuple[str, ...] = ("h1.entry-title", "h1.post-title", "article h1", "h1")
    standfirst: tuple[str, ...] = ()
    authors: tuple[str, ...] = (".byline a[rel='author']", "a[rel='author']", ".author.vcard a", ".author a",
                                ".byline .author", ".author-name", ".byline")
    date: tuple[str, ...] = ("time.entry-date[datetime]", "time[datetime]", "time")
    body: tuple[str, ...] = (".entry-content", ".post-content", "article .content", "article")
    tags: tuple[str, ...] = (".tags a[rel='tag']", "a[rel='tag']")
    section: tuple[str, ...] = (".cat-links a", "a[rel='category tag']")
    listing_links: tuple[str, ...] = ("h2.entry-title a", "h3.entry-title a", "article h2 a", "article h3 a")
    remove: tuple[str, ...] = ()
    paywall: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutletSpec:
    """One outlet's facts. Everything a researcher may need to correct lives here.

    ``feeds``, ``sitemaps`` and ``archive`` are paths on the outlet's site (``archive`` templates take
    ``{n}``, the page number); ``article_patterns`` are regular expressions on URL paths;
    ``prefer_selectors`` names fields where the outlet's selectors outrank page metadata (e.g. a theme
    whose JSON-LD names the wrong author).
    """

    name: str
    display_name: str
    domain: str
    tendency: str = "unlabelled"
    extra_domains: tuple[str, ...] = ()
    strip_www: bool = True
    scheme: str = "https"
    feeds: tuple[str, ...] = ("/feed/",)
    sitemaps: tuple[str, ...] = ("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml")
    wp_api: bool = False
    archive: tuple[str, ...] = ()
    archive_start: int = 1
    max_archive_pages: int = 200
    article_patterns: tuple[str, ...] = ()
    trailing_slash: bool | None = None
    selectors: Selectors = field(default_factory=Selectors)
    drop_paragraphs: tuple[str, ...] = ()
    paywall_phrases: tuple[str, ...] = ()
    prefer_selectors: tuple[str, ...] = ()
    min_words: int = 10  # fewer words and no paywall: not an article (an "about" page, a stub)
    platform: str = "WordPress"
    note: str = ""
    version: str = SCRAPER_VERSION

    @property
    def domains(self) -> tuple[str, ...]:
        return (self.domain, *self.extra_domains)

    def with_overrides(self, data: dict[str, Any]) -> "OutletSpec":
        """A copy with fields from a TOML entry (selector tables merge field by field)."""
        data = dict(data)
        sel = data.pop("selectors", None)
        known = {f.name for f in fields(self)}
        changes = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known}
        if sel:
            sel = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in sel.items()}
            changes["selectors"] = replace(self.selectors, **sel)
        return replace(self, **changes)


class Scraper:
    """Parses one outlet's pages and says which URLs belong to it.

    Parameters
    ----------
    spec : OutletSpec
    base_url : str, optional
        Fetch from this host instead of the outlet's own (a mirror, an archive, a local test server).
        Stored URLs stay on the outlet's canonical domain, so a mirror yields the same article ids.
    """

    def __init__(self, spec: OutletSpec, base_url: str | None = None):
        self.spec = spec
        self.name = spec.name
        self.public_base = f"{spec.scheme}://{spec.domain}"
        self.base_url = (base_url or self.public_base).rstrip("/")
        self._base_prefix = urlsplit(self.base_url).path.rstrip("/")
        self._patterns = [re.compile(p) for p in spec.article_patterns]
        self._non_article = [re.compile(p, re.I) for p in NON_ARTICLE]
        self._drop = ex.drop_matcher(tuple(spec.drop_paragraphs))
        self._paywall = [re.compile(p, re.I) for p in spec.paywall_phrases]
        hosts = set()
        for d in spec.domains:
            d = d.lower()
            hosts |= {d, d[4:] if d.startswith("www.") else "www." + d}
        self._own_hosts = frozenset(hosts)
        self._base_netloc = netloc_key(self.base_url)
        self._boilerplate = ", ".join(dict.fromkeys((*ex.BOILERPLATE, *spec.selectors.remove)))
        self.canonical = lru_cache(maxsize=8192)(self._canonical)  # type: ignore[method-assign]
        #: The outlet's own body selectors (not the generic defaults): they win while they agree.
        self._own_body = spec.selectors.body != Selectors().body

    def __repr__(self) -> str:
        return f"<Scraper {self.name} base={self.base_url}>"

    @property
    def version(self) -> str:
        return f"{self.name}/{self.spec.version}"

    # -- URLs ---------------------------------------------------------------------------------
    def is_own(self, url: str) -> bool:
        """Whether ``url`` is on the outlet's domains or its base-url host."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        return (parts.hostname or "").lower() in self._own_hosts or netloc_key(url) == self._base_netloc

    # Scope protocol for the fetcher.
    def allows(self, url: str) -> bool:
        return self.is_own(url)

    def public_path(self, url: str) -> str:
        """Path (and query) of ``url`` on the public site, whichever host it was found on."""
        parts = urlsplit(url)
        path = parts.path or "/"
        if netloc_key(url) == self._base_netloc and self._base_prefix and path.startswith(self._base_prefix):
            path = path[len(self._base_prefix):] or "/"
        return urlunsplit(("", "", path, parts.query, parts.fragment))

    def _canonical(self, url: str) -> str:
        """The stored spelling of an article URL: on the outlet's public domain, tracking stripped."""
        url = urljoin(self.base_url + "/", url)
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if netloc_key(url) == self._base_netloc and host not in self._own_hosts:
            url = self.public_base + self.public_path(url)
        elif host in self._own_hosts and parts.scheme != self.spec.scheme:
            url = urlunsplit((self.spec.scheme, *parts[1:]))  # http:// and https:// links: one article
        return canonicalise(url, strip_www=self.spec.strip_www, trailing_slash=self.spec.trailing_slash)

    def public_url(self, url: str) -> str:
        """``url`` as the outlet spells it, on its public host: tracking and fragment gone, nothing else changed."""
        url = urljoin(self.base_url + "/", url)
        if netloc_key(url) == self._base_netloc and (urlsplit(url).hostname or "").lower() not in self._own_hosts:
            url = self.public_base + self.public_path(url)
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", strip_tracking(parts.query), ""))

    def to_fetch_url(self, url: str) -> str:
        """Where to fetch ``url`` from: rewritten onto ``base_url`` when one is set."""
        url = urljoin(self.base_url + "/", url)
        if self.base_url == self.public_base:
            return url.split("#", 1)[0]
        if (urlsplit(url).hostname or "").lower() in self._own_hosts:
            return self.base_url + self.public_path(url).split("#", 1)[0]
        return url.split("#", 1)[0]

    def site_url(self, path: str) -> str:
        """A path on the outlet's site, on the host we fetch from."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def is_article_url(self, url: str) -> bool:
        """Whether a URL looks like an article (outlet patterns; otherwise 'not an obvious non-article')."""
        if not self.is_own(url):
            return False
        path = urlsplit(self.canonical(url)).path
        if any(p.search(path) for p in self._non_article):
            return False
        if self._patterns:
            return any(p.search(path) for p in self._patterns)
        return True

    # -- parsing ------------------------------------------------------------------------------
    def parse(self, html: str, url: str) -> Article:
        """Extract an :class:`Article` from a page. Pure: no network, no store.

        ``metadata["extracted_by"]`` names the layer behind each field, ``metadata["body"]`` the evidence
        behind the body (:mod:`scrapers.body`) and ``metadata["drift"]`` the fields where the outlet's own
        selectors disagreed with the other layers (a sign its markup changed).
        """
        return self._parse(html, url)[0]

    def inspect(self, html: str, url: str) -> tuple[Article, dict[str, dict[str, Any]]]:
        """The article, and what each layer found for each field: ``{field: {layer: value}}``.

        Layers are ``metadata`` (JSON-LD, OpenGraph, meta tags), ``selectors`` (the outlet's CSS) and
        ``generic`` (trafilatura); a body is given as its word count and first words. For ``scrape check``.
        """
        article, layers = self._parse(html, url)
        meta = self._generic_metadata(html, url)
        if meta is not None:
            layers["title"]["generic"] = meta.title
            layers["authors"]["generic"] = ex.split_authors(meta.author.replace(";", ",")) if meta.author else []
            layers["date"]["generic"] = meta.date
        return article, layers

    def _parse(self, html: str, url: str) -> tuple[Article, dict[str, dict[str, Any]]]:
        tree = ex.parse_tree(html)
        spec, sel = self.spec, self.spec.selectors
        prefer = set(spec.prefer_selectors)
        how: dict[str, str] = {}
        metas = ex.meta_map(tree)
        nodes = ex.json_ld_nodes(tree)
        ld = ex.json_ld_article(nodes) or {}

        # canonical URL: the page's own <link rel=canonical> when it stays on the outlet and is a path
        canonical = self.canonical(url)
        page_canonical = ex.link_href(tree, "canonical") or ex.meta_value(metas, "og:url")
        if page_canonical:
            candidate = self.canonical(urljoin(url, page_canonical))
            if self.is_own(candidate) and urlsplit(candidate).path not in ("", "/") and (
                    self.is_article_url(candidate) or not self.is_article_url(canonical)):
                canonical = candidate

        # title
        meta_title = _first(ex.clean_text(ld.get("headline")) if isinstance(ld.get("headline"), str) else None,
                            self._strip_site(ex.meta_value(metas, "og:title")),
                            self._strip_site(ex.meta_value(metas, "twitter:title")))
        if meta_title and meta_title.casefold() in (spec.display_name.casefold(), spec.domain):
            meta_title = None  # a site-wide og:title is no article's title
        sel_title = _first(*(ex.heading_text(e) for e in ex.select(tree, sel.title)[:1]))
        title = _pick("title", meta_title, sel_title, prefer, how)
        layers: dict[str, dict[str, Any]] = {"title": {"metadata": meta_title, "selectors": sel_title}}
        if not title:
            t = tree.find(".//title")
            title = self._strip_site(ex.text_of(t)) if t is not None else None
            how["title"] = "title-tag" if title else "none"

        # authors
        meta_authors = ex.json_ld_authors(ld, nodes) if ld else []
        if not meta_authors:
            meta_authors = [a for v in ex.meta_values(metas, "author", "article:author", "parsely-author",
                                                      "sailthru.author") for a in ex.split_authors(v)]
        sel_authors = self._selector_authors(tree)
        authors = _pick("authors", meta_authors, sel_authors, prefer, how) or []
        layers["authors"] = {"metadata": meta_authors, "selectors": sel_authors}
        authors = [a for a in ex.unique(authors) if a.casefold() != spec.display_name.casefold()]

        # date
        meta_date = None
        for candidate in (ld.get("datePublished"), ex.meta_value(metas, "article:published_time"),
                          ex.meta_value(metas, "datePublished", "pubdate", "publishdate", "date",
                                        "dc.date", "dc.date.issued", "parsely-pub-date", "sailthru.date")):
            if isinstance(candidate, str):
                meta_date = ex.to_aware_iso(candidate)
                if meta_date:
                    break
        sel_date = None
        for el in ex.select(tree, sel.date)[:3]:
            sel_date = ex.to_aware_iso(el.get("datetime") or el.get("content") or ex.text_of(el))
            if sel_date:
                break
        date = _pick("date", meta_date, sel_date, prefer, how)
        layers["date"] = {"metadata": meta_date and meta_date[0], "selectors": sel_date and sel_date[0]}

        # section and tags
        ld_section = ld.get("articleSection")
        if isinstance(ld_section, list):
            ld_section = ld_section[0] if ld_section else None
        meta_section = _first(ex.clean_text(ld_section) if isinstance(ld_section, str) else None,
                              ex.meta_value(metas, "article:section"))
        sel_section = _first(*(ex.text_of(e) for e in ex.select(tree, sel.section)[:1]))
        section = _pick("section", meta_section, sel_section, prefer, how)
        meta_tags = ex.meta_values(metas, "article:tag") or ex.json_ld_list(ld.get("keywords"))
        sel_tags = [ex.text_of(e) for e in ex.select(tree, sel.tags)]
        tags = ex.unique(_pick("tags", meta_tags, sel_tags, prefer, how) or [])

        # paywall, standfirst (before the body removes nodes from the tree)
        paywalled = ld.get("isAccessibleForFree") in (False, "False", "false")
        if sel.paywall and ex.select(tree, sel.paywall):
            paywalled = True
        standfirst = _first(*(ex.text_of(e) for e in ex.select(tree, sel.standfirst)[:1])) if sel.standfirst else None

        # body: every reading of it, the one kept chosen by evidence (scrapers/body.py)
        page = tree.body if tree.body is not None else tree
        links = {body_key(t): share for t, share in ex.block_texts([page], (), link_share=True)}
        blocks = self._selector_blocks(tree)
        if self._paywall and any(p.search(b.text) for b in blocks for p in self._paywall):
            paywalled = True
            blocks = [b for b in blocks if not any(p.search(b.text) for p in self._paywall)]
        balanced = precise = ""
        if paywalled:  # a teaser: the generic extractors would only guess at the rest
            choice = BodyChoice("\n\n".join(b.text for b in blocks), "selectors", "paywalled: the teaser")
        else:
            ld_body = ld.get("articleBody") if isinstance(ld.get("articleBody"), str) else ""
            ld_body = ex.clean_body_lines(ex.clean_text(ld_body) if "\n" not in ld_body else ld_body, self._drop)
            choice = None
            if self._own_body and blocks:
                # The outlet's own selectors only need a check: one fast generic reading (no fallback
                # algorithms). The full readings are made only when the selectors fail it.
                balanced = self._trafilatura_bodies(html, url, fast=True)[0]
                choice = choose_body(blocks, balanced, "", ld_body, own_selectors=True, links=links)
            if choice is None or choice.drift:
                balanced, precise = self._trafilatura_bodies(html, url)
                choice = choose_body(blocks, balanced, precise, ld_body, own_selectors=self._own_body, links=links)
        text, how["text"] = choice.text, choice.layer
        layers["body"] = {"selectors": _gist(choice.words.get("selectors"), blocks[0].text if blocks else ""),
                          "generic": _gist(choice.words.get("generic"), balanced),
                          "agreement": choice.agreement, "chosen": choice.layer}
        if not paywalled and self._paywall and any(p.search(ex.text_of(tree.body) if tree.body is not None else "")
                                                   for p in self._paywall):
            paywalled = True
        if paywalled and standfirst and standfirst not in text:
            text = (standfirst + "\n\n" + text).strip()

        if not title or not date or not authors:
            title, authors, date = self._trafilatura_metadata(html, url, title, authors, date, how)
        if title and text.startswith(title + "\n"):  # generic extractors keep the heading
            text = text[len(title):].lstrip()

        article = Article(
            outlet=self.name, text=text, title=title or None, url=url, canonical_url=canonical,
            authors=tuple(authors), published=date[0] if date else None, section=section or None,
            tags=tuple(tags), paywalled=paywalled, source="scraped", scraper_version=self.version,
            metadata={"date_precision": date[1] if date else None, "extracted_by": how,
                      "body": choice.evidence(), "drift": self._drift(choice, layers),
                      **({"standfirst": standfirst} if standfirst else {})},
        )
        return self.postprocess(article, tree), layers

    def postprocess(self, article: Article, tree: Any) -> Article:
        """Hook for an outlet's quirks; the default changes nothing."""
        return article

    # -- parsing helpers ----------------------------------------------------------------------
    def _strip_site(self, title: str | None) -> str | None:
        if not title:
            return title
        names = "|".join(re.escape(n) for n in (self.spec.display_name, self.spec.domain, self.spec.name))
        return re.sub(rf"\s*[|\-–—:»]\s*({names})\s*$", "", title, flags=re.I).strip() or title

    def _selector_authors(self, tree: Any) -> list[str]:
        els = ex.select(tree, self.spec.selectors.authors)
        names: list[str] = []
        for el in els:
            names.extend(ex.split_authors(ex.text_of(el)))
        return ex.unique(names)

    def _selector_blocks(self, tree: Any) -> list[Block]:
        """The selector body's paragraphs, each with its share of link text."""
        sel = self.spec.selectors
        containers = ex.select(tree, sel.body)
        if not containers:
            return []
        boilerplate = self._boilerplate  # one selector group: one pass over the tree
        if all(c.tag in ex.BLOCK_TAGS for c in containers):
            # Paragraphs matched directly: drop those inside boilerplate (related lists, donation boxes).
            scope = tree.body if tree.body is not None else tree
            bad = set(ex.compile_selector(boilerplate)(scope))
            chosen = set(containers)  # a <p> inside a matched <blockquote> is read once, with it
            containers = [c for c in containers if c not in bad and
                          not any(a in bad or a in chosen for a in c.iterancestors())]
        else:
            for c in containers:
                ex.remove_elements(c, boilerplate)
        return [Block(t, share) for t, share in ex.block_texts(containers, self._drop, link_share=True)]

    def _trafilatura_bodies(self, html: str, url: str, fast: bool = False) -> tuple[str, str]:
        """trafilatura's body in its balanced mode and favouring precision (paragraphs one per line);
        with ``fast``, only the balanced reading, without trafilatura's fallback algorithms."""
        import trafilatura
        if "<" not in html[:2000]:
            return "", ""  # not markup at all (a text file, an empty body): nothing to extract
        out = []
        for precision in ((False,) if fast else (False, True)):
            try:
                text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False,
                                           favor_precision=precision, fast=fast) or ""
            except Exception as exc:  # one reading among several; never let it sink a page
                log.debug("trafilatura failed on %s: %s", url, exc)
                text = ""
            out.append(ex.clean_body_lines(text, self._drop))
        return out[0], out[-1] if not fast else ""

    def _drift(self, choice: BodyChoice, layers: dict[str, dict[str, Any]]) -> list[str]:
        """Fields where the outlet's own selectors disagree with the other layers on this page.

        The body: the selector body disagrees with the generic reading, or finds nothing. Title, date and
        authors: both layers found a value and they differ (a missing optional element is no evidence;
        nor is a field in ``prefer_selectors``, whose metadata the outlet is known to get wrong).
        """
        drift = ["body"] if choice.drift else []
        defaults = Selectors()
        for name in ("title", "date", "authors"):
            if getattr(self.spec.selectors, name) == getattr(defaults, name) or name in self.spec.prefer_selectors:
                continue  # generic selectors, or a field whose metadata the outlet is known to get wrong
            meta, found = layers[name]["metadata"], layers[name]["selectors"]
            if meta and found and not _same(name, meta, found):
                drift.append(name)
        return drift

    def _generic_metadata(self, html: str, url: str) -> Any:
        import trafilatura
        if "<" not in html[:2000]:
            return None
        try:
            return trafilatura.extract_metadata(html, default_url=url)
        except Exception as exc:
            log.debug("trafilatura metadata failed on %s: %s", url, exc)
            return None

    def _trafilatura_metadata(self, html: str, url: str, title, authors, date, how):
        meta = self._generic_metadata(html, url)
        if meta is None:
            return title, authors, date
        if not title and meta.title:
            title, how["title"] = self._strip_site(meta.title), "trafilatura"
        if not authors and meta.author:
            authors, how["authors"] = ex.split_authors(meta.author.replace(";", ",")), "trafilatura"
        if not date and meta.date:
            date = ex.to_aware_iso(meta.date)
            how["date"] = "trafilatura" if date else how.get("date", "none")
        return title, authors, date


def _gist(words: int | None, text: str) -> str | None:
    """A body as ``scrape check`` shows it: its word count and first words."""
    if not words:
        return None
    head = " ".join(text.split()[:12])
    return f"{words} words: {head}…" if head else f"{words} words"


def _same(name: str, a: Any, b: Any) -> bool:
    """Whether two layers' values of a field agree (case and spacing aside; a date to the day)."""
    if name == "date":
        return str(a)[:10] == str(b)[:10]
    if name == "authors":
        return bool({x.casefold() for x in a} & {x.casefold() for x in b})
    x, y = " ".join(str(a).casefold().split()), " ".join(str(b).casefold().split())
    return x in y or y in x


def _first(*values: Any) -> Any:
    for v in values:
        if v:
            return v
    return None


def _pick(name: str, meta: Any, selected: Any, prefer: set[str], how: dict[str, str]) -> Any:
    """Metadata first, selectors second (or the other way round for fields the outlet names)."""
    order = (("selectors", selected), ("metadata", meta)) if name in prefer else \
            (("metadata", meta), ("selectors", selected))
    for label, value in order:
        if value:
            how[name] = label
            return value
    how[name] = "none"
    return None
