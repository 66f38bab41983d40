"""The document-term object every analysis works on, and the groups of articles it defines.

:class:`DocumentTerms` holds one selection of a corpus, read once: each article's id, title, outlet,
authors, date and resolved tendency, and its preprocessed terms (as integer ids over one vocabulary, with a
sparse count matrix). :func:`load_documents` builds it from a store; :meth:`DocumentTerms.from_terms`
builds it from plain term lists (a notebook, a test, another corpus). The classifier, contrasts, mentions,
trends, topic models and scaling take it as plain data and never see the store.

An article belongs to a group through one *field*: its resolved ``tendency`` (article, author or outlet
label), its ``outlet``, any of its ``author`` s, or its ``year`` (a year group may be a range such as
``2016-2019``, so periods can be contrasted).
"""
from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections import Counter
from array import array
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
from scipy import sparse

from corpus.analyses import count_unprocessed, get_state


from nlp.errors import EmptySelectionError, GroupError, NlpError  # noqa: F401 (the two: part of this module's API)
from nlp.text.boilerplate import BOILERPLATE_KEY, Boilerplate

log = logging.getLogger(__name__)

FIELDS = ("tendency", "outlet", "author", "year")
#: Resolved tendencies that are not a usable class label.
UNUSABLE_TENDENCIES = ("unlabelled",)
MAX_LISTED = 30  # known group names listed in an error message
_YEAR_RANGE = re.compile(r"^\s*(\d{4})\s*(?:-|–|\.\.|to)\s*(\d{4})\s*$")


def check_field(field: str) -> str:
    """Return ``field`` if it is one of :data:`FIELDS`, else raise :class:`GroupError`."""
    if field not in FIELDS:
        raise GroupError(f"Unknown field {field!r}; known fields: {', '.join(FIELDS)}")
    return field


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


#: Documents per block when :attr:`DocumentTerms.matrix` is built.
MATRIX_BLOCK = 5000


@dataclass
class DocumentTerms:
    """A selection of articles with their metadata and preprocessed terms, read once.

    Terms are stored as integer ids over :attr:`vocabulary`, concatenated (``tokens``) with ``offsets``:
    document ``i`` is ``tokens[offsets[i]:offsets[i + 1]]``. ``raw_tokens`` (optional) holds the terms before
    the corpus collocations were applied, over the same vocabulary, for analyses that count single names
    (mentions, term trends).

    Build it with :func:`load_documents` (a corpus) or :meth:`from_terms` (plain term lists).
    """

    ids: list[str]
    titles: list[str | None]
    outlets: list[str]
    authors: list[tuple[str, ...]]
    published: list[str | None]
    labels: list[str]
    label_levels: list[str]
    urls: list[str | None]
    vocabulary: list[str]
    tokens: np.ndarray
    offsets: np.ndarray
    raw_tokens: np.ndarray | None = None
    raw_offsets: np.ndarray | None = None
    #: Where each document's paragraphs start (positions in its terms, after the first), flat with
    #: ``break_offsets`` like ``tokens``; None when the terms carry no paragraphs (:meth:`paragraph_breaks`).
    breaks: np.ndarray | None = None
    break_offsets: np.ndarray | None = None
    #: Where the terms come from: preprocessing fingerprint, collocations, corpus fingerprint, selection; and
    #: ``coding`` when people coded articles (:func:`nlp.coding.summary.coding_meta`).
    meta: dict[str, Any] = field(default_factory=dict)
    #: Each document's copy cluster (near-duplicates, :mod:`corpus.duplicates`): the smallest id among its
    #: copies in the selection; None when no document has a copy (:attr:`copy_keys`).
    copy_clusters: list[str] | None = None
    #: Where the documents' texts can be read (article ids -> ``{id: text}``), for the rare check that needs
    #: the words as written (:meth:`texts`); None when only the terms are known. Not part of the data.
    text_source: Callable[[Sequence[str]], Mapping[str, str]] | None = field(default=None, repr=False,
                                                                              compare=False)

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def from_terms(cls, terms: Iterable[Sequence[str]], ids: Sequence[str] | None = None,
                   labels: Sequence[str] | None = None, outlets: Sequence[str] | None = None,
                   authors: Sequence[Sequence[str]] | None = None, published: Sequence[str | None] | None = None,
                   titles: Sequence[str | None] | None = None, raw_terms: Iterable[Sequence[str]] | None = None,
                   meta: dict[str, Any] | None = None, copies: Sequence[str] | None = None,
                   urls: Sequence[str | None] | None = None, texts: Sequence[str] | None = None) -> "DocumentTerms":
        """From plain term lists and optional per-document metadata (defaults: ids ``d0, d1, ...``,
        label ``unlabelled``, outlet ``""``, no authors, no date, no URL, no copies). ``copies``: each
        document's copy cluster (documents with the same value are copies of one another); ``texts``: the
        documents' texts as written, for :meth:`texts`."""
        builder = _Builder(keep_raw=raw_terms is not None)
        raw_iter = iter(raw_terms) if raw_terms is not None else None
        for t in terms:
            builder.add(t, next(raw_iter) if raw_iter is not None else None)
        n = builder.n
        docs = builder.build(
            ids=list(ids) if ids is not None else [f"d{i}" for i in range(n)],
            titles=list(titles) if titles is not None else [None] * n,
            outlets=list(outlets) if outlets is not None else [""] * n,
            authors=[tuple(a) for a in authors] if authors is not None else [()] * n,
            published=list(published) if published is not None else [None] * n,
            labels=list(labels) if labels is not None else ["unlabelled"] * n,
            label_levels=["article" if labels is not None else "none"] * n,
            urls=list(urls) if urls is not None else [None] * n, meta=meta or {},
            copy_clusters=list(copies) if copies is not None else None)
        if texts is not None:
            by_id = dict(zip(docs.ids, texts))
            docs.text_source = lambda wanted: {i: by_id[i] for i in wanted if i in by_id}
        return docs

    def __getstate__(self) -> dict[str, Any]:
        """What goes to another process: everything but :attr:`text_source` (it reads the open store)."""
        return {**self.__dict__, "text_source": None}

    # -- access -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.ids)

    def terms(self, i: int) -> list[str]:
        """Document ``i``'s terms (after collocations)."""
        vocab = self.vocabulary
        return [vocab[t] for t in self.tokens[self.offsets[i]:self.offsets[i + 1]]]

    def raw_terms(self, i: int) -> list[str]:
        """Document ``i``'s terms before collocations (its terms when no raw terms were kept)."""
        if self.raw_tokens is None:
            return self.terms(i)
        vocab = self.vocabulary
        return [vocab[t] for t in self.raw_tokens[self.raw_offsets[i]:self.raw_offsets[i + 1]]]

    def __iter__(self) -> Iterator[list[str]]:
        """The documents' term lists, in order (a re-iterable corpus, as gensim expects)."""
        return self.iter_terms()

    def iter_terms(self, raw: bool = False) -> Iterator[list[str]]:
        get = self.raw_terms if raw else self.terms
        for i in range(len(self)):
            yield get(i)

    def paragraph_breaks(self, i: int) -> np.ndarray:
        """Positions in document ``i``'s terms where a new paragraph starts (empty when unknown)."""
        if self.breaks is None:
            return np.zeros(0, dtype=np.int64)
        return self.breaks[self.break_offsets[i]:self.break_offsets[i + 1]]

    @property
    def copy_keys(self) -> list[str]:
        """Each document's copy cluster: documents with the same key are near-duplicates of one another
        (print and online editions, syndicated copies) and count once; a document without a copy has its
        own id."""
        return list(self.copy_clusters) if self.copy_clusters is not None else list(self.ids)

    def n_terms(self, i: int) -> int:
        return int(self.offsets[i + 1] - self.offsets[i])

    def texts(self, indices: Sequence[int]) -> list[str | None]:
        """The texts of the documents at ``indices`` as written (None where they cannot be read)."""
        ids = [self.ids[int(i)] for i in indices]
        found = self.text_source(ids) if self.text_source is not None and ids else {}
        return [found.get(i) for i in ids]

    def without_terms(self, terms: Iterable[str]) -> "DocumentTerms":
        """The same documents without ``terms``: gone from their terms, raw terms, count matrix and vocabulary.

        The one way an analysis leaves terms out (outlet markers, :mod:`nlp.text.markers`): every analysis
        that takes the view sees the same documents, none of them the terms. ``self`` itself when none of
        ``terms`` is in the vocabulary. Term ids are renumbered; a count matrix already built is sliced
        rather than built again; ``meta["without_terms"]`` is a hash of what was left out.
        """
        index = {t: i for i, t in enumerate(self.vocabulary)}
        dropped = sorted({index[t] for t in terms if t in index})
        if not dropped:
            return self
        keep = np.ones(len(self.vocabulary), dtype=bool)
        keep[dropped] = False
        renumber = np.full(len(self.vocabulary), -1, dtype=np.int32)
        renumber[keep] = np.arange(int(keep.sum()), dtype=np.int32)

        def filtered(tokens: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            kept = keep[tokens]
            gone = np.flatnonzero(~kept)  # few: a handful of terms
            return renumber[tokens[kept]], offsets - np.searchsorted(gone, offsets), gone

        tokens, offsets, gone = filtered(self.tokens, self.offsets)
        raw_tokens, raw_offsets = (filtered(self.raw_tokens, self.raw_offsets)[:2] if self.raw_tokens is not None
                                   else (None, None))
        breaks, break_offsets = self.breaks, self.break_offsets
        if breaks is not None and len(gone):
            doc = np.repeat(np.arange(len(self)), np.diff(break_offsets))
            where = self.offsets[doc] + breaks
            moved = where - np.searchsorted(gone, where) - offsets[doc]
            # a paragraph left empty takes its break with it
            ok = (moved > 0) & (moved < (offsets[doc + 1] - offsets[doc]))
            ok[1:] &= ~((moved[1:] == moved[:-1]) & (doc[1:] == doc[:-1]))
            breaks, doc = moved[ok], doc[ok]
            break_offsets = np.concatenate([[0], np.cumsum(np.bincount(doc, minlength=len(self)))]).astype(np.int64)
        names = [self.vocabulary[i] for i in dropped]
        left_out = "\n".join([self.meta.get("without_terms", ""), *sorted(names)])
        meta = {**self.meta, "without_terms": hashlib.sha256(left_out.encode()).hexdigest()[:16]}
        view = DocumentTerms(ids=self.ids, titles=self.titles, outlets=self.outlets, authors=self.authors,
                             published=self.published, labels=self.labels, label_levels=self.label_levels,
                             urls=self.urls, vocabulary=[t for t, k in zip(self.vocabulary, keep) if k],
                             tokens=tokens, offsets=offsets, raw_tokens=raw_tokens, raw_offsets=raw_offsets,
                             breaks=breaks, break_offsets=break_offsets, meta=meta, text_source=self.text_source)
        if "matrix" in self.__dict__:
            view.__dict__["matrix"] = self.matrix[:, np.flatnonzero(keep)].tocsr()
        return view

    @cached_property
    def matrix(self) -> sparse.csr_matrix:
        """Documents x vocabulary term counts (after collocations).

        Built straight from the token arrays (a document's tokens are a CSR row with repeats), a block of
        documents at a time, into arrays sized for every token and shrunk in place at the end: the working
        memory is the matrix and one block, not a row index per token or a second copy of the matrix.
        """
        n, v = len(self), len(self.vocabulary)
        data = np.empty(len(self.tokens), dtype=np.int32)
        indices = np.empty(len(self.tokens), dtype=np.int32)
        indptr = np.zeros(n + 1, dtype=np.int64)
        filled = 0
        for start in range(0, n, MATRIX_BLOCK):
            stop = min(n, start + MATRIX_BLOCK)
            lo, hi = self.offsets[start], self.offsets[stop]
            block = sparse.csr_matrix((np.ones(hi - lo, dtype=np.int32), self.tokens[lo:hi].copy(),
                                       self.offsets[start:stop + 1] - lo), shape=(stop - start, v))
            block.sum_duplicates()  # sorts each row's columns and adds up repeats, in place
            data[filled:filled + block.nnz] = block.data
            indices[filled:filled + block.nnz] = block.indices
            indptr[start + 1:stop + 1] = block.indptr[1:] + filled
            filled += block.nnz
        data.resize(filled, refcheck=False)  # shrinks in place (no copy of the kept part)
        indices.resize(filled, refcheck=False)
        if filled < np.iinfo(np.int32).max:
            indptr = indptr.astype(np.int32)  # as scipy would index a matrix this size
        m = sparse.csr_matrix((data, indices, indptr), shape=(n, v), copy=False)
        m.has_sorted_indices = True
        return m

    @cached_property
    def outlet_markers(self) -> Any:
        """The selection's outlet markers (:func:`nlp.text.markers.find_markers`, default thresholds), found
        once: the terms that nearly identify one outlet, which analyses of tendencies leave out."""
        from nlp.text.markers import find_markers

        return find_markers(self)

    @cached_property
    def years(self) -> list[int | None]:
        return [int(p[:4]) if p and p[:4].isdigit() else None for p in self.published]

    def values(self, i: int, field: str) -> tuple[str, ...]:
        """Document ``i``'s values for ``field`` (several for co-authored articles, none if missing)."""
        if field == "tendency":
            return (self.labels[i],)
        if field == "outlet":
            return (self.outlets[i],)
        if field == "author":
            return self.authors[i]
        if field == "year":
            y = self.years[i]
            return (str(y),) if y is not None else ()
        raise GroupError(f"Unknown field {field!r}; known fields: {', '.join(FIELDS)}")

    def grouped(self, field: str, raw: bool = False) -> Iterator[tuple[tuple[str, ...], list[str]]]:
        """``(values, terms)`` per document, ``values`` being its ``field`` values."""
        check_field(field)
        get = self.raw_terms if raw else self.terms
        for i in range(len(self)):
            yield self.values(i, field), get(i)

    def group_counts(self, field: str) -> Counter:
        """Documents per value of ``field``."""
        check_field(field)
        counts: Counter = Counter()
        for i in range(len(self)):
            counts.update(set(self.values(i, field)))
        return counts

    def release_derived(self) -> None:
        """Forget the count matrix built from the terms (:attr:`matrix`); it is built again when next used
        (a fraction of a second at 50,000 articles). ``run`` calls this between stages, so a stage that does
        not use the matrix does not carry it."""
        self.__dict__.pop("matrix", None)

    def subset(self, indices: Sequence[int] | np.ndarray) -> "DocumentTerms":
        """The documents at ``indices`` (same vocabulary)."""
        idx = [int(i) for i in np.asarray(indices, dtype=np.int64)]

        def pick(tokens: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            parts = [tokens[offsets[i]:offsets[i + 1]] for i in idx]
            lengths = np.array([len(p) for p in parts], dtype=np.int64)
            return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32),
                    np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))

        tokens, offsets = pick(self.tokens, self.offsets)
        raw = pick(self.raw_tokens, self.raw_offsets) if self.raw_tokens is not None else (None, None)
        breaks = pick(self.breaks, self.break_offsets) if self.breaks is not None else (None, None)
        take = lambda xs: [xs[i] for i in idx]  # noqa: E731
        return DocumentTerms(ids=take(self.ids), titles=take(self.titles), outlets=take(self.outlets),
                             authors=take(self.authors), published=take(self.published), labels=take(self.labels),
                             label_levels=take(self.label_levels), urls=take(self.urls), vocabulary=self.vocabulary,
                             tokens=tokens, offsets=offsets, raw_tokens=raw[0], raw_offsets=raw[1],
                             breaks=breaks[0], break_offsets=breaks[1], meta=dict(self.meta),
                             copy_clusters=take(self.copy_clusters) if self.copy_clusters is not None else None,
                             text_source=self.text_source)

    def to_frame(self):
        """The documents' metadata as a pandas DataFrame (one row per document, with its number of terms)."""
        import pandas as pd

        return pd.DataFrame({"id": self.ids, "title": self.titles, "outlet": self.outlets,
                             "authors": ["; ".join(a) for a in self.authors], "published": self.published,
                             "tendency": self.labels, "label_level": self.label_levels,
                             "n_terms": np.diff(self.offsets)})

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able summary (not the terms)."""
        return {"documents": len(self), "vocabulary": len(self.vocabulary), "tokens": int(len(self.tokens)),
                "by_tendency": dict(self.group_counts("tendency")), "meta": self.meta}


class _Builder:
    """Accumulates term lists into one vocabulary and flat token arrays."""

    def __init__(self, keep_raw: bool = False):
        self.index: dict[str, int] = {}
        self.tokens, self.offsets = array("i"), [0]
        self.keep_raw = keep_raw
        self.raw, self.raw_offsets = array("i"), [0]
        self.breaks, self.break_offsets = array("i"), [0]
        self.n = 0

    def _ids(self, terms: Sequence[str]) -> list[int]:
        index = self.index
        return [index.setdefault(t, len(index)) for t in terms]

    def add(self, terms: Sequence[str], raw: Sequence[str] | None = None, breaks: Sequence[int] = ()) -> None:
        self.tokens.extend(self._ids(terms))
        self.offsets.append(len(self.tokens))
        self.breaks.extend(breaks)
        self.break_offsets.append(len(self.breaks))
        if self.keep_raw:
            self.raw.extend(self._ids(raw if raw is not None else terms))
            self.raw_offsets.append(len(self.raw))
        self.n += 1

    def build(self, **columns: Any) -> DocumentTerms:
        return DocumentTerms(
            vocabulary=list(self.index), tokens=np.frombuffer(self.tokens, dtype=np.int32).copy(),
            offsets=np.asarray(self.offsets, dtype=np.int64),
            raw_tokens=np.frombuffer(self.raw, dtype=np.int32).copy() if self.keep_raw else None,
            raw_offsets=np.asarray(self.raw_offsets, dtype=np.int64) if self.keep_raw else None,
            breaks=np.frombuffer(self.breaks, dtype=np.int32).astype(np.int64) if len(self.breaks) else None,
            break_offsets=np.asarray(self.break_offsets, dtype=np.int64) if len(self.breaks) else None, **columns)


class _Columns:
    """The per-article metadata of a selection, with each article's tendency resolved by the store."""

    def __init__(self, store: Any):
        self.store = store
        self.values: dict[str, list] = {k: [] for k in ("ids", "titles", "outlets", "authors", "published",
                                                        "labels", "label_levels", "urls")}
        self.ids = self.values["ids"]

    def add(self, article: Any) -> None:
        tendency, level = self.store.resolve(article)
        for key, value in (("ids", article.id), ("titles", article.title), ("outlets", article.outlet),
                           ("authors", tuple(article.authors)), ("published", article.published),
                           ("labels", tendency), ("label_levels", level), ("urls", article.url)):
            self.values[key].append(value)


def _from_cache(store: Any, folder: Any, filters: dict[str, Any], meta: dict[str, Any], raw: bool,
                progress: Callable[[int], Any] | None) -> DocumentTerms | None:
    """The selection with its arrays from the document cache and its metadata (labels resolved now) from
    the store; None when the cache does not fit the store's selection exactly."""
    from nlp import document_cache

    columns = _Columns(store)
    for article in store.articles(**{**filters, "with_text": False}):
        columns.add(article)
        if progress:
            progress(1)
    try:
        arrays = document_cache.load(folder, columns.ids)
    except NlpError as exc:
        log.info("document cache not used: %s", exc)
        return None
    if not raw:
        arrays["raw_tokens"] = arrays["raw_offsets"] = None
    log.info("read %d documents from the document cache %s", len(columns.ids), folder)
    return DocumentTerms(**columns.values, **arrays, meta=meta, copy_clusters=_copy_clusters(store, columns.ids),
                         text_source=functools.partial(_store_texts, store))


def _copy_clusters(store: Any, ids: Sequence[str]) -> list[str] | None:
    """The selection's copy clusters from the stored near-duplicates (None when there is no copy)."""
    from corpus.duplicates import copy_clusters

    keys = copy_clusters(store, ids)
    return keys if any(k != i for k, i in zip(keys, ids)) else None


def _store_texts(store: Any, ids: Sequence[str]) -> dict[str, str]:
    """``{id: text}`` of the articles ``ids`` (a :attr:`DocumentTerms.text_source` reading the store)."""
    return {a.id: a.text for a in store.articles(ids=list(ids))}


def ensure_preprocessed(store: Any) -> int:
    """Preprocess the articles that have no current terms yet (as ``nlp preprocess`` would); returns how many.

    So that the analyses work right after an import. The pipeline that made the corpus' terms is kept
    (``Preprocessor.from_store``); on a fresh corpus it is the default one. The near-duplicates of articles
    not yet compared are found too (:func:`corpus.duplicates.update_near_duplicates`).
    """
    from nlp.errors import NotPreprocessedError
    from nlp.text.terms import current_fingerprint

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
        from nlp.text.preprocess import Preprocessor, preprocess_corpus  # spaCy: only when there is work

        preprocess_corpus(store, Preprocessor.from_store(store) if fp else None)
    elif fp is not None and get_state(store, BOILERPLATE_KEY) is None:
        # preprocessed before boilerplate lines were looked for: find them now (one read of the cached terms)
        from nlp.text.preprocess import Collocations, Preprocessor, refit_corpus_terms

        params = (Collocations.from_store(store) or Collocations()).params
        refit_corpus_terms(store, fp, min_count=params.get("min_count", 10), threshold=params.get("threshold", 0.5),
                           exclude=Preprocessor.from_store(store).vocabulary.entries)
    else:
        from corpus.duplicates import update_near_duplicates

        update_near_duplicates(store)
    return missing


def load_documents(store: Any, preprocess: bool = True, raw: bool = False,
                   progress: Callable[[int], Any] | None = None, **filters: Any) -> DocumentTerms:
    """Read a selection of a corpus into a :class:`DocumentTerms`, once.

    Parameters
    ----------
    store : corpus.store.CorpusStore
    preprocess : bool
        Preprocess articles without current terms first (as ``nlp preprocess`` would).
    raw : bool
        Also keep each document's terms before collocations (:meth:`DocumentTerms.raw_terms`).
    progress : callable, optional
        Called with the number of documents just read.
    **filters
        The selection: ``outlet``, ``tendency``, ``author``, ``since``, ``until``, ``ids``, ``limit``.

    Raises
    ------
    NotPreprocessedError
        When nothing has been preprocessed (and ``preprocess`` is False).
    """
    from nlp import document_cache
    from nlp.coding.summary import coding_meta
    from nlp.text.collocations import Collocations, paragraph_breaks
    from nlp.text.terms import current_fingerprint, iter_terms

    if preprocess:
        ensure_preprocessed(store)
    colloc = Collocations.from_store(store)
    apply = colloc.apply if colloc is not None and len(colloc) else None
    builder = _Builder(keep_raw=raw)
    columns = _Columns(store)
    cache = document_cache.cache_dir(store)
    with store.snapshot():  # one consistent state, even while an import runs
        fp = current_fingerprint(store)
        meta = {"preprocessor": fp, "collocations": colloc.fingerprint if colloc else None,
                "corpus": store.fingerprint(), "corpus_articles": store.count(),  # of one state, as a pair
                "filters": {k: v for k, v in filters.items() if v is not None}}
        boilerplate = Boilerplate.from_store(store, fp).fingerprint
        if boilerplate is not None:  # the lines left out of every article's terms
            meta["boilerplate"] = boilerplate
        coding = coding_meta(store)
        if coding is not None:  # people coded articles: the report says how the classifier fares against them
            meta["coding"] = coding
        folder = None if cache is None else cache / document_cache.cache_key(
            store, meta["preprocessor"], meta["collocations"], filters, raw, boilerplate)
        if folder is not None and (folder / "manifest.json").is_file():
            docs = _from_cache(store, folder, filters, meta, raw, progress)
            if docs is not None:
                return docs
        for article, marked in iter_terms(store, collocations=False, paragraphs=True,
                                          **{**filters, "with_text": False}):
            terms, _ = paragraph_breaks(marked)
            # collocations join within a paragraph only (the mark is in no pair); breaks index the joined terms
            joined, breaks = paragraph_breaks(apply(marked)) if apply else (terms, paragraph_breaks(marked)[1])
            builder.add(joined, terms, breaks)
            columns.add(article)
            if progress:
                progress(1)
        copies = _copy_clusters(store, columns.ids)
    docs = builder.build(**columns.values, meta=meta, copy_clusters=copies)
    docs.text_source = functools.partial(_store_texts, store)
    if folder is not None and len(docs) >= document_cache.MIN_DOCUMENTS:
        try:
            document_cache.save(folder, docs.ids, docs.vocabulary, {name: getattr(docs, name)
                                                                    for name in document_cache.ARRAYS})
        except OSError as exc:  # OutputError too: a cache that cannot be written is only slower next time
            log.warning("the terms of this selection could not be kept for next time: %s", exc)
    log.info("read %d documents (%d terms, vocabulary %d)", len(docs), len(docs.tokens), len(docs.vocabulary))
    return docs
