"""The corpus' preprocessed terms, read without spaCy: which pipeline made them (:func:`current_fingerprint`)
and each article's terms with collocations joined and boilerplate left out (:func:`iter_terms`).

Kept apart from :mod:`nlp.text.preprocess` (which imports spaCy to make the terms) so that what only reads
them - ``report``, ``topics show``, the analyses on a preprocessed corpus - starts without loading spaCy.
"""
from __future__ import annotations

import logging
from typing import Any, Iterator

from corpus.analyses import get_state, has_terms, terms_for
from corpus.models import Article
from corpus.store import CorpusStore

from nlp.errors import NotPreprocessedError
from nlp.text.boilerplate import Boilerplate
from nlp.text.collocations import Collocations, strip_paragraphs

__all__ = ["current_fingerprint", "iter_terms", "TermsStream"]

log = logging.getLogger("nlp.text.preprocess")

#: The corpus state that records the pipeline which made the stored terms (its config and fingerprint).
_STATE_KEY = "preprocessor"


def current_fingerprint(store: CorpusStore) -> str:
    """The fingerprint of the pipeline that last preprocessed this store.

    Raises
    ------
    NotPreprocessedError
    """
    state = get_state(store, _STATE_KEY)
    if not state or not has_terms(store, state["fingerprint"]):
        raise NotPreprocessedError()
    return state["fingerprint"]


def iter_terms(store: CorpusStore, collocations: bool = True, batch_size: int = 500, paragraphs: bool = False,
               boilerplate: bool = True, **filters: Any) -> Iterator[tuple[Article, list[str]]]:
    """Stream ``(article, terms)`` for the preprocessed articles of a selection.

    Parameters
    ----------
    store : CorpusStore
    collocations : bool
        Apply the corpus collocations (the default, what topic models and contrasts should see).
    batch_size : int
        Articles looked up at a time.
    paragraphs : bool
        Keep the paragraph marks (:data:`PARAGRAPH`) between the terms of two paragraphs.
    boilerplate : bool
        Leave out each outlet's boilerplate lines (:mod:`nlp.text.boilerplate`), as every analysis should.
    **filters
        Passed to :meth:`CorpusStore.articles` (``with_text=False`` skips loading texts).

    Yields
    ------
    (Article, list of str)
        Articles not (or no longer) preprocessed are skipped, with a warning at the end.

    Raises
    ------
    NotPreprocessedError
        When nothing has been preprocessed: "no preprocessed terms: run `python cli.py nlp preprocess` first".
    """
    fp = current_fingerprint(store)
    colloc = Collocations.from_store(store) if collocations else None
    apply = colloc.apply if colloc and len(colloc) else None
    lines = Boilerplate.from_store(store, fp) if boilerplate else Boilerplate()
    strip = lines.strip if len(lines) else None
    missing = 0

    def lookup(batch: list[Article]) -> Iterator[tuple[Article, list[str]]]:
        nonlocal missing
        found = terms_for(store, fp, [a.id for a in batch])
        for article in batch:
            terms = found.get(article.id)
            if terms is None:
                missing += 1
                continue
            terms = strip(article.outlet, terms) if strip else terms  # before collocations: a line is whole
            terms = apply(terms) if apply else terms  # a paragraph mark is in no pair: nothing joins across it
            yield article, terms if paragraphs else strip_paragraphs(terms)

    batch: list[Article] = []
    for article in store.articles(**filters):
        batch.append(article)
        if len(batch) >= batch_size:
            yield from lookup(batch)
            batch = []
    if batch:
        yield from lookup(batch)
    if missing:
        log.warning("%d articles are not preprocessed (new or changed since): run `python cli.py nlp "
                    "preprocess` to include them", missing)


class TermsStream:
    """A re-iterable stream of term lists (gensim's "corpus as an iterable"): nothing is held in memory.

    Parameters
    ----------
    store : CorpusStore
    **filters
        As for :func:`iter_terms`.
    """

    def __init__(self, store: CorpusStore, **filters: Any):
        self.store, self.filters = store, {"with_text": False, **filters}

    def __iter__(self) -> Iterator[list[str]]:
        for _, terms in iter_terms(self.store, **self.filters):
            yield terms
