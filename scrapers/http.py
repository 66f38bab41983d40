"""The one networked module: polite, robust fetching for every outlet.

Politeness: an identifying User-Agent with a contact address, robots.txt (and its Crawl-delay) obeyed,
a minimum delay between two requests to one host, and never two requests at once to one host (different
hosts may be fetched concurrently from different threads). Robustness: timeouts, retries with exponential
backoff and jitter on 429/5xx/connection errors (honouring Retry-After), a streamed size cap counted on
*decompressed* bytes (so gzip bombs stop early), charset detection for pages that lie about or omit their
encoding, a redirect limit and no redirect off the outlet's own domains, conditional requests.
"""
from __future__ import annotations

import email.utils
import logging
import os
import random
import re
import threading
import time
import urllib.robotparser
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable, Iterator, Protocol
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import httpx

from .errors import FetchError, HostUnreachable, OffDomainRedirect, RobotsDisallowed, TooLarge
from .urls import netloc_key

log = logging.getLogger(__name__)

__version__ = "0.1.0"
DEFAULT_CONTACT = "https://github.com/softleft/softleft"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def default_user_agent(contact: str | None = None) -> str:
    """``softleft/VERSION (+CONTACT; research text mining)``; CONTACT from ``SOFTLEFT_CONTACT``."""
    contact = contact or os.environ.get("SOFTLEFT_CONTACT") or DEFAULT_CONTACT
    return f"softleft/{__version__} (+{contact}; academic text mining, polite crawler)"


@dataclass
class FetchConfig:
    """How politely and how patiently to fetch.

    ``delay`` is the minimum number of seconds between two requests to one host (a robots.txt
    Crawl-delay raises it). ``max_wait`` caps any single wait between retries; a Retry-After longer
    than that gives the URL up instead of hammering the host early.
    """

    user_agent: str = field(default_factory=default_user_agent)
    delay: float = 3.0
    timeout: float = 20.0
    max_retries: int = 3
    backoff: float = 1.0
    max_wait: float = 60.0
    max_bytes: int = 8_000_000
    max_redirects: int = 5
    obey_robots: bool = True


class Scope(Protocol):
    """Where a fetch may go: the outlet's own domains (and its ``--base-url`` host)."""

    def allows(self, url: str) -> bool: ...

    def to_fetch_url(self, url: str) -> str: ...


@dataclass
class Page:
    """A fetched response (body already decompressed and size-checked)."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    content: bytes
    redirects: tuple[str, ...] = ()

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @cached_property
    def _decoded(self) -> tuple[str, str]:
        return decode_html(self.content, self.content_type)

    @property
    def text(self) -> str:
        """The body as text, decoded by :func:`decode_html`."""
        return self._decoded[0]

    @property
    def encoding(self) -> str:
        return self._decoded[1]


# -- charset ------------------------------------------------------------------------------------
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
# What browsers do (WHATWG Encoding): these labels all mean windows-1252.
_WHATWG = {"latin1": "cp1252", "latin-1": "cp1252", "iso-8859-1": "cp1252", "iso8859-1": "cp1252",
           "ascii": "cp1252", "us-ascii": "cp1252", "windows-1252": "cp1252", "x-cp1252": "cp1252"}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _WHATWG.get(label, label)
    import codecs
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(content: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page, returning ``(text, encoding)``.

    UTF-8 first (a page that decodes as UTF-8 almost surely is), then the charset the header or a
    ``<meta>`` declares (with the browser mapping latin-1 -> windows-1252), then charset-normalizer's
    best guess; a page that lies ("utf-8" on cp1252 bytes) or says nothing ends in detection.
    """
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace"), "utf-8"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace"), "utf-16"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = []
    m = _HEADER_CHARSET.search(content_type or "")
    if m:
        declared.append(m.group(1))
    m = _META_CHARSET.search(content[:4096])
    if m:
        declared.append(m.group(1).decode("ascii", "ignore"))
    for label in declared:
        codec = _codec(label)
        if codec and codec not in ("utf-8", "utf-16", "utf-32"):
            try:
                return content.decode(codec), codec
            except UnicodeDecodeError:
                continue
    best = charset_normalizer.from_bytes(content[:200_000]).best()
    if best is not None and best.encoding:
        try:
            return content.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return content.decode("cp1252", errors="replace"), "cp1252"


# -- decompression with a cap ---------------------------------------------------------------------
def _decompressed(chunks: Iterable[bytes], encoding: str, cap: int, url: str) -> bytes:
    """Decode a Content-Encoding stream, stopping as soon as the output passes ``cap`` bytes."""
    encoding = (encoding or "identity").strip().lower()
    out = bytearray()
    if encoding in ("", "identity", "none"):
        for chunk in chunks:
            out += chunk
            if len(out) > cap:
                raise TooLarge(url, f"response larger than {cap} bytes (raise --max-bytes if that is wrong)")
        return bytes(out)
    if encoding in ("gzip", "x-gzip"):
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        d = None  # zlib-wrapped or raw: decided on the first bytes
    else:
        raise FetchError(url, f"unsupported Content-Encoding {encoding!r}")
    for chunk in chunks:
        if d is None:
            d = zlib.decompressobj(zlib.MAX_WBITS if chunk[:1] == b"\x78" else -zlib.MAX_WBITS)
        buf = chunk
        try:
            while buf:
                out += d.decompress(buf, cap + 1 - len(out))
                if len(out) > cap:
                    raise TooLarge(url, f"response decompresses to more than {cap} bytes (a decompression bomb?)")
                buf = d.unconsumed_tail
        except zlib.error as exc:
            raise FetchError(url, f"corrupt {encoding} body: {exc}", retryable=True) from None
    if d is not None:
        out += d.flush()
        if len(out) > cap:
            raise TooLarge(url, f"response decompresses to more than {cap} bytes (a decompression bomb?)")
    return bytes(out)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time()) if when else None


def _float_crawl_delay(text: str, agent: str) -> float | None:
    """Crawl-delay for ``agent`` (or ``*``) where robotparser, which reads whole seconds only, gave none."""
    token = agent.split("/", 1)[0].lower()
    found: dict[str, float] = {}
    agents: list[str] = []
    in_rules = False
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (x.strip() for x in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if in_rules:
                agents, in_rules = [], False
            agents.append(value.lower())
        else:
            in_rules = True
            if key == "crawl-delay":
                try:
                    for a in agents:
                        found[a] = float(value)
                except ValueError:
                    pass
    for a, d in found.items():
        if a != "*" and a in token:
            return d
    return found.get("*")


# -- per-host state -------------------------------------------------------------------------------
class _Host:
    """One host's lock, clock and robots.txt."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.robots_lock = threading.Lock()
        self.next_time = 0.0
        self.robots: urllib.robotparser.RobotFileParser | None = None
        self.robots_error: FetchError | None = None
        self.crawl_delay: float = 0.0


class Fetcher:
    """A polite HTTP client shared by every outlet (and every thread) of a crawl.

    Parameters
    ----------
    config : FetchConfig
    transport : httpx.BaseTransport, optional
        For tests that need no sockets.
    sleep : callable
        ``time.sleep``; injectable.

    Notes
    -----
    Each host has a lock held for the whole of one fetch (retries included), so one host never sees
    two requests at once, while threads fetching from different hosts run side by side.
    """

    def __init__(self, config: FetchConfig | None = None, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.config = config or FetchConfig()
        self._sleep = sleep
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self.requests = 0
        self.client = httpx.Client(
            timeout=httpx.Timeout(self.config.timeout, connect=min(10.0, self.config.timeout)),
            follow_redirects=False, transport=transport,
            headers={"User-Agent": self.config.user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ------------------------------------------------------------------------------
    def fetch(self, url: str, scope: Scope | None = None, etag: str | None = None,
              last_modified: str | None = None, accept: str | None = None) -> Page:
        """GET ``url`` politely; follow redirects inside ``scope``; return the final :class:`Page`.

        Raises :class:`RobotsDisallowed`, :class:`OffDomainRedirect`, :class:`TooLarge`,
        :class:`HostUnreachable` or :class:`FetchError`. A 4xx other than 429 is returned, not raised,
        so callers can tell "gone" (404/410) from failures. With ``etag``/``last_modified`` a 304
        comes back as a page whose ``not_modified`` is true.
        """
        headers = {"Accept": accept or "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        original, seen, redirects = url, {url}, []
        while True:
            if scope is not None and not scope.allows(url):
                raise OffDomainRedirect(original, f"redirected off the outlet's domains to {url}")
            if not self.robots_allows(url):
                raise RobotsDisallowed(url, "disallowed by robots.txt")
            page = self._fetch_one(url, headers)
            if page.status not in REDIRECT_STATUSES:
                page.url, page.redirects = original, tuple(redirects)
                return page
            location = page.headers.get("location")
            if not location:
                return page
            target = urljoin(url, location.strip())
            if scope is not None:
                target = scope.to_fetch_url(target)
                if not scope.allows(target):
                    raise OffDomainRedirect(original, f"redirect to {target} leaves the outlet's domains; not followed")
            if target in seen:
                raise FetchError(original, f"redirect loop ({' -> '.join([*redirects, url, target])})")
            if len(redirects) >= self.config.max_redirects:
                raise FetchError(original, f"more than {self.config.max_redirects} redirects")
            redirects.append(url)
            seen.add(target)
            url = target

    def robots_allows(self, url: str) -> bool:
        """Whether robots.txt lets our user agent fetch ``url`` (fetching robots.txt once per host)."""
        if not self.config.obey_robots or urlsplit(url).path == "/robots.txt":
            return True
        host = self._host(url)
        with host.robots_lock:  # one robots.txt fetch per host, however many threads ask
            if host.robots is None and host.robots_error is None:
                self._load_robots(url, host)
        if host.robots_error is not None:
            raise host.robots_error
        assert host.robots is not None
        return host.robots.can_fetch(self.config.user_agent, url)

    def robots_sitemaps(self, url: str) -> list[str]:
        """Sitemap URLs that robots.txt of ``url``'s host lists."""
        try:
            self.robots_allows(url)
        except FetchError:
            return []
        robots = self._host(url).robots
        return list((robots.site_maps() if robots else None) or [])

    # -- internals ---------------------------------------------------------------------------
    def _host(self, url: str) -> _Host:
        key = f"{urlsplit(url).scheme}://{netloc_key(url)}"
        with self._hosts_lock:
            host = self._hosts.get(key)
            if host is None:
                host = self._hosts[key] = _Host()
            return host

    def _load_robots(self, url: str, host: _Host) -> None:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        robots_text = ""
        try:
            page = self._fetch_robots(robots_url)
        except (HostUnreachable, FetchError) as exc:
            if isinstance(exc, TooLarge):
                parser.parse([])
            elif isinstance(exc, HostUnreachable) or exc.status is None:
                host.robots_error = HostUnreachable(
                    url, f"cannot reach {parts.netloc} ({exc.reason}); check the address or your network")
                return
            else:  # 5xx after retries: RFC 9309 says assume complete disallow
                parser.disallow_all = True
        else:
            if page.ok:
                robots_text = page.text
                parser.parse(robots_text.splitlines())
            elif 500 <= page.status:
                parser.disallow_all = True
            else:  # 4xx (robots.txt missing): everything allowed
                parser.allow_all = True
        agent = self.config.user_agent
        delay = parser.crawl_delay(agent)
        if delay is None and robots_text:
            delay = _float_crawl_delay(robots_text, agent)
        rate = parser.request_rate(agent)
        crawl_delay = float(delay) if delay else 0.0
        if rate and rate.requests:
            crawl_delay = max(crawl_delay, rate.seconds / rate.requests)
        host.crawl_delay = crawl_delay
        host.robots = parser
        if crawl_delay:
            log.info("%s asks for a crawl delay of %.1fs", parts.netloc, crawl_delay)

    def _fetch_robots(self, robots_url: str) -> Page:
        """robots.txt, following up to 5 redirects that stay on the same host name (www. aside)."""
        same = (urlsplit(robots_url).hostname or "").lower().removeprefix("www.")
        url = robots_url
        for _ in range(5):
            page = self._fetch_one(url, {"Accept": "text/plain,*/*;q=0.5"})
            location = page.headers.get("location")
            if page.status not in REDIRECT_STATUSES or not location:
                return page
            target = urljoin(url, location.strip())
            if (urlsplit(target).hostname or "").lower().removeprefix("www.") != same:
                return page  # robots.txt elsewhere: treated as missing (everything allowed)
            url = target
        return page

    def _fetch_one(self, url: str, headers: dict[str, str]) -> Page:
        """One URL, no redirects followed, retried on 429/5xx/connection errors; host-locked."""
        host = self._host(url)
        cfg = self.config
        with host.lock:
            attempt = 0
            while True:
                wait = host.next_time - time.monotonic()
                if wait > 0:
                    self._sleep(wait)
                retry_after: float | None = None
                try:
                    page = self._request(url, headers)
                except TooLarge:
                    raise
                except FetchError as exc:
                    error = exc
                else:
                    if page.status not in RETRY_STATUSES:
                        return page
                    retry_after = _retry_after(page.headers.get("retry-after"))
                    error = FetchError(url, f"HTTP {page.status}", status=page.status, retryable=True)
                    if attempt >= cfg.max_retries:
                        return page
                finally:
                    host.next_time = time.monotonic() + max(cfg.delay, host.crawl_delay)
                if not error.retryable or attempt >= cfg.max_retries:
                    if error.status is None and not isinstance(error, HostUnreachable) and error.retryable:
                        raise FetchError(url, f"{error.reason} (gave up after {attempt + 1} attempts)")
                    raise error
                if retry_after is not None and retry_after > cfg.max_wait:
                    raise FetchError(url, f"HTTP {error.status}: server asks to wait {retry_after:.0f}s "
                                          f"(more than the {cfg.max_wait:.0f}s limit); try again later",
                                     status=error.status)
                backoff = cfg.backoff * (2 ** attempt)
                wait = min(cfg.max_wait, max(retry_after or 0.0, backoff + random.uniform(0, backoff)))
                log.info("%s: %s; retry %d/%d in %.2fs", url, error.reason, attempt + 1, cfg.max_retries, wait)
                self._sleep(wait)
                attempt += 1

    def _request(self, url: str, headers: dict[str, str]) -> Page:
        cfg = self.config
        with self._stats_lock:
            self.requests += 1
        deadline = time.monotonic() + cfg.timeout * 3
        try:
            request = self.client.build_request("GET", url, headers=headers)
            response = self.client.send(request, stream=True)
        except httpx.ConnectError as exc:
            raise FetchError(url, f"connection failed: {exc}", retryable=True) from None
        except httpx.TimeoutException:
            raise FetchError(url, f"timed out after {cfg.timeout:g}s", retryable=True) from None
        except httpx.TransportError as exc:
            raise FetchError(url, f"connection error: {exc or type(exc).__name__}", retryable=True) from None
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"invalid URL: {exc}") from None
        try:
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > cfg.max_bytes:
                raise TooLarge(url, f"response of {length} bytes is over the {cfg.max_bytes}-byte limit")
            content = b""
            if response.status_code not in REDIRECT_STATUSES and response.status_code != 304:
                content = _decompressed(self._raw(response, deadline, url),
                                        response.headers.get("content-encoding", ""), cfg.max_bytes, url)
            log.debug("GET %s -> %d (%d bytes)", url, response.status_code, len(content))
            return Page(url=url, final_url=url, status=response.status_code,
                        headers={k.lower(): v for k, v in response.headers.items()}, content=content)
        except httpx.TimeoutException:
            raise FetchError(url, f"timed out after {cfg.timeout:g}s", retryable=True) from None
        except httpx.TransportError as exc:
            raise FetchError(url, f"body cut short: {exc or type(exc).__name__}", retryable=True) from None
        finally:
            response.close()

    @staticmethod
    def _raw(response: httpx.Response, deadline: float, url: str) -> Iterator[bytes]:
        for chunk in response.iter_raw(65536):
            if time.monotonic() > deadline:
                raise FetchError(url, "response too slow (total time limit)", retryable=True)
            yield chunk
