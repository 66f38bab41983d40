"""Which addresses the crawler never connects to: private, loopback, link-local and otherwise reserved ones.

A redirect or a DNS answer into the crawling machine's own network (a cloud's metadata service at
``169.254.169.254``, a router at ``10.0.0.1``) is refused by :mod:`scrapers.http` at connect time, and an
outlet whose domain is such an address by :mod:`scrapers.registry` when its outlets file is read. Pure: no
name is resolved here.
"""
from __future__ import annotations

import ipaddress

from .errors import FetchError

__all__ = ["BlockedAddress", "non_public_address", "blocked"]


class BlockedAddress(FetchError):
    """A host that is, or resolves to, a private, loopback, link-local or reserved address: never connected to."""


def non_public_address(address: str) -> str | None:
    """The kind of a non-public IP address (``"loopback"``, ``"link-local"``, ``"private"``, ``"multicast"``,
    ``"unspecified"``, ``"reserved"``), or None for a public one (or a string that is no IP address)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone (fe80::1%eth0) aside
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, flag in (("loopback", ip.is_loopback), ("link-local", ip.is_link_local), ("unspecified", ip.is_unspecified),
                       ("multicast", ip.is_multicast), ("reserved", ip.is_reserved), ("private", ip.is_private),
                       ("reserved", not ip.is_global)):
        if flag:
            return kind
    return None


def blocked(host: str, address: str, kind: str) -> BlockedAddress:
    """The error for ``host`` (at ``address``, of ``kind``), saying how to reach a local mirror instead."""
    via = f"{host} resolves to {address}, " if host != address else f"{host} is "
    return BlockedAddress(host, f"{via}a {kind} address; softleft never fetches from private, loopback, link-local "
                                "or reserved addresses (to crawl a local mirror, name it with --base-url)")
