"""Renewal (renewal.org.uk): platform changed at least twice; no selectors known.

Articles live at ``/articles/slug`` and ``/blog/slug`` now, ``/slug/`` on older schemes (which redirect),
so this outlet leans on metadata and the generic extractor and keeps trailing slashes as found.
"""
from scrapers.base import OutletSpec, Selectors

SPEC = OutletSpec(
    name="renewal",
    display_name="Renewal",
    domain="renewal.org.uk",
    platform="unknown (changed at least twice)",
    feeds=("/feed/", "/rss.xml"),
    sitemaps=("/sitemap.xml", "/wp-sitemap.xml", "/sitemap_index.xml"),
    wp_api=False,
    archive=("/articles", "/articles?page={n}", "/blog", "/blog?page={n}"),
    archive_start=1,
    article_patterns=(r"^/(articles|blog)/[^/]+/?$",
                      r"^/(?!about|contact|issues?|subscribe|shop|events|submissions|privacy|terms|"
                      r"articles|blog|search)[a-z0-9][a-z0-9-]+/?$"),
    trailing_slash=None,
    selectors=Selectors(
        title=("h1.article-title", "h1.entry-title", "article h1", "h1"),
        standfirst=(".article-standfirst", ".standfirst", ".entry-summary"),
        authors=(".article-author a", ".article-author", ".author a", "a[rel='author']", ".byline"),
        date=("time[datetime]", ".article-date", "time"),
        body=(".article-body", ".article__body", ".entry-content", ".blog-item-content", "article", "main"),
        tags=(".article-tags a", "a[rel='tag']"),
        section=(".article-section", ".cat-links a"),
        listing_links=("a.article-link", "article h2 a", "article h3 a", "h2 a", "h3 a"),
    ),
    note="Soft left; founded 1992, now published with Compass.",
)
