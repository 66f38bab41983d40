"""URL canonicalisation and the outlet's view of URLs (own domains, base-url rebasing)."""
from __future__ import annotations

from scrapers import get_scraper
from scrapers.urls import canonicalise, netloc_key


def test_tracking_params_and_fragments_are_stripped():
    assert canonicalise("HTTPS://Example.org:443/a/?utm_source=x&b=2&fbclid=1&a=1#top") == "https://example.org/a/?a=1&b=2"
    assert canonicalise("https://www.example.org/a", strip_www=True) == "https://example.org/a"
    assert canonicalise("https://www.example.org/a", strip_www=False) == "https://www.example.org/a"
    assert canonicalise("https://example.org/a", trailing_slash=True) == "https://example.org/a/"
    assert canonicalise("https://example.org/a/", trailing_slash=False) == "https://example.org/a"
    assert canonicalise("https://example.org/feed.xml", trailing_slash=True) == "https://example.org/feed.xml"
    assert canonicalise("https://example.org//a//b") == "https://example.org/a/b"


def test_netloc_key_is_the_unit_of_politeness():
    assert netloc_key("http://127.0.0.1:8000/x") == "127.0.0.1:8000"
    assert netloc_key("https://Example.org:443/x") == "example.org"


def test_base_url_rebases_fetches_but_not_stored_urls():
    s = get_scraper("tribune", base_url="http://127.0.0.1:8000")
    assert s.to_fetch_url("https://www.tribunemag.co.uk/2024/03/x") == "http://127.0.0.1:8000/2024/03/x"
    assert s.canonical("http://127.0.0.1:8000/2024/03/x/?utm_medium=rss#c") == "https://tribunemag.co.uk/2024/03/x"
    assert s.public_url("http://127.0.0.1:8000/2024/03/x/?utm_medium=rss#c") == "https://tribunemag.co.uk/2024/03/x/"
    assert s.canonical("http://www.tribunemag.co.uk/2024/03/x") == "https://tribunemag.co.uk/2024/03/x"
    assert s.is_own("https://www.tribunemag.co.uk/a") and s.is_own("http://127.0.0.1:8000/a")
    assert not s.is_own("https://jacobin.com/2024/03/x") and not s.is_own("http://127.0.0.1:8001/a")


def test_article_url_patterns():
    ll = get_scraper("labourlist")
    assert ll.is_article_url("https://labourlist.org/2024/05/some-slug/")
    assert not ll.is_article_url("https://labourlist.org/tag/nec/")
    assert not ll.is_article_url("https://labourlist.org/about/")
    ren = get_scraper("renewal")
    assert ren.is_article_url("https://renewal.org.uk/articles/x") and ren.is_article_url("https://renewal.org.uk/old-slug/")
    assert not ren.is_article_url("https://renewal.org.uk/about")


def test_base_url_with_a_path_prefix():
    s = get_scraper("chartist", base_url="http://127.0.0.1:9000/mirror/chartist")
    assert s.to_fetch_url("https://chartist.org.uk/a-slug/") == "http://127.0.0.1:9000/mirror/chartist/a-slug/"
    assert s.canonical("http://127.0.0.1:9000/mirror/chartist/a-slug/") == "https://chartist.org.uk/a-slug/"


def test_date_archives_and_files_are_not_articles():
    c = get_scraper("chartist")
    assert c.is_article_url("https://chartist.org.uk/my-first-post/")
    for path in ("/2024/", "/2024/05/", "/robots.txt", "/feed/", "/tag/x/", "/page/2/", "/"):
        assert not c.is_article_url("https://chartist.org.uk" + path), path


def test_sitemaps_of_pages_and_taxonomies_are_skipped():
    import re

    from scrapers.base import SITEMAP_SKIP
    skip = re.compile(SITEMAP_SKIP, re.I)
    for name in ("wp-sitemap-posts-page-1.xml", "wp-sitemap-taxonomies-category-1.xml", "wp-sitemap-users-1.xml",
                 "page-sitemap.xml", "post_tag-sitemap.xml", "author-sitemap.xml"):
        assert skip.search(name), name
    for name in ("wp-sitemap-posts-post-1.xml", "post-sitemap.xml", "post-sitemap2.xml", "sitemap-2024.xml"):
        assert not skip.search(name), name
