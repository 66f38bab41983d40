"""Novara Media (novaramedia.com): WordPress with its own open-source theme.

Bylines are a custom "contributor" type, so the WordPress author (in the REST API and in Yoast JSON-LD)
is wrong: the page's contributor links outrank metadata for authors.
"""
from scrapers.base import OutletSpec, Selectors

SPEC = OutletSpec(
    name="novara",
    display_name="Novara Media",
    domain="novaramedia.com",
    feeds=("/feed/",),
    sitemaps=("/wp-sitemap.xml", "/sitemap_index.xml"),
    wp_api=True,
    archive=("/articles/", "/articles/page/{n}/"),
    archive_start=2,
    article_patterns=(r"^/\d{4}/\d{2}/\d{2}/[^/]+/?$",),
    trailing_slash=True,
    prefer_selectors=("authors",),
    selectors=Selectors(
        title=("h1.single-article__title", "h1.entry-title", "h1"),
        standfirst=(".single-article__standfirst", ".standfirst"),
        authors=("a[href*='/contributor/']", ".single-article__contributors a", ".contributor a"),
        date=("time[datetime]",),
        body=(".single-article__copy", ".article-copy", ".entry-content", "article"),
        tags=("a[href*='/tag/']",),
        section=("a[href*='/category/']",),
        listing_links=("h2 a", "h3 a", "article a"),
    ),
)
