"""The one networked module: polite, robust fetching for every outlet.

Politeness: an identifying User-Agent with a contact address, robots.txt (and its Crawl-delay) obeyed,
a minimum delay between two requests to one host, and never two requests at once to one host (different
hosts may be fetched concurrently from different threads). Robustness: timeouts, retries with exponential
backoff and jitter on 429/5xx/connection errors (honouring Retry-After), a wall-clock deadline over each
request's whole duration (a server dripping headers or body a byte at a time cannot hold a URL past
``--timeout``), a streamed size cap counted on *decompressed* bytes (so gzip bombs stop early), charset
detection for pages that lie about or omit their encoding, a redirect limit and no redirect off the
outlet's own domains, conditional requests. robots.txt is read by Protego (RFC 9309: ``*`` and ``$``
wildcards, fractional Crawl-delay, Request-rate, Sitemap lines), from at most its first 500 KiB.

Safety: no connection is made to a private, loopback, link-local or otherwise reserved address (a
redirect, or a DNS answer, into the crawling machine's own network), except to a host the user named
(``--base-url``, :attr:`FetchConfig.trusted_hosts`). Every host is resolved once per connection, its every
address checked, and the socket opened to the checked address (so a second, different DNS answer cannot
slip past the check).
"""
from __future__ import annotations

import codecs
import email.utils
import logging
import os
import random
import re
import socket
import threading
import time
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable, Iterator, Protocol
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import httpcore
import httpx
from protego import Protego

from .addresses import BlockedAddress, blocked, non_public_address
from .errors import FetchError, HostUnreachable, OffDomainRedirect, RobotsDisallowed, TooLarge
from .urls import netloc_key

log = logging.getLogger(__name__)

from corpus import __version__  # the one version of softleft
DEFAULT_CONTACT = "https://github.com/softleft/softleft"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: RFC 9309 2.5: crawlers must parse at least the first 500 KiB of a robots.txt; we parse exactly that.
ROBOTS_MAX_BYTES = 500 * 1024


def default_user_agent(contact: str | None = None) -> str:
    """``softleft/VERSION (+CONTACT; research text mining)``; CONTACT from ``SOFTLEFT_CONTACT``."""
    contact = contact or os.environ.get("SOFTLEFT_CONTACT") or DEFAULT_CONTACT
    return f"softleft/{__version__} (+{contact}; academic text mining, polite crawler)"


@dataclass
class FetchConfig:
    """How politely and how patiently to fetch.

    ``delay`` is the minimum number of seconds between two requests to one host (a robots.txt
    Crawl-delay raises it). ``timeout`` bounds each request's whole duration (connection, headers and
    body together), not just the wait for each read. ``max_wait`` caps any single wait between retries;
    a Retry-After longer than that gives the URL up instead of hammering the host early.
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
    #: Hosts whose addresses are not checked (the user named them: a local mirror, a test server). The host
    #: of a scraper's ``--base-url`` is trusted as soon as it is fetched from.
    trusted_hosts: tuple[str, ...] = ()


class Scope(Protocol):
    """Where a fetch may go: the outlet's own domains (and its ``--base-url`` host).

    A scope with a ``base_url`` other than its ``public_base`` (a :class:`~scrapers.base.Scraper` given
    ``--base-url``) makes that host trusted (see :attr:`FetchConfig.trusted_hosts`).
    """

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
    truncated: bool = False  # cut at a size limit on purpose (robots.txt only)

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
           "iso_8859-1": "cp1252", "l1": "cp1252", "cp819": "cp1252", "ibm819": "cp1252",
           "ascii": "cp1252", "us-ascii": "cp1252", "windows-1252": "cp1252", "x-cp1252": "cp1252"}
_MULTIBYTE = ("utf", "gb", "big5", "shift", "euc", "iso2022", "cp932", "cp936", "cp949", "cp950", "johab", "hz")
#: Up to this share of words with a non-ASCII letter, a text reads as English (a café, a Renée), not as
#: Polish or Czech (where a third of the words carry a diacritic).
_ENGLISH_MAX_ACCENTED = 0.1
_MARKUP = re.compile(r"<[^>]*>|&#?\w+;")


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _WHATWG.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _single_byte(codec: str) -> bool:
    return not codec.replace("-", "").replace("_", "").startswith(_MULTIBYTE)


def _strange(text: str) -> int:
    """Characters an English page in a Western encoding would not contain (C1 controls, Ł, ť, Ė ...)."""
    n = 0
    for ch in text:
        if ch < "\x80" or ch in "\r\n\t":
            continue
        if "\x80" <= ch <= "\x9f" or ch == "\ufffd":
            n += 1
            continue
        try:
            ch.encode("cp1252")
        except UnicodeEncodeError:
            n += 1
    return n


def _englishlike(text: str) -> bool:
    words = [w for w in _MARKUP.sub(" ", text).split() if any(ch.isalpha() for ch in w)]
    if not words:
        return True
    accented = sum(any(ch > "\x7f" and ch.isalpha() for ch in w) for w in words)
    return accented / len(words) <= _ENGLISH_MAX_ACCENTED


def _prefer_cp1252(content: bytes, text: str, codec: str) -> tuple[str, str]:
    """``(text, codec)``, or windows-1252 instead when the page reads as English and 1252 fits it better."""
    if codec == "cp1252" or not _single_byte(codec):
        return text, codec
    try:
        western = content.decode("cp1252")
    except UnicodeDecodeError:
        return text, codec
    if _englishlike(western) and _strange(western) < _strange(text):
        return western, "cp1252"
    return text, codec


def decode_html(content: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page, returning ``(text, encoding)``.

    UTF-8 first (a page that decodes as UTF-8 almost surely is), then the charset the header or a
    ``<meta>`` declares (latin-1 and ascii read as windows-1252, as browsers do), then
    charset-normalizer's best guess. A page that lies ("utf-8" on windows-1252 bytes) or says nothing
    ends in detection; a single-byte declaration or guess other than windows-1252 (iso-8859-2, cp1250,
    mac-latin2 ...) gives way to windows-1252 when the text reads as English and windows-1252 explains
    its bytes better, so ``£40`` never becomes ``Ł40``.
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
                text = content.decode(codec)
            except UnicodeDecodeError:
                continue
            return _prefer_cp1252(content, text, codec)
    best = charset_normalizer.from_bytes(content[:200_000]).best()
    if best is not None and best.encoding:
        try:
            return _prefer_cp1252(content, content.decode(best.encoding), codecs.lookup(best.encoding).name)
        except (UnicodeDecodeError, LookupError):
            pass
    return content.decode("cp1252", errors="replace"), "cp1252"


# -- decompression with a cap ---------------------------------------------------------------------
def _decompressed(chunks: Iterable[bytes], encoding: str, cap: int, url: str, truncate: bool = False) -> bytes:
    """Decode a Content-Encoding stream, stopping as soon as the output passes ``cap`` bytes.

    Past the cap: :class:`TooLarge`, or with ``truncate`` the first ``cap`` bytes (robots.txt).
    """
    encoding = (encoding or "identity").strip().lower()
    out = bytearray()
    if encoding in ("", "identity", "none"):
        for chunk in chunks:
            out += chunk
            if len(out) > cap:
                if truncate:
                    return bytes(out[:cap])
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
                    if truncate:
                        return bytes(out[:cap])
                    raise TooLarge(url, f"response decompresses to more than {cap} bytes (a decompression bomb?)")
                buf = d.unconsumed_tail
        except zlib.error as exc:
            raise FetchError(url, f"corrupt {encoding} body: {exc}", retryable=True) from None
    if d is not None:
        out += d.flush()
        if len(out) > cap:
            if truncate:
                return bytes(out[:cap])
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


# -- robots.txt -----------------------------------------------------------------------------------
def robots_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against: ``softleft`` of ``softleft/0.1 (+...)``."""
    return user_agent.split("/", 1)[0].strip() or user_agent


@dataclass
class RobotsRules:
    """What one host's robots.txt says to our user agent.

    Parsed by Protego (RFC 9309): ``*`` and ``$`` wildcards, longest match wins, fractional
    ``Crawl-delay``, ``Request-rate`` and ``Sitemap`` lines. ``crawl_delay`` is the larger of the
    Crawl-delay and the interval a Request-rate implies.
    """

    parser: Protego | None = None
    agent: str = "*"
    disallow_all: bool = False
    crawl_delay: float = 0.0
    sitemaps: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str, user_agent: str) -> "RobotsRules":
        """Rules from a robots.txt body (already cut to :data:`ROBOTS_MAX_BYTES`)."""
        agent = robots_token(user_agent)
        parser = Protego.parse(text)
        delay = parser.crawl_delay(agent) or 0.0
        rate = parser.request_rate(agent)
        if rate and rate.requests:
            delay = max(delay, rate.seconds / rate.requests)
        return cls(parser=parser, agent=agent, crawl_delay=max(0.0, float(delay)),
                   sitemaps=tuple(parser.sitemaps))

    def allows(self, url: str) -> bool:
        if self.disallow_all:
            return False
        return self.parser is None or self.parser.can_fetch(url, self.agent)


def _robots_text(content: bytes, truncated: bool) -> str:
    """robots.txt bytes as text; a body cut at the size limit loses its last, partial line."""
    if truncated:
        content = content[:content.rfind(b"\n") + 1] if b"\n" in content else b""
    return content.decode("utf-8", errors="replace").lstrip("\ufeff")


# -- a deadline over each request's whole duration ---------------------------------------------------
class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write is cut short at the calling thread's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, backend: "_DeadlineBackend"):
        self._stream, self._backend = stream, backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._backend.remaining(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._backend.remaining(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(ssl_context, server_hostname,
                                        self._backend.remaining(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(stream, self._backend)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend with a per-thread wall-clock deadline (httpx's timeouts are per read).

    A server that sends its headers or its body a byte a second never trips a per-read timeout; here
    every socket operation waits at most until the deadline :meth:`Fetcher._request` set, so one
    request never outlives ``timeout`` seconds however its bytes trickle in.
    """

    def __init__(self, address_for: Callable[[str, int], str] | None = None) -> None:
        self._inner = httpcore.SyncBackend()
        self._local = threading.local()
        #: ``address_for(host, port)``: the checked address to open the socket to (raises BlockedAddress).
        self._address_for = address_for

    def set_deadline(self, deadline: float | None) -> None:
        self._local.deadline = deadline

    def remaining(self, timeout: float | None, error: type[Exception]) -> float | None:
        deadline = getattr(self._local, "deadline", None)
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise error("request exceeded its total time limit")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options=None) -> httpcore.NetworkStream:
        if self._address_for is not None:
            host = self._address_for(host, port)  # resolved and checked once; the socket goes there
        stream = self._inner.connect_tcp(host, port, self.remaining(timeout, httpcore.ConnectTimeout),
                                         local_address=local_address, socket_options=socket_options)
        return _DeadlineStream(stream, self)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options=None) -> httpcore.NetworkStream:  # pragma: no cover
        stream = self._inner.connect_unix_socket(path, self.remaining(timeout, httpcore.ConnectTimeout),
                                                 socket_options=socket_options)
        return _DeadlineStream(stream, self)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _deadline_transport(limits: httpx.Limits, address_for: Callable[[str, int], str] | None = None
                        ) -> tuple[httpx.HTTPTransport, _DeadlineBackend | None]:
    """An httpx transport whose sockets obey :class:`_DeadlineBackend` (None if httpx's insides moved)."""
    transport = httpx.HTTPTransport(limits=limits)
    pool = getattr(transport, "_pool", None)
    if pool is None or not hasattr(pool, "_network_backend"):
        log.debug("httpx has no replaceable network backend; the total time limit is checked between chunks only")
        return transport, None
    backend = _DeadlineBackend(address_for)
    pool._network_backend = backend
    return transport, backend


# -- per-host state -------------------------------------------------------------------------------
class _Host:
    """One host's lock, clock and robots.txt."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.robots_lock = threading.Lock()
        self.next_time = 0.0
        self.robots: RobotsRules | None = None
        self.robots_error: FetchError | None = None


class Fetcher:
    """A polite HTTP client shared by every outlet (and every thread) of a crawl.

    Parameters
    ----------
    config : FetchConfig
    transport : httpx.BaseTransport, optional
        For tests that need no sockets.
    sleep : callable
        ``time.sleep``; injectable.
    resolver : callable, optional
        ``socket.getaddrinfo``; injectable (tests stub DNS answers).

    Notes
    -----
    Each host has a lock held for the whole of one fetch (retries included), so one host never sees
    two requests at once, while threads fetching from different hosts run side by side. Each request
    (connection, headers and body together) ends after ``config.timeout`` seconds at most.
    """

    def __init__(self, config: FetchConfig | None = None, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep, resolver: Callable[..., list] = socket.getaddrinfo):
        self.config = config or FetchConfig()
        self._sleep = sleep
        self._resolver = resolver
        self._trusted = {h.lower().strip("[]") for h in self.config.trusted_hosts}
        # Addresses are checked where sockets are opened; with a transport of the caller's, nothing is opened.
        self._check_unpinned = False
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self.requests = 0
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=16)
        self._deadlines: _DeadlineBackend | None = None
        if transport is None:
            transport, self._deadlines = _deadline_transport(limits, self._address_for)
            self._check_unpinned = self._deadlines is None
        self.client = httpx.Client(
            timeout=httpx.Timeout(self.config.timeout, connect=min(10.0, self.config.timeout)),
            follow_redirects=False, transport=transport,
            headers={"User-Agent": self.config.user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=limits,
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
        base = getattr(scope, "base_url", None)
        if base and base != getattr(scope, "public_base", base):
            self.trust(base)  # the user named this host (--base-url): a local mirror may be on a private address
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
        return host.robots.allows(url)

    def robots_sitemaps(self, url: str) -> list[str]:
        """Sitemap URLs that robots.txt of ``url``'s host lists."""
        try:
            self.robots_allows(url)
        except FetchError:
            return []
        robots = self._host(url).robots
        return list(robots.sitemaps) if robots else []

    def trust(self, url_or_host: str) -> None:
        """Connect to this host whatever its address (the user named it, e.g. with ``--base-url``)."""
        host = urlsplit(url_or_host).hostname if "://" in url_or_host else url_or_host
        if host:
            self._trusted.add(host.lower().strip("[]"))

    # -- internals ---------------------------------------------------------------------------
    def _address_for(self, host: str, port: int) -> str:
        """The address to open a socket to for ``host``: the host itself when trusted, else its one checked
        DNS answer. :class:`BlockedAddress` when any answer is private, loopback, link-local or reserved."""
        name = host.lower().strip("[]")
        if name in self._trusted:
            return host
        kind = non_public_address(name)
        if kind:
            raise blocked(host, name, kind)
        try:
            infos = self._resolver(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        addresses = [str(info[4][0]) for info in infos]
        for address in addresses:
            if (kind := non_public_address(address)) is not None:
                raise blocked(host, address, kind)
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}: no address")
        return addresses[0]

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
        agent = self.config.user_agent
        try:
            page = self._fetch_robots(robots_url)
        except BlockedAddress as exc:
            host.robots_error = exc
            return
        except (HostUnreachable, FetchError) as exc:
            if isinstance(exc, HostUnreachable) or exc.status is None:
                host.robots_error = HostUnreachable(
                    url, f"cannot reach {parts.netloc} ({exc.reason}); check the address or your network")
                return
            rules = RobotsRules(disallow_all=True)  # 5xx after retries: RFC 9309 says assume complete disallow
        else:
            if page.ok:
                if page.truncated:
                    log.info("%s: robots.txt is over %d bytes; its first %d bytes are obeyed",
                             parts.netloc, ROBOTS_MAX_BYTES, ROBOTS_MAX_BYTES)
                rules = RobotsRules.parse(_robots_text(page.content, page.truncated), agent)
            elif 500 <= page.status:
                rules = RobotsRules(disallow_all=True)
            else:  # 4xx (robots.txt missing): everything allowed
                rules = RobotsRules()
        host.robots = rules
        if rules.crawl_delay:
            log.info("%s asks for a crawl delay of %.2gs", parts.netloc, rules.crawl_delay)
            with host.lock:  # the delay counts from the robots.txt request itself
                host.next_time = max(host.next_time, time.monotonic() + rules.crawl_delay)

    def _fetch_robots(self, robots_url: str) -> Page:
        """robots.txt, following up to 5 redirects that stay on the same host name (www. aside)."""
        same = (urlsplit(robots_url).hostname or "").lower().removeprefix("www.")
        url = robots_url
        for _ in range(5):
            page = self._fetch_one(url, {"Accept": "text/plain,*/*;q=0.5"}, cap=ROBOTS_MAX_BYTES, truncate=True)
            location = page.headers.get("location")
            if page.status not in REDIRECT_STATUSES or not location:
                return page
            target = urljoin(url, location.strip())
            if (urlsplit(target).hostname or "").lower().removeprefix("www.") != same:
                return page  # robots.txt elsewhere: treated as missing (everything allowed)
            url = target
        return page

    def _fetch_one(self, url: str, headers: dict[str, str], cap: int | None = None, truncate: bool = False) -> Page:
        """One URL, no redirects followed, retried on 429/5xx/connection errors; host-locked.

        ``cap`` bytes at most (``config.max_bytes`` by default): more is :class:`TooLarge`, or with
        ``truncate`` a page cut at ``cap`` whose ``truncated`` is true.
        """
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
                    page = self._request(url, headers, cap, truncate)
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
                    crawl_delay = host.robots.crawl_delay if host.robots is not None else 0.0
                    host.next_time = time.monotonic() + max(cfg.delay, crawl_delay)
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

    def _request(self, url: str, headers: dict[str, str], cap: int | None = None, truncate: bool = False) -> Page:
        cfg = self.config
        cap = cfg.max_bytes if cap is None else cap
        with self._stats_lock:
            self.requests += 1
        deadline = time.monotonic() + cfg.timeout
        timed_out = f"timed out after {cfg.timeout:g}s"
        if self._deadlines is not None:
            self._deadlines.set_deadline(deadline)
        try:
            try:
                if self._check_unpinned:  # httpx's sockets could not be wrapped: check before sending
                    parts = urlsplit(url)
                    self._address_for(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
                request = self.client.build_request("GET", url, headers=headers)
                response = self.client.send(request, stream=True)
            except BlockedAddress as exc:
                raise BlockedAddress(url, exc.reason) from None
            except httpx.ConnectError as exc:
                raise FetchError(url, f"connection failed: {exc}", retryable=True) from None
            except httpx.TimeoutException:
                raise FetchError(url, timed_out, retryable=True) from None
            except httpx.TransportError as exc:
                raise FetchError(url, f"connection error: {exc or type(exc).__name__}", retryable=True) from None
            except httpx.InvalidURL as exc:
                raise FetchError(url, f"invalid URL: {exc}") from None
            try:
                length = response.headers.get("content-length", "")
                if not truncate and length.isdigit() and int(length) > cap:
                    raise TooLarge(url, f"response of {length} bytes is over the {cap}-byte limit")
                content, truncated = b"", False
                if response.status_code not in REDIRECT_STATUSES and response.status_code != 304:
                    content = _decompressed(self._raw(response, deadline, url, timed_out),
                                            response.headers.get("content-encoding", ""), cap, url, truncate)
                    truncated = truncate and len(content) >= cap
                log.debug("GET %s -> %d (%d bytes)", url, response.status_code, len(content))
                return Page(url=url, final_url=url, status=response.status_code,
                            headers={k.lower(): v for k, v in response.headers.items()}, content=content,
                            truncated=truncated)
            except httpx.TimeoutException:
                raise FetchError(url, timed_out, retryable=True) from None
            except httpx.TransportError as exc:
                raise FetchError(url, f"body cut short: {exc or type(exc).__name__}", retryable=True) from None
            finally:
                response.close()
        finally:
            if self._deadlines is not None:
                self._deadlines.set_deadline(None)

    @staticmethod
    def _raw(response: httpx.Response, deadline: float, url: str, timed_out: str) -> Iterator[bytes]:
        for chunk in response.iter_raw(65536):
            if time.monotonic() > deadline:
                raise FetchError(url, timed_out, retryable=True)
            yield chunk
