"""softleft's scrapers: polite, resumable collection of outlet articles into the corpus.

Entry points: :func:`get_scraper` / :func:`list_outlets` (the registry), :func:`scrape` and
:func:`reparse` (crawls into a :class:`~corpus.store.CorpusStore`), ``Scraper.parse(html, url)`` and
:func:`parse_page` (pure).
"""
from .base import OutletSpec, Scraper, Selectors
from .crawl import CrawlOptions, check_base_urls, OutletSummary, ScrapeResult, reparse, reparse_outlet, scrape, scrape_outlets
from .errors import (FetchError, HostUnreachable, OffDomainRedirect, OutletConfigError, RobotsDisallowed,
                     ScraperError, TooLarge, UnknownOutletError)
from .http import FetchConfig, Fetcher
from .page import parse_page, scraper_for_url
from .registry import check_outlets, get_scraper, list_outlets

__all__ = ["CrawlOptions", "FetchConfig", "FetchError", "Fetcher", "HostUnreachable", "OffDomainRedirect",
           "OutletConfigError", "OutletSpec", "OutletSummary", "RobotsDisallowed", "ScrapeResult", "Scraper",
           "ScraperError", "Selectors", "TooLarge", "UnknownOutletError", "check_base_urls", "check_outlets", "get_scraper", "list_outlets",
           "parse_page", "reparse", "reparse_outlet", "scrape", "scrape_outlets", "scraper_for_url"]
