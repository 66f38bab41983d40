"""LabourList (labourlist.org): WordPress with Yoast metadata.

Listings show relative dates ("5 months ago"), so dates come from metadata only, never visible text.
The donation box ("DONATE HERE") and inline "READ MORE:" links are stripped from bodies.
"""
from scrapers.base import OutletSpec, Selectors

SPEC = OutletSpec(
    name="labourlist",
    display_name="LabourList",
    domain="labourlist.org",
    feeds=("/feed/", "/category/news/feed/"),
    sitemaps=("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml"),
    wp_api=True,
    archive=("/", "/page/{n}/"),
    archive_start=2,
    article_patterns=(r"^/\d{4}/\d{2}/[^/]+/?$",),
    trailing_slash=True,
    selectors=Selectors(
        title=("h1.entry-title", "h1.post-title", "article h1", "h1"),
        authors=(".entry-author a", ".byline a[rel='author']", "a[rel='author']", ".author.vcard a",
                 ".byline .author a", ".author-name a", ".author-name", ".byline a"),
        date=("time.entry-date[datetime]", "time[datetime]"),  # never the visible "5 months ago"
        body=(".entry-content", ".post-content", "article .content"),
        tags=(".tags-links a", "a[rel='tag']"),
        section=(".cat-links a", "a[rel='category tag']"),
        listing_links=("h2.entry-title a", "h3.entry-title a", "article h2 a", "article h3 a"),
        remove=(".donation-box", ".donate-box", "[class*='donation']", ".ll-donate", ".read-more-links"),
    ),
    drop_paragraphs=(r"^\s*read more\s*:", r"\bdonate here\b", r"^\s*labourlist (has|is) .{0,160}(donat|support)",
                     r"^\s*if you have anything to share that we should be looking into"),
    note="Mixed tendencies: label its authors.",
)
