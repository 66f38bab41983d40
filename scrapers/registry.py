"""The outlet registry: ``get_scraper(name)`` and ``list_outlets()``.

Built-in outlets are modules in :mod:`scrapers.outlets`; more come from TOML: the shipped
``scrapers/outlets.toml``, then a user file (``SOFTLEFT_OUTLETS`` or an explicit path). A TOML entry
named like a built-in outlet corrects that outlet's facts.
"""
from __future__ import annotations

import importlib
import os
from corpus.tomlfile import read_toml
from dataclasses import fields
from pathlib import Path
from typing import Any

from .base import OutletSpec, Scraper, Selectors
from .errors import OutletConfigError, UnknownOutletError
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


def _normalise_entry(key: str, entry: Any, origin: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise OutletConfigError(f"{origin}: [outlets.{key}] must be a table of settings")
    out: dict[str, Any] = {}
    for k, v in entry.items():
        k = _ALIASES.get(k, k)
        if k == "selectors":
            if not isinstance(v, dict):
                raise OutletConfigError(f"{origin}: outlets.{key}.selectors must be a table")
            bad = set(v) - _SELECTOR_FIELDS
            if bad:
                raise OutletConfigError(f"{origin}: unknown selector(s) {', '.join(sorted(bad))} in outlets.{key}; "
                                        f"known: {', '.join(sorted(_SELECTOR_FIELDS))}")
            out["selectors"] = {s: (x,) if isinstance(x, str) else tuple(x) for s, x in v.items()}
            continue
        if k not in _SPEC_FIELDS or k == "name":
            raise OutletConfigError(f"{origin}: unknown key {k!r} in [outlets.{key}]; known: domain, name, tendency, "
                                    "feed, sitemap, wp_api, archive, article_patterns, trailing_slash, strip_www, selectors")
        if k in _TUPLES:
            v = (v,) if isinstance(v, str) else tuple(v)
        out[k] = v
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
    return out


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
