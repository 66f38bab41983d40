"""The one record type of the corpus: :class:`Article`."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

SOURCES = ("scraped", "imported", "demo")



#: Two spaces in a row (a compiled search finds them about three times faster than ``"  " in text``).
_SPACES = re.compile("  ")


def collapse_whitespace(text: str) -> tuple[str, int]:
    """``" ".join(text.split())`` and the number of words, without splitting a text that needs no change.

    Most texts are one line, or paragraphs parted by newlines. Once the newlines are spaces, an ASCII text
    with none of the other ASCII separators ``str.split`` knows, no run of spaces and none at either end is
    already collapsed, and its words are its spaces plus one. Those checks are single-character searches
    (``memchr``), so an import's hot path skips building a list of every word; other texts are split.
    """
    if text.isascii():
        line = text.replace("\n\n", " ").replace("\n", " ") if "\n" in text else text
        if not ("\t" in line or "\r" in line or "\x0b" in line or "\x0c" in line or "\x1c" in line
                or "\x1d" in line or "\x1e" in line or "\x1f" in line or _SPACES.search(line)
                or line[:1] == " " or line[-1:] == " "):
            return line, (line.count(" ") + 1 if line else 0)
    words = text.split()
    return " ".join(words), len(words)


def normalise_text(text: str) -> str:
    """Normalise text for duplicate detection: NFKC, case-folded, whitespace collapsed."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return collapse_whitespace(text)[0].casefold()


def text_hash(text: str) -> str:
    """SHA-256 of :func:`normalise_text` (hex), the duplicate key of imported texts."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def count_words(text: str) -> int:
    """Number of whitespace-separated words, as ``wc -w`` counts them."""
    return len(text.split())


def article_id(canonical_url: str | None, text: str) -> str:
    """Stable id: from the canonical URL where there is one, else from the normalised text."""
    if canonical_url:
        return "u" + hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]
    return "h" + text_hash(text)[:16]


@dataclass(frozen=True)
class Article:
    """One article (or speech, manifesto, post) in the corpus.

    Parameters
    ----------
    outlet : str
        Outlet id, e.g. ``"labourlist"``; imported texts without an outlet get ``"imported"``.
    text : str
        Body text without boilerplate.
    title, url, canonical_url, section : str, optional
    authors : tuple of str
        Bylines in order.
    published : str, optional
        ISO 8601 date or datetime (timezone-aware where the source says so).
    tags : tuple of str
    paywalled : bool
        True when only a teaser could be collected.
    label : str, optional
        A hand-coded tendency label for this article (most specific level of label resolution).
    source : {"scraped", "imported", "demo"}
    fetched_at, scraper_version : str, optional
        Provenance of scraped articles.
    metadata : dict
        Free metadata (JSON-serialisable).
    """

    outlet: str
    text: str
    title: str | None = None
    url: str | None = None
    canonical_url: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    paywalled: bool = False
    label: str | None = None
    source: str = "imported"
    fetched_at: str | None = None
    scraper_version: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    #: The id under which the store holds the article (set when read back from a store).
    stored_id: str | None = field(default=None, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {self.source!r}")
        # Accept lists from callers but store immutable tuples.
        object.__setattr__(self, "authors", tuple(a for a in self.authors if a))
        object.__setattr__(self, "tags", tuple(t for t in self.tags if t))

    @property
    def id(self) -> str:
        if self.stored_id:
            return self.stored_id
        if self.source == "scraped" and self.canonical_url:
            return article_id(self.canonical_url, "")
        return "h" + self.content_hash[:16]

    @property
    def _digest(self) -> tuple[str, int]:
        """The text's duplicate key and word count, from one pass over its words (computed once; a plain
        attribute rather than ``functools.cached_property``, whose lock costs as much as the hash)."""
        try:
            return self.__dict__["_digest_value"]
        except KeyError:
            pass
        text = self.text if self.text.isascii() else unicodedata.normalize("NFKC", self.text)
        collapsed, words = collapse_whitespace(text)
        value = (hashlib.sha256(collapsed.casefold().encode("utf-8")).hexdigest(), words)
        self.__dict__["_digest_value"] = value
        return value

    def identity(self) -> tuple[str, str, int]:
        """``(id, content_hash, word_count)`` with one look at the cached digest (the store's write path)."""
        digest, words = self._digest
        special = self.stored_id or (self.source == "scraped" and self.canonical_url)
        return (self.id if special else "h" + digest[:16]), digest, words

    @property
    def content_hash(self) -> str:
        return self._digest[0]

    @property
    def word_count(self) -> int:
        return self._digest[1]

    @property
    def year(self) -> int | None:
        return int(self.published[:4]) if self.published and self.published[:4].isdigit() else None

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["authors"] = list(self.authors)
        d["tags"] = list(self.tags)
        d.pop("stored_id", None)
        d["id"] = self.id
        d["word_count"] = self.word_count
        return d

    def replace(self, **changes: Any) -> "Article":
        return dataclasses.replace(self, **changes)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
