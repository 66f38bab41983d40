"""Incremental, resumable crawls into the corpus store.

One thread per outlet discovers and fetches (the shared :class:`~scrapers.http.Fetcher` keeps each host
polite); the calling thread is the only one that writes to the store, one small transaction per page, so
killing the process loses at most the page in flight. When another process holds the corpus's write lock
for longer than the store's busy timeout, fetched pages wait in memory (a bounded backlog; the fetching
threads pause when it is full) and are written, in order, once the lock frees; only a lock held past
``CrawlOptions.lock_wait`` seconds ends the crawl, with a one-line :class:`CorpusLocked` error. Crawl state lives in the store (``crawl_urls``,
``raw_pages``, ``http_cache``, ``crawl_runs``): a re-run skips what is done, retries what failed (up to
``max_attempts``), and fetches only what is new. Raw pages are kept zlib-compressed for
:func:`reparse`.
"""
from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterable

from corpus import crawlstate
from corpus.dates import now_utc
from corpus.labels import LabelSet
from corpus.models import Article
from corpus.store import CorpusStore

from .base import Scraper
from .discovery import Candidate, Discovery
from .errors import CorpusLocked, FetchError, HostUnreachable, RobotsDisallowed, ScraperError
from .extract import LONDON
from .http import FetchConfig, Fetcher

log = logging.getLogger(__name__)

DONE_STATUSES = ("done", "gone", "not_article")
SUMMARY_KEYS = ("discovered", "fetched", "new", "failed", "skipped_robots")
NOT_PAGES = frozenset({"application/pdf", "application/zip", "application/gzip", "application/msword",
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document"})
#: Metadata a re-parse keeps from the stored article: where an archived page came from.
PROVENANCE = ("archive", "warc")
#: A field is reported as drifting when the outlet's selectors disagreed on at least this share of the
#: pages parsed in a crawl, and on at least DRIFT_MIN_PAGES of them.
DRIFT_SHARE, DRIFT_MIN_PAGES = 0.5, 3
#: Events (fetched pages mostly) held in memory while the corpus is locked; then the fetchers wait.
MAX_BACKLOG = 200
LOCK_RETRY_FIRST, LOCK_RETRY_MAX = 0.05, 5.0


@dataclass
class CrawlOptions:
    """What to collect and how patiently (``since``/``until`` are ISO dates, inclusive).

    ``lock_wait`` is how many seconds a crawl keeps waiting, fetched pages in memory, for a corpus
    another process keeps locked before it gives up with :class:`CorpusLocked`.
    """

    since: str | None = None
    until: str | None = None
    max_articles: int | None = None
    max_attempts: int = 3
    fetch: FetchConfig = field(default_factory=FetchConfig)
    lock_wait: float = 600.0

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None:
                if isinstance(value, date):
                    value = value.isoformat()
                try:
                    date.fromisoformat(str(value)[:10])
                except ValueError:
                    raise ScraperError(f"--{name} must be a date such as 2024-01-31, not {value!r}") from None
                setattr(self, name, str(value)[:10])
        if self.since and self.until and self.since > self.until:
            raise ScraperError(f"--since {self.since} is after --until {self.until}; swap them")


@dataclass
class OutletSummary:
    """What one outlet's crawl did. ``to_dict`` gives the CLI's JSON summary."""

    discovered: int = 0
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped_robots: int = 0
    skipped: int = 0
    already_done: int = 0
    complete: bool = False
    sources: list[str] = field(default_factory=list)
    error: str | None = None
    errors: list[str] = field(default_factory=list)
    parsed: int = 0  # pages read into an article (drift is counted over these)
    drift: dict[str, int] = field(default_factory=dict)  # field -> pages whose selectors disagreed
    warnings: list[str] = field(default_factory=list)

    def count_drift(self, article: Article) -> None:
        """Count a parsed page, and each field on which the outlet's selectors disagreed with the other layers."""
        self.parsed += 1
        for name in article.metadata.get("drift") or ():
            self.drift[name] = self.drift.get(name, 0) + 1

    def drift_warnings(self, outlet: str, display_name: str) -> list[str]:
        """"LabourList's markup may have changed: ..." for each field the selectors got wrong on many pages."""
        out = []
        for name, n in sorted(self.drift.items(), key=lambda kv: -kv[1]):
            if n >= DRIFT_MIN_PAGES and n >= DRIFT_SHARE * self.parsed:
                fallback = " (each page fell back to the generic extractor)" if name == "body" else \
                    " (metadata was used)"
                out.append(f"{display_name}'s markup may have changed: its {name} selectors disagreed with the "
                           f"other layers on {n} of {self.parsed} pages{fallback}; see `scrape check {outlet}` "
                           f"and correct the selectors in an outlets file")
        return out

    @property
    def ok(self) -> bool:
        """Something collected, or nothing needed collecting; False when the outlet could not be crawled."""
        if self.error:
            return self.fetched > 0
        return self.fetched > 0 or self.already_done > 0 or (self.failed == 0 and self.skipped_robots == 0)

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in SUMMARY_KEYS}
        d.update(updated=self.updated, skipped=self.skipped, already_done=self.already_done, error=self.error,
                 parsed=self.parsed, drift=dict(self.drift), warnings=list(self.warnings))
        return d


@dataclass
class ScrapeResult:
    """Summaries per outlet, and whether anything at all could be collected."""

    outlets: dict[str, OutletSummary]

    @property
    def ok(self) -> bool:
        return any(s.ok for s in self.outlets.values())

    def reached_line(self) -> str:
        """``"2 of 3 outlets reached"``: the one line a scheduled job's log needs."""
        reached = sum(s.ok for s in self.outlets.values())
        return f"{reached} of {len(self.outlets)} outlet{'s' if len(self.outlets) != 1 else ''} reached"

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {name: s.to_dict() for name, s in self.outlets.items()}

    def failure_message(self) -> str:
        parts = []
        for name, s in self.outlets.items():
            if s.error:
                parts.append(f"{name}: {s.error}")
            elif s.skipped_robots and not s.fetched:
                parts.append(f"{name}: every page refused by robots.txt ({s.skipped_robots})")
            elif s.failed:
                first = s.errors[0] if s.errors else "see -v"
                parts.append(f"{name}: all {s.failed} page(s) failed ({first})")
        return "nothing could be collected; " + "; ".join(parts or ["no outlet answered"])


@dataclass
class _State:
    done: set[str]
    pending: list[Candidate]
    cache: dict[str, tuple[str | None, str | None]]
    last_complete: bool


# -- the store side ------------------------------------------------------------------------------
def _load_state(store: CorpusStore, outlet: str, max_attempts: int) -> _State:
    done, pending = set(), []
    for url, fetch_url, status, attempts, lastmod, published in crawlstate.crawl_urls(store, outlet):
        if status in DONE_STATUSES or (status == "failed" and attempts >= max_attempts):
            done.add(url)
        else:  # pending, failed, refused by robots.txt (robots may change), out of an earlier date window
            pending.append(Candidate(fetch_url or url, lastmod=lastmod, published=published, via="store"))
    return _State(done, pending, crawlstate.http_cache(store), crawlstate.last_run_complete(store, outlet))


def _ensure_outlet_label(store: CorpusStore, scraper: Scraper) -> None:
    """A configured outlet's default tendency becomes its outlet label, unless one is already in force."""
    tendency = scraper.spec.tendency
    if not tendency or tendency == "unlabelled" or scraper.name in store.labels.outlets:
        return
    store.load_labels(LabelSet.from_mapping({"outlets": {scraper.name: {
        "tendency": tendency, "name": scraper.spec.display_name, "note": "default tendency from the outlets config"}}}))


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _locked_error(store: CorpusStore, waited: float, unsaved: int) -> CorpusLocked:
    lost = f"; {unsaved} fetched page(s) could not be written and will be fetched again on the next run" \
        if unsaved else ""
    error = CorpusLocked(f"the corpus {store.path} stayed locked by another process for {waited:.0f}s; "
                         f"everything fetched before then is stored{lost}. Let the other process finish, then "
                         "run the scrape again")
    error.waited, error.unsaved = waited, unsaved
    return error


def _retry_locked(store: CorpusStore, lock_wait: float, write: Callable[[], Any]) -> Any:
    """``write()``, retried with backoff while another process holds the corpus's write lock."""
    start, pause = time.monotonic(), LOCK_RETRY_FIRST
    while True:
        try:
            return write()
        except sqlite3.OperationalError as exc:
            waited = time.monotonic() - start
            if not _is_locked(exc) or waited > lock_wait:
                if _is_locked(exc):
                    raise _locked_error(store, waited, 0) from None
                raise
        time.sleep(pause)
        pause = min(pause * 2, LOCK_RETRY_MAX)


class _Writer:
    """Applies the workers' events to the store (only ever from the thread that owns the store).

    Events wait in ``backlog`` and are written in order; a write refused because another process
    holds the corpus's lock is retried later (backing off), so nothing fetched is dropped unless the
    lock outlasts ``lock_wait`` seconds.
    """

    def __init__(self, store: CorpusStore, summaries: dict[str, OutletSummary], lock_wait: float = 600.0):
        self.store, self.summaries = store, summaries
        self.lock_wait = lock_wait
        self.backlog: deque[tuple] = deque()
        self._discovered: list[tuple] = []
        self._locked_since: float | None = None
        self._retry_at = 0.0
        self._pause = LOCK_RETRY_FIRST
        self.lock_waits = 0  # how many writes met a locked corpus

    @property
    def full(self) -> bool:
        return len(self.backlog) >= MAX_BACKLOG

    @property
    def pending(self) -> bool:
        return bool(self.backlog or self._discovered)

    def apply(self, event: tuple) -> None:
        self.backlog.append(event)
        self.drain(flush=False)

    def drain(self, flush: bool = True) -> None:
        """Write the backlog in order (and, with ``flush``, the batch of discovered URLs).

        Raises :class:`CorpusLocked` once the corpus has been locked for more than ``lock_wait``.
        """
        now = time.monotonic()
        if now < self._retry_at:
            return
        try:
            while self.backlog:
                event = self.backlog[0]
                if event[0] == "discovered":
                    self._discovered.append((event[2], event[1], event[3], now_utc(), event[4], event[5]))
                    self.backlog.popleft()
                    if len(self._discovered) >= 500:
                        self._flush_discovered()
                    continue
                self._flush_discovered()
                self._write(event)
                self.backlog.popleft()
            if flush:
                self._flush_discovered()
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc):
                raise
            self.lock_waits += 1
            if self._locked_since is None:
                self._locked_since = now
                log.warning("the corpus %s is locked by another process; fetched pages wait in memory",
                            self.store.path)
            if now - self._locked_since > self.lock_wait:
                raise _locked_error(self.store, now - self._locked_since,
                                    sum(e[0] == "page" for e in self.backlog)) from None
            self._retry_at = now + self._pause
            self._pause = min(self._pause * 2, LOCK_RETRY_MAX)
            return
        if self._locked_since is not None:
            log.info("the corpus %s is writable again", self.store.path)
        self._locked_since, self._pause = None, LOCK_RETRY_FIRST

    def _flush_discovered(self) -> None:
        if not self._discovered:
            return
        with self.store.transaction() as conn:
            crawlstate.add_discovered(conn, self._discovered)
        self._discovered.clear()

    def _write(self, event: tuple) -> None:
        """One event in one transaction; the summary counts it only once that commits."""
        kind, outlet = event[0], event[1]
        s = self.summaries[outlet]
        if kind == "page":
            _, _, url, final_url, status, ctype, encoding, blob, fetched_at, article = event
            with self.store.transaction() as conn:
                crawlstate.save_raw_page(conn, url, outlet, fetched_at, status, ctype, encoding, blob, final_url)
                if isinstance(article, Article):
                    outcome = self.store.upsert(article)
                    self._mark(conn, url, outlet, "done", status, None, article.id, fetched_at)
                    if article.canonical_url and article.canonical_url != url:
                        self._mark(conn, article.canonical_url, outlet, "done", status, None, article.id,
                                   fetched_at, count_attempt=False)
                else:  # a reason the page is not stored: ("not_article" | "out_of_range", published)
                    reason, published = article
                    outcome = "skipped"
                    self._mark(conn, url, outlet, reason, status, None, None, fetched_at)
                    crawlstate.set_url_published(conn, url, published)
            setattr(s, outcome, getattr(s, outcome) + 1)
        elif kind == "failed":
            _, _, url, status, error, gone = event
            with self.store.transaction() as conn:
                self._mark(conn, url, outlet, "gone" if gone else "failed", status, error, None, now_utc())
        elif kind == "robots":
            with self.store.transaction() as conn:
                self._mark(conn, event[2], outlet, "robots", None, "disallowed by robots.txt", None, None,
                           count_attempt=False)
        elif kind == "skipped":
            with self.store.transaction() as conn:
                self._mark(conn, event[2], outlet, event[3], None, None, None, None, count_attempt=False)
            s.skipped += 1
        elif kind == "cache":
            _, _, url, etag, last_modified = event
            with self.store.transaction() as conn:
                crawlstate.save_http_cache(conn, url, etag, last_modified)

    _mark = staticmethod(crawlstate.mark_url)


# -- the network side (one thread per outlet) ---------------------------------------------------
def _article_from_html(scraper: Scraper, html: str, final_url: str, fetched_at: str,
                       date_hint: str | None = None) -> Article:
    """Parse a fetched page; a feed's or the API's publication date beats one read from visible text."""
    article = scraper.parse(html, final_url)
    article = article.replace(url=scraper.canonical(final_url), fetched_at=fetched_at)
    how = article.metadata.get("extracted_by", {})
    if date_hint and how.get("date") != "metadata" and "T" in date_hint:
        try:  # feeds often say UTC; the page's own calendar day is the outlet's (UK) one
            date_hint = datetime.fromisoformat(date_hint).astimezone(LONDON).isoformat()
        except ValueError:
            return article
        article = article.replace(published=date_hint, metadata={
            **article.metadata, "date_precision": "datetime", "extracted_by": {**how, "date": "feed"}})
    return article


def _in_range(published: str | None, options: CrawlOptions) -> bool:
    if not published:
        return True
    day = published[:10]
    return not ((options.since and day < options.since) or (options.until and day > options.until))


def fetch_article(scraper: Scraper, fetcher: Fetcher, url: str, fetch_url: str, options: CrawlOptions,
                  emit: Callable[[tuple], None], summary: OutletSummary, date_hint: str | None = None,
                  scope: Any = None, capture: dict[str, str] | None = None) -> bool:
    """Fetch ``fetch_url``, parse it as article ``url`` and emit the outcome for the writer; True if stored.

    ``scope`` is where redirects may go (the outlet's domains by default). ``capture`` (an archive's copy:
    ``{"archive", "capture_url", "timestamp", "original"}``) parses the page as its original URL and keeps
    the capture in ``metadata["archive"]``.
    """
    name = scraper.name
    try:
        page = fetcher.fetch(fetch_url, scope=scope or scraper)
    except RobotsDisallowed:
        summary.skipped_robots += 1
        emit(("robots", name, url))
        return False
    except HostUnreachable:
        raise
    except FetchError as exc:
        summary.failed += 1
        summary.errors.append(exc.reason)
        log.warning("%s: %s", name, exc)
        emit(("failed", name, url, exc.status, exc.reason, False))
        return False
    if not page.ok:
        summary.failed += 1
        summary.errors.append(f"HTTP {page.status}")
        gone = page.status in (404, 410) and capture is None  # a missing capture says nothing of the article
        emit(("failed", name, url, page.status, f"HTTP {page.status}", gone))
        return False
    summary.fetched += 1
    fetched_at = now_utc()
    ctype = page.content_type.split(";", 1)[0].strip().lower()
    if ctype.startswith(("image/", "audio/", "video/", "font/")) or ctype in NOT_PAGES:
        emit(("skipped", name, url, "not_article"))  # a PDF or an image linked like an article
        return False
    html = page.text
    blob = zlib.compress(html.encode("utf-8"), 6)
    # public spelling: reparse needs no --base-url (and an archived page is read as its original URL)
    final_url = scraper.canonical(capture["original"] if capture else page.final_url)
    try:
        article = _article_from_html(scraper, html, final_url, fetched_at, date_hint)
    except Exception as exc:  # one bad page is logged, counted and skipped
        log.warning("%s: cannot parse %s: %s", name, url, exc)
        summary.failed += 1
        summary.errors.append(f"parse error: {exc}")
        emit(("failed", name, url, page.status, f"parse error: {exc}", False))
        return False
    if capture:
        article = article.replace(metadata={**article.metadata,
                                            "archive": {**capture, "capture_url": page.final_url}})
    result: Article | tuple[str, str | None] = article
    summary.count_drift(article)
    if article.word_count < scraper.spec.min_words and not article.paywalled:
        result = ("not_article", article.published)
    elif not _in_range(article.published, options):
        result = ("out_of_range", article.published)
    emit(("page", name, url, final_url, page.status, page.content_type, page.encoding, blob,
          fetched_at, result))
    return isinstance(result, Article)


def _work(scraper: Scraper, fetcher: Fetcher, state: _State, options: CrawlOptions,
          emit: Callable[[tuple], None], stop: threading.Event, summary: OutletSummary) -> None:
    """Discover and fetch one outlet's articles, emitting events for the writer."""
    name = scraper.name
    seen: set[str] = set()
    collected = 0
    discovery = Discovery(
        scraper, fetcher, cache=state.cache, since=options.since, until=options.until,
        on_cache=lambda url, etag, lm: emit(("cache", name, url, etag, lm)),
        stop_archive=(lambda links: all(scraper.canonical(u) in state.done for u in links))
        if state.last_complete else None,
    )

    def consider(c: Candidate) -> bool:
        """Handle one candidate; False once the outlet has collected enough."""
        nonlocal collected
        if stop.is_set():
            return False
        url = scraper.canonical(c.url)
        if url in seen or not scraper.is_own(url):
            return True
        seen.add(url)
        summary.discovered += 1
        spelled = scraper.public_url(c.url)
        if c.via != "store":
            emit(("discovered", name, url, c.lastmod, spelled, c.published))
        if url in state.done:
            summary.already_done += 1
            return True
        if not discovery.in_range(c):
            emit(("skipped", name, url, "out_of_range"))  # counted by the writer
            return True
        if fetch_article(scraper, fetcher, url, scraper.to_fetch_url(spelled), options, emit, summary, c.published):
            collected += 1
            state.done.add(url)
        return not (options.max_articles and collected >= options.max_articles)

    try:
        go_on = all(consider(c) for c in state.pending)
        if go_on:
            for c in discovery:
                if not consider(c):
                    break
            else:
                summary.complete = not stop.is_set()
        # skipped_robots counts article pages only; refused feeds, sitemaps and listings are logged
        summary.sources = discovery.sources
        summary.errors.extend(discovery.errors)
        if not summary.discovered and not discovery.sources:
            if discovery.skipped_robots:
                summary.error = "robots.txt refuses every feed, sitemap and listing page; nothing to collect"
            elif discovery.errors:
                summary.error = f"no feed, sitemap or listing could be read ({discovery.errors[0]})"
    except HostUnreachable as exc:
        summary.error = exc.reason
        log.info("%s: %s", name, exc.reason)
    except Exception as exc:  # a bug must not lose the other outlets' work
        log.exception("%s: crawl stopped by an unexpected error", name)
        summary.error = f"internal error: {exc!r}"
    summary.warnings = summary.drift_warnings(name, scraper.spec.display_name)


# -- entry points -------------------------------------------------------------------------------
def scrape(store: CorpusStore, scrapers: Iterable[Scraper], options: CrawlOptions | None = None,
           fetcher: Fetcher | None = None,
           progress: Callable[[str, OutletSummary], None] | None = None, work: Callable[..., None] | None = None
           ) -> ScrapeResult:
    """Crawl each outlet (concurrently, one thread per outlet) into ``store``.

    Parameters
    ----------
    store : CorpusStore
    scrapers : iterable of Scraper
        From :func:`scrapers.registry.get_scraper`.
    options : CrawlOptions
    fetcher : Fetcher, optional
        Made from ``options.fetch`` when not given.
    progress : callable, optional
        Called as ``progress(outlet, summary)`` after each stored page.
    work : callable, optional
        What each outlet's thread does, called as ``work(scraper, fetcher, state, options, emit, stop,
        summary)``: the live crawl by default; :mod:`scrapers.archive` passes its backfill.

    Returns
    -------
    ScrapeResult
        Summaries per outlet; ``result.ok`` is false when nothing at all could be collected.
    """
    options = options or CrawlOptions()
    scrapers = list(scrapers)
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(options.fetch)
    summaries = {s.name: OutletSummary() for s in scrapers}
    writer = _Writer(store, summaries, options.lock_wait)
    events: queue.Queue = queue.Queue(maxsize=1000)
    stop = threading.Event()

    def emit(event: tuple) -> None:
        """Hand an event to the writer; waits while it is behind, drops it once the crawl is stopping."""
        while not stop.is_set():
            try:
                events.put(event, timeout=0.1)
                return
            except queue.Full:
                continue

    def start_run(s: Scraper) -> int:
        with store.transaction() as conn:
            return crawlstate.start_crawl_run(conn, s.name)

    runs: dict[str, int] = {}
    threads = []
    for s in scrapers:
        _retry_locked(store, options.lock_wait, lambda: _ensure_outlet_label(store, s))
        state = _load_state(store, s.name, options.max_attempts)
        runs[s.name] = _retry_locked(store, options.lock_wait, lambda: start_run(s))
        t = threading.Thread(target=work or _work, name=f"crawl-{s.name}", daemon=True,
                             args=(s, fetcher, state, options, emit, stop, summaries[s.name]))
        threads.append(t)
    try:
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads) or not events.empty() or writer.pending:
            if writer.full:  # the corpus is locked and memory is spent: the fetchers wait on the queue
                writer.drain()
                time.sleep(0.05)
                continue
            try:
                event = events.get(timeout=0.05)
            except queue.Empty:
                writer.drain()
                continue
            writer.apply(event)
            if progress and event[0] == "page":
                progress(event[1], summaries[event[1]])
    except CorpusLocked as exc:
        stop.set()
        queued = []
        while not events.empty():
            queued.append(events.get_nowait())
        raise _locked_error(store, exc.waited, exc.unsaved + sum(e[0] == "page" for e in queued)) from None
    except BaseException:
        stop.set()
        raise
    finally:
        if own_fetcher:
            fetcher.close()

    def finish_runs() -> None:
        with store.transaction() as conn:
            for name, run_id in runs.items():
                s = summaries[name]
                crawlstate.finish_crawl_run(conn, run_id, {**s.to_dict(), "complete": s.complete,
                                                           "sources": s.sources})

    _retry_locked(store, options.lock_wait, finish_runs)
    return ScrapeResult(summaries)


def reparse(store: CorpusStore, scraper: Scraper,
            progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Re-parse every stored raw page of an outlet (after a selector fix), without fetching.

    Returns counts: ``{"pages", "new", "updated", "unchanged", "skipped", "failed"}``.
    """
    counts = {"pages": 0, "new": 0, "updated": 0, "unchanged": 0, "skipped": 0, "failed": 0}
    # Read the list first: re-parsing writes to crawl_urls, which a live cursor must not be reading.
    rows = crawlstate.raw_pages(store, scraper.name)
    for url, final_url, fetched_at, date_hint in rows:
        counts["pages"] += 1
        try:
            blob = crawlstate.raw_page(store, url)
            html = zlib.decompress(blob).decode("utf-8")
            article = _article_from_html(scraper, html, final_url or url, fetched_at, date_hint)
        except Exception as exc:
            log.warning("%s: cannot re-parse %s: %s", scraper.name, url, exc)
            counts["failed"] += 1
            continue
        if article.word_count < scraper.spec.min_words and not article.paywalled:
            counts["skipped"] += 1
            continue
        with store.transaction() as conn:
            old = store.get(article.id)
            kept = {k: old.metadata[k] for k in PROVENANCE if old is not None and k in old.metadata}
            if kept:  # where an archived page came from is not in the page itself
                article = article.replace(metadata={**article.metadata, **kept})
            outcome = store.upsert(article)
            _Writer._mark(conn, url, scraper.name, "done", None, None, article.id, None, count_attempt=False)
        counts[outcome] += 1
        if progress:
            progress(counts["pages"])
    return counts


def scrape_outlets(store: CorpusStore, names: Iterable[str], base_url: str | dict[str, str] | None = None,
                   options: CrawlOptions | None = None, config: str | None = None,
                   progress: Callable[[str, OutletSummary], None] | None = None) -> ScrapeResult:
    """Look the outlets up by name (see :func:`scrapers.registry.get_scraper`) and :func:`scrape` them.

    ``base_url`` is one URL (with exactly one outlet) or a mapping ``outlet -> URL``.
    """
    from .registry import get_scraper

    names = list(dict.fromkeys(n.strip().lower() for n in names))
    base_urls = check_base_urls(names, base_url)
    return scrape(store, [get_scraper(n, base_url=base_urls.get(n), config=config) for n in names], options,
                  progress=progress)


def check_base_urls(names: list[str], base_url: str | dict[str, str] | None) -> dict[str, str]:
    """``outlet -> base URL`` from one URL (one outlet only) or a mapping; :class:`ScraperError` if inconsistent."""
    names = [n.strip().lower() for n in names]
    if isinstance(base_url, str):
        if len(names) > 1:
            raise ScraperError("--base-url points one outlet at another host; give exactly one OUTLET with it, "
                               "or name each outlet: --base-url OUTLET=URL")
        base_url = {names[0]: base_url}
    base_urls = {k.strip().lower(): v for k, v in (base_url or {}).items()}
    stray = set(base_urls) - set(names)
    if stray:
        raise ScraperError(f"--base-url names {', '.join(sorted(stray))}, which is not among the outlets to scrape")
    for name, url in base_urls.items():
        if not url.startswith(("http://", "https://")):
            raise ScraperError(f"--base-url for {name} must start with http:// or https://, not {url!r}")
    return base_urls


def reparse_outlet(store: CorpusStore, name: str, config: str | None = None,
                   progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """:func:`reparse` for an outlet named on the command line."""
    from .registry import get_scraper

    return reparse(store, get_scraper(name, config=config), progress=progress)
