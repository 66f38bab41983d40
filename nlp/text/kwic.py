"""Keyword in context: every use of a word or phrase, with the words around it.

Candidate articles come from the store's full-text index (FTS5, stemmed), so only articles that can
contain the keyword are read; the match itself is then made in the article text, so that the lines shown
are exact. A keyword that names an entry of the phrase vocabulary, in any case (``nhs``, ``NHS``,
``national_health_service``: the mapping of :meth:`nlp.text.preprocess.Preprocessor.query_terms`), shows
every spelling the pipeline merges into that term, matched as the pipeline matches it (``NHS`` and
``National Health Service``, case as written), so the lines are the uses the term counts. Any other keyword
matches case-insensitively (unless ``case_sensitive``), across spaces and hyphens ("soft left",
"soft-left"); a term as the pipeline writes it (``prime_minister``) is read as the phrase; ``*`` at the end
of a word matches any ending (``nationalis*``).
"""
from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from typing import Any, Iterator

from nlp.errors import EmptySelectionError, GroupError

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


def keyword_pattern(keyword: str, case_sensitive: bool = False) -> re.Pattern[str]:
    """A regular expression for the keyword in running text (case-insensitive unless ``case_sensitive``)."""
    if case_sensitive:
        words = _WORD.findall(keyword.replace("_", " "))
        keyword_words(keyword)  # the same check for a keyword without words
    else:
        words = keyword_words(keyword)
    parts = []
    for w in words:
        if w == "*":
            continue
        if w.endswith("*"):
            parts.append(re.escape(w[:-1]) + r"\w*")
        else:
            parts.append(re.escape(w).replace("'", "['’]"))
    return re.compile(r"(?<!\w)" + r"[\s\-–]+".join(parts) + r"(?!\w)", 0 if case_sensitive else re.IGNORECASE)


@dataclass(frozen=True)
class KeywordMatcher:
    """What a keyword matches: regular expressions, each with the words one of which the text must also
    have (a vocabulary entry's ``context``; empty: none needed), and the FTS5 query for candidates."""

    patterns: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]
    fts: str
    term: str | None = None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Every match in ``text``, in order of position."""
        found = []
        for pattern, context in self.patterns:
            if context and not any(re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", text) for w in context):
                continue
            found.extend(pattern.finditer(text))
        found.sort(key=lambda m: (m.start(), -m.end()))
        end = -1
        for m in found:  # overlapping spellings ("Socialist Campaign Group" / "Campaign Group"): the first
            if m.start() >= end:
                yield m
                end = m.end()


def keyword_matcher(keyword: str, case_sensitive: bool = False, vocabulary: Any = None) -> KeywordMatcher:
    """How ``kwic`` finds ``keyword``: through the phrase vocabulary when it names an entry, else as written.

    Parameters
    ----------
    keyword : str
    case_sensitive : bool
        Only a vocabulary name written exactly as a spelling or term maps to the entry; other keywords match
        with their case.
    vocabulary : nlp.text.vocabulary.Vocabulary, optional
        Default: the shipped vocabulary.
    """
    if vocabulary is None:
        from nlp.text.vocabulary import load_vocabulary
        vocabulary = load_vocabulary()
    if case_sensitive:
        term = keyword if keyword in vocabulary.entries else next(
            (e.term for e in vocabulary if keyword in e.spellings), None)
    else:
        term = vocabulary.term_for(keyword)
    if term is None:
        return KeywordMatcher(((keyword_pattern(keyword, case_sensitive), ()),), fts_query(keyword))
    entry = vocabulary.entries[term]
    patterns = [(keyword_pattern(p, entry.case_sensitive), ()) for p in entry.patterns]
    patterns += [(keyword_pattern(p, True), ()) for p in entry.exact_patterns]
    patterns += [(keyword_pattern(p, True), entry.context) for p in entry.context_patterns]
    return KeywordMatcher(tuple(patterns), " OR ".join(fts_query(p) for p in entry.spellings), term)


def fts_query(keyword: str) -> str:
    """The FTS5 query for candidate articles: the keyword as a phrase on the text column."""
    words = keyword_words(keyword)
    quoted = []
    for w in words:
        star = w.endswith("*")
        body = w.rstrip("*").replace('"', '""')
        quoted.append(f'"{body}"' + ("*" if star else ""))
    return "text : " + (quoted[0] if len(quoted) == 1 else "(" + " + ".join(quoted) + ")")




def concordance(text: str, pattern: "re.Pattern[str] | KeywordMatcher", window: int = 8
                ) -> Iterator[tuple[str, str, str]]:
    """``(left, match, right)`` for each match in ``text``, with ``window`` words each side."""
    for m in pattern.finditer(text):
        left = _TOKEN.findall(text[max(0, m.start() - 30 * window - 200):m.start()])[-window:] if window else []
        after = text[m.end():m.end() + 30 * window + 200]
        right = _TOKEN.findall(after)[:window] if window else []  # "left's" gives "'s" first: see _gap
        yield " ".join(left), " ".join(m.group(0).split()), " ".join(right)


def kwic(store: Any, keyword: str, window: int = 8, limit: int | None = 50, case_sensitive: bool = False,
         vocabulary: Any = None, **filters: Any) -> list[KwicLine]:
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
    case_sensitive : bool
        Match the keyword with its case (``nhs`` is then not the NHS).
    vocabulary : nlp.text.vocabulary.Vocabulary, optional
        The phrase vocabulary of the corpus' pipeline (default: the shipped one).
    **filters
        Passed to the article query (``outlet=``, ``tendency=``, ``since=``, ``until=``).

    Raises
    ------
    EmptySelectionError
        When the corpus holds no article at all.
    """
    if window < 0:
        raise GroupError(f"--window must be 0 or more, not {window}")
    pattern = keyword_matcher(keyword, case_sensitive, vocabulary if vocabulary is not None
                              else store_vocabulary(store))
    if store.count() == 0:
        raise EmptySelectionError("The corpus is empty; import or scrape articles first")
    ids = store.match_ids(pattern.fts)
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


def store_vocabulary(store: Any) -> Any:
    """The phrase vocabulary of the pipeline that preprocessed ``store`` (the shipped one if none did)."""
    from corpus.analyses import get_state
    from nlp.text.vocabulary import load_vocabulary

    state = get_state(store, "preprocessor") or {}
    return load_vocabulary(state.get("phrases_file"))


def nearest_corpus_terms(store: Any, keyword: str, n: int = 5) -> list[str]:
    """The corpus terms closest in spelling to ``keyword`` (for "no article uses ..." messages); empty
    when the corpus is not preprocessed. Reads the cached terms; preprocesses nothing."""
    from corpus.analyses import iter_cached_terms
    from nlp.errors import NotPreprocessedError
    from nlp.text.terms import current_fingerprint
    from nlp.text.vocabulary import nearest_terms

    try:
        fp = current_fingerprint(store)
    except NotPreprocessedError:
        return []
    known: set[str] = set()
    for terms in iter_cached_terms(store, fp):
        known.update(terms)
    return nearest_terms(keyword, known, n=n, vocabulary=store_vocabulary(store))


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
