"""Tribune (tribunemag.co.uk): custom platform, the same template family as Jacobin's.

Selectors seen on the site (OUTLETS.md, "S"); the date's visible format is unverified, so metadata and
``time[datetime]`` come first. Some pieces are for subscribers only: they are stored flagged
``paywalled`` with their teaser, not as full articles.
"""
from scrapers.base import OutletSpec, Selectors

SPEC = OutletSpec(
    name="tribune",
    display_name="Tribune",
    domain="tribunemag.co.uk",
    strip_www=True,
    platform="custom (Jacobin template family)",
    feeds=("/feed",),
    sitemaps=("/sitemap.xml",),
    wp_api=False,
    archive=("/blog", "/blog?page={n}", "/"),
    archive_start=1,
    article_patterns=(r"^/\d{4}/\d{2}/[^/]+/?$",),
    trailing_slash=False,
    selectors=Selectors(
        title=("h1.po-hr-cn__title", "h1"),
        standfirst=("p.po-hr-cn__dek", ".po-hr-cn__dek"),
        authors=("a.po-hr-cn__author-link", "dd.po-hr-cn__author", ".po-hr-cn__author"),
        date=("time.po-hr-fl__date", ".po-hr-fl__date", "time[datetime]"),
        body=("#post-content section.po-cn__intro p, #post-content section.po-cn__section p, "
              "#post-content section.po-cn__intro blockquote, #post-content section.po-cn__section blockquote, "
              "#post-content section.po-cn__section h2, #post-content section.po-cn__section h3",
              "#post-content", "article"),
        tags=("ul.po-hr-fl__taxonomies li",),
        section=(".po-hr-cn__section", ".po-hr-fl__section"),
        listing_links=("a.hm-dg__link",),
        remove=(".po-cn__subscribe", ".po-cn__related", ".po-cn__share"),
        paywall=(".po-cn__paywall", ".paywall"),
    ),
    paywall_phrases=(r"available to subscribers only", r"available only to (print |digital )?subscribers",
                     r"^\s*subscribe to read the (full|rest of)"),
    note="Strip www.; the hard-left magazine, not the soft-left Tribune Group of MPs.",
)
