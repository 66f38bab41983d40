"""A crawl meets a corpus another process keeps locked: it waits, keeps its pages, and writes them later."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from corpus import CorpusStore
from scrapers import get_scraper, scrape
from scrapers.errors import CorpusLocked

from .conftest import fast_options

ARTICLES = ("/2024/05/conference-motion-on-devolution/", "/2024/04/why-the-soft-left-must-organise/",
            "/2023/10/nec-results-slates/")


class OtherWriter:
    """A second sqlite3 connection that takes the write lock (BEGIN IMMEDIATE) and holds it a while."""

    def __init__(self, db):
        self.conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        self.released = threading.Event()

    def hold(self, seconds: float) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        timer = threading.Timer(seconds, self.release)
        timer.daemon = True
        timer.start()

    def release(self) -> None:
        if not self.released.is_set():
            self.conn.execute("COMMIT")
            self.released.set()


def locking_progress(other: OtherWriter, seconds: float):
    """Take the lock as soon as the first page is stored: the rest of the crawl meets it."""
    def progress(outlet, summary):
        if summary.new == 1 and not other.conn.in_transaction and not other.released.is_set():
            other.hold(seconds)
    return progress


def test_a_long_write_lock_delays_the_writes_but_loses_nothing(serve, tmp_path, caplog):
    server = serve("labourlist")
    db = tmp_path / "c.db"
    store = CorpusStore(db, timeout=0.05)  # busy timeout far shorter than the other writer's transaction
    other = OtherWriter(db)
    try:
        result = scrape(store, [get_scraper("labourlist", base_url=server.url)], fast_options(lock_wait=30),
                        progress=locking_progress(other, 1.0))
    finally:
        other.release()
    summary = result.outlets["labourlist"]
    assert "is locked by another process; fetched pages wait in memory" in caplog.text  # the lock was met
    assert other.released.is_set() and summary.new == 3 and summary.failed == 0
    assert store.count(outlet="labourlist") == 3
    assert all(server.hits[path] == 1 for path in ARTICLES)  # nothing fetched twice
    statuses = [r[0] for r in store.conn.execute("SELECT status FROM crawl_urls WHERE url LIKE '%/20%'")]
    assert statuses == ["done"] * 3
    run = store.conn.execute("SELECT finished_at FROM crawl_runs ORDER BY id DESC").fetchone()
    assert run[0]  # the run was closed once the lock freed


def test_a_lock_held_past_the_limit_ends_the_crawl_with_one_clear_line(serve, tmp_path):
    server = serve("labourlist")
    db = tmp_path / "c.db"
    store = CorpusStore(db, timeout=0.05)
    other = OtherWriter(db)
    try:
        with pytest.raises(CorpusLocked) as info:
            scrape(store, [get_scraper("labourlist", base_url=server.url)], fast_options(lock_wait=1.0),
                   progress=locking_progress(other, 5.0))
    finally:
        other.release()
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"the corpus {db} stayed locked by another process for ")
    assert "fetched page(s) could not be written and will be fetched again on the next run" in message
    assert message.endswith("Let the other process finish, then run the scrape again")
    assert store.count(outlet="labourlist") == 1  # what was written before the lock stays written
    again = scrape(store, [get_scraper("labourlist", base_url=server.url)], fast_options())
    assert again.outlets["labourlist"].new == 2 and store.count(outlet="labourlist") == 3


def test_a_corpus_locked_before_the_crawl_starts_is_waited_for(serve, tmp_path):
    server = serve("labourlist")
    db = tmp_path / "c.db"
    store = CorpusStore(db, timeout=0.05)
    other = OtherWriter(db)
    other.hold(0.5)
    try:
        summary = scrape(store, [get_scraper("labourlist", base_url=server.url)],
                         fast_options(lock_wait=30)).outlets["labourlist"]
    finally:
        other.release()
    assert summary.new == 3
