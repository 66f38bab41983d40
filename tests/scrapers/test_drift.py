"""Drift alarms: an outlet whose markup changed under its selectors (a redesigned fixture outlet on
127.0.0.1) is named in the crawl summary, each page falls back to the generic body, and `scrape check`
shows what each layer found. Synthetic pages only."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import cli
from corpus import CorpusStore

from .pages import MemoryServer, article_html, paragraphs, redesigned_html, rss

PUBLIC = "https://branchnews.example"
CONFIG = """
[outlets.branchnews]
name = "Branch News"
domain = "branchnews.example"
tendency = "soft_left"
feed = "/feed/"
wp_api = false
sitemaps = []
archive = []
article_patterns = ['^/\\d{4}/\\d{2}/[^/]+/$']

[outlets.branchnews.selectors]
title = ["h1.entry-title"]
body = [".entry-content"]
"""
SLUGS = ["buses-before-roads", "devolution-with-revenue", "selections-settled-early", "wealth-building-works"]


def site(redesigned: bool) -> MemoryServer:
    routes: dict = {"/feed/": (200, "application/rss+xml", rss(
        [(f"{PUBLIC}/2024/0{i + 1}/{slug}/", f"Mon, 0{i + 1} Jan 2024 10:00:00 GMT") for i, slug in enumerate(SLUGS)]))}
    for i, slug in enumerate(SLUGS):
        title = slug.replace("-", " ").capitalize()
        make = redesigned_html if redesigned else article_html
        routes[f"/2024/0{i + 1}/{slug}/"] = (200, "text/html; charset=utf-8",
                                            make(title, f"2024-0{i + 1}-01T10:00:00+00:00", "Ann Example", 20 + i))
    return MemoryServer(routes).start()


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "outlets.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def crawl(db, config, redesigned: bool):
    """Crawl the fixture outlet, its pages as they were or redesigned, into ``db``."""
    server = site(redesigned)
    try:
        return CliRunner().invoke(cli, ["--db", str(db), "scrape", "branchnews", "--outlets", str(config), "--base-url",
                                        server.url, "--delay", "0", "--retries", "0", "--json"], catch_exceptions=False)
    finally:
        server.stop()


def test_a_redesign_is_named_in_the_summary_and_each_page_falls_back(tmp_path, config):
    result = crawl(tmp_path / "d.db", config, redesigned=True)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["branchnews"]
    assert summary["new"] == 4 and summary["parsed"] == 4 and summary["drift"] == {"body": 4, "title": 4}
    assert ("Warning: Branch News's markup may have changed: its body selectors disagreed with the other layers on "
            "4 of 4 pages (each page fell back to the generic extractor); see `scrape check branchnews`") in result.stderr
    with CorpusStore(tmp_path / "d.db") as store:
        articles = list(store.articles(outlet="branchnews"))
    for a in articles:
        assert "Teaser" not in a.text and a.metadata["extracted_by"]["text"] == "generic"
        assert a.title != "Branch News" and a.metadata["drift"] == ["body", "title"]
    assert sorted(paragraphs(20)[0] in a.text for a in articles) == [False, False, False, True]


def test_no_warning_while_the_markup_matches(tmp_path, config):
    result = crawl(tmp_path / "ok.db", config, redesigned=False)
    summary = json.loads(result.stdout)["branchnews"]
    assert summary["new"] == 4 and summary["drift"] == {} and summary["warnings"] == []
    assert "Warning" not in result.stderr


def test_scrape_check_shows_each_layer(tmp_path, config):
    server = site(redesigned=True)
    try:
        runner = CliRunner()
        args = ["--db", str(tmp_path / "none.db"), "scrape", "check", "branchnews", "--outlets", str(config),
                "--base-url", server.url, "--delay", "0", "--sample", "2"]
        as_json = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
        text = runner.invoke(cli, args, catch_exceptions=False)
    finally:
        server.stop()
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.stdout)
    assert len(report["pages"]) == 2 and report["drift"] == {"body": 2, "title": 2}
    page = report["pages"][0]
    assert page["url"] == f"{PUBLIC}/2024/01/buses-before-roads/"
    assert page["layers"]["title"]["metadata"] == "Buses before roads" and page["layers"]["title"]["selectors"] == "Branch News"
    assert page["layers"]["body"]["selectors"].startswith("170 words: Teaser 0: an invented story")
    assert page["layers"]["title"]["generic"] and page["chosen"]["text"] == "generic"
    assert "  title    metadata: Buses before roads   selectors: Branch News" in text.stdout
    assert "DRIFT" in text.stdout and "branchnews: 2 of 2 pages read; drift: body on 2, title on 2" in text.stderr
    assert not (tmp_path / "none.db").exists()  # nothing stored


def test_scrape_check_of_an_unreachable_outlet_is_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["scrape", "check", "tribune", "--base-url", "http://127.0.0.1:9", "--delay", "0",
                                      "--retries", "0"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: tribune: cannot reach 127.0.0.1:9") and "Traceback" not in result.output
