"""Progressive Britain (was Progress): progressivebritain.org and its archive subdomain; soft right."""
from scrapers.base import OutletSpec

SPEC = OutletSpec(
    name="progressivebritain",
    display_name="Progressive Britain",
    domain="progressivebritain.org",
    extra_domains=("archive.progressivebritain.org",),
    feeds=("/feed/",),
    wp_api=True,
    archive=("/", "/page/{n}/"),
    archive_start=2,
    article_patterns=(r"^/\d{4}/\d{2}/\d{2}/[^/]+/?$", r"^/[a-z0-9][a-z0-9-]+/?$"),
    trailing_slash=True,
)
