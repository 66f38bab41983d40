"""The report's term explorer: every term of every contrast, searchable and sortable, each opening to the
sentences it is used in — self-contained in the page.

The data come from the tendency stage (:func:`nlp.tendencies.explorer.explore_contrast`: each term's z, uses,
documents and stability, and the ids of the articles to quote); the sentences from the few article texts
the pipeline reads (:class:`nlp.report.build.Quotes`). They are embedded in the page as one JSON document
(``<script type="application/json">``, which no browser runs) and drawn by one small script of our own
(``templates/explorer.js``), allowed by its SHA-256 in the page's content-security policy: no other script
runs and nothing is fetched. The script builds every row with ``textContent`` — corpus text never becomes
markup. A page opened without scripts says so and keeps the top lists of the section above.

Bounded in size: a contrast brings at most 2,000 terms (the stage's bound); each term one snippet (two for
the :data:`TWO_CONTEXTS` most distinctive terms of each contrast) of at most :data:`SNIPPET_CHARS`
characters, from at most :data:`MAX_ARTICLES` articles read.
"""
from __future__ import annotations

import bisect
import re
from typing import Any, Callable, Mapping, Sequence

from nlp.report.examples import _SENTENCE, _WORD, ArticleText, _stems
from nlp.report.render import Section, display_date, display_title, safe_href
from nlp.report.styles import Styles
from nlp.topics.names import words

#: Terms of a contrast that get a second snippet (from a second article).
TWO_CONTEXTS = 100
#: Articles read for snippets, at most (the most distinctive terms' first).
MAX_ARTICLES = 2_000
#: A snippet's length, at most: the sentence around the word's first use.
SNIPPET_CHARS = 160
#: The rows a reader sees before asking for more (the script's page size).
PAGE_ROWS = 10


class _Indexed:
    """An article's sentences and, for each word in it, the sentences that use it (for prefix lookups)."""

    def __init__(self, text: str):
        self.sentences = _SENTENCE.split(" ".join(text.split()))
        where: dict[str, list[int]] = {}
        for k, sentence in enumerate(self.sentences):
            for token in {t.lower() for t in _WORD.findall(sentence)}:
                where.setdefault(token, []).append(k)
        self.where = where
        self.tokens = sorted(where)

    def best(self, stems: Sequence[str]) -> int | None:
        """The sentence using the most of ``stems`` (word beginnings), the earliest among equals."""
        hits: dict[int, int] = {}
        for stem in stems:
            seen: set[int] = set()
            i = bisect.bisect_left(self.tokens, stem)
            while i < len(self.tokens) and self.tokens[i].startswith(stem):
                seen.update(self.where[self.tokens[i]])
                i += 1
            for k in seen:
                hits[k] = hits.get(k, 0) + 1
        return min(hits, key=lambda k: (-hits[k], k)) if hits else None


def snippet(sentence: str, stems: Sequence[str], limit: int = SNIPPET_CHARS) -> str:
    """``sentence`` cut to about ``limit`` characters around the first use of a stem, at word boundaries."""
    if len(sentence) <= limit:
        return sentence
    match = re.search(r"\b(" + "|".join(re.escape(s) for s in stems) + ")", sentence, re.IGNORECASE)
    start = max(0, (match.start() if match else 0) - limit // 3)
    if start:
        start = sentence.find(" ", start) + 1 or start
    end = start + limit
    if end < len(sentence):
        end = sentence.rfind(" ", start, end) if sentence.rfind(" ", start, end) > start else end
    return ("…" if start else "") + sentence[start:end].strip() + ("…" if end < len(sentence) else "")


def explorer_data(explorer: Sequence[Mapping[str, Any]], styles: Styles,
                  read: Callable[[list[str]], Mapping[str, ArticleText]]) -> dict[str, Any]:
    """The JSON document the explorer's script draws: ``{"contrasts": [{"label", "a", "b", "colour_a",
    "colour_b", "docs_a", "docs_b", "n_terms", "rows": [[term, z, uses a, uses b, articles a, articles b,
    stability, [snippet indexes]]]}], "snippets": [[article index, text]], "articles": [[title, url, outlet,
    date]]}``; ``read(ids)`` gives the articles' texts."""
    wanted: list[str] = []  # article ids, the most distinctive terms' first
    seen: set[str] = set()
    depth = max((len(c["terms"]) for c in explorer), default=0)
    for rank in range(depth):
        for c in explorer:
            if rank < len(c["terms"]):
                ids = c["contexts"].get(c["terms"][rank][0], [])
                for id_ in ids[:2 if rank < TWO_CONTEXTS else 1]:
                    if id_ not in seen and len(wanted) < MAX_ARTICLES:
                        seen.add(id_)
                        wanted.append(id_)
    texts = read(wanted) if wanted else {}
    indexed: dict[str, _Indexed] = {}
    articles: list[list[str]] = []
    article_at: dict[str, int] = {}
    snippets: list[list[Any]] = []
    snippet_at: dict[tuple[str, str], int | None] = {}

    def snippet_of(id_: str, term: str) -> int | None:
        if (id_, term) in snippet_at:
            return snippet_at[(id_, term)]
        a = texts.get(id_)
        found = None
        if a is not None:
            index = indexed.get(id_)
            if index is None:  # each article indexed once (setdefault would build it on every call)
                index = indexed[id_] = _Indexed(a.text)
            stems = _stems([term])
            k = index.best(stems)
            if k is not None:
                if id_ not in article_at:
                    article_at[id_] = len(articles)
                    articles.append([display_title(a.title, a.text, a.id), safe_href(a.url), a.outlet,
                                     display_date(a.published, a.date_precision)])
                found = len(snippets)
                snippets.append([article_at[id_], snippet(index.sentences[k], stems)])
        snippet_at[(id_, term)] = found
        return found

    contrasts = []
    for c in explorer:
        rows = []
        for rank, (term, z, count_a, count_b, docs_a, docs_b, stability) in enumerate(c["terms"]):
            ids = c["contexts"].get(term, [])[:2 if rank < TWO_CONTEXTS else 1]
            found = [k for k in (snippet_of(id_, term) for id_ in ids if id_ in texts) if k is not None]
            rows.append([words(term), z, count_a, count_b, docs_a, docs_b, stability, found])
        a = styles.name(c["a"])
        b = "the rest" if c["b"] == "rest" else styles.name(c["b"])
        contrasts.append({"label": f"{a} against {b}", "a": a, "b": b, "colour_a": styles.colour(c["a"]),
                          "colour_b": "#7f7f7f" if c["b"] == "rest" else styles.colour(c["b"]),
                          "docs_a": c["docs_a"], "docs_b": c["docs_b"], "n_terms": c["n_terms"], "rows": rows})
    return {"contrasts": contrasts, "snippets": snippets, "articles": articles, "page": PAGE_ROWS}


def explorer_section(explorer: Sequence[Mapping[str, Any]], styles: Styles,
                     read: Callable[[list[str]], Mapping[str, ArticleText]]) -> Section | None:
    """The "Explore every word" section (None without a contrast); its CSV ``contrast_terms`` holds every
    term of every contrast."""
    order = {t: i for i, t in enumerate(styles.ordered({c["a"] for c in explorer}))}
    explorer = sorted((c for c in explorer if c["terms"]), key=lambda c: (c["b"] != "rest", order[c["a"]]))
    if not explorer:
        return None
    data = explorer_data(explorer, styles, read)
    csv = [{"a": c["a"], "b": c["b"], "term": t[0], "z": t[1], "count_a": t[2], "count_b": t[3], "docs_a": t[4],
            "docs_b": t[5], "stability": t[6]} for c in explorer for t in c["terms"]]
    section = Section("explore", "Explore every word", "explore.html", {"data": data}, {"contrast_terms": csv})
    section.scripts = ("explorer.js",)
    return section
