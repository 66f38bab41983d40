"""Keyword in context: every use of a word or phrase, with the words around it.

Candidate articles come from the store's full-text index (FTS5, stemmed), so only articles that can
contain the keyword are read; the match itself is then made in the article text, case-insensitively, so
that the lines shown are exact. A phrase matches across spaces and hyphens ("soft left", "soft-left"); a
term as the pipeline writes it (``soft_left``) is read as the phrase; ``*`` at the end of a word matches any
ending (``nationalis*``).
"""
from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from typing import Any, Iterator

from nlp.documents import EmptySelectionError, GroupError

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+(?:['’]\w+)*\*?|\*")
_TOKEN = re.compile(r"\S+")


@dataclass
class KwicLine:
    """One occurrence of the keyword."""

    id: str
    title: str | None
    outlet: str
    published: str | None
    tendency: str
    left: str
    match: str
    right: str


def keyword_words(keyword: str) -> list[str]:
    """The words of a keyword: ``"soft_left"`` and ``"Soft-left"`` both give ``["soft", "left"]``."""
    words = _WORD.findall(keyword.replace("_", " ").casefold())
    words = [w for w in words if w != "*"]
    if not words:
        raise GroupError(f"Keyword {keyword!r} has no words to look for; give a word or a phrase")
    return words


def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """A case-insensitive regular expression for the keyword in running text."""
    parts = []
    for w in keyword_words(keyword):
        if w.endswith("*"):
            parts.append(re.escape(w[:-1]) + r"\w*")
        else:
            parts.append(re.escape(w).replace("'", "['’]"))
    return re.compile(r"(?<!\w)" + r"[\s\-–]+".join(parts) + r"(?!\w)", re.IGNORECASE)


def fts_query(keyword: str) -> str:
    """The FTS5 query for candidate articles: the keyword as a phrase on the text column."""
    words = keyword_words(keyword)
    quoted = []
    for w in words:
        star = w.endswith("*")
        body = w.rstrip("*").replace('"', '""')
        quoted.append(f'"{body}"' + ("*" if star else ""))
    return "text : " + (quoted[0] if len(quoted) == 1 else "(" + " + ".join(quoted) + ")")




def concordance(text: str, pattern: re.Pattern[str], window: int = 8) -> Iterator[tuple[str, str, str]]:
    """``(left, match, right)`` for each match in ``text``, with ``window`` words each side."""
    for m in pattern.finditer(text):
        left = _TOKEN.findall(text[max(0, m.start() - 30 * window - 200):m.start()])[-window:] if window else []
        after = text[m.end():m.end() + 30 * window + 200]
        right = _TOKEN.findall(after)[:window] if window else []  # "left's" gives "'s" first: see _gap
        yield " ".join(left), " ".join(m.group(0).split()), " ".join(right)


def kwic(store: Any, keyword: str, window: int = 8, limit: int | None = 50, **filters: Any) -> list[KwicLine]:
    """Keyword-in-context lines for ``keyword`` across the corpus, oldest article first.

    Parameters
    ----------
    store : corpus.store.CorpusStore
    keyword : str
        A word, a phrase ("soft left"), a pipeline term (``soft_left``) or a prefix (``nationalis*``).
    window : int
        Words shown on each side.
    limit : int, optional
        At most this many lines (None: all).
    **filters
        Passed to the article query (``outlet=``, ``tendency=``, ``since=``, ``until=``).

    Raises
    ------
    EmptySelectionError
        When the corpus holds no article at all.
    """
    if window < 0:
        raise GroupError(f"--window must be 0 or more, not {window}")
    pattern = keyword_pattern(keyword)
    if store.count() == 0:
        raise EmptySelectionError("The corpus is empty; import or scrape articles first")
    ids = store.match_ids(fts_query(keyword))
    lines: list[KwicLine] = []
    for start in range(0, len(ids), 200):
        for article in store.articles(ids=ids[start:start + 200], **filters):
            tendency = store.resolve(article)[0]
            for left, match, right in concordance(article.text, pattern, window):
                lines.append(KwicLine(article.id, article.title, article.outlet, article.published, tendency,
                                      left, match, right))
                if limit is not None and len(lines) >= limit:
                    return lines
    log.info("kwic %r: %d candidate articles, %d lines", keyword, len(ids), len(lines))
    return lines


def kwic_dicts(lines: list[KwicLine]) -> list[dict[str, Any]]:
    """Plain dicts (the JSON of ``kwic --json``)."""
    return [asdict(line) for line in lines]


def format_kwic(lines: list[KwicLine], window: int = 8) -> list[str]:
    """Aligned text lines: right-aligned left context, the match, the right context, then the source."""
    width = max((len(line.left) for line in lines), default=0)
    return [f"{line.left:>{width}}  [{line.match}]{_gap(line.right)}{line.right}   ({line.outlet}, "
            f"{line.tendency}, {(line.published or 'undated')[:10]})" for line in lines]


def _gap(right: str) -> str:
    """No space before a possessive or punctuation that was glued to the match in the text."""
    return "" if right[:1] in ("'", "’", ",", ".", ";", ":", "!", "?", ")") else "  "
