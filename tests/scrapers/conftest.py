"""Scraper test fixtures: real HTTP servers on 127.0.0.1 serving the fixture sites, fast crawl options."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from scrapers import CrawlOptions, FetchConfig

from .siteserver import SITES, SiteServer

FAULTS_TOML = SITES / "faults.toml"


def live_enabled(config: pytest.Config) -> bool:
    try:
        flag = bool(config.getoption("--live"))
    except ValueError:
        flag = False
    return flag or os.environ.get("SOFTLEFT_LIVE") == "1"


def fast_fetch(**kw) -> FetchConfig:
    """No politeness delay and tiny retry waits: the scraper tests must stay fast. The fixture servers listen on
    127.0.0.1, which a fetcher reaches only when told to (as ``--base-url`` tells it)."""
    base = dict(delay=0.0, timeout=1.0, max_retries=1, backoff=0.02, max_wait=2.0, max_bytes=1_000_000,
                user_agent="softleft-test/1 (+mailto:tests@example.org)", trusted_hosts=("127.0.0.1",))
    base.update(kw)
    return FetchConfig(**base)


def fast_options(**kw) -> CrawlOptions:
    fetch = kw.pop("fetch", None) or fast_fetch()
    return CrawlOptions(fetch=fetch, **kw)


@pytest.fixture
def serve():
    """``serve("tribune", latency=0.05)`` -> a started :class:`SiteServer` (stopped after the test)."""
    servers: list[SiteServer] = []

    def start(name: str, **kw) -> SiteServer:
        server = SiteServer(name, **kw).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def faults_config() -> Path:
    return FAULTS_TOML
