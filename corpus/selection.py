"""One selection of articles, built by every command's filters.

A :class:`Selection` is a plain, frozen value: outlets, resolved tendencies, authors and a date range.
:meth:`Selection.filters` gives the keyword filters of :meth:`corpus.store.CorpusStore.articles` (and of
``nlp.load_documents``); :meth:`Selection.check` refuses a value that matches nothing in the corpus and
lists the values it knows, so a typo is never a silent empty result.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .errors import SelectionError

_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
MAX_LISTED = 25


def _is_date(value: str) -> bool:
    """An ISO year, month or day that exists on the calendar (not 2024-13-01, not 2023-02-29)."""
    import datetime

    if not _ISO.match(value):
        return False
    parts = [int(x) for x in value.split("-")] + [1, 1]
    try:
        datetime.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


def _tuple(values: Iterable[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,)
    return tuple(v for v in values if v)


@dataclass(frozen=True)
class Selection:
    """Which articles an analysis reads.

    Parameters
    ----------
    outlet, tendency, author : tuple of str
        Any of these outlets / resolved tendencies / authors (empty: no restriction).
    since, until : str, optional
        ISO dates (``2024``, ``2024-03`` or ``2024-03-31``), inclusive.
    limit : int, optional
    """

    outlet: tuple[str, ...] = ()
    tendency: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    limit: int | None = None

    @classmethod
    def build(cls, outlet: Iterable[str] | str | None = None, tendency: Iterable[str] | str | None = None,
              author: Iterable[str] | str | None = None, since: str | None = None, until: str | None = None,
              limit: int | None = None) -> "Selection":
        """A selection from loose values (a single string or a list each), with the dates checked."""
        for name, value in (("--since", since), ("--until", until)):
            if value is not None and not _is_date(str(value)):
                raise SelectionError(f"{name} {value!r} is not a date: use an ISO date such as 2024-03-31 "
                                     "(or a year, 2024, or a month, 2024-03)")
        if since and until and str(since) > str(until):
            raise SelectionError(f"--since {since} is after --until {until}: swap them")
        if until and len(str(until)) < 10:  # a year or a month: up to its last day
            until = str(until) + ("-12-31" if len(str(until)) == 4 else "-31")
        return cls(_tuple(outlet), _tuple(tendency), _tuple(author), since or None, until or None, limit)

    def filters(self) -> dict[str, Any]:
        """Keyword filters for ``store.articles()`` / ``store.count()`` / ``nlp.load_documents()``."""
        out: dict[str, Any] = {"outlet": list(self.outlet) or None, "tendency": list(self.tendency) or None,
                               "author": list(self.author) or None, "since": self.since, "until": self.until,
                               "limit": self.limit}
        return {k: v for k, v in out.items() if v is not None}

    def is_empty(self) -> bool:
        return not self.filters()

    def describe(self) -> str:
        """In words, for a report's subtitle or a log line ("all articles" when nothing is chosen)."""
        parts = []
        for name, values in (("outlet", self.outlet), ("tendency", self.tendency), ("author", self.author)):
            if values:
                parts.append(f"{name} {', '.join(values)}")
        if self.since or self.until:
            parts.append(f"{self.since or '…'} to {self.until or '…'}")
        return "; ".join(parts) or "all articles"

    def check(self, store: Any) -> "Selection":
        """Refuse values that match no article; returns the selection with authors in their stored spelling.

        Raises
        ------
        SelectionError
            Naming the unknown value and listing the known ones with their article counts.
        """
        if self.outlet:
            _check("outlet", self.outlet, store.outlet_counts())
        if self.tendency:
            _check("tendency", self.tendency, store.stats()["by_tendency"])
        author = self.author
        if author:
            known = store.author_counts()
            folded = {k.casefold(): k for k in known}
            _check("author", [folded.get(a.casefold(), a) for a in author], known)
            author = tuple(folded[a.casefold()] for a in author)
        return Selection(self.outlet, self.tendency, author, self.since, self.until, self.limit)


def _check(kind: str, values: Iterable[str], known: Mapping[str, int]) -> None:
    for value in values:
        if value not in known:
            ranked = sorted(known.items(), key=lambda kv: (-kv[1], kv[0]))
            listing = ", ".join(f"{k} ({n})" for k, n in ranked[:MAX_LISTED])
            if len(ranked) > MAX_LISTED:
                listing += f" and {len(ranked) - MAX_LISTED} more"
            plural = {"tendency": "tendencies"}.get(kind, kind + "s")
            raise SelectionError(f"Unknown {kind} {value!r}; known {plural} (articles): {listing or 'none'}")
