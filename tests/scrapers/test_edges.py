"""The edges fixture site and robots.txt/timeout/encoding edge cases, end to end on 127.0.0.1."""
from __future__ import annotations

import json
import time

import pytest

from scrapers import get_scraper, scrape
from scrapers.discovery import parse_feed
from scrapers.errors import RobotsDisallowed
from scrapers.http import ROBOTS_MAX_BYTES, Fetcher, RobotsRules, decode_html

from .conftest import fast_fetch, fast_options
from .siteserver import SITES

EDGES_TOML = SITES / "edges.toml"
UK_VARIANTS = [r["file"] for p, r in json.loads((SITES / "edges" / "site.json").read_text())["routes"].items()
               if p.startswith("/uk/")]


def crawl_edges(store, server, **kw):
    scraper = get_scraper("edges", base_url=server.url, config=EDGES_TOML)
    return scrape(store, [scraper], fast_options(**kw)).outlets["edges"]


@pytest.fixture(scope="module")
def edges_crawl(tmp_path_factory):
    from corpus import CorpusStore

    from .siteserver import SiteServer

    with SiteServer("edges") as server:
        store = CorpusStore(tmp_path_factory.mktemp("edges") / "edges.db")
        summary = crawl_edges(store, server)
        yield store, server, summary
        store.close()


# -- robots.txt ---------------------------------------------------------------------------------
def test_robots_rules_follow_rfc_9309():
    agent = "softleft/0.1 (+mailto:someone@example.org)"
    rules = RobotsRules.parse("User-agent: *\nDisallow: /*?replytocom=\nDisallow: /*.pdf$\nAllow: /private/open$\n"
                              "Disallow: /private/\nCrawl-delay: 0.25\nSitemap: https://x.example/extra.xml\n", agent)
    assert not rules.allows("https://x.example/2024/01/a/?replytocom=12")
    assert rules.allows("https://x.example/2024/01/a/")
    assert not rules.allows("https://x.example/files/report.pdf")
    assert rules.allows("https://x.example/files/report.pdf?download=1")  # "$" anchors the end
    assert rules.allows("https://x.example/private/open") and not rules.allows("https://x.example/private/open2")
    assert rules.crawl_delay == 0.25  # fractional, not rounded to whole seconds
    assert rules.sitemaps == ("https://x.example/extra.xml",)
    ours = RobotsRules.parse("User-agent: *\nDisallow: /\n\nUser-agent: softleft\nDisallow: /ours-only/\n"
                             "Crawl-delay: 1\nRequest-rate: 1/4\n", agent)
    assert ours.allows("https://x.example/2024/01/a/")  # our own group replaces the * group
    assert not ours.allows("https://x.example/ours-only/page")
    assert ours.crawl_delay == 4.0  # Request-rate 1/4 asks for more than Crawl-delay 1
    strangers = RobotsRules.parse("User-agent: example\nDisallow: /\n", agent)
    assert strangers.allows("https://x.example/a/")  # matched on the product token, not the contact address


def test_robots_wildcard_keeps_replytocom_links_out_of_a_crawl(edges_crawl):
    store, server, summary = edges_crawl
    assert not [path for path in server.hits if "replytocom" in path]
    assert summary.skipped_robots == 1
    status = dict(store.conn.execute("SELECT url, status FROM crawl_urls WHERE url LIKE '%branch-ballot%'"))
    assert status == {"https://edges.example/2024/02/branch-ballot/?replytocom=12": "robots",
                      "https://edges.example/2024/02/branch-ballot/": "done"}
    assert server.hits["/2024/02/branch-ballot/"] == 1


def test_sitemap_named_only_in_robots_txt_is_read(edges_crawl):
    store, server, summary = edges_crawl
    assert "sitemap" in summary.sources and server.hits["/sitemap-from-robots.xml"] == 1
    assert "Found through robots.txt" in {a.title for a in store.articles()}


def test_robots_txt_over_the_cap_is_obeyed_from_its_first_500_kib(serve, tmp_path):
    site = serve("faults")
    robots = tmp_path / "robots.txt"
    filler = "".join(f"Allow: /filler/{i:07d}/\n" for i in range(60_000))  # ~1.4 MB of harmless rules
    robots.write_text("User-agent: *\nDisallow: /malformed/\n" + filler + "Disallow: /2024/\n")
    assert robots.stat().st_size > 2 * ROBOTS_MAX_BYTES
    site.routes["/robots.txt"] = {"file": str(robots), "type": "text/plain", "status": 200}
    with Fetcher(fast_fetch(max_bytes=100_000)) as f:
        with pytest.raises(RobotsDisallowed):
            f.fetch(site.url + "/malformed/")
        assert f.fetch(site.url + "/2024/01/utm-article/").ok  # the rule past 500 KiB is not read
    assert "/malformed/" not in site.hits


def test_crawl_delay_counts_from_the_robots_txt_request(serve, tmp_path):
    site = serve("faults")
    robots = tmp_path / "robots.txt"
    robots.write_text("User-agent: *\nCrawl-delay: 0.6\n")
    site.routes["/robots.txt"] = {"file": str(robots), "type": "text/plain", "status": 200}
    with Fetcher(fast_fetch()) as f:
        f.fetch(site.url + "/malformed/")
        f.fetch(site.url + "/malformed/")
    robots_t = site.requests_for("/robots.txt")[0]["t"]
    first, second = (r["t"] for r in site.requests_for("/malformed/"))
    assert first - robots_t >= 0.55
    assert second - first >= 0.55


# -- timeouts -----------------------------------------------------------------------------------
def test_slow_drip_urls_are_counted_failed_within_the_timeout(store, serve, tmp_path):
    site = serve("faults")
    feed = tmp_path / "feed.xml"
    feed.write_text('<rss version="2.0"><channel>' + "".join(
        f"<item><title>{p}</title><link>https://faults.example/fault/{p}/</link></item>"
        for p in ("slow-headers", "drip")) + "</channel></rss>")
    site.routes["/feed/"] = {"file": str(feed), "type": "application/rss+xml", "status": 200}
    start = time.monotonic()
    summary = scrape(store, [get_scraper("faults", base_url=site.url, config=SITES / "faults.toml")],
                     fast_options(fetch=fast_fetch(timeout=1.0, max_retries=0))).outlets["faults"]
    assert time.monotonic() - start < 4.0  # two URLs, 1 s each, plus robots.txt and the feed
    assert summary.failed == 2 and summary.fetched == 0
    errors = dict(store.conn.execute("SELECT url, last_error FROM crawl_urls WHERE status = 'failed'"))
    assert set(errors) == {"https://faults.example/fault/slow-headers/", "https://faults.example/fault/drip/"}
    assert all(e.startswith("timed out after 1s") for e in errors.values())


# -- encodings ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", UK_VARIANTS)
def test_uk_text_keeps_its_pound_signs_whatever_the_page_claims(name):
    routes = json.loads((SITES / "edges" / "site.json").read_text())["routes"]
    ctype = next(r["type"] for r in routes.values() if r.get("file") == name)
    text, encoding = decode_html((SITES / "edges" / name).read_bytes(), ctype)
    assert "£3.50" in text and "£40" in text and "– and" in text and "branch’s" in text and "Renée" in text
    assert "Ł" not in text and "\ufffd" not in text
    assert encoding in ("utf-8", "cp1252")


def test_uk_pages_are_stored_with_pound_signs(edges_crawl):
    store = edges_crawl[0]
    uk = [a for a in store.articles() if "/uk/" in a.canonical_url]
    assert len(uk) == len(UK_VARIANTS)
    for a in uk:
        assert "£40" in a.title and "£3.50 for a pot of tea – and the branch’s treasurer, Renée" in a.text, a.url


def test_other_codepages_still_decode_when_the_text_is_not_english():
    polish = ("<p>Zarząd oddziału zebrał się w środę, żeby omówić podwyżki czynszów; członkowie głosowali "
              "za pismem do rady miasta.</p>")  # invented
    assert decode_html(polish.encode("iso-8859-2"), "text/html; charset=iso-8859-2") == (polish, "iso8859-2")
    assert decode_html(polish.encode("cp1250"), "text/html; charset=windows-1250")[0] == polish


# -- broken feeds and JSON-LD -------------------------------------------------------------------
def test_feed_item_with_markup_in_its_title_keeps_its_link():
    feed = (SITES / "edges" / "feed.xml").read_bytes()
    items = {c.url: c.published for c in parse_feed(feed)}
    assert items["https://edges.example/2024/03/rents-and-wages/"] == "2024-03-04T09:00:00+00:00"
    assert "https://edges.example/2024/03/broken-json-ld/" in items  # the item after it survives too
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="html">Rents <b>fall</title>'
            b'<link href="https://x.example/a/"/></entry></feed>')
    assert [c.url for c in parse_feed(atom)] == ["https://x.example/a/"]


def test_page_with_pathological_json_ld_falls_back_to_the_other_layers(edges_crawl):
    store = edges_crawl[0]
    a = next(a for a in store.articles() if a.canonical_url.endswith("/broken-json-ld/"))
    assert a.title == "Metadata gone wrong" and a.published == "2024-03-05T09:00:00+00:00"
    assert "count the ballot for the new secretary" in a.text
    assert a.metadata["extracted_by"]["title"] in ("metadata", "selectors")


@pytest.mark.parametrize("ld", [
    '{"@graph": ' + "[" * 20_000 + "]" * 20_000 + "}",
    '{"@graph": [' + '{"mainEntity": ' * 3000 + "{}" + "}" * 3000 + "]}",
    '{"@type": 5, "headline": {"x": 1}, "author": 7}',
    '{"@graph": "garbage", "@type": {"bad": 1}}',
    json.dumps({"@type": "WebPage", "description": "x" * 1_200_000}),
])
def test_json_ld_garbage_never_loses_the_article(ld):
    html = ('<html><head><meta property="article:published_time" content="2024-03-01T10:00:00+00:00">'
            f'<script type="application/ld+json">{ld}</script></head><body><h1 class="entry-title">Wages and rents'
            '</h1><div class="entry-content">' + "<p>An invented paragraph about the branch and its rents.</p>" * 6
            + "</div></body></html>")
    a = get_scraper("labourlist").parse(html, "https://labourlist.org/2024/03/wages/")
    assert a.title == "Wages and rents" and a.published == "2024-03-01T10:00:00+00:00"
    assert a.word_count >= 50
