"""The outlet registry: ``get_scraper(name)`` and ``list_outlets()``.

Built-in outlets are modules in :mod:`scrapers.outlets`; more come from TOML: the shipped
``scrapers/outlets.toml``, then a user file (``SOFTLEFT_OUTLETS`` or an explicit path). A TOML entry
named like a built-in outlet corrects that outlet's facts.
"""
from __future__ import annotations

import difflib
import functools
import importlib
import os
import re
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cssselect import SelectorError

from corpus.tomlfile import read_toml

from .base import OutletSpec, Scraper, Selectors
from .errors import OutletConfigError, UnknownOutletError
from .extract import compile_selector
from .outlets import BUILTIN

SHIPPED_CONFIG = Path(__file__).with_name("outlets.toml")
_SPEC_FIELDS = {f.name for f in fields(OutletSpec)}
_SELECTOR_FIELDS = {f.name for f in fields(Selectors)}
_ALIASES = {"feed": "feeds", "sitemap": "sitemaps", "name": "display_name", "domains": "extra_domains",
            "article_pattern": "article_patterns"}
_TUPLES = {"feeds", "sitemaps", "archive", "article_patterns", "extra_domains", "drop_paragraphs",
           "paywall_phrases", "prefer_selectors"}
#: Defaults for an outlet defined only in TOML: plain WordPress.
WORDPRESS_DEFAULTS: dict[str, Any] = {"feeds": ("/feed/",), "wp_api": True, "archive": ("/", "/page/{n}/"),
                                      "archive_start": 2, "trailing_slash": True}


_STRINGS = {"display_name", "domain", "tendency", "scheme", "platform", "note", "version"}
_BOOLS = {"strip_www", "wp_api", "trailing_slash"}
_INTS = {"archive_start", "max_archive_pages", "min_words"}
_REGEXES = {"article_patterns", "drop_paragraphs", "paywall_phrases"}
_HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$", re.I)
_KNOWN_KEYS = sorted((_SPEC_FIELDS - {"name", "display_name", "extra_domains"}) | set(_ALIASES) | {"selectors"})


def _bare_host(value: str) -> str:
    """What a user probably meant by a domain written as a URL: ``https://www.x.org/a`` -> ``www.x.org``."""
    value = value.strip()
    return (urlsplit(value if "://" in value else "//" + value).hostname or value).strip()


def _address_problem(host: str) -> str | None:
    """What ``host`` is when it is an IPv4 address that is not public ("a link-local address (169.254.169.254)"),
    in any spelling the system's resolver reads as one (``10.0.0.1``, ``127.1``, ``0x7f.0.0.1``, ``2130706433``);
    None for a host name or a public address. Nothing is resolved or connected to."""
    import ipaddress
    import socket

    try:
        packed = socket.inet_aton(host)
    except OSError:
        return None  # a host name (an IPv6 literal is no host name, and was refused before)
    from .addresses import non_public_address

    address = str(ipaddress.IPv4Address(packed))
    kind = non_public_address(address)
    if kind is None:
        return None
    return f"a{'n' if kind[0] in 'aeiou' else ''} {kind} address" + (f" ({address})" if address != host else "")


def _check_value(k: str, v: Any, where: str, written: str) -> Any:
    """``v`` checked (and normalised) for field ``k``; :class:`OutletConfigError` naming the fix."""
    if k in _STRINGS and not isinstance(v, str):
        raise OutletConfigError(f"{where}: {written} must be a string in quotes, not {v!r}")
    if k in _BOOLS and not isinstance(v, bool):
        raise OutletConfigError(f"{where}: {written} must be true or false, not {v!r}")
    if k in _INTS and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
        raise OutletConfigError(f"{where}: {written} must be a whole number such as 2, not {v!r}")
    if k == "scheme" and v not in ("http", "https"):
        raise OutletConfigError(f'{where}: scheme must be "https" or "http", not {v!r}')
    if k in _TUPLES:
        if isinstance(v, str):
            v = (v,)
        if not isinstance(v, (list, tuple)) or not all(isinstance(x, str) for x in v):
            raise OutletConfigError(f'{where}: {written} must be a string or a list of strings, e.g. {written} = '
                                    f'["/feed/"], not {v!r}')
        v = tuple(v)
    for host in ((v,) if k == "domain" else v if k == "extra_domains" else ()):
        if not _HOST.match(host):
            bare = _bare_host(host)
            fix = f'write "{bare}"' if _HOST.match(bare) else 'write it like "example.org"'
            raise OutletConfigError(f'{where}: {written} "{host}" must be a host name such as "example.org" '
                                    f"(no scheme, path or spaces); {fix}")
        if (problem := _address_problem(host)) is not None:
            raise OutletConfigError(f'{where}: {written} "{host}" is {problem}; an outlet must be a public web '
                                    "site, and softleft never fetches from private, loopback, link-local or reserved "
                                    "addresses (to crawl a local mirror, give its URL with --base-url)")
    for pattern in (v if k in _REGEXES else ()):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise OutletConfigError(f"{where}: {written} '{pattern}' is not a valid regular expression ({exc}); "
                                    "fix the pattern (in TOML, write a backslash as \\\\ or use 'single quotes')"
                                    ) from None
    if k == "prefer_selectors":
        bad = [x for x in v if x not in _SELECTOR_FIELDS]
        if bad:
            raise OutletConfigError(f"{where}: prefer_selectors names {', '.join(map(repr, bad))}, which "
                                    f"{'is not a selector' if len(bad) == 1 else 'are not selectors'}; "
                                    f"known: {', '.join(sorted(_SELECTOR_FIELDS))}")
    return v


def _check_selectors(key: str, v: Any, origin: str) -> dict[str, tuple[str, ...]]:
    where = f"{origin}: [outlets.{key}.selectors]"
    if not isinstance(v, dict):
        raise OutletConfigError(f"{origin}: outlets.{key}.selectors must be a table, e.g. "
                                f"[outlets.{key}.selectors] with body = \".entry-content\"")
    bad = set(v) - _SELECTOR_FIELDS
    if bad:
        raise OutletConfigError(f"{origin}: unknown selector(s) {', '.join(sorted(bad))} in outlets.{key}; "
                                f"known: {', '.join(sorted(_SELECTOR_FIELDS))}")
    out = {}
    for name, css in v.items():
        css = [css] if isinstance(css, str) else css
        if not isinstance(css, list) or not all(isinstance(x, str) for x in css):
            raise OutletConfigError(f"{where} {name} must be a CSS selector string or a list of them, "
                                    f"e.g. {name} = [\"h1.title\", \"h1\"], not {v[name]!r}")
        for one in css:
            try:
                compile_selector(one)
            except (SelectorError, ValueError) as exc:
                raise OutletConfigError(f"{where} {name}: '{one}' is not a valid CSS selector ({exc}); "
                                        "fix or remove it") from None
        out[name] = tuple(css)
    return out


def _normalise_entry(key: str, entry: Any, origin: str) -> dict[str, Any]:
    """One ``[outlets.NAME]`` table, every value checked: bad ones raise a one-line error naming the fix."""
    if not isinstance(entry, dict):
        raise OutletConfigError(f"{origin}: [outlets.{key}] must be a table of settings")
    out: dict[str, Any] = {}
    for written, v in entry.items():
        k = _ALIASES.get(written, written)
        if k == "selectors":
            out["selectors"] = _check_selectors(key, v, origin)
            continue
        if k not in _SPEC_FIELDS:
            close = difflib.get_close_matches(written, _KNOWN_KEYS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise OutletConfigError(f"{origin}: unknown key {written!r} in [outlets.{key}]; {hint}"
                                    f"known keys: {', '.join(_KNOWN_KEYS)}")
        out[k] = _check_value(k, v, f"{origin}: [outlets.{key}]", written)
    return out


def load_config(path: str | Path) -> dict[str, dict[str, Any]]:
    """Outlet entries of a TOML file, keyed by outlet name (validated, not yet built)."""
    path = Path(path)
    if not path.exists():
        raise OutletConfigError(f"outlets file {path} does not exist; check SOFTLEFT_OUTLETS or --outlets")
    data = read_toml(path, "outlets file", OutletConfigError, see="scrapers/outlets.toml")
    outlets = data.get("outlets")
    if not isinstance(outlets, dict):
        raise OutletConfigError(f"outlets file {path} has no [outlets.NAME] tables; see scrapers/outlets.toml")
    return {key.lower(): _normalise_entry(key, entry, str(path)) for key, entry in outlets.items()}


def _builtin_spec(name: str) -> tuple[OutletSpec, type[Scraper]]:
    module = importlib.import_module(f"scrapers.outlets.{name}")
    return module.SPEC, getattr(module, "SCRAPER", Scraper)


def specs(config: str | Path | None = None) -> dict[str, tuple[OutletSpec, type[Scraper], str]]:
    """Every known outlet: ``name -> (spec, scraper class, origin)``."""
    out: dict[str, tuple[OutletSpec, type[Scraper], str]] = {}
    for name in BUILTIN:
        spec, cls = _builtin_spec(name)
        out[name] = (spec, cls, "built-in")
    files = [SHIPPED_CONFIG]
    user = config or os.environ.get("SOFTLEFT_OUTLETS")
    if user:
        files.append(Path(user))
    for path in files:
        for name, entry in load_config(path).items():
            origin = "built-in" if path == SHIPPED_CONFIG else str(path)
            if name in out:
                spec, cls, _ = out[name]
                out[name] = (spec.with_overrides(entry), cls, f"{out[name][2]} + {origin}")
                continue
            if "domain" not in entry:
                raise OutletConfigError(f"{path}: [outlets.{name}] needs a domain, e.g. domain = \"example.org\"")
            entry = {**WORDPRESS_DEFAULTS, **entry}
            selectors = entry.pop("selectors", None)
            try:
                spec = OutletSpec(name=name, display_name=entry.pop("display_name", name), **entry)
            except TypeError as exc:
                raise OutletConfigError(f"{path}: bad [outlets.{name}]: {exc}") from None
            if selectors:
                spec = spec.with_overrides({"selectors": selectors})
            out[name] = (spec, Scraper, f"config {path.name}" if path == SHIPPED_CONFIG else str(path))
    return {name: (_with_default_tendency(spec), cls, origin) for name, (spec, cls, origin) in out.items()}


def _with_default_tendency(spec: OutletSpec) -> OutletSpec:
    """An outlet's default tendency lives in one place, the shipped labels file (corpus/default_labels.toml);
    a user's outlets file may still give one for an outlet the labels file does not know."""
    if spec.tendency not in (None, "", "unlabelled"):
        return spec
    label = _default_labels().outlets.get(spec.name)
    return spec.with_overrides({"tendency": label.tendency}) if label else spec


@functools.lru_cache(maxsize=1)
def _default_labels():
    from corpus.labels import LabelSet

    return LabelSet.default()


def get_scraper(name: str, base_url: str | None = None, config: str | Path | None = None) -> Scraper:
    """The scraper for outlet ``name`` (optionally fetching from ``base_url``).

    Raises
    ------
    UnknownOutletError
        With the list of known outlets.
    """
    known = specs(config)
    key = name.strip().lower()
    if key not in known:
        raise UnknownOutletError(f"Unknown outlet {name!r}; known outlets: {', '.join(sorted(known))}")
    spec, cls, _ = known[key]
    if base_url is not None:
        base_url = base_url.strip()
        if not base_url.startswith(("http://", "https://")):
            raise OutletConfigError(f"--base-url must start with http:// or https://, not {base_url!r}")
    return cls(spec, base_url=base_url)


def list_outlets(config: str | Path | None = None) -> list[dict[str, Any]]:
    """One dict per outlet: name, display name, domain, default tendency, platform, where it is defined."""
    rows = []
    for name, (spec, _, origin) in sorted(specs(config).items()):
        rows.append({"name": name, "display_name": spec.display_name, "domain": spec.domain,
                     "tendency": spec.tendency, "platform": spec.platform, "defined_in": origin})
    return rows


def check_outlets(names: list[str] | tuple[str, ...], config: str | Path | None = None) -> list[str]:
    """Normalised outlet names, or :class:`UnknownOutletError` naming the first unknown one."""
    known = specs(config)
    out = []
    for name in names:
        key = name.strip().lower()
        if key not in known:
            raise UnknownOutletError(f"Unknown outlet {name!r}; known outlets: {', '.join(sorted(known))}")
        out.append(key)
    return out
