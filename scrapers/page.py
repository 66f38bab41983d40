"""One saved page to one :class:`~corpus.models.Article`, as the crawler would read it: :func:`parse_page`.

The page's outlet comes from its name (``outlet=``) or its URL's domain; a page of no known outlet is read
by a generic scraper (default WordPress-style selectors, metadata, and the generic extractor, the body
chosen per page by evidence: see :mod:`scrapers.body`). Pure: no network, no store.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

from corpus.models import Article

from .base import OutletSpec, Scraper
from .errors import ScraperError
from .urls import host_of

__all__ = ["generic_scraper", "parse_page", "scraper_for_url"]


@functools.lru_cache(maxsize=8)
def _domains(config: str | None, env: str | None) -> dict[str, str]:
    """``host -> outlet name`` for every known outlet's domains (with and without ``www.``)."""
    from .registry import specs

    out: dict[str, str] = {}
    for name, (spec, _, _) in specs(config).items():
        for domain in spec.domains:
            domain = domain.lower()
            out.setdefault(domain, name)
            out.setdefault(domain[4:] if domain.startswith("www.") else "www." + domain, name)
    return out


def outlet_for_url(url: str, config: str | Path | None = None) -> str | None:
    """The name of the known outlet whose domain ``url`` is on, or None."""
    host = host_of(url)
    domains = _domains(str(config) if config else None, os.environ.get("SOFTLEFT_OUTLETS"))
    while host:
        if host in domains:
            return domains[host]
        host = host.partition(".")[2] if host.count(".") > 1 else ""  # news.example.org -> example.org
    return None


@functools.lru_cache(maxsize=256)
def generic_scraper(host: str) -> Scraper:
    """A scraper for a site no outlet describes: default selectors, no URL patterns; outlet = the host."""
    host = host.lower().removeprefix("www.") or "unknown"
    return Scraper(OutletSpec(name=host, display_name=host, domain=host, platform="unknown"))


@functools.lru_cache(maxsize=64)
def _named(name: str, config: str | None, env: str | None) -> Scraper:
    from .registry import get_scraper

    return get_scraper(name, config=config)


def scraper_for_url(url: str, outlet: str | None = None, config: str | Path | None = None) -> Scraper:
    """The scraper that reads ``url``: the named outlet's, else the one whose domain it is on, else generic.

    Raises :class:`~scrapers.errors.UnknownOutletError` for an ``outlet`` name nobody knows.
    """
    cfg = str(config) if config else None
    env = os.environ.get("SOFTLEFT_OUTLETS")
    name = outlet.strip().lower() if outlet else outlet_for_url(url, config)
    if name:
        return _named(name, cfg, env)
    return generic_scraper(host_of(url))


def parse_page(html: str, url: str, outlet: str | None = None, config: str | Path | None = None) -> Article:
    """Extract one page as the crawler would: the outlet's scraper (named, or found by domain), else generic.

    Parameters
    ----------
    html : str
        The page's markup (already decoded).
    url : str
        The page's URL: it names the outlet when ``outlet`` is not given, and becomes the article's URL.
    outlet : str, optional
        An outlet name (``scrape list``), when the URL is not on the outlet's own domain.
    config : path, optional
        An outlets TOML file (else ``$SOFTLEFT_OUTLETS``).

    Returns
    -------
    Article
        ``metadata["extracted_by"]`` names the layer behind each field and ``metadata["body"]`` the
        evidence behind the body's choice.
    """
    if not url or not url.startswith(("http://", "https://")):
        raise ScraperError(f"the page's URL must start with http:// or https://, not {url!r}")
    scraper = scraper_for_url(url, outlet, config)
    article = scraper.parse(html, url)
    return article.replace(url=scraper.canonical(url))
