"""The bag-of-words corpus a topic model is fitted on: a filtered dictionary, passages of long documents, and
the Matrix Market file gensim streams.

:func:`prepare_corpus` builds the dictionary from the document-term matrix (the ids gensim's own
``add_documents`` would give), drops rare, ubiquitous and stop words (:data:`TOPIC_STOP_WORDS`), cuts long
documents into passages at paragraph starts (:func:`passage_cuts`) and writes the corpus a block of
documents at a time, so its memory does not grow with the corpus.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from nlp.documents import DocumentTerms
from nlp.errors import TopicModelError, VocabularyError
from nlp.text.vocabulary import normalise_term

#: Words of argument rather than of subject ("think", "tell", "question"): left out of topic models only
#: (contrasts and classifiers still see them). Extend with ``stop_words`` / ``--stop-words FILE``.
TOPIC_STOP_WORDS = frozenset("""
    able ask begin believe big bit case certain clear come continue day far feel find give good great happen
    include kind know let like little long look lot mean need new point put question real seem set start sure
    talk tell thing think time try want way week
""".split())


# ----------------------------------------------------------------------------- preparing the corpus
@dataclass
class PreparedCorpus:
    """A filtered dictionary and the bag-of-words corpus on disk (Matrix Market, streamed by gensim)."""

    dictionary: Any
    mm_path: Path
    ids_path: Path
    n_docs: int
    n_articles: int
    n_tokens: int
    n_units: int
    chunk_terms: int
    filtering: dict[str, Any]
    preprocess_fingerprint: str
    collocations_fingerprint: str | None

    def corpus(self):
        from gensim.corpora import MmCorpus
        return MmCorpus(str(self.mm_path))

    def ids(self) -> Iterator[tuple[str, int]]:
        """``(article id, number of tokens)`` of each modelled unit, in corpus order."""
        with open(self.ids_path, encoding="utf-8") as fh:
            for line in fh:
                id_, n = line.rstrip("\n").split("\t")
                yield id_, int(n)


def prepare_corpus(docs: DocumentTerms, workdir: str | Path, no_below: int | None = None,
                   no_above: float | None = None, keep_n: int = 50_000, chunk_terms: int | None = None,
                   stop_words: Iterable[str] | str | Path | None = None, progress: Callable[[int], Any] | None = None
                   ) -> PreparedCorpus:
    """Build the dictionary (two streamed passes) and write the bag-of-words corpus to ``workdir``.

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
    workdir : str or Path
    no_below : int, optional
        Keep terms in at least this many documents; default 2 below 200 documents, else 5.
    no_above : float, optional
        Drop terms in more than this share of documents; default 0.5, or 0.9 when documents average more
        than 2,000 terms (long documents share their core vocabulary).
    keep_n : int
        Keep at most this many terms (the most frequent).
    chunk_terms : int, optional
        Model long documents as passages of about this many terms (a document's shares are then the
        length-weighted mean of its passages'); 0 never splits. Default: 1,000 when documents average more
        than 2,000 terms (a manifesto is many topics; LDA would give each one nearly a single topic), else 0.
    stop_words : iterable of str, or path, optional
        Terms left out of the model; default :data:`TOPIC_STOP_WORDS`; a file (words separated by spaces or
        lines, ``#`` comments) adds its words to the default.
    progress : callable, optional
        Called with the number of documents just read.

    Raises
    ------
    TopicModelError
        Empty corpus, or no terms left after filtering.
    """
    if len(docs) == 0:
        raise TopicModelError("the selection is empty: add articles first (python cli.py corpus import FILE, "
                              "or python cli.py scrape OUTLET), or widen it")
    dictionary = _dictionary(docs)
    n_articles = len(docs)
    if progress:
        progress(n_articles)
    if dictionary.num_nnz == 0:
        raise TopicModelError("the corpus has no terms to model: run `python cli.py nlp preprocess` "
                              "(or choose a wider selection)")
    if no_below is None:
        no_below = 2 if n_articles < 200 else 5
    if no_above is None:
        # In long documents (manifestos, reports) the core vocabulary is in most documents; dropping
        # everything in half of them leaves only names. Articles: the usual 0.5.
        no_above = 0.9 if dictionary.num_pos / n_articles > 2000 else 0.5
    if chunk_terms is None:
        chunk_terms = 1000 if dictionary.num_pos / n_articles > 2000 else 0
    if n_articles < 3:
        no_above = 1.0  # a share of one or two documents means nothing
    dictionary.filter_extremes(no_below=no_below, no_above=no_above, keep_n=keep_n)
    stop = topic_stop_words(stop_words)
    dictionary.filter_tokens(bad_ids=[i for w, i in dictionary.token2id.items() if w in stop])
    if len(dictionary) == 0:
        raise TopicModelError(f"no terms are left after filtering (in at least {no_below} documents and at "
                              f"most {no_above:.0%} of them): lower --no-below or raise --no-above")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    mm_path, ids_path = workdir / "corpus.mm", workdir / "doc_ids.txt"
    units, unit_doc = bags_of_words(docs, dictionary, chunk_terms)
    if units.nnz == 0:
        raise TopicModelError("no document has a term left after filtering: lower --no-below")
    write_mm(mm_path, units, len(dictionary))
    lengths = np.asarray(units.sum(axis=1)).ravel().astype(np.int64)
    with open(ids_path, "w", encoding="utf-8") as fh:
        fh.write("".join(f"{docs.ids[d]}\t{n}\n" for d, n in zip(unit_doc.tolist(), lengths.tolist())))
    return PreparedCorpus(
        dictionary=dictionary, mm_path=mm_path, ids_path=ids_path, n_docs=len(np.unique(unit_doc)),
        n_articles=n_articles, n_tokens=int(lengths.sum()), n_units=units.shape[0], chunk_terms=chunk_terms,
        filtering={"no_below": no_below, "no_above": no_above, "keep_n": keep_n, "chunk_terms": chunk_terms,
                   "stop_words": sorted(stop)},
        preprocess_fingerprint=docs.meta.get("preprocessor"), collocations_fingerprint=docs.meta.get("collocations"))


def _dictionary(docs: DocumentTerms) -> Any:
    """The gensim ``Dictionary`` that ``add_documents`` over ``docs`` would build (same ids, counts and
    statistics), from the document-term matrix instead of one Python call per document.

    gensim numbers a document's new words in sorted order, documents in turn; so a word's id follows (the first
    document it is in, the word).
    """
    from gensim.corpora import Dictionary

    m = docs.matrix
    csc = m.tocsc()
    csc.sort_indices()
    present = np.flatnonzero(np.diff(csc.indptr))
    first = csc.indices[csc.indptr[present]]
    vocab = docs.vocabulary
    order = sorted(zip(first.tolist(), (vocab[c] for c in present.tolist()), present.tolist()))
    dfs = np.diff(csc.indptr)
    cfs = np.asarray(csc.sum(axis=0)).ravel()
    d = Dictionary()
    d.token2id = {word: i for i, (_, word, _) in enumerate(order)}
    d.dfs = {i: int(dfs[c]) for i, (_, _, c) in enumerate(order)}
    d.cfs = {i: int(cfs[c]) for i, (_, _, c) in enumerate(order)}
    d.num_docs, d.num_pos, d.num_nnz = len(docs), int(m.sum()), int(m.nnz)
    return d


#: Tokens turned into bags of words at a time (bounds the transient arrays: about 40 bytes per token).
_BLOCK_TOKENS = 2_000_000
#: Matrix Market entries formatted at a time.
_BLOCK_ENTRIES = 500_000


def bags_of_words(docs: DocumentTerms, dictionary: Any, chunk_terms: int):
    """Each modelled unit's bag of words over ``dictionary`` (a CSR matrix, rows in corpus order, empty units
    left out) and the document of each row. A unit is a document, or one of its passages (:func:`_passages`).

    Built over blocks of documents of about :data:`_BLOCK_TOKENS` tokens, so the memory it takes does not
    grow with the corpus beyond the result itself."""
    from scipy import sparse

    column = np.full(len(docs.vocabulary), -1, dtype=np.int64)
    for i, word in enumerate(docs.vocabulary):
        column[i] = dictionary.token2id.get(word, -1)
    lengths = np.diff(docs.offsets)
    blocks, block_docs = [], []
    start = 0
    while start < len(docs):
        end = max(start + 1, int(np.searchsorted(docs.offsets, docs.offsets[start] + _BLOCK_TOKENS, side="right")) - 1)
        end = min(end, len(docs))
        bows, unit_doc = block_bags(docs, column, lengths, start, end, chunk_terms, len(dictionary))
        blocks.append(bows)
        block_docs.append(unit_doc)
        start = end
    bows = sparse.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]
    return bows, np.concatenate(block_docs)


def block_bags(docs: DocumentTerms, column: np.ndarray, lengths: np.ndarray, first: int, last: int,
                chunk_terms: int, n_terms: int):
    """:func:`bags_of_words` for documents ``first`` to ``last - 1``: their non-empty units' bags and documents."""
    from scipy import sparse

    n = last - first
    doc_lengths = lengths[first:last]
    per_doc = np.ones(n, dtype=np.int64)
    cuts = {}
    if chunk_terms:  # as _passages cuts them: documents over 1.5 times size, at paragraphs where they can be
        for d in np.flatnonzero(doc_lengths > chunk_terms * 1.5).tolist():
            cuts[d] = np.asarray(passage_cuts(int(doc_lengths[d]), chunk_terms, docs.paragraph_breaks(first + d)),
                                 dtype=np.int64)
            per_doc[d] = len(cuts[d]) + 1
    first_unit = np.concatenate([[0], np.cumsum(per_doc)[:-1]]).astype(np.int64)
    unit = np.repeat(first_unit, doc_lengths)
    base = docs.offsets[first]
    for d, c in cuts.items():
        start, end = docs.offsets[first + d] - base, docs.offsets[first + d + 1] - base
        unit[start:end] += np.searchsorted(c, np.arange(end - start), side="right")
    unit_doc = np.repeat(np.arange(first, last, dtype=np.int64), per_doc)
    cols = column[docs.tokens[base:docs.offsets[last]]]
    keep = cols >= 0
    bows = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.int64), (unit[keep], cols[keep])),
                             shape=(len(unit_doc), n_terms))
    bows.sum_duplicates()
    bows.sort_indices()
    nonempty = np.flatnonzero(np.diff(bows.indptr))
    return bows[nonempty], unit_doc[nonempty]


def write_mm(path: Path, bows, n_terms: int) -> None:
    """Write a CSR matrix of counts as gensim's ``MmCorpus.serialize`` does (Matrix Market, 1-based), a block
    of rows at a time."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"%%MatrixMarket matrix coordinate real general\n{bows.shape[0]} {n_terms} {bows.nnz}\n")
        row = 0
        while row < bows.shape[0]:
            stop = max(row + 1, int(np.searchsorted(bows.indptr, bows.indptr[row] + _BLOCK_ENTRIES, side="right")) - 1)
            stop = min(stop, bows.shape[0])
            lo, hi = bows.indptr[row], bows.indptr[stop]
            rows = np.repeat(np.arange(row + 1, stop + 1), np.diff(bows.indptr[row:stop + 1])).tolist()
            fh.write("".join(map("{} {} {}\n".format, rows, (bows.indices[lo:hi] + 1).tolist(),
                                 bows.data[lo:hi].tolist())))
            row = stop


def topic_stop_words(source: Iterable[str] | str | Path | None = None) -> frozenset[str]:
    """:data:`TOPIC_STOP_WORDS`, a given set instead, or the defaults plus the words of a file."""
    if source is None:
        return TOPIC_STOP_WORDS
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise VocabularyError(f"stop-words file {path} not found")
        words = [w for line in path.read_text(encoding="utf-8").splitlines()
                 for w in line.split("#", 1)[0].split()]
        return TOPIC_STOP_WORDS | {normalise_term(w) for w in words}
    return frozenset(source)


def passage_cuts(n: int, size: int, breaks: Sequence[int] | np.ndarray = ()) -> list[int]:
    """Where a document of ``n`` terms is cut into passages of about ``size`` terms: ``round(n / size)`` even
    pieces, each cut moved to the nearest paragraph start within half a passage (so a passage is whole
    paragraphs wherever the text has them). No cut for a document up to 1.5 times ``size``."""
    if not size or n <= size * 1.5:
        return []
    pieces = max(1, round(n / size))
    breaks = np.asarray(breaks, dtype=np.int64)
    cuts = []
    for j in range(1, pieces):
        cut = round(n * j / pieces)
        if len(breaks):
            near = int(breaks[np.argmin(np.abs(breaks - cut))])
            if abs(near - cut) <= size // 2:
                cut = near
        cuts.append(cut)
    return sorted({c for c in cuts if 0 < c < n})


def _passages(terms: list[str], size: int, breaks: Sequence[int] = ()) -> Iterator[list[str]]:
    """The document itself, or its passages (:func:`passage_cuts`)."""
    bounds = [0, *passage_cuts(len(terms), size, breaks), len(terms)]
    for start, end in zip(bounds, bounds[1:]):
        yield terms[start:end]


#: Cells (document, term) up to which a :class:`RowsCorpus` keeps its documents as gensim reads them (lists of
#: pairs, about 120 bytes a cell: 60 MB at most) instead of converting every row again on every pass.
ROWS_CACHE_CELLS = 500_000


class RowsCorpus:
    """A CSR matrix of counts as the re-iterable corpus gensim reads (a document: ``[(term id, count)]``,
    counts as floats), the same documents :class:`gensim.corpora.MmCorpus` yields for it.

    gensim reads the corpus once a pass: a matrix of at most ``cache_cells`` cells is converted on the first pass
    and the lists kept for the next ones (not carried when the corpus is pickled to a worker); a larger one is
    converted a row at a time on every pass, so its memory does not grow."""

    def __init__(self, rows: Any, cache_cells: int = ROWS_CACHE_CELLS):
        self.rows = rows
        self.cache_cells = cache_cells
        self._bows: list[list[tuple[int, float]]] | None = None

    def __len__(self) -> int:
        return self.rows.shape[0]

    def __iter__(self) -> Iterator[list[tuple[int, float]]]:
        if self._bows is None and self.rows.nnz <= self.cache_cells:
            self._bows = list(self._convert())
        return iter(self._bows) if self._bows is not None else self._convert()

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_bows": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({"cache_cells": ROWS_CACHE_CELLS, "_bows": None, **state})

    def _convert(self) -> Iterator[list[tuple[int, float]]]:
        indptr, indices, data = self.rows.indptr, self.rows.indices, self.rows.data.astype(np.float64)
        for r in range(self.rows.shape[0]):
            lo, hi = indptr[r], indptr[r + 1]
            yield list(zip(indices[lo:hi].tolist(), data[lo:hi].tolist()))
