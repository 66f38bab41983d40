"""Live smoke test against the real outlets: skipped unless `pytest --live` (or SOFTLEFT_LIVE=1).

It needs the network, so it never runs in CI. It only checks that each named outlet still yields at least
one article with a title, a date and a body: the first sign that a site changed its markup.
"""
from __future__ import annotations

import pytest

from scrapers import CrawlOptions, FetchConfig, get_scraper, scrape

from .conftest import live_enabled

pytestmark = pytest.mark.live


@pytest.fixture(autouse=True)
def _only_when_live(request):
    if not live_enabled(request.config):
        pytest.skip("live smoke test: run with `pytest --live` or SOFTLEFT_LIVE=1 (needs the network)")


@pytest.mark.parametrize("outlet", ["labourlist", "tribune", "chartist", "renewal"])
def test_live_outlet_yields_an_article(store, outlet):
    options = CrawlOptions(max_articles=1, fetch=FetchConfig(delay=3.0, timeout=30, max_retries=2))
    result = scrape(store, [get_scraper(outlet)], options)
    summary = result.outlets[outlet]
    assert summary.fetched >= 1, summary.to_dict()
    article = next(iter(store.articles(outlet=outlet)))
    assert article.title and article.published and article.word_count > 50
