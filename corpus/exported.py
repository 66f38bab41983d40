"""Reading softleft's own export back, exactly: ``corpus export`` → ``corpus import`` → ``corpus export``
gives the same records, and into the same corpus every one is a duplicate.

An export is recognised by its columns (every column :data:`EXPORTED` names), not by its file name. Its
fields go back where they came from: the article's own label (``label``; ``tendency`` and ``label_level``
are what the labels in force resolve, and are worked out again), ``section``, ``tags``, the provenance
(``source``, ``canonical_url``, ``fetched_at``, ``scraper_version``, ``paywalled``) and ``metadata`` itself,
never nested in a second ``metadata``. ``id`` and ``word_count`` follow from the text and URL, as they did.

A CSV export says that its cells are guarded against spreadsheet formulas: its ``formula_guard`` column holds
the guard ``'`` that was put before every cell starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage
return or ``'`` itself (:func:`corpus.output.guard_cell`), and import takes it off again. Lists (authors,
tags) are joined with ``"; "`` unless a name holds a ``;``, when the cell is a JSON list instead.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from .dates import DateParseError, future_date_problem, parse_date
from .labels import normalise_tendency
from .models import SOURCES, Article
from .output import FORMULA_PREFIXES, GUARD
from .readers import BadRecord

#: The columns of every softleft export (JSON lines, CSV, Parquet) since the first one.
EXPORTED = frozenset({"id", "outlet", "tendency", "label_level", "title", "authors", "published", "section", "tags",
                      "url", "canonical_url", "word_count", "paywalled", "source", "fetched_at", "scraper_version",
                      "metadata", "text"})
#: The column a CSV export adds: the guard put before formula-like cells (so import can take it off).
GUARD_COLUMN = "formula_guard"
#: Fields recomputed on import (from the text, the URL and the labels in force): never kept as metadata.
_DERIVED = frozenset({"id", "word_count", "tendency", "label_level", GUARD_COLUMN})
_TEXTS = ("title", "url", "canonical_url", "section", "fetched_at", "scraper_version")


def export_layout(columns: Iterable[str]) -> str | None:
    """How a file with these columns was written: ``"guarded"`` (a CSV export that says its cells are
    guarded), ``"export"`` (any other softleft export), or None (not an export)."""
    names = set(columns)
    if not EXPORTED <= names:
        return None
    return "guarded" if GUARD_COLUMN in names else "export"


def join_names(names: Iterable[str]) -> str:
    """Authors or tags in one CSV cell: ``"A; B"``, or a JSON list when a name holds ``;`` (or starts with
    ``[``), so that :func:`split_names` gives back exactly these names."""
    names = list(names)
    if any(";" in n or n.startswith("[") for n in names):
        return json.dumps(names, ensure_ascii=False)
    return "; ".join(names)


def split_names(value: Any) -> list[str]:
    """The names in a cell :func:`join_names` wrote, or in a list; a JSON list of strings is read as one."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value]
    text = str(value)
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(v, str) for v in parsed):
            return [v.strip() for v in parsed]
    return [name.strip() for name in text.split(";")]


def unguard(record: dict[str, Any], layout: str) -> dict[str, Any]:
    """A CSV export's record with the formula guard taken off its cells.

    ``"guarded"``: every cell starting with the row's guard loses one. An export written before the guard
    was reversible (no ``formula_guard`` column) only ever put ``'`` before a formula-like cell, so there a
    ``'`` is taken off only when a formula character follows it.
    """
    if layout == "guarded":
        guard = record.get(GUARD_COLUMN) or ""
        if not guard:
            return record  # a row someone added by hand, unguarded
        return {k: v[len(guard):] if isinstance(v, str) and v.startswith(guard) and k != GUARD_COLUMN else v
                for k, v in record.items()}
    return {k: v[1:] if isinstance(v, str) and v.startswith(GUARD) and v[1:2] and v[1:].startswith(FORMULA_PREFIXES)
            else v for k, v in record.items()}


def _text(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRecord(f"field {name!r} holds a {type(value).__name__}, not text")
    return value


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, "", 0, "0"):
        return False
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no", "1"):
        return value.strip().lower() in ("true", "yes", "1")
    if isinstance(value, int):
        return bool(value)
    raise BadRecord(f"field 'paywalled' holds {value!r}, not true or false")


def _metadata(value: Any) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise BadRecord(f"field 'metadata' is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise BadRecord(f"field 'metadata' holds a {type(value).__name__}, not an object")
    return value


def exported_to_article(record: Mapping[str, Any], outlet: str | None = None, tendency: str | None = None,
                        label_field: str | None = None) -> Article:
    """The :class:`Article` a softleft export's record was written from; :class:`BadRecord` with the reason.

    Parameters
    ----------
    record : mapping
        One record of an export (a CSV record already :func:`unguard`-ed).
    outlet : str, optional
        Overrides the record's outlet (``--outlet``).
    tendency : str, optional
        The label of records that carry none of their own (``--tendency``).
    label_field : str, optional
        Take the label from this field instead (``--label-field``).
    """
    text = _text(record.get("text"), "text")
    if text is None or not text.strip():
        raise BadRecord("empty text in field 'text'")
    if label_field is not None:
        label = record.get(label_field)
    elif "label" in record:
        label = record["label"]
    else:  # an export from before the label column: the resolved tendency, where the article's own label decided
        label = record.get("tendency") if record.get("label_level") == "article" else None
    label = normalise_tendency(label) if label not in (None, "") else tendency
    published = _text(record.get("published"), "published")
    if published is not None:
        try:
            parse_date(published)
        except DateParseError as exc:
            raise BadRecord(str(exc)) from None
        if (problem := future_date_problem(published)) is not None:
            raise BadRecord(problem)
    source = record.get("source") or "imported"
    if source not in SOURCES:
        raise BadRecord(f"field 'source' is {source!r}, not one of {', '.join(SOURCES)}")
    extra = {str(k): v for k, v in record.items() if k not in EXPORTED and k not in _DERIVED and k != "label"}
    return Article(
        outlet=str(outlet or record.get("outlet") or "imported"),
        text=text,
        authors=tuple(split_names(record.get("authors"))),
        tags=tuple(split_names(record.get("tags"))),
        published=published,
        paywalled=_flag(record.get("paywalled")),
        label=label,
        source=source,
        metadata={**_metadata(record.get("metadata")), **extra},
        **{name: _text(record.get(name), name) for name in _TEXTS},
    )
