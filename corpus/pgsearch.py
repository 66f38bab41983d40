"""Full-text search on a PostgreSQL corpus: the ``fts`` tsvector column (title A, authors B, text C).

Queries are parsed once (:mod:`corpus.search_query`) and written as a ``tsquery`` for the
``softleft_porter`` text search configuration, which stems with the Porter stemmer and keeps stop words, as
SQLite's FTS5 ``porter`` tokenizer does, so both stores match the same articles. Ranking is ``ts_rank_cd``
(cover density), not BM25: the hits come in another order.
"""
from __future__ import annotations

import re
from typing import Any

from .search_query import Node, to_tsquery

#: The text search configuration of the ``fts`` column (migration ``0043_search_same_on_both_stores``).
CONFIG = "softleft_porter"
#: ts_headline's options giving the SQLite snippet's look: «marks» around hits, about 16 words.
HEADLINE = "StartSel=«, StopSel=», MaxWords=16, MinWords=8, ShortWord=2"
ELLIPSIS = " … "

_COLUMN = re.compile(r"\b(?:title|authors|text)\s*:\s*")
_QUOTED = re.compile(r'"((?:[^"]|"")*)"')


def search_rows(conn: Any, query: Node, limit: int) -> list[tuple]:
    """``(id, title, outlet, published, authors, label, url, snippet)`` of the best ``limit`` hits of a parsed
    query (:class:`~corpus.errors.SearchQueryError` for what a ``tsquery`` cannot say)."""
    rows = conn.execute(
        "SELECT a.id, a.title, a.outlet, a.published, a.authors, a.label, a.url, "
        f"ts_headline('{CONFIG}', a.text, q, '{HEADLINE}'), a.text "
        f"FROM articles a, (SELECT to_tsquery('{CONFIG}', ?) AS q) AS query WHERE a.fts @@ q "
        "ORDER BY ts_rank_cd(a.fts, q) DESC, a.id LIMIT ?", (to_tsquery(query), limit)).fetchall()
    return [(*row[:7], ellipsised(row[7], row[8])) for row in rows]


def ellipsised(snippet: str, text: str) -> str:
    """``snippet`` with `` … `` where it stops short of the text's start or end (as SQLite's snippet)."""
    plain = snippet.replace("«", "").replace("»", "").strip()
    words = " ".join(text.split())
    start = "" if words.startswith(" ".join(plain.split()[:3])) else ELLIPSIS
    end = "" if words.endswith(" ".join(plain.split()[-3:])) else ELLIPSIS
    return f"{start}{snippet}{end}"


def match_ids(conn: Any, fts_query: str) -> list[str]:
    """Ids of the articles matching the phrases of an FTS5 query (``text : "a" OR text : ("b" + "c")``),
    oldest first; every id when the query cannot be read as phrases (a prefix, or no word), so callers, who
    check each text themselves, miss nothing."""
    phrases = _phrases(fts_query)
    if phrases and all(conn.execute(f"SELECT numnode(phraseto_tsquery('{CONFIG}', ?))", (p,)).fetchone()[0]
                       for p in phrases):
        either = " || ".join(f"phraseto_tsquery('{CONFIG}', ?)" for _ in phrases)
        return [r[0] for r in conn.execute(
            f"SELECT id FROM articles WHERE fts @@ ({either}) ORDER BY published, id", phrases)]
    return [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY published, id")]


def _phrases(fts_query: str) -> list[str] | None:
    """The quoted phrases of an OR of phrase queries, or None if the query is anything else."""
    if "*" in fts_query:
        return None
    phrases = []
    for group in re.split(r"\s+OR\s+", _COLUMN.sub("", fts_query).strip()):
        words = [w.replace('""', '"') for w in _QUOTED.findall(group)]
        rest = _QUOTED.sub("", group).replace("(", "").replace(")", "").replace("+", "").strip()
        if not words or rest:
            return None
        phrases.append(" ".join(w.replace('"', " ") for w in words))
    return phrases
