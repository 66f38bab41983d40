"""The crawl state the scrapers keep in the corpus: every URL seen and its status, the raw pages, the
HTTP cache (ETag / Last-Modified) and one row per crawl run.

Only :mod:`corpus` runs SQL; :mod:`scrapers.crawl` reads and writes its state through these functions.
Writers that take a ``conn`` are called inside ``store.transaction()`` so that a page, its article and
its URL status commit together.
"""
from __future__ import annotations

import json
from typing import Any, Sequence

from .dates import now_utc
from .store import CorpusStore


def crawl_urls(store: CorpusStore, outlet: str) -> list[tuple[str, str | None, str, int, str | None, str | None]]:
    """``(url, fetch_url, status, attempts, lastmod, published)`` of an outlet's URLs, oldest first."""
    return store.conn.execute(
        "SELECT url, fetch_url, status, attempts, lastmod, published FROM crawl_urls WHERE outlet = ? "
        "ORDER BY discovered_at, url", (outlet,)).fetchall()


def http_cache(store: CorpusStore) -> dict[str, tuple[str | None, str | None]]:
    """``{url: (etag, last_modified)}`` of the feeds and sitemaps fetched before."""
    return {url: (etag, lm) for url, etag, lm in store.conn.execute("SELECT url, etag, last_modified FROM http_cache")}


def last_run_complete(store: CorpusStore, outlet: str) -> bool:
    """Whether the outlet's latest crawl finished having seen everything it discovered."""
    row = store.conn.execute("SELECT finished_at, summary FROM crawl_runs WHERE outlet = ? ORDER BY id DESC LIMIT 1",
                             (outlet,)).fetchone()
    return bool(row and row[0] and json.loads(row[1] or "{}").get("complete"))


def add_discovered(conn: Any, rows: Sequence[tuple]) -> None:
    """``(url, outlet, lastmod, discovered_at, fetch_url, published)`` rows; known URLs keep their status."""
    conn.executemany("INSERT INTO crawl_urls (url, outlet, lastmod, discovered_at, fetch_url, published) "
                     "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                     "lastmod = COALESCE(excluded.lastmod, crawl_urls.lastmod), "
                     "fetch_url = COALESCE(crawl_urls.fetch_url, excluded.fetch_url), "
                     "published = COALESCE(excluded.published, crawl_urls.published)", rows)


def save_raw_page(conn: Any, url: str, outlet: str, fetched_at: str, status: int | None,
                  content_type: str | None, encoding: str | None, blob: bytes, final_url: str | None) -> None:
    """Keep a fetched page (compressed) for ``scrape reparse``."""
    conn.execute(
        "INSERT INTO raw_pages (url, outlet, fetched_at, http_status, content_type, encoding, html_zlib, "
        "final_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
        "fetched_at = excluded.fetched_at, http_status = excluded.http_status, content_type = "
        "excluded.content_type, encoding = excluded.encoding, html_zlib = excluded.html_zlib, "
        "final_url = excluded.final_url",
        (url, outlet, fetched_at, status, content_type, encoding, blob, final_url))


def mark_url(conn: Any, url: str, outlet: str, status: str, http_status: int | None,
             error: str | None, article_id: str | None, fetched_at: str | None, count_attempt: bool = True) -> None:
    """Record what became of a URL (done, failed, gone, robots, skipped...)."""
    conn.execute(
        "INSERT INTO crawl_urls (url, outlet, status, attempts, http_status, last_error, discovered_at, "
        "fetched_at, article_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
        "status = excluded.status, attempts = crawl_urls.attempts + excluded.attempts, http_status = "
        "COALESCE(excluded.http_status, crawl_urls.http_status), last_error = excluded.last_error, "
        "fetched_at = COALESCE(excluded.fetched_at, crawl_urls.fetched_at), "
        "article_id = COALESCE(excluded.article_id, crawl_urls.article_id)",
        (url, outlet, status, int(count_attempt), http_status, error, now_utc(), fetched_at, article_id))


def set_url_published(conn: Any, url: str, published: str | None) -> None:
    conn.execute("UPDATE crawl_urls SET published = COALESCE(published, ?) WHERE url = ?", (published, url))


def save_http_cache(conn: Any, url: str, etag: str | None, last_modified: str | None) -> None:
    conn.execute("INSERT INTO http_cache (url, etag, last_modified, checked_at) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, "
                 "last_modified = excluded.last_modified, checked_at = excluded.checked_at",
                 (url, etag, last_modified, now_utc()))


def start_crawl_run(conn: Any, outlet: str) -> int:
    """A new crawl run of ``outlet``; returns its id."""
    return conn.execute("INSERT INTO crawl_runs (outlet, started_at) VALUES (?, ?) RETURNING id",
                        (outlet, now_utc())).fetchall()[0][0]


def finish_crawl_run(conn: Any, run_id: int, summary: dict[str, Any]) -> None:
    conn.execute("UPDATE crawl_runs SET finished_at = ?, summary = ? WHERE id = ?",
                 (now_utc(), json.dumps(summary), run_id))


def raw_pages(store: CorpusStore, outlet: str) -> list[tuple[str, str | None, str | None, str | None]]:
    """``(url, final_url, fetched_at, published hint)`` of an outlet's stored pages (a list: re-parsing writes)."""
    return store.conn.execute(
        "SELECT r.url, r.final_url, r.fetched_at, c.published FROM raw_pages r "
        "LEFT JOIN crawl_urls c ON c.url = r.url WHERE r.outlet = ? ORDER BY r.url", (outlet,)).fetchall()


def raw_page(store: CorpusStore, url: str) -> bytes:
    """The compressed HTML of a stored page."""
    return store.conn.execute("SELECT html_zlib FROM raw_pages WHERE url = ?", (url,)).fetchone()[0]


