"""Summaries of a corpus for the CLI and the report: label usage."""
from __future__ import annotations

from collections import Counter
from typing import Any

from .store import CorpusStore


def label_usage(store: CorpusStore) -> dict[str, Any]:
    """Every label in force with the number of articles it resolves.

    Returns
    -------
    dict
        ``labels``: list of ``{"kind", "key", "tendency", "contested", "note", "articles"}``;
        ``stored_article_labels``: articles whose label was stored with them (e.g. from an import);
        ``by_tendency`` and ``by_level``: resolved counts.
    """
    labels = store.labels
    used: Counter[tuple[str, str]] = Counter()
    by_tendency: Counter[str] = Counter()
    by_level: Counter[str] = Counter()
    stored = Counter()
    for article in store.articles(with_text=False):
        tendency, level, key = labels.explain(
            article.outlet, article.authors, article.label, keys=(article.id, article.canonical_url, article.url))
        by_tendency[tendency] += 1
        by_level[level] += 1
        if level == "article" and key is None:
            stored[tendency] += 1
        elif level == "author" and key:
            for author in key.split(";"):
                used[("author", author)] += 1
        elif key:
            used[(level, key)] += 1
    rows = [
        {"kind": kind, "key": key, "tendency": label.tendency, "contested": label.contested, "note": label.note,
         "articles": used[(kind, key)]}
        for kind, key, label in labels.rows()
    ]
    return {
        "labels": rows,
        "stored_article_labels": dict(stored),
        "by_tendency": dict(by_tendency.most_common()),
        "by_level": dict(by_level.most_common()),
    }
