"""Summaries of a corpus for the CLI and the report: label usage and the corpus overview."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from .store import CorpusStore


def label_usage(store: CorpusStore) -> dict[str, Any]:
    """Every label in force with the number of articles it resolves.

    Returns
    -------
    dict
        ``labels``: list of ``{"kind", "key", "tendency", "contested", "note", "articles"}``;
        ``stored_article_labels``: articles whose label was stored with them (e.g. from an import);
        ``coded_labels``: articles labelled by their coders (level ``coded``, :mod:`corpus.coding`), by tendency;
        ``by_tendency`` and ``by_level``: resolved counts.
    """
    labels = store.labels
    used: Counter[tuple[str, str]] = Counter()
    by_tendency: Counter[str] = Counter()
    by_level: Counter[str] = Counter()
    stored = Counter()
    coded: Counter[str] = Counter()
    for article in store.articles(with_text=False):
        tendency, level, key = labels.explain(
            article.outlet, article.authors, article.label, keys=(article.id, article.canonical_url, article.url))
        by_tendency[tendency] += 1
        by_level[level] += 1
        if level == "coded":
            coded[tendency] += 1
        elif level == "article" and key is None:
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
        "coded_labels": dict(coded.most_common()),
        "by_tendency": dict(by_tendency.most_common()),
        "by_level": dict(by_level.most_common()),
    }


@dataclass
class OutletOverview:
    """One outlet in a corpus overview."""

    name: str
    display_name: str
    default_tendency: str | None
    contested: bool
    articles: int = 0
    first: str | None = None
    last: str | None = None
    tendencies: dict[str, int] = field(default_factory=dict)


@dataclass
class CorpusOverview:
    """What the report's "corpus at a glance" shows: counts by outlet, year and resolved tendency, how the
    labels were decided, and the latest articles. Built by :func:`corpus_overview`."""

    articles: int
    words: int
    tendencies: list[str]
    label_levels: dict[str, int]
    outlets: list[OutletOverview]
    by_year_tendency: dict[str, dict[str, int]]
    latest: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def sizes(self) -> dict[str, int]:
        """Articles per resolved tendency (group), largest first."""
        out: Counter[str] = Counter()
        for o in self.outlets:
            out.update(o.tendencies)
        return dict(out.most_common())


def corpus_overview(store: CorpusStore, latest: int = 8, **filters: Any) -> CorpusOverview:
    """One pass over the corpus, or the selection ``filters`` (``store.articles`` keyword filters), for the
    report's overview. Articles are read without their text, but for the latest few when filtered (to count
    their words) and the untitled among the latest (whose first words stand for a title)."""
    from .models import count_words

    labels = store.labels
    outlets: dict[str, OutletOverview] = {}
    by_year_tendency: dict[str, dict[str, int]] = {}
    by_tendency: Counter[str] = Counter()
    by_level: Counter[str] = Counter()
    n_articles, words = 0, 0
    newest: list[tuple[str, str]] = []
    for article in store.articles(with_text=bool(filters), **filters):
        tendency, level = store.resolve(article)
        n_articles += 1
        by_tendency[tendency] += 1
        by_level[level] += 1
        if filters:
            words += count_words(article.text)
        o = outlets.get(article.outlet)
        if o is None:
            label = labels.outlets.get(article.outlet)
            o = outlets[article.outlet] = OutletOverview(
                name=article.outlet, display_name=(label.name if label and label.name else article.outlet),
                default_tendency=label.tendency if label else None, contested=bool(label and label.contested))
        o.articles += 1
        o.tendencies[tendency] = o.tendencies.get(tendency, 0) + 1
        if article.published:
            day = article.published[:10]
            o.first = min(o.first or day, day)
            o.last = max(o.last or day, day)
            newest.append((article.published, article.id))
            newest = sorted(newest, reverse=True)[:latest]
        year = str(article.year) if article.year else "undated"
        by_year_tendency.setdefault(year, {}).setdefault(tendency, 0)
        by_year_tendency[year][tendency] += 1
    if not filters:
        stats = store.stats()
        words = stats["words"]
    rows = [{"date": (a.published or "")[:10], "title": a.title, "authors": list(a.authors), "outlet": a.outlet,
             "tendency": store.tendency(a), "url": a.url, "id": a.id,
             "date_precision": a.metadata.get("date_precision"),
             "first_words": " ".join(a.text.split()[:12]) if not (a.title or "").strip() else ""}
            for a in store.articles(ids=[i for _, i in newest], with_text=True)]
    rows.sort(key=lambda r: (r["date"], r["id"]), reverse=True)
    return CorpusOverview(
        articles=n_articles, words=words, tendencies=[t for t, _ in by_tendency.most_common()],
        label_levels=dict(by_level.most_common()),
        outlets=sorted(outlets.values(), key=lambda o: (-o.articles, o.name)),
        by_year_tendency={y: by_year_tendency[y] for y in sorted(by_year_tendency)}, latest=rows)
