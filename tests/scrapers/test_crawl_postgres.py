"""A crawl into a PostgreSQL corpus: the same articles, crawl state and incremental re-run as into SQLite
(skipped without PostgreSQL)."""
from __future__ import annotations

from scrapers import get_scraper, reparse

from .test_crawl import EXPECTED, crawl


def test_a_crawl_and_its_rerun_into_postgresql(pg_store, serve):
    server = serve("tribune")
    summary = crawl(pg_store, "tribune", server)
    assert {a.canonical_url for a in pg_store.articles(outlet="tribune")} == EXPECTED["tribune"]
    assert summary.new == 3 and summary.failed == 0 and summary.skipped_robots == 1
    assert pg_store.labels.outlets["tribune"].tendency  # the outlet's default label was stored
    again = crawl(pg_store, "tribune", server)
    assert again.new == 0 and pg_store.count() == 3
    assert reparse(pg_store, get_scraper("tribune"))["unchanged"] == 3
    assert len(pg_store.search("picket")) >= 1
