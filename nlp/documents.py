"""Groups of articles for classifiers, contrasts and mention mining.

An article belongs to a group through one *field*: its resolved ``tendency`` (article, author or outlet
label), its ``outlet``, any of its ``author`` s, or its ``year`` (a year group may be a range such as
``2016-2019``, so periods can be contrasted). The functions here turn a store into plain
``(values, terms)`` pairs that the algorithms in :mod:`nlp.classify`, :mod:`nlp.contrast` and
:mod:`nlp.mentions` consume, so those algorithms can be tested on small corpora built in memory.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any, Iterable, Iterator

from corpus.analyses import count_unprocessed
from corpus.models import Article

from nlp.errors import NlpError

log = logging.getLogger(__name__)

FIELDS = ("tendency", "outlet", "author", "year")
#: Resolved tendencies that are not a usable class label.
UNUSABLE_TENDENCIES = ("unlabelled",)
MAX_LISTED = 30  # known group names listed in an error message
_YEAR_RANGE = re.compile(r"^\s*(\d{4})\s*(?:-|–|\.\.|to)\s*(\d{4})\s*$")


class GroupError(NlpError):
    """A bad selection of groups: unknown field or group name, empty selection, too few groups."""


class EmptySelectionError(GroupError):
    """The selection holds no article (or no article with terms)."""


def check_field(field: str) -> str:
    """Return ``field`` if it is one of :data:`FIELDS`, else raise :class:`GroupError`."""
    if field not in FIELDS:
        raise GroupError(f"Unknown field {field!r}; known fields: {', '.join(FIELDS)}")
    return field


def field_values(store: Any, article: Article, field: str) -> tuple[str, ...]:
    """The values an article has for ``field`` (several for co-authored articles, none if missing).

    Parameters
    ----------
    store : corpus.store.CorpusStore
        Resolves tendency labels.
    article : Article
    field : {"tendency", "outlet", "author", "year"}
    """
    if field == "tendency":
        return (store.resolve(article)[0],)
    if field == "outlet":
        return (article.outlet,)
    if field == "author":
        return tuple(article.authors)
    if field == "year":
        return (str(article.year),) if article.year is not None else ()
    raise GroupError(f"Unknown field {field!r}; known fields: {', '.join(FIELDS)}")


def group_matches(name: str, values: Iterable[str], field: str) -> bool:
    """Whether an article with ``values`` belongs to group ``name``.

    Names compare case-insensitively; for ``year`` a name may be a range (``2016-2019``).
    """
    if field == "year":
        m = _YEAR_RANGE.match(name)
        if m:
            lo, hi = sorted((int(m.group(1)), int(m.group(2))))
            return any(v.isdigit() and lo <= int(v) <= hi for v in values)
    key = name.casefold().strip()
    return any(v.casefold() == key for v in values)


def check_groups(names: Iterable[str], known: Counter, field: str) -> None:
    """Raise :class:`GroupError` naming the known groups if any of ``names`` matches no article."""
    for name in names:
        if not any(group_matches(name, [value], field) for value in known):
            ranked = sorted(known.items(), key=lambda kv: (-kv[1], kv[0]))
            listing = ", ".join(f"{k} ({n})" for k, n in ranked[:MAX_LISTED])
            if len(ranked) > MAX_LISTED:
                listing += f" and {len(ranked) - MAX_LISTED} more"
            raise GroupError(
                f"Unknown {field} {name!r}; known {field} groups (articles): {listing or 'none'}"
            )


def ensure_preprocessed(store: Any) -> int:
    """Preprocess the articles that have no current terms yet (as ``nlp preprocess`` would); returns how many.

    So that ``classify``, ``contrast`` and ``mentions`` work right after an import. The pipeline that
    made the corpus' terms is kept (``Preprocessor.from_store``); on a fresh corpus it is the default one.
    """
    from nlp.errors import NotPreprocessedError
    from nlp.text.preprocess import Preprocessor, current_fingerprint, preprocess_corpus

    if store.count() == 0:
        raise EmptySelectionError("The corpus is empty; import or scrape articles first")
    try:
        fp = current_fingerprint(store)
    except NotPreprocessedError:
        fp = None
    missing = count_unprocessed(store, fp)
    if missing:
        log.warning("%d articles are not preprocessed yet: preprocessing them first (as `nlp preprocess` does)",
                    missing)
        preprocess_corpus(store, Preprocessor.from_store(store) if fp else None)
    return missing


def iter_article_terms(store: Any, preprocess: bool = True, **filters: Any) -> Iterator[tuple[Article, list[str]]]:
    """``(article, terms)`` for the preprocessed articles of a store (see ``nlp.preprocess.iter_terms``).

    Articles not preprocessed yet are preprocessed first unless ``preprocess=False``. Texts are not
    loaded unless ``with_text=True`` is passed.
    """
    from nlp.text.preprocess import iter_terms  # imported late: spaCy is only needed once a store is involved

    if preprocess:
        ensure_preprocessed(store)
    return iter_terms(store, **{"with_text": False, **filters})


def grouped_terms(store: Any, field: str, **filters: Any) -> Iterator[tuple[tuple[str, ...], list[str]]]:
    """``(values, terms)`` per preprocessed article, ``values`` being the article's ``field`` values."""
    check_field(field)
    for article, terms in iter_article_terms(store, **filters):
        yield field_values(store, article, field), terms
