"""Open Labour (openlabour.org): WordPress; the self-described soft left."""
from scrapers.base import OutletSpec

SPEC = OutletSpec(
    name="openlabour",
    display_name="Open Labour",
    domain="openlabour.org",
    feeds=("/feed/",),
    wp_api=True,
    archive=("/", "/page/{n}/"),
    archive_start=2,
    article_patterns=(r"^/[^/]+/?$",),
    trailing_slash=True,
)
