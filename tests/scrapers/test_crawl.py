"""End-to-end crawls of the fixture sites into a store: discovery, robustness, incremental re-runs."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from corpus import CorpusStore
from scrapers import get_scraper, reparse, scrape
from scrapers.crawl import scrape_outlets
from scrapers.errors import ScraperError

from .conftest import FAULTS_TOML, fast_fetch, fast_options

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {  # outlet -> canonical URLs of the articles its fixture site should yield
    "tribune": {"https://tribunemag.co.uk/2024/03/the-depot-that-said-no",
                "https://tribunemag.co.uk/2024/02/rent-caps-and-the-council-estate",
                "https://tribunemag.co.uk/2023/12/a-winter-of-picket-lines"},
    "labourlist": {"https://labourlist.org/2024/05/conference-motion-on-devolution/",
                   "https://labourlist.org/2024/04/why-the-soft-left-must-organise/",
                   "https://labourlist.org/2023/10/nec-results-slates/"},
    "chartist": {"https://chartist.org.uk/green-new-deal-local/", "https://chartist.org.uk/europe-after-the-election/",
                 "https://chartist.org.uk/what-democratic-socialism-means-now/"},
    "renewal": {"https://renewal.org.uk/articles/power-builders-not-power-seizers",
                "https://renewal.org.uk/blog/federalism-and-the-union",
                "https://renewal.org.uk/articles/the-preston-experiment-revisited"},
    "novara": {"https://novaramedia.com/2024/02/11/the-case-for-public-energy/",
               "https://novaramedia.com/2023/08/30/against-the-new-centrism/"},
    "openlabour": {"https://openlabour.org/a-pluralist-manifesto/", "https://openlabour.org/proportional-representation-now/",
                   "https://openlabour.org/community-wealth-in-practice/"},
    "progressivebritain": {"https://progressivebritain.org/2024/01/09/delivery-not-dogma/",
                           "https://progressivebritain.org/2023/07/04/fiscal-rules-matter/"},
}


def crawl(store, outlet, server, **kw):
    config = kw.pop("config", None)
    return scrape(store, [get_scraper(outlet, base_url=server.url, config=config)], fast_options(**kw)).outlets[outlet]


@pytest.mark.parametrize("outlet", sorted(EXPECTED))
def test_each_outlet_site_is_collected(store, serve, outlet):
    server = serve(outlet)
    summary = crawl(store, outlet, server)
    urls = {a.canonical_url for a in store.articles(outlet=outlet)}
    assert urls == EXPECTED[outlet]
    assert summary.new == len(EXPECTED[outlet]) and summary.failed == 0
    for a in store.articles(outlet=outlet):
        assert a.title and a.authors and a.published and (a.word_count > 40 or a.paywalled), a.canonical_url
        assert a.source == "scraped" and a.fetched_at


def test_discovery_sources(store, serve):
    for outlet, source in (("labourlist", "wp-json"), ("chartist", "sitemap"), ("tribune", "archive"),
                           ("openlabour", "archive"), ("progressivebritain", "sitemap")):
        summary = crawl(store, outlet, serve(outlet))
        assert source in summary.sources, (outlet, summary.sources)
        assert any(s.startswith("feed") for s in summary.sources)


def test_robots_disallowed_article_is_skipped_and_counted(store, serve):
    server = serve("tribune")
    summary = crawl(store, "tribune", server)
    assert summary.skipped_robots == 1
    assert "/2023/11/private-briefing" not in server.hits
    status = store.conn.execute("SELECT status FROM crawl_urls WHERE url LIKE '%private-briefing'").fetchone()
    assert status == ("robots",)


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory):
    """The fault site crawled once (it is the slow one: retries, timeouts, a 1 s Retry-After)."""
    from .siteserver import SiteServer

    with SiteServer("faults", slow_seconds=2.5) as server:
        store = CorpusStore(tmp_path_factory.mktemp("faults") / "faults.db")
        summary = crawl(store, "faults", server, config=FAULTS_TOML)
        yield store, server, summary
        store.close()


def test_fault_site(fault_crawl):
    store, server, summary = fault_crawl
    titles = {a.title for a in store.articles()}
    assert titles == {"Served after a 429", "Served after a 503", "Rents ‘must come first’ – says branch",
                      "Malformed but readable", "One Article, Many Links"}
    assert store.count(outlet="faults") == 6  # the cp1252 page twice (wrong and missing charset)
    assert summary.skipped_robots == 1
    assert summary.failed == 7  # reset, slow, truncated, oversized, gzip bomb, loop, off-domain
    errors = dict(store.conn.execute("SELECT url, last_error FROM crawl_urls WHERE status = 'failed'"))
    assert "decompression bomb" in errors["https://faults.example/fault/gzip-bomb/"]
    assert "leaves the outlet's domains" in errors["https://faults.example/fault/offsite/"]
    assert "redirect loop" in errors["https://faults.example/fault/loop/"]


def test_tracking_parameters_and_fragments_give_one_article(fault_crawl):
    store, server, _ = fault_crawl
    rows = [a for a in store.articles() if a.title == "One Article, Many Links"]
    assert len(rows) == 1
    assert rows[0].canonical_url == "https://faults.example/2024/01/utm-article/"
    assert server.hits["/2024/01/utm-article/"] == 1


def test_configured_outlet_gets_its_default_tendency_label(fault_crawl):
    store = fault_crawl[0]
    article = next(iter(store.articles(outlet="faults")))
    assert store.tendency(article) == "mixed"


def test_rerun_fetches_only_what_is_new_and_stores_nothing_twice(store, serve):
    server = serve("labourlist")
    first = crawl(store, "labourlist", server)
    assert first.new == 3
    hits_before = {k: v for k, v in server.hits.items() if k.startswith("/20")}
    second = crawl(store, "labourlist", server)
    assert (second.fetched, second.new, second.failed) == (0, 0, 0)
    assert {k: v for k, v in server.hits.items() if k.startswith("/20")} == hits_before
    assert store.count(outlet="labourlist") == 3
    feed_requests = server.requests_for("/feed/")
    assert feed_requests[-1]["inm"]  # the feed was asked for conditionally the second time


def test_failed_pages_are_retried_on_the_next_run(store, serve):
    server = serve("faults")
    once = fast_fetch(max_retries=0)
    crawl(store, "faults", server, config=FAULTS_TOML, fetch=once)
    attempts = store.conn.execute("SELECT attempts FROM crawl_urls WHERE url LIKE '%/fault/reset/'").fetchone()[0]
    crawl(store, "faults", server, config=FAULTS_TOML, fetch=once)
    again = store.conn.execute("SELECT attempts FROM crawl_urls WHERE url LIKE '%/fault/reset/'").fetchone()[0]
    assert again == attempts + 1
    assert store.count(outlet="faults") >= 4  # without retries the 429 and 503 pages wait for a later run


def test_max_articles_and_date_window(store, serve):
    server = serve("openlabour")
    summary = crawl(store, "openlabour", server, max_articles=1)
    assert summary.new == 1 and store.count(outlet="openlabour") == 1
    other = CorpusStore(":memory:")
    crawl(other, "openlabour", server, since="2023-06-01", until="2023-12-31")
    assert [a.title for a in other.articles()] == ["Proportional Representation Now"]


def test_since_skips_old_sitemap_entries_without_fetching(store, serve):
    server = serve("chartist")
    crawl(store, "chartist", server, since="2024-01-01")
    assert [a.title for a in store.articles()] == ["The Green New Deal Begins at the Town Hall"]
    assert "/what-democratic-socialism-means-now/" not in server.hits


def test_raw_pages_are_kept_compressed_and_reparse_needs_no_network(store, serve, tmp_path):
    server = serve("chartist")
    crawl(store, "chartist", server)
    url, blob = store.conn.execute("SELECT url, html_zlib FROM raw_pages LIMIT 1").fetchone()
    html = zlib.decompress(blob).decode()
    assert "<html" in html and len(blob) < len(html)
    server.stop()
    fixed = tmp_path / "fix.toml"  # a "selector fix": tags now read from a different place
    fixed.write_text('[outlets.chartist.selectors]\ntags = ["li.entry-category a"]\n'
                     'section = ["ul.td-tags a"]\n')
    counts = reparse(store, get_scraper("chartist", config=fixed))
    assert counts["pages"] == 3 and counts["failed"] == 0
    same = reparse(store, get_scraper("chartist", config=fixed))
    assert same["unchanged"] == 3 and same["new"] == 0
    assert store.count(outlet="chartist") == 3


def test_several_outlets_at_once_overlap_in_time(store, serve):
    a, b = serve("openlabour", latency=0.1), serve("progressivebritain", latency=0.1)
    result = scrape(store, [get_scraper("openlabour", base_url=a.url),
                            get_scraper("progressivebritain", base_url=b.url)], fast_options())
    assert result.ok and set(result.outlets) == {"openlabour", "progressivebritain"}
    span = lambda s: (s.log[0]["t"], s.log[-1]["t"])
    (a0, a1), (b0, b1) = span(a), span(b)
    assert a0 < b1 and b0 < a1  # the two crawls ran side by side
    assert a.max_in_flight == 1 and b.max_in_flight == 1


def test_unreachable_outlet_reports_nothing_collected(store):
    result = scrape(store, [get_scraper("tribune", base_url="http://127.0.0.1:9")],
                    fast_options(fetch=None))
    assert not result.ok
    assert "cannot reach 127.0.0.1:9" in result.failure_message()


def test_base_url_with_several_outlets_is_refused(store):
    with pytest.raises(ScraperError, match="exactly one OUTLET"):
        scrape_outlets(store, ["tribune", "chartist"], base_url="http://127.0.0.1:9")


@pytest.mark.slow
def test_sigkill_mid_crawl_then_rerun_stores_every_article_once(serve, tmp_path):
    server = serve("labourlist", latency=0.15)
    db = tmp_path / "kill.db"
    cmd = [sys.executable, str(ROOT / "cli.py"), "--db", str(db), "-q", "scrape", "labourlist",
           "--base-url", server.url, "--delay", "0.3", "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db) as conn:
                    stored = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0
            if stored >= 1:
                break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 1 <= stored < 3, "the crawl should have been killed half-way"
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with CorpusStore(db) as store:
        urls = [a.canonical_url for a in store.articles()]
        assert sorted(urls) == sorted(EXPECTED["labourlist"])
        statuses = dict(store.conn.execute("SELECT url, status FROM crawl_urls"))
        assert all(statuses[u] == "done" for u in urls)
    for path in ("/2024/05/conference-motion-on-devolution/", "/2024/04/why-the-soft-left-must-organise/",
                 "/2023/10/nec-results-slates/"):
        assert server.hits.get(path, 0) <= 2  # at most the page in flight when killed is fetched again


def test_a_wider_date_window_later_collects_what_an_earlier_one_left_out(store, serve):
    server = serve("tribune")
    first = crawl(store, "tribune", server, since="2024-03-01")
    assert [a.title for a in store.articles()] == ["The Depot That Said No"]
    assert first.skipped >= 1
    second = crawl(store, "tribune", server)  # the feed now answers 304; the store remembers the rest
    assert second.new == 2 and store.count(outlet="tribune") == 3


def test_feed_date_beats_a_date_read_from_visible_text(store, serve):
    server = serve("tribune")
    crawl(store, "tribune", server)
    a = next(a for a in store.articles() if a.title == "Rent Caps and the Council Estate")
    assert a.published == "2024-02-20T10:00:00+00:00"  # the page shows only "20 February 2024" (GMT in February)
    assert a.metadata["extracted_by"]["date"] == "feed"
    assert reparse(store, get_scraper("tribune"))["unchanged"] == 3


def test_feed_date_is_read_on_the_outlets_calendar():
    from scrapers.crawl import _article_from_html

    html = ('<html><body><h1 class="po-hr-cn__title">T</h1><time class="po-hr-fl__date">12 July 2024</time>'
            '<div id="post-content"><p>' + "word " * 30 + "</p></div></body></html>")
    a = _article_from_html(get_scraper("tribune"), html, "https://tribunemag.co.uk/2024/07/x", "now",
                           "2024-07-11T23:30:00+00:00")
    assert a.published == "2024-07-12T00:30:00+01:00"  # UTC late evening is the next day in BST
