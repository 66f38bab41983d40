"""Chartist (chartist.org.uk): WordPress with the tagDiv "Newspaper" theme (classic and tdb blocks)."""
from scrapers.base import OutletSpec, Selectors

SPEC = OutletSpec(
    name="chartist",
    display_name="Chartist",
    domain="chartist.org.uk",
    feeds=("/feed/",),
    sitemaps=("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml"),
    wp_api=True,
    archive=("/", "/page/{n}/"),
    archive_start=2,
    article_patterns=(r"^/[^/]+/?$",),
    trailing_slash=True,
    selectors=Selectors(
        title=("h1.entry-title", "h1.tdb-title-text", "h1"),
        authors=(".td-post-author-name a", ".tdb-author-name", ".td-author-name a", "a[rel='author']"),
        date=("time.entry-date[datetime]", ".td-post-date time", "time[datetime]"),
        body=(".td-post-content", ".tdb_single_content .tdb-block-inner", ".tdb_single_content", ".entry-content"),
        tags=("ul.td-tags a", ".tdb-tags a", "a[rel='tag']"),
        section=(".td-category a", ".tdb-category a", ".entry-category a"),
        listing_links=("h3.entry-title a", ".td-module-title a", "h2.entry-title a"),
        remove=(".td-a-rec", ".td-post-sharing", ".td-post-source-tags", ".td-post-next-prev", ".td-author-box",
                ".td_block_related_posts", ".tdb-author-box"),
    ),
    note="Placement contested: democratic-socialist left that backed Corbyn.",
)
