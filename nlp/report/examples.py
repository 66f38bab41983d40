"""Example sentences for the report's drill-down: plain functions of texts the pipeline has read.

The pipeline reads the few articles it needs (``store.articles(ids=..., with_text=True)``) into
:class:`ArticleText` values; these functions pick the sentences that show a term or a topic at work. The
report never reads the store.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from nlp.report.render import Link, display_date, display_title

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'\u201c\u2018(A-Z0-9])")
_WORD = re.compile(r"[\w']+")
MAX_CHARS = 320


@dataclass(frozen=True)
class ArticleText:
    """What an example needs of an article: its text and where it comes from."""

    id: str
    title: str | None
    text: str
    outlet: str
    published: str | None
    url: str | None = None
    date_precision: str | None = None

    @classmethod
    def from_article(cls, article: Any, outlet_name: str | None = None) -> "ArticleText":
        return cls(article.id, article.title, article.text, outlet_name or article.outlet, article.published,
                   article.url, (article.metadata or {}).get("date_precision"))


def _stems(words: Iterable[str]) -> list[str]:
    """Word beginnings to look for: a term's words, cut so that inflections match (``devolve`` ~ devolved)."""
    out = []
    for term in words:
        for w in term.replace("_", " ").lower().split():
            out.append(w if len(w) <= 4 else w[:max(4, len(w) - 2)])
    return out


def example_sentences(articles: Mapping[str, ArticleText], ids: Sequence[str], words: Sequence[str], n: int = 3,
                      per_article: int = 1) -> list[dict[str, Any]]:
    """Up to ``n`` sentences from the articles ``ids`` (in that order) that use the most of ``words``.

    Returns
    -------
    list of dict
        ``{"sentence", "article" (a Link to the article's own http(s) address), "outlet", "date", "id"}``.
    """
    stems = _stems(words)
    if not stems:
        return []
    out = []
    for id_ in ids:
        a = articles.get(id_)
        if a is None:
            continue
        scored = []
        for k, sentence in enumerate(_SENTENCE.split(" ".join(a.text.split()))):
            tokens = [t.lower() for t in _WORD.findall(sentence)]
            hits = sum(1 for s in stems if any(t.startswith(s) for t in tokens))
            if hits:
                scored.append((-hits, k, sentence))
        for _, _, sentence in sorted(scored)[:per_article]:
            text = sentence if len(sentence) <= MAX_CHARS else sentence[:MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
            out.append({"sentence": text, "article": Link(display_title(a.title, a.text, a.id), a.url or ""),
                        "outlet": a.outlet, "date": display_date(a.published, a.date_precision), "id": a.id})
        if len(out) >= n:
            break
    return out[:n]
