"""Backfill an outlet's history from a Wayback-compatible web archive: :func:`scrape_archive`.

The outlet's article URLs come from the archive's CDX API (JSON output; status 200 and HTML captures
only; one capture per URL key; ``from`` = ``--since``, since no article is captured before it is
published), filtered by the outlet's article patterns (so no tag, category or author pages). Each capture
is fetched raw (``/web/TIMESTAMPid_/URL``: the page as the outlet served it, without the archive's
banner or rewritten links), parsed by the outlet's own scraper as its original URL, and stored with that
URL as the article's; ``metadata["archive"]`` keeps the capture URL and timestamp.

Politeness and state are the live crawl's (:mod:`scrapers.crawl`): the same :class:`~scrapers.http.Fetcher`
(robots.txt, a per-host delay, 429/503 retried after ``Retry-After``), the same writer, one transaction
per page, and the same crawl state: a URL collected by the live crawl or an earlier backfill is never
fetched again (so a capture is never stored twice, nor beside the live copy of the same article), and a
killed backfill resumes where it stopped.
"""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import Callable, Iterator
from urllib.parse import urlencode, urlsplit

from corpus.store import CorpusStore

from .base import Scraper
from .crawl import CrawlOptions, OutletSummary, ScrapeResult, _State, fetch_article, scrape
from .errors import FetchError, HostUnreachable, RobotsDisallowed, ScraperError
from .http import Fetcher

log = logging.getLogger(__name__)

DEFAULT_ARCHIVE = "https://web.archive.org"
#: Seconds between two requests to the archive unless --delay says otherwise (the Internet Archive
#: throttles clients that ask faster than about one capture every few seconds).
ARCHIVE_DELAY = 5.0
#: Rows asked of the CDX API per request (paged with its resume key).
CDX_PAGE = 1000


@dataclass(frozen=True)
class Capture:
    """One archived copy of a URL, as the CDX API lists it."""

    timestamp: str  # YYYYMMDDhhmmss
    original: str
    digest: str | None = None

    def url(self, archive: str) -> str:
        """The raw capture: the page as the outlet served it (``id_``: no banner, no rewritten links)."""
        return f"{archive.rstrip('/')}/web/{self.timestamp}id_/{self.original}"

    @property
    def iso(self) -> str:
        t = self.timestamp.ljust(14, "0")
        return f"{t[:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}+00:00"


def check_archive(archive: str | None) -> str:
    """The archive's base URL, or a :class:`ScraperError` naming the fix."""
    archive = (archive or DEFAULT_ARCHIVE).strip().rstrip("/")
    if not archive.startswith(("http://", "https://")) or not urlsplit(archive).hostname:
        raise ScraperError(f"--archive must be the archive's address, e.g. {DEFAULT_ARCHIVE}, not {archive!r}")
    return archive


def cdx_url(archive: str, domain: str, since: str | None = None, resume_key: str | None = None) -> str:
    """The CDX query listing a domain's HTML captures that answered 200, one per URL key."""
    params: list[tuple[str, str]] = [
        ("url", f"{domain}/*"), ("output", "json"), ("fl", "timestamp,original,statuscode,mimetype,digest"),
        ("filter", "statuscode:200"), ("filter", "mimetype:text/html"), ("collapse", "urlkey"),
        ("limit", str(CDX_PAGE)), ("showResumeKey", "true")]
    if since:
        params.append(("from", since.replace("-", "")))
    if resume_key:
        params.append(("resumeKey", resume_key))
    return f"{archive}/cdx/search/cdx?{urlencode(params)}"


def parse_cdx(text: str) -> tuple[list[Capture], str | None]:
    """Captures of a CDX JSON answer and its resume key (None on the last page).

    The answer is a list of rows, the first naming the fields; with ``showResumeKey`` an empty row and a
    one-element row holding the key end it. Rows that are not 200 HTML captures are left out (an archive
    that ignores the filters is still read right).
    """
    try:
        rows = json.loads(text) if text.strip() else []
    except json.JSONDecodeError:
        raise ScraperError("the archive's CDX answer is not JSON; is --archive a Wayback-compatible archive?") from None
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], list):
        return [], None
    header, body, resume = [str(h) for h in rows[0]], rows[1:], None
    if len(body) >= 2 and body[-2] == [] and isinstance(body[-1], list) and len(body[-1]) == 1:
        resume, body = str(body[-1][0]), body[:-2]
    col = {name: i for i, name in enumerate(header)}
    if "timestamp" not in col or "original" not in col:
        raise ScraperError("the archive's CDX answer has no timestamp and original fields")
    out = []
    for row in body:
        if not isinstance(row, list) or len(row) < len(header):
            continue
        status = row[col["statuscode"]] if "statuscode" in col else "200"
        mime = row[col["mimetype"]] if "mimetype" in col else "text/html"
        if status != "200" or not str(mime).startswith(("text/html", "application/xhtml")):
            continue
        out.append(Capture(str(row[col["timestamp"]]), str(row[col["original"]]),
                           row[col["digest"]] if "digest" in col else None))
    return out, resume


class _ArchiveScope:
    """Where a capture's fetch may go: the archive's own host (it redirects to the nearest timestamp)."""

    def __init__(self, archive: str):
        self.host = (urlsplit(archive).hostname or "").lower()

    def allows(self, url: str) -> bool:
        return (urlsplit(url).hostname or "").lower() == self.host

    def to_fetch_url(self, url: str) -> str:
        return url


def list_captures(fetcher: Fetcher, archive: str, scraper: Scraper, since: str | None = None,
                  errors: list[str] | None = None) -> Iterator[Capture]:
    """Every capture the archive lists for the outlet's domains (article URLs only, in the CDX order)."""
    scope = _ArchiveScope(archive)
    for domain in scraper.spec.domains:
        resume: str | None = None
        for _ in range(10_000):
            url = cdx_url(archive, domain, since, resume)
            try:
                page = fetcher.fetch(url, scope=scope, accept="application/json")
            except (HostUnreachable, RobotsDisallowed):
                raise
            except FetchError as exc:
                (errors if errors is not None else []).append(f"CDX listing: {exc.reason}")
                break
            if not page.ok:
                (errors if errors is not None else []).append(f"CDX listing: HTTP {page.status}")
                break
            captures, resume = parse_cdx(page.text)
            for c in captures:
                if scraper.is_article_url(c.original):
                    yield c
            if not resume:
                break


def archive_work(archive: str, trusted: bool = False) -> Callable[..., None]:
    """The backfill of one outlet, in the shape :func:`scrapers.crawl.scrape` runs in each outlet's thread.

    ``trusted``: the user named the archive (``--archive URL``), so its host is connected to whatever its
    address, as a ``--base-url`` host is (a local mirror); the default archive's is checked like any host."""
    scope = _ArchiveScope(archive)

    def work(scraper: Scraper, fetcher: Fetcher, state: _State, options: CrawlOptions,
             emit: Callable[[tuple], None], stop: threading.Event, summary: OutletSummary) -> None:
        name, seen, collected, errors = scraper.name, set(), 0, []
        if trusted:
            fetcher.trust(archive)
        try:
            for c in list_captures(fetcher, archive, scraper, options.since, errors):
                if stop.is_set():
                    break
                url = scraper.canonical(c.original)
                if url in seen:  # another capture, or another spelling, of an article already handled
                    continue
                seen.add(url)
                summary.discovered += 1
                emit(("discovered", name, url, None, scraper.public_url(c.original), None))
                if url in state.done:  # collected live or by an earlier backfill: never a second copy
                    summary.already_done += 1
                    continue
                capture = {"archive": archive, "capture_url": c.url(archive), "timestamp": c.iso,
                           "original": c.original}
                if fetch_article(scraper, fetcher, url, c.url(archive), options, emit, summary, scope=scope,
                                 capture=capture):
                    collected += 1
                    state.done.add(url)
                    if options.max_articles and collected >= options.max_articles:
                        break
            else:
                summary.complete = not stop.is_set() and not errors
            summary.sources = ["archive"] if summary.discovered or not errors else []
            summary.errors.extend(errors)
            if errors and not summary.discovered:
                summary.error = f"the archive's listing could not be read ({errors[0]})"
        except HostUnreachable as exc:
            summary.error = exc.reason
        except ScraperError as exc:
            summary.error = str(exc)
        except Exception as exc:  # a bug must not lose the other outlets' work
            log.exception("%s: backfill stopped by an unexpected error", name)
            summary.error = f"internal error: {exc!r}"
        summary.warnings = summary.drift_warnings(name, scraper.spec.display_name)

    return work


def scrape_archive(store: CorpusStore, names: list[str], archive: str | None = None,
                   options: CrawlOptions | None = None, config: str | None = None,
                   progress: Callable[[str, OutletSummary], None] | None = None) -> ScrapeResult:
    """Backfill each outlet from a Wayback-compatible archive into ``store``.

    Parameters
    ----------
    store : CorpusStore
    names : list of str
        Outlet names (``scrape list``).
    archive : str, optional
        The archive's base URL (default the Internet Archive's Wayback Machine).
    options : CrawlOptions
        ``since``/``until`` bound the articles' publication dates (``since`` also bounds the captures);
        ``max_articles`` per outlet; ``fetch`` the politeness (a delay of :data:`ARCHIVE_DELAY` seconds
        is the command line's default here).
    config : str, optional
        An outlets TOML file.

    Returns
    -------
    ScrapeResult
        One summary per outlet, as for a live crawl (``sources == ["archive"]``).
    """
    from .registry import get_scraper

    named = archive is not None
    archive = check_archive(archive)
    scrapers = [get_scraper(n, config=config) for n in dict.fromkeys(n.strip().lower() for n in names)]
    return scrape(store, scrapers, options, progress=progress, work=archive_work(archive, trusted=named))


__all__ = ["ARCHIVE_DELAY", "Capture", "DEFAULT_ARCHIVE", "archive_work", "cdx_url", "check_archive",
           "list_captures", "parse_cdx", "scrape_archive"]
