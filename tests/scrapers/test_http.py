"""The polite fetcher against a real server on 127.0.0.1 and its fault endpoints."""
from __future__ import annotations

import gzip
import threading
import time

import pytest

from scrapers.errors import FetchError, HostUnreachable, OffDomainRedirect, RobotsDisallowed, TooLarge
from scrapers.http import Fetcher, _decompressed, decode_html, default_user_agent

from .conftest import fast_fetch
from .siteserver import CP1252_PAGE


class Scope:
    """The fault site's scope: its own server only."""

    def __init__(self, base: str):
        self.base = base

    def allows(self, url: str) -> bool:
        return url.startswith(self.base)

    def to_fetch_url(self, url: str) -> str:
        return url


@pytest.fixture
def faults(serve):
    return serve("faults", slow_seconds=2.5)


@pytest.fixture
def fetcher():
    f = Fetcher(fast_fetch())
    yield f
    f.close()


def test_user_agent_names_a_contact(faults, fetcher, monkeypatch):
    fetcher.fetch(faults.url + "/feed/")
    assert all(r["ua"] == "softleft-test/1 (+mailto:tests@example.org)" for r in faults.log)
    monkeypatch.setenv("SOFTLEFT_CONTACT", "mailto:someone@uni.example")
    assert "mailto:someone@uni.example" in default_user_agent()
    assert "softleft/" in default_user_agent()


def test_429_waits_for_retry_after_then_succeeds(faults, fetcher):
    page = fetcher.fetch(faults.url + "/fault/429/")
    assert page.status == 200 and "Served after a 429" in page.text
    first, second = faults.requests_for("/fault/429/")
    assert second["t"] - first["t"] >= 0.9  # Retry-After: 1 honoured


def test_503_is_retried(faults, fetcher):
    assert "Served after a 503" in fetcher.fetch(faults.url + "/fault/503-then-ok/").text
    assert faults.hits["/fault/503-then-ok/"] == 2


def test_retry_after_beyond_the_cap_gives_up_without_hammering(faults):
    with Fetcher(fast_fetch(max_wait=0.5)) as f:
        with pytest.raises(FetchError, match="asks to wait"):
            f.fetch(faults.url + "/fault/429/")
    assert faults.hits["/fault/429/"] == 1


def test_persistent_5xx_is_returned_after_the_retries(faults, fetcher):
    page = fetcher.fetch(faults.url + "/fault/always-503/")
    assert page.status == 503
    assert faults.hits["/fault/always-503/"] == 2  # one try + max_retries=1


@pytest.mark.parametrize("path, match", [
    ("/fault/reset/", "connection"),
    ("/fault/slow/", "timed out"),
    ("/fault/truncated/", "cut short"),
])
def test_network_faults_fail_cleanly_after_retries(faults, fetcher, path, match):
    with pytest.raises(FetchError, match=match):
        fetcher.fetch(faults.url + path)
    assert faults.hits[path] == 2


def test_oversized_body_is_cut_off(faults, fetcher):
    with pytest.raises(TooLarge, match="larger than"):
        fetcher.fetch(faults.url + "/fault/oversized/")


def test_gzip_bomb_stops_at_the_cap(faults, fetcher):
    with pytest.raises(TooLarge, match="decompression bomb"):
        fetcher.fetch(faults.url + "/fault/gzip-bomb/")


def test_decompression_counts_decompressed_bytes():
    bomb = gzip.compress(b"\0" * 5_000_000)
    assert len(bomb) < 10_000
    with pytest.raises(TooLarge):
        _decompressed([bomb[i:i + 1000] for i in range(0, len(bomb), 1000)], "gzip", 100_000, "u")
    assert _decompressed([gzip.compress(b"hello")], "gzip", 100, "u") == b"hello"


def test_redirect_loop_and_off_domain_redirect_are_refused(faults, fetcher):
    scope = Scope(faults.url)
    with pytest.raises(FetchError, match="redirect loop"):
        fetcher.fetch(faults.url + "/fault/loop/", scope=scope)
    with pytest.raises(OffDomainRedirect, match="offsite.invalid"):
        fetcher.fetch(faults.url + "/fault/offsite/", scope=scope)


def test_redirect_limit(serve):
    site = serve("renewal")
    with Fetcher(fast_fetch(max_redirects=0)) as f:
        with pytest.raises(FetchError, match="more than 0 redirects"):
            f.fetch(site.url + "/preston-experiment/")
    with Fetcher(fast_fetch()) as f:
        page = f.fetch(site.url + "/preston-experiment/")
        assert page.ok and page.final_url.endswith("/articles/the-preston-experiment-revisited")
        assert page.redirects == (site.url + "/preston-experiment/",)


def test_robots_disallow_is_refused_and_robots_fetched_once(faults, fetcher):
    with pytest.raises(RobotsDisallowed):
        fetcher.fetch(faults.url + "/private/secret/")
    fetcher.fetch(faults.url + "/malformed/")
    assert faults.hits["/robots.txt"] == 1
    assert "/private/secret/" not in faults.hits


def test_crawl_delay_from_robots(serve, tmp_path):
    site = serve("faults")
    robots = tmp_path / "robots.txt"
    robots.write_text("User-agent: *\nCrawl-delay: 0.3\nDisallow: /private/\n")
    site.routes["/robots.txt"] = {"file": str(robots), "type": "text/plain", "status": 200}
    with Fetcher(fast_fetch()) as f:
        for _ in range(3):
            f.fetch(site.url + "/malformed/")
    times = [r["t"] for r in site.requests_for("/malformed/")]
    assert all(b - a >= 0.28 for a, b in zip(times, times[1:]))


def test_one_host_never_sees_two_requests_at_once_and_gets_the_delay(serve):
    site = serve("openlabour", latency=0.05)
    with Fetcher(fast_fetch(delay=0.1)) as f:
        threads = [threading.Thread(target=f.fetch, args=(site.url + "/a-pluralist-manifesto/",)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert site.max_in_flight == 1
    times = [r["t"] for r in site.requests_for("/a-pluralist-manifesto/")]
    assert len(times) == 4
    assert all(b - a >= 0.1 for a, b in zip(times, times[1:]))


def test_different_hosts_are_fetched_concurrently(serve):
    a, b = serve("openlabour", latency=0.6), serve("novara", latency=0.6)
    with Fetcher(fast_fetch(timeout=3)) as f:
        f.fetch(a.url + "/robots.txt"), f.fetch(b.url + "/robots.txt")
        done = []
        threads = [threading.Thread(target=lambda u=u: done.append(f.fetch(u))) for u in
                   (a.url + "/feed/", b.url + "/feed/")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    (ta,), (tb,) = [r["t"] for r in a.requests_for("/feed/")], [r["t"] for r in b.requests_for("/feed/")]
    assert abs(ta - tb) < 0.5  # both requests were in flight together
    assert len(done) == 2


def test_conditional_request_gets_304(serve, fetcher):
    site = serve("labourlist")
    first = fetcher.fetch(site.url + "/feed/")
    etag = first.headers["etag"]
    again = fetcher.fetch(site.url + "/feed/", etag=etag)
    assert again.not_modified and again.content == b""
    assert site.log[-1]["inm"] == etag


def test_unreachable_host_fails_fast_with_a_clear_message():
    with Fetcher(fast_fetch(max_retries=0)) as f:
        with pytest.raises(HostUnreachable, match="cannot reach 127.0.0.1:9"):
            f.fetch("http://127.0.0.1:9/x")
        with pytest.raises(HostUnreachable):  # remembered: no second round of retries
            f.fetch("http://127.0.0.1:9/y")


@pytest.mark.parametrize("ctype, meta", [("text/html; charset=utf-8", '<meta charset="utf-8">'),
                                         ("text/html", ""), ("text/html; charset=iso-8859-1", "")])
def test_cp1252_pages_decode_whatever_they_claim(ctype, meta):
    raw = CP1252_PAGE.format(meta=meta).encode("cp1252")
    text, encoding = decode_html(raw, ctype)
    assert "‘must come first’" in text and "£40" in text and "café" in text
    assert encoding.replace("_", "").replace("-", "").lower() in ("cp1252", "windows1252")


def test_utf8_and_bom_pages_decode():
    assert decode_html("£ café".encode("utf-8"), "text/html; charset=iso-8859-1")[0] == "£ café"
    assert decode_html(b"\xef\xbb\xbfhello", None) == ("hello", "utf-8")


def test_robots_txt_behind_a_redirect_is_followed(serve, tmp_path):
    site = serve("faults")
    robots = tmp_path / "real-robots.txt"
    robots.write_text("User-agent: *\nDisallow: /malformed/\n")
    site.routes["/robots.txt"] = {"redirect": "/real-robots.txt", "status": 301}
    site.routes["/real-robots.txt"] = {"file": str(robots), "type": "text/plain", "status": 200}
    with Fetcher(fast_fetch()) as f:
        with pytest.raises(RobotsDisallowed):
            f.fetch(site.url + "/malformed/")


def test_redirect_to_the_outlets_public_domain_is_rebased_onto_the_base_url(faults, fetcher, faults_config):
    from scrapers import get_scraper

    scraper = get_scraper("faults", base_url=faults.url, config=faults_config)
    page = fetcher.fetch(faults.url + "/fault/redirect-home/", scope=scraper)
    assert page.ok and page.final_url == faults.url + "/2024/01/utm-article/"
    assert "One Article, Many Links" in page.text


@pytest.mark.parametrize("path", ["/fault/slow-headers/", "/fault/drip/"])
def test_timeout_bounds_the_whole_request_however_slowly_the_bytes_come(faults, path):
    with Fetcher(fast_fetch(timeout=1.0, max_retries=0)) as f:
        assert f.robots_allows(faults.url + "/")  # robots.txt read first: only the slow URL is timed
        start = time.monotonic()
        with pytest.raises(FetchError, match="timed out after 1s"):
            f.fetch(faults.url + path)
        elapsed = time.monotonic() - start
    assert 0.9 <= elapsed < 1.5  # a byte every 0.2 s never trips a per-read timeout; the deadline does
    assert faults.hits[path] == 1
