"""Exceptions of the scrapers package; the CLI turns them into one-line errors."""
from __future__ import annotations

from corpus.errors import SoftleftError


class ScraperError(SoftleftError):
    """Base class: a problem a user can fix or must know about; the message says which."""


class UnknownOutletError(ScraperError, KeyError):
    """No outlet of that name (the message lists the known ones)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class OutletConfigError(ScraperError):
    """An outlets TOML file that cannot be read or has a bad entry."""


class FetchError(ScraperError):
    """A URL that could not be fetched (after retries, where retrying made sense)."""

    def __init__(self, url: str, reason: str, status: int | None = None, retryable: bool = False):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.status, self.retryable = url, reason, status, retryable


class RobotsDisallowed(FetchError):
    """robots.txt forbids the URL for our user agent."""


class OffDomainRedirect(FetchError):
    """A redirect that leaves the outlet's own domains."""


class TooLarge(FetchError):
    """A response bigger than the size cap (after decompression)."""


class HostUnreachable(FetchError):
    """The host did not answer at all (DNS, refused connection, timeouts on robots.txt)."""


class CorpusLocked(ScraperError):
    """The corpus stayed locked by another process for longer than a crawl is willing to wait."""

    waited: float = 0.0  # seconds the crawl waited
    unsaved: int = 0  # fetched pages it could not write


#: The name the CLI looks for when converting library errors into one-line messages.
ScrapeError = ScraperError
