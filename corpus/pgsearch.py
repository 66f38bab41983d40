"""Full-text search on a PostgreSQL corpus: the ``fts`` tsvector column (title A, authors B, text C).

Queries arrive in FTS5's syntax (what the SQLite store reads); they are read by ``websearch_to_tsquery``,
which accepts any text and never raises, after three small translations: ``NOT word`` becomes ``-word``,
a column filter (``title:``) is dropped, and a prefix (``nationalis*``) becomes a ``simple`` prefix query
(``nationalis:*``). Ranking is ``ts_rank_cd`` (cover density), not BM25: the top hits of the two engines
overlap but do not come in the same order.
"""
from __future__ import annotations

import re
from typing import Any

#: ts_headline's options giving the SQLite snippet's look: «marks» around hits, about 16 words.
HEADLINE = "StartSel=«, StopSel=», MaxWords=16, MinWords=8, ShortWord=2"
ELLIPSIS = " … "

_COLUMN = re.compile(r"\b(?:title|authors|text)\s*:\s*")
_PREFIX = re.compile(r"(?<![\w\"])(\w+)\*")
_NOT = re.compile(r"\bNOT\s+")
_QUOTED = re.compile(r'"((?:[^"]|"")*)"')


def tsquery(query: str) -> tuple[str, list[str]]:
    """The SQL expression of the tsquery for an FTS5-style ``query``, and its parameters."""
    text = _COLUMN.sub("", query)
    prefixes = _PREFIX.findall(text)
    text = _NOT.sub("-", _PREFIX.sub(" ", text))
    parts, params = ["websearch_to_tsquery('english', ?)"], [text]
    for word in prefixes:
        parts.append("to_tsquery('simple', ?)")
        params.append(word.lower() + ":*")
    return " && ".join(parts), params


def search_rows(conn: Any, query: str, limit: int) -> list[tuple]:
    """``(id, title, outlet, published, authors, label, url, snippet)`` of the best ``limit`` hits."""
    expr, params = tsquery(query)
    rows = conn.execute(
        "SELECT a.id, a.title, a.outlet, a.published, a.authors, a.label, a.url, "
        f"ts_headline('english', a.text, q, '{HEADLINE}'), a.text "
        f"FROM articles a, (SELECT {expr} AS q) AS query WHERE a.fts @@ q "
        "ORDER BY ts_rank_cd(a.fts, q) DESC, a.id LIMIT ?", (*params, limit)).fetchall()
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
    oldest first; every id when the query cannot be read as phrases (a prefix, or only stop words), so
    callers, who check each text themselves, miss nothing."""
    phrases = _phrases(fts_query)
    if phrases and all(conn.execute("SELECT numnode(websearch_to_tsquery('english', ?))", (p,)).fetchone()[0]
                       for p in phrases):
        return [r[0] for r in conn.execute(
            "SELECT id FROM articles WHERE fts @@ websearch_to_tsquery('english', ?) ORDER BY published, id",
            (" or ".join(phrases),))]
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
        phrases.append('"' + " ".join(w.replace('"', " ") for w in words) + '"')
    return phrases
