"""URL canonicalisation: one spelling per article, whatever link led to it."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["canonicalise", "host_of", "netloc_key", "strip_tracking", "TRACKING_PARAMS"]

#: Query parameters that only track the reader (exact names; every ``utm_*`` too).
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid", "mc_cid",
    "mc_eid", "_ga", "_gl", "ref_src", "ref_url", "cmpid", "s_cid", "at_medium", "at_campaign",
    "at_custom1", "at_custom2", "at_custom3", "at_custom4", "ito", "mkt_tok", "oly_anon_id", "oly_enc_id",
    "vero_id", "wt.mc_id", "spm", "__twitter_impression", "amp",
})
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_MULTI_SLASH = re.compile(r"/{2,}")


def _is_tracking(name: str) -> bool:
    n = name.lower()
    return n.startswith("utm_") or n in TRACKING_PARAMS


def strip_tracking(query: str) -> str:
    """Drop tracking parameters; keep the rest sorted so parameter order does not matter."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _is_tracking(k)]
    return urlencode(sorted(pairs))


def netloc_key(url: str) -> str:
    """``host[:port]`` in lower case without a default port: the unit of politeness."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and str(port) != _DEFAULT_PORTS.get(parts.scheme.lower()):
        return f"{host}:{port}"
    return host


def host_of(url: str) -> str:
    """The host name of ``url`` in lower case (no port)."""
    return (urlsplit(url).hostname or "").lower()


def canonicalise(url: str, base: str | None = None, strip_www: bool = False,
                 trailing_slash: bool | None = None) -> str:
    """Return the one spelling of ``url``.

    Lower-cases scheme and host, drops default ports, fragments and tracking parameters (``utm_*``,
    ``fbclid`` ...), sorts the remaining query, collapses repeated slashes, optionally strips ``www.``
    and adds (``True``) or removes (``False``) a trailing slash on the path.
    """
    if base:
        url = urljoin(base, url.strip())
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "https").lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if strip_www and host.startswith("www."):
        host = host[4:]
    netloc = host
    if parts.port and str(parts.port) != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    path = _MULTI_SLASH.sub("/", parts.path or "/")
    last = path.rsplit("/", 1)[-1]
    if trailing_slash is True and not path.endswith("/") and "." not in last:
        path += "/"
    elif trailing_slash is False and path != "/" and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return urlunsplit((scheme, netloc, path, strip_tracking(parts.query), ""))
