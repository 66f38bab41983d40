"""One full-text query syntax for both stores, read here and written out for each engine.

The syntax (docs/corpus.md#searching) is FTS5's, less what only one engine could do:

- ``word`` and ``"a phrase"``; several in a row must all match (``AND`` may be written);
- ``a OR b``; ``a NOT b`` and ``a -b`` (the article has ``a`` and not ``b``); ``( ... )`` to group;
- ``nationalis*``: a word starting so (after stemming, as both engines stem the query word first);
- ``title:``, ``authors:``, ``text:`` before a word, a phrase or a group: only in that part of the article;
- ``NEAR(a b, 10)``: the words within 10 of each other; SQLite only (a PostgreSQL corpus says so).

Operators are upper case (``or`` is a word). A query is parsed into a tree and written out as an FTS5
``MATCH`` expression (:func:`to_fts5`) or a PostgreSQL ``tsquery`` (:func:`to_tsquery`), every word quoted:
what reaches either engine is never its own syntax, so the two read the same query the same way. A query
that does not parse (``ownership OR``, ``NEAR(``, ``a:*``, an unclosed quote) is a :class:`SearchQueryError`
saying what to write, on both stores, rather than a search for something else.

Both engines lower-case, stem with the Porter stemmer (PostgreSQL through the ``softleft_porter`` text
search configuration, which keeps stop words as SQLite does) and split words at anything but letters and
digits. What still differs: SQLite folds accents (``café`` matches ``cafe``), PostgreSQL keeps web addresses
and e-mail addresses whole, and ranking (BM25 against cover density) orders the hits differently.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Union

from .errors import SearchQueryError

COLUMNS = ("title", "authors", "text")
#: PostgreSQL's weight of each column in the ``fts`` column (title A, authors B, text C).
WEIGHTS = {"title": "A", "authors": "B", "text": "C"}
#: FTS5's default NEAR distance.
NEAR_DISTANCE = 10
_WORD = re.compile(r"[^\W_]+")
_OPERATORS = ("AND", "OR", "NOT")


@dataclass(frozen=True)
class Phrase:
    """Words in a row (one word is a phrase of one); ``prefix``: the last one is a prefix."""

    words: tuple[str, ...]
    prefix: bool = False
    column: str | None = None


@dataclass(frozen=True)
class Near:
    """Phrases within ``distance`` words of each other (FTS5's NEAR group)."""

    phrases: tuple[Phrase, ...]
    distance: int = NEAR_DISTANCE
    column: str | None = None


@dataclass(frozen=True)
class All:
    """Every one of ``must`` and none of ``must_not``."""

    must: tuple["Node", ...]
    must_not: tuple["Node", ...] = ()


@dataclass(frozen=True)
class Any_:
    """At least one of ``items``."""

    items: tuple["Node", ...]


Node = Union[Phrase, Near, All, Any_]


# -- reading --------------------------------------------------------------------------------------
def _tokens(query: str) -> list[tuple[str, str]]:
    """``(kind, value)`` pairs: PHRASE, WORD, PREFIX (a word ending in *), COLUMN, NEG, OP, NEAR, (, ), COMMA."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "(),":
            out.append(("COMMA" if ch == "," else ch, ch))
            i += 1
        elif ch == '"':
            end, text = i + 1, []
            while True:
                close = query.find('"', end)
                if close < 0:
                    raise SearchQueryError(f"the quote opened at {query[i:i + 20]!r} is never closed; close it "
                                           '(a quote inside a phrase is written twice: "")')
                text.append(query[end:close])
                if query.startswith('""', close):
                    text.append('"')
                    end = close + 2
                    continue
                break
            i = close + 1
            prefix = query.startswith("*", i)
            i += prefix
            out.append(("PREFIX" if prefix else "PHRASE", "".join(text)))
        else:
            start = i
            while i < n and not query[i].isspace() and query[i] not in '(),"':
                i += 1
            word = query[start:i]
            if word in _OPERATORS:
                out.append(("OP", word))
            elif word == "NEAR" and query.startswith("(", i):
                out.append(("NEAR", word))
            elif word.startswith("-"):
                out.append(("NEG", "-"))
                if len(word) > 1:
                    out.extend(_tokens(word[1:]))
            elif ":" in word:
                column, _, rest = word.partition(":")
                if column not in COLUMNS:
                    raise SearchQueryError(f"{word!r}: {column!r} is not a part of an article one can search "
                                           f"(title:, authors:, text:); to search the text {word!r}, put it in "
                                           "quotes")
                out.append(("COLUMN", column))
                if rest:
                    out.extend(_tokens(rest))
            else:
                out.append(("PREFIX" if word.endswith("*") else "WORD", word.rstrip("*")))
    return out


class _Parser:
    def __init__(self, query: str):
        self.query = query
        self.tokens = _tokens(query)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise SearchQueryError("the search query is empty; give a word or a \"phrase\"")
        node = self.expr()
        if self.peek() is not None:
            kind, value = self.peek()  # type: ignore[misc]
            raise SearchQueryError(f"{value!r} closes a group that was never opened; remove it or add a (")
        return _check_positive(node)

    def expr(self) -> Node:
        items = [self.conjunction()]
        while self.peek() == ("OP", "OR"):
            self.take()
            if self.peek() is None or self.peek()[0] in (")", "OP"):  # type: ignore[index]
                raise SearchQueryError("OR needs a word on both sides, e.g. ownership OR nationalisation")
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else Any_(tuple(items))

    def conjunction(self) -> Node:
        must: list[Node] = []
        must_not: list[Node] = []
        while (token := self.peek()) is not None and token[0] != ")" and token != ("OP", "OR"):
            if token[0] == "COMMA":  # "ownership, democracy": a comma between words is a space
                self.take()
                continue
            if token == ("OP", "AND"):
                self.take()
                if not (must or must_not) or self.peek() is None or self.peek()[0] == ")" or \
                        self.peek() in (("OP", "OR"), ("OP", "AND")):  # type: ignore[index]
                    raise SearchQueryError("AND needs a word on both sides, e.g. ownership AND democracy")
                continue
            if token == ("OP", "NOT"):
                self.take()
                if not must:
                    raise SearchQueryError("NOT needs a word before it, the one to keep: write ownership NOT "
                                           "private (or ownership -private)")
                if self.peek() is None or self.peek()[0] in (")", "OP"):  # type: ignore[index]
                    raise SearchQueryError("NOT needs a word after it, the one to leave out: ownership NOT "
                                           "private")
                must_not.append(self.unary(None))
                continue
            if token[0] == "NEG":
                self.take()
                if self.peek() is None or self.peek()[0] in (")", "OP", "COMMA"):  # type: ignore[index]
                    raise SearchQueryError("a - must be followed by the word or \"phrase\" to leave out, e.g. "
                                           "ownership -private")
                must_not.append(self.unary(None))
                continue
            must.append(self.unary(None))
        if not must and not must_not:
            raise SearchQueryError("a group or an OR has nothing on one side; give a word there")
        if len(must) == 1 and not must_not:
            return must[0]
        return All(tuple(must), tuple(must_not))

    def unary(self, column: str | None) -> Node:
        kind, value = self.take()
        if kind == "COLUMN":
            if self.peek() is None or self.peek()[0] not in ("PHRASE", "PREFIX", "WORD", "(", "NEAR"):  # type: ignore[index]
                raise SearchQueryError(f"{value}: must be followed by a word, a \"phrase\" or a (group), e.g. "
                                       f"{value}:ownership")
            return self.unary(value)
        if kind in ("PHRASE", "PREFIX", "WORD"):
            return self.phrase(kind, value, column)
        if kind == "(":
            if self.peek() is not None and self.peek()[0] == ")":  # type: ignore[index]
                raise SearchQueryError("() is an empty group; put words in it or remove it")
            node = self.expr()
            if self.peek() is None or self.peek()[0] != ")":  # type: ignore[index]
                raise SearchQueryError("a ( is never closed; close the group with )")
            self.take()
            return _with_column(node, column) if column else node
        if kind == "NEAR":
            return self.near(column)
        raise SearchQueryError(f"{value!r} cannot start a search term here; write a word or a \"phrase\" first")

    def phrase(self, kind: str, text: str, column: str | None) -> Phrase:
        words = tuple(w.lower() for w in _WORD.findall(text))
        if not words:
            shown = f'"{text}"' if kind == "PHRASE" else text + ("*" if kind == "PREFIX" else "")
            raise SearchQueryError(f"{shown!r} has no letters or digits to search for; remove it (or put words in "
                                   "it)")
        return Phrase(words, kind == "PREFIX", column)

    def near(self, column: str | None) -> Near:
        self.take()  # (
        phrases: list[Phrase] = []
        distance = NEAR_DISTANCE
        while True:
            token = self.peek()
            if token is None:
                raise SearchQueryError("NEAR( is never closed; write NEAR(word1 word2) or NEAR(word1 word2, 5)")
            kind, value = self.take()
            if kind == ")":
                break
            if kind == "COMMA":
                number = self.take() if self.peek() is not None else ("", "")
                if number[0] != "WORD" or not number[1].isdigit() or self.peek() != (")", ")"):
                    raise SearchQueryError("NEAR(...) ends with a comma and a number of words: NEAR(a b, 5)")
                distance = int(number[1])
                continue
            if kind not in ("PHRASE", "PREFIX", "WORD"):
                raise SearchQueryError(f"NEAR(...) holds words and \"phrases\" only, not {value!r}")
            phrases.append(self.phrase(kind, value, None))
        if len(phrases) < 2:
            raise SearchQueryError("NEAR(...) needs two words or phrases or more: NEAR(ownership democracy)")
        return Near(tuple(phrases), distance, column)


def _with_column(node: Node, column: str) -> Node:
    """``node`` with every phrase in it searched in ``column`` (a column written inside wins)."""
    if isinstance(node, Phrase):
        return node if node.column else Phrase(node.words, node.prefix, column)
    if isinstance(node, Near):
        return node if node.column else Near(node.phrases, node.distance, column)
    if isinstance(node, All):
        return All(tuple(_with_column(n, column) for n in node.must), tuple(_with_column(n, column) for n in node.must_not))
    return Any_(tuple(_with_column(n, column) for n in node.items))


def _check_positive(node: Node) -> Node:
    """Every alternative must ask for something (a query of exclusions alone would match nearly everything)."""
    if isinstance(node, All):
        if not node.must:
            raise SearchQueryError("a query of exclusions alone (-word, NOT word) matches nearly everything; add "
                                   "a word the articles must have, e.g. ownership -private")
        for part in (*node.must, *node.must_not):
            _check_positive(part)
    elif isinstance(node, Any_):
        for part in node.items:
            _check_positive(part)
    return node


def parse(query: str) -> Node:
    """The query tree of ``query``; :class:`SearchQueryError` saying what to write when it does not parse."""
    return _Parser(query).parse()


# -- writing ------------------------------------------------------------------------------------
def to_fts5(node: Node) -> str:
    """The FTS5 ``MATCH`` expression of a query tree (every word quoted)."""
    if isinstance(node, Phrase):
        text = '"' + " ".join(node.words) + '"' + ("*" if node.prefix else "")
        return f"{node.column} : {text}" if node.column else text
    if isinstance(node, Near):
        inner = " ".join('"' + " ".join(p.words) + '"' + ("*" if p.prefix else "") for p in node.phrases)
        text = f"NEAR({inner}, {node.distance})"
        return f"{node.column} : {text}" if node.column else text
    if isinstance(node, All):
        out = " AND ".join(f"({to_fts5(n)})" for n in node.must)
        for n in node.must_not:
            out = f"({out}) NOT ({to_fts5(n)})"
        return out
    return " OR ".join(f"({to_fts5(n)})" for n in node.items)


def _folded(word: str) -> str:
    """``word`` without diacritics (``café`` -> ``cafe``), as FTS5's ``remove_diacritics 2`` reads it."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


def _lexeme(word: str, marks: str) -> str:
    """One word of a tsquery, with its prefix and weight marks; an accented word also matches its plain
    spelling, as it does on SQLite (whose index folds accents; PostgreSQL's keeps them)."""
    one = f"'{word}':{marks}" if marks else f"'{word}'"
    plain = _folded(word)
    if plain == word or not plain:
        return one
    return f"({one} | " + (f"'{plain}':{marks}" if marks else f"'{plain}'") + ")"


def to_tsquery(node: Node) -> str:
    """The text of a PostgreSQL ``tsquery`` for ``to_tsquery('softleft_porter', ...)`` (which stems each word).

    Raises
    ------
    SearchQueryError
        For ``NEAR(...)``, which a ``tsquery`` cannot say (its ``<N>`` is an exact distance).
    """
    if isinstance(node, Phrase):
        weight = WEIGHTS[node.column] if node.column else ""
        last = len(node.words) - 1
        return " <-> ".join(_lexeme(w, ("*" if node.prefix and i == last else "") + weight)
                            for i, w in enumerate(node.words))
    if isinstance(node, Near):
        raise SearchQueryError("NEAR(...) works on an SQLite corpus only: PostgreSQL cannot match words within a "
                               "distance of each other; search the \"phrase\", or the words together")
    if isinstance(node, All):
        return " & ".join([*(f"({to_tsquery(n)})" for n in node.must), *(f"!({to_tsquery(n)})" for n in node.must_not)])
    return " | ".join(f"({to_tsquery(n)})" for n in node.items)
