"""``scrape check OUTLET``: fetch a few recent pages and show, per field, what each layer found.

Networked (through the polite :class:`~scrapers.http.Fetcher`) but writes nothing: a researcher runs it
when a crawl warns that an outlet's markup may have changed, or after correcting its selectors.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .crawl import DRIFT_MIN_PAGES, DRIFT_SHARE, OutletSummary
from .discovery import Discovery
from .errors import FetchError, HostUnreachable, ScraperError
from .http import FetchConfig, Fetcher

FIELDS = ("title", "authors", "date", "body")


@dataclass
class PageCheck:
    """One page: its URL, each field's value per layer, the layer chosen and the fields that drifted."""

    url: str
    layers: dict[str, dict[str, Any]] = field(default_factory=dict)
    chosen: dict[str, str] = field(default_factory=dict)
    drift: list[str] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "layers": self.layers, "chosen": self.chosen, "drift": self.drift,
                "error": self.error}


@dataclass
class CheckReport:
    """The pages checked and, per field, on how many the outlet's selectors disagreed."""

    outlet: str
    pages: list[PageCheck] = field(default_factory=list)
    drift: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"outlet": self.outlet, "pages": [p.to_dict() for p in self.pages], "drift": self.drift,
                "warnings": self.warnings, "thresholds": {"share": DRIFT_SHARE, "min_pages": DRIFT_MIN_PAGES}}


def check_outlet(name: str, sample: int = 5, base_url: str | None = None, fetch: FetchConfig | None = None,
                 config: str | None = None, progress: Callable[[str], None] | None = None) -> CheckReport:
    """Fetch up to ``sample`` recent article pages of an outlet and read each through every layer.

    Pages come from the outlet's usual sources (feeds first, then its API, sitemaps or listings), in the
    order they list them (newest first for feeds). Raises :class:`ScraperError` when the outlet cannot
    be reached or lists no article.
    """
    from .registry import get_scraper

    scraper = get_scraper(name, base_url=base_url, config=config)
    report = CheckReport(scraper.name)
    summary = OutletSummary()
    with Fetcher(fetch or FetchConfig()) as fetcher:
        discovery = Discovery(scraper, fetcher)
        urls: list[str] = []
        try:
            for c in discovery:
                url = scraper.canonical(c.url)
                if url not in urls and scraper.is_article_url(c.url):
                    urls.append(url)
                if len(urls) >= sample:
                    break
        except HostUnreachable as exc:
            raise ScraperError(f"{scraper.name}: {exc.reason}") from None
        if not urls:
            why = f" ({discovery.errors[0]})" if discovery.errors else ""
            raise ScraperError(f"{scraper.name}: no article page found in its feeds, sitemaps or listings{why}")
        for url in urls:
            if progress:
                progress(url)
            check = PageCheck(url)
            report.pages.append(check)
            try:
                page = fetcher.fetch(scraper.to_fetch_url(url), scope=scraper)
            except FetchError as exc:
                check.error = exc.reason
                continue
            if not page.ok:
                check.error = f"HTTP {page.status}"
                continue
            article, layers = scraper.inspect(page.text, scraper.canonical(page.final_url))
            check.layers = {k: layers[k] for k in FIELDS if k in layers}
            check.chosen = {k: v for k, v in article.metadata.get("extracted_by", {}).items()}
            check.drift = list(article.metadata.get("drift") or [])
            summary.count_drift(article)
    report.drift = dict(summary.drift)
    report.warnings = summary.drift_warnings(scraper.name, scraper.spec.display_name)
    return report
