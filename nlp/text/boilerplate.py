"""Boilerplate lines: what an outlet repeats across many of its articles, dropped from the terms.

Headers, footers, sign-offs, datelines and database codes on a line of their own ("GRDN", "Guardian News &
Media Ltd", "Follow us on Twitter", "This article first appeared in ...") say which outlet printed an
article, not what it argues. A classifier or a contrast over outlets' articles finds them first. So the
lines an outlet repeats across many of its articles are dropped from the terms every analysis sees; the
stored text stays whole (``kwic``, exports and the report's examples show it as written).

A *line* is a paragraph of an article's cached terms (the text between two line breaks, after lemmas, stop
words, numbers and punctuation are gone), so "Copyright 2019 Guardian News & Media Ltd" and "Copyright 2021
Guardian News and Media Ltd" are the same line. A line is **boilerplate of outlet O** when it occurs in at
least :data:`MIN_DOCS` of O's articles *and* in at least :data:`MIN_SHARE` of them. Only articles of two
lines or more are counted and stripped: a header or a footer is what an article carries besides its text,
and an article of one line has only its text (if that line repeats, the article is a copy, which is
another matter). This is line-level
deduplication as CCNet does it for web text (Wenzek et al. 2020: normalised paragraphs repeated across a
shard are navigation, cookie notices and contact details), but per outlet, since a house template is what
repeats, and with a floor so that one quotation repeated in two articles stays.

:func:`nlp.text.preprocess.preprocess_corpus` counts the lines as it caches terms (:class:`LineCounts`),
keeps the boilerplate as corpus state (:class:`Boilerplate`, beside the collocations, which are fitted
without it), and :func:`nlp.text.preprocess.iter_terms` drops it whenever terms are read.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence

from corpus.analyses import get_state

__all__ = ["MIN_DOCS", "MIN_SHARE", "LineCounts", "Boilerplate", "paragraphs"]

BOILERPLATE_KEY = "boilerplate"
#: A boilerplate line occurs in at least this many of its outlet's articles (the minimum support of a finding)...
MIN_DOCS = 5
#: ... and in at least this share of them (one article in twenty: a template, not a quotation).
MIN_SHARE = 0.05
#: Distinct lines counted before the rarest are pruned (memory follows this, not the corpus).
MAX_LINES = 1_000_000
#: The paragraph mark of the cached terms (``nlp.text.collocations.PARAGRAPH``), repeated here to keep
#: this module free of the preprocessing imports.
PARAGRAPH = "\u00b6"


def paragraphs(terms: Sequence[str]) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` of each paragraph of a cached term list (split at the paragraph marks).

    Scans for the marks with ``list.index`` (C speed): the Python work is per paragraph, not per term.
    """
    terms = terms if isinstance(terms, list) else list(terms)
    start, n = 0, len(terms)
    while start < n:
        try:
            stop = terms.index(PARAGRAPH, start)
        except ValueError:
            stop = n
        if stop > start:
            yield start, stop
        start = stop + 1


class LineCounts:
    """How many of each outlet's articles use each line: the counts :class:`Boilerplate` is decided from.

    Lines are counted by a hash of their terms (no copy of the corpus' text is kept); a line's terms are
    kept once it is seen in two articles. Past ``max_lines`` distinct lines the rarest are pruned, as
    gensim prunes a vocabulary: a line repeated in one article in twenty survives any pruning long before
    it matters.
    """

    def __init__(self, max_lines: int = MAX_LINES):
        self.documents: Counter = Counter()  # outlet -> articles
        self.df: Counter = Counter()  # (outlet, line hash) -> articles that have the line
        self.repeats: Counter = Counter()  # (outlet, line hash) -> occurrences beyond the first in an article
        self.lines: dict[tuple[str, int], tuple[str, ...]] = {}
        self.max_lines, self.min_reduce = max_lines, 1

    @property
    def n_docs(self) -> int:
        return sum(self.documents.values())

    def add(self, outlet: str | None, terms: list[str]) -> None:
        """Count one article's lines (``terms``: its cached terms, with paragraph marks); an article of one
        line counts towards its outlet's size only."""
        outlet = outlet or ""
        self.documents[outlet] += 1
        if PARAGRAPH not in terms:
            return
        spans: dict[int, tuple[int, int]] = {}
        seen: Counter = Counter()
        for a, b in paragraphs(terms):
            line = hash(tuple(terms[a:b]))
            seen[line] += 1
            spans.setdefault(line, (a, b))
        for line, n in seen.items():
            key = (outlet, line)
            self.df[key] += 1
            if n > 1:
                self.repeats[key] += n - 1
            if self.df[key] == 2:
                a, b = spans[line]
                self.lines[key] = tuple(terms[a:b])
        if len(self.df) > self.max_lines:
            self.min_reduce += 1
            self.df = Counter({k: n for k, n in self.df.items() if n >= self.min_reduce})
            self.lines = {k: v for k, v in self.lines.items() if k in self.df}
            self.repeats = Counter({k: n for k, n in self.repeats.items() if k in self.df})

    def boilerplate(self, min_docs: int = MIN_DOCS, min_share: float = MIN_SHARE) -> "Boilerplate":
        """The lines used by at least ``min_docs`` and ``min_share`` of their outlet's articles."""
        found: dict[str, dict[tuple[str, ...], tuple[int, int]]] = {}
        for (outlet, line), df in self.df.items():
            if df >= max(min_docs, 2) and df >= min_share * self.documents[outlet]:
                terms = self.lines[(outlet, line)]
                found.setdefault(outlet, {})[terms] = (df, df + self.repeats[(outlet, line)])
        return Boilerplate(found, dict(self.documents), {"min_docs": min_docs, "min_share": min_share})


@dataclass(frozen=True)
class Boilerplate:
    """Each outlet's boilerplate lines, and how to drop them from an article's terms.

    Parameters
    ----------
    lines : mapping of str to mapping of tuple of str to (int, int)
        Outlet -> line (its terms) -> (articles that have it, occurrences in all).
    documents : mapping of str to int
        Articles per outlet when the lines were counted.
    params : dict
        The thresholds (``min_docs``, ``min_share``).
    """

    lines: Mapping[str, Mapping[tuple[str, ...], tuple[int, int]]] = field(default_factory=dict)
    documents: Mapping[str, int] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lengths = {outlet: frozenset(len(line) for line in found) for outlet, found in self.lines.items()}
        object.__setattr__(self, "_lengths", lengths)

    def __len__(self) -> int:
        return sum(len(found) for found in self.lines.values())

    def strip(self, outlet: str | None, terms: list[str]) -> list[str]:
        """``terms`` (cached, with paragraph marks) without the outlet's boilerplate lines; the same list
        when there is nothing to drop, or the article is one line."""
        found = self.lines.get(outlet or "")
        if not found or PARAGRAPH not in terms:
            return terms
        lengths = self._lengths[outlet or ""]  # type: ignore[attr-defined]
        spans = list(paragraphs(terms))
        kept = [(a, b) for a, b in spans if not (b - a in lengths and tuple(terms[a:b]) in found)]
        if len(kept) == len(spans):
            return terms
        out: list[str] = []
        for a, b in kept:
            if out:
                out.append(PARAGRAPH)
            out.extend(terms[a:b])
        return out

    @property
    def fingerprint(self) -> str | None:
        """Changes with the lines and thresholds; None when there are no lines (nothing is dropped)."""
        if not len(self):
            return None
        rows = sorted([outlet, list(line)] for outlet, found in self.lines.items() for line in found)
        return hashlib.sha256(json.dumps([rows, dict(self.params)]).encode()).hexdigest()[:16]

    def summary(self) -> dict[str, Any]:
        """``{"lines", "outlets", "dropped", "min_docs", "min_share"}``: for the preprocessing summary
        (``dropped``: occurrences of the lines, i.e. lines left out of the terms)."""
        return {"lines": len(self), "outlets": sum(1 for found in self.lines.values() if found),
                "dropped": sum(occ for found in self.lines.values() for _, occ in found.values()),
                **dict(self.params)}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (the corpus state), each outlet's lines most used first."""
        return {"outlets": {outlet: {"articles": self.documents.get(outlet, 0),
                                     "lines": [{"terms": list(line), "articles": df, "occurrences": occ}
                                               for line, (df, occ) in sorted(found.items(),
                                                                             key=lambda kv: (-kv[1][0], kv[0]))]}
                            for outlet, found in sorted(self.lines.items())},
                "params": dict(self.params), "fingerprint": self.fingerprint}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Boilerplate":
        lines = {outlet: {tuple(row["terms"]): (int(row["articles"]), int(row["occurrences"]))
                          for row in entry.get("lines", [])}
                 for outlet, entry in data.get("outlets", {}).items()}
        documents = {outlet: int(entry.get("articles", 0)) for outlet, entry in data.get("outlets", {}).items()}
        return cls(lines, documents, dict(data.get("params", {})))

    @classmethod
    def from_store(cls, store: Any, fingerprint: str | None = None) -> "Boilerplate":
        """The corpus' boilerplate (empty when none was found yet, or it was found for other terms than
        those of the preprocessing ``fingerprint``)."""
        state = get_state(store, BOILERPLATE_KEY)
        if not state or (fingerprint is not None and state.get("preprocessor") != fingerprint):
            return cls()
        return cls.from_dict(state)
