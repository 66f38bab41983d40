"""`scrape OUTLET --from-archive` against a Wayback-compatible server on 127.0.0.1: the CDX listing (paged,
JSON), raw `id_` captures, a 429 with Retry-After, a 404 capture, a duplicate capture, a tag page, articles
outside the period, and the live copy of an article already in the corpus. Synthetic pages only."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import cli
from corpus import CorpusStore
from scrapers.archive import Capture, cdx_url, parse_cdx

from .pages import FURNITURE, MemoryServer, article_html, paragraphs, rss

LL = "https://labourlist.org"
#: (timestamp, original URL, page or None for a missing capture, published)
CAPTURES = [
    ("20150310120000", f"{LL}/2015/03/buses-before-roads/", 1, "2015-03-09T10:00:00+00:00"),
    ("20150402080000", f"{LL}/tag/policy/", None, None),  # a tag page: never fetched
    ("20160101000000", "http://www.labourlist.org/2015/03/buses-before-roads/?utm_source=feed", 1, None),  # duplicate
    ("20150701090000", f"{LL}/2015/06/devolution-with-revenue/", 2, "2015-06-30T18:00:00+01:00"),  # 429 first
    ("20150901090000", f"{LL}/2015/09/missing-capture/", None, None),  # the capture answers 404
    ("20160105000000", f"{LL}/2014/11/before-the-window/", 3, "2014-11-20T10:00:00+00:00"),
    ("20160301000000", f"{LL}/2016/02/after-the-window/", 4, "2016-02-02T10:00:00+00:00"),
]
TITLES = {1: "Buses before roads", 2: "Devolution with revenue", 3: "Before the window", 4: "After the window"}


def wayback() -> MemoryServer:
    rows = [["timestamp", "original", "statuscode", "mimetype", "digest"]]
    rows += [[ts, url, "200", "text/html", f"D{i}"] for i, (ts, url, _, _) in enumerate(CAPTURES)]
    pages = {f"/web/{ts}id_/{url}": (n, published) for ts, url, n, published in CAPTURES if n}

    def cdx(path, query, hit):
        if query.get("output") != "json" or query.get("url") not in ("labourlist.org/*",):
            return 400, "text/plain", b"bad query", {}
        since = query.get("from", "")
        listed = [r for r in rows[1:] if r[0] >= since.ljust(14, "0")]
        if query.get("resumeKey") == "page2":  # the CDX API pages with a resume key
            return 200, "application/json", json.dumps([rows[0], *listed[3:]]), {}
        return 200, "application/json", json.dumps([rows[0], *listed[:3], [], ["page2"]]), {}

    def capture(path, query, hit):
        if path not in pages:
            return 404, "text/html", b"<html><body>Capture not found</body></html>", {}
        if "devolution" in path and hit == 1:
            return 429, "text/plain", b"slow down", {"Retry-After": "1"}
        n, published = pages[path]
        return 200, "text/html; charset=utf-8", article_html(TITLES[n], published, "Ann Example", n, around=FURNITURE), {}

    server = MemoryServer({"/cdx/search/cdx": cdx})
    server.fallback = lambda path, query, hit: capture(path.split("?")[0], query, hit) if path.startswith("/web/") \
        else (404, "text/html", b"", {})
    return server.start()


@pytest.fixture
def archive():
    server = wayback()
    yield server
    server.stop()


def backfill(db, server, *extra):
    return CliRunner().invoke(cli, ["--db", str(db), "scrape", "labourlist", "--from-archive", "--archive", server.url,
                                    "--since", "2015-01-01", "--until", "2015-12-31", "--delay", "0",
                                    "--retries", "1", "--timeout", "3", "--json", *extra], catch_exceptions=False)


def test_backfill_stores_exactly_the_period_with_original_urls_and_no_furniture(tmp_path, archive):
    db = tmp_path / "a.db"
    result = backfill(db, archive)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["labourlist"]
    assert {k: summary[k] for k in ("discovered", "new", "failed", "skipped")} == \
        {"discovered": 5, "new": 2, "failed": 1, "skipped": 2}
    with CorpusStore(db) as store:
        got = {a.url: a for a in store.articles(outlet="labourlist")}
    assert set(got) == {f"{LL}/2015/03/buses-before-roads/", f"{LL}/2015/06/devolution-with-revenue/"}
    buses = got[f"{LL}/2015/03/buses-before-roads/"]
    assert buses.title == "Buses before roads" and buses.published == "2015-03-09T10:00:00+00:00"
    assert buses.metadata["archive"]["timestamp"] == "2015-03-10T12:00:00+00:00"
    assert buses.metadata["archive"]["capture_url"] == f"{archive.url}/web/20150310120000id_/{LL}/2015/03/buses-before-roads/"
    for article in got.values():
        assert "Another invented headline" not in article.text and "Synthetic page written" not in article.text
    assert paragraphs(2)[0] in got[f"{LL}/2015/06/devolution-with-revenue/"].text
    assert not archive.requests_for("/web/20150402080000id_/")  # the tag page
    assert not archive.requests_for("/web/20160101000000id_/")  # the duplicate capture
    assert len(archive.requests_for("/web/20150701090000id_/")) == 2  # 429, then the capture
    assert "1 of 1 outlet reached" in result.stderr

    again = backfill(db, archive)
    assert again.exit_code == 0 and json.loads(again.stdout)["labourlist"]["new"] == 0
    assert len(archive.requests_for("/web/20150310120000id_/")) == 1  # never fetched twice
    with CorpusStore(db) as store:
        assert store.count(outlet="labourlist") == 2


def test_a_stopped_backfill_resumes_and_never_stores_beside_the_live_copy(tmp_path, archive):
    db = tmp_path / "b.db"
    live = MemoryServer({
        "/feed/": (200, "application/rss+xml", rss([(f"{LL}/2015/06/devolution-with-revenue/", "Tue, 30 Jun 2015 17:00:00 GMT")])),
        "/2015/06/devolution-with-revenue/": (200, "text/html; charset=utf-8",
                                              article_html(TITLES[2], "2015-06-30T18:00:00+01:00", "Ann Example", 2)),
    }).start()
    try:
        first = CliRunner().invoke(cli, ["--db", str(db), "scrape", "labourlist", "--base-url", live.url, "--delay", "0",
                                         "--retries", "0", "--json"])
    finally:
        live.stop()
    assert first.exit_code == 0 and json.loads(first.stdout)["labourlist"]["new"] == 1, first.output
    stopped = backfill(db, archive, "--max-articles", "1")  # stops after one article, as a kill would
    assert json.loads(stopped.stdout)["labourlist"]["new"] == 1
    resumed = backfill(db, archive)
    assert json.loads(resumed.stdout)["labourlist"]["new"] == 0  # the live copy stands for the capture
    assert not archive.requests_for("/web/20150701090000id_/")
    assert len(archive.requests_for("/web/20150310120000id_/")) == 1
    with CorpusStore(db) as store:
        arts = list(store.articles(outlet="labourlist"))
    assert sorted(a.url for a in arts) == [f"{LL}/2015/03/buses-before-roads/", f"{LL}/2015/06/devolution-with-revenue/"]
    assert [a for a in arts if "devolution" in a.url][0].metadata.get("archive") is None  # the live copy


def test_cdx_answers_and_usage_errors(tmp_path):
    rows = [["timestamp", "original", "statuscode", "mimetype"], ["20200101000000", "https://x.org/a", "200", "text/html"],
            ["20200102000000", "https://x.org/b.png", "200", "image/png"], ["20200103000000", "https://x.org/c", "301", "text/html"],
            [], ["KEY"]]
    captures, key = parse_cdx(json.dumps(rows))
    assert captures == [Capture("20200101000000", "https://x.org/a")] and key == "KEY"
    assert parse_cdx("") == ([], None)
    assert "from=20150101" in cdx_url("https://web.archive.org", "x.org", "2015-01-01")
    runner = CliRunner()
    both = runner.invoke(cli, ["--db", str(tmp_path / "x.db"), "scrape", "tribune", "--from-archive", "--base-url", "http://127.0.0.1:9"])
    assert both.exit_code == 2 and "give one of them" in both.output
    alone = runner.invoke(cli, ["--db", str(tmp_path / "x.db"), "scrape", "tribune", "--archive", "http://127.0.0.1:9"])
    assert alone.exit_code == 2 and "add --from-archive" in alone.output
    bad = runner.invoke(cli, ["--db", str(tmp_path / "x.db"), "scrape", "tribune", "--from-archive", "--archive", "archive.org"])
    assert bad.exit_code == 2 and "--archive must be the archive's address" in bad.output
    down = runner.invoke(cli, ["--db", str(tmp_path / "x.db"), "scrape", "tribune", "--from-archive", "--archive",
                               "http://127.0.0.1:9", "--retries", "0", "--delay", "0"])
    assert down.exit_code == 1 and "Error: nothing could be collected; tribune: cannot reach 127.0.0.1:9" in down.stderr
    assert "0 of 1 outlet reached" in down.stderr


def test_reparse_keeps_where_an_archived_page_came_from(tmp_path, archive):
    db = tmp_path / "r.db"
    assert backfill(db, archive).exit_code == 0
    result = CliRunner().invoke(cli, ["--db", str(db), "scrape", "reparse", "labourlist", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["unchanged"] == 2, result.output
    with CorpusStore(db) as store:
        for url in (f"{LL}/2015/03/buses-before-roads/", f"{LL}/2015/06/devolution-with-revenue/"):
            a = next(a for a in store.articles() if a.url == url)
            assert a.metadata["archive"]["capture_url"].startswith(archive.url)
