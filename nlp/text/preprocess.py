"""Preprocessing: text -> terms, cached per article in the store.

The pipeline, in order:

1. spaCy tokeniser (default ``spacy.blank("en")``, or an installed trained pipeline with ``model=``);
2. the domain phrase layer (:mod:`nlp.vocabulary`): multi-word names merged into one token whose lemma is
   the canonical term (``"soft left"`` -> ``soft_left``) BEFORE lemmatising, so "left" never becomes
   "leave" in them;
3. lemmas (lookup tables from ``spacy-lookups-data`` for the blank pipeline), lower-cased, with the
   vocabulary's lemma overrides (``left`` stays ``left``);
4. stop words, numbers, URLs, e-mail addresses, punctuation and one-letter tokens out;
5. data-driven collocations (:mod:`nlp.text.collocations`), fitted on the whole cached corpus by
   :func:`preprocess_corpus` and applied by :func:`iter_terms` and :meth:`Preprocessor.terms`.

Terms of step 1-4 are cached in ``article_terms`` with the pipeline's fingerprint and the article's content
hash, so a re-run processes only new or changed articles. The lines each outlet repeats across many of its
articles (:mod:`nlp.text.boilerplate`: headers, footers, sign-offs) are found over the whole cache with the
collocations, which are fitted without them, and :func:`iter_terms` leaves them out.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
from pathlib import Path
from typing import Any, Callable, Hashable, Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from corpus.models import Article
from corpus.analyses import (cached_hashes, get_state, iter_cached_terms, set_state, term_cache_status,
                             write_terms)
from corpus.duplicates import update_near_duplicates
from corpus.store import CorpusStore

from nlp.errors import NotPreprocessedError, UnknownModelError
from nlp.text.boilerplate import BOILERPLATE_KEY, Boilerplate, LineCounts
from nlp.text.boilerplate import MIN_DOCS as BOILERPLATE_MIN_DOCS, MIN_SHARE as BOILERPLATE_MIN_SHARE
from nlp.text.cleaning import join_split_words
from nlp.text.collocations import (_COLLOCATIONS_KEY, PARAGRAPH, CollocationCounts, Collocations, npmi_score,
                                   original_score, paragraph_breaks, strip_paragraphs)
from nlp.parallel import ClusterError, Executor, InProcessExecutor
from nlp.text.vocabulary import Vocabulary, load_vocabulary
from nlp.text.terms import _STATE_KEY, TermsStream, current_fingerprint, iter_terms  # noqa: F401 (re-exported)

__all__ = [
    "Preprocessor", "Collocations", "preprocess_corpus", "iter_terms", "load_vocabulary", "tokens",
    "PIPELINE_VERSION", "NotPreprocessedError", "UnknownModelError", "CollocationCounts", "PARAGRAPH",
    "npmi_score", "original_score", "paragraph_breaks", "strip_paragraphs", "tokenise_chunk",
]

log = logging.getLogger(__name__)

#: Bump when the term rules change: every cached article is then processed again.
PIPELINE_VERSION = "5"

#: Long texts are cut into chunks of about this many characters (at line or word breaks) for spaCy.
CHUNK_CHARS = 100_000

_TERM = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]{2,}", re.UNICODE)


# ----------------------------------------------------------------------------- the phrase layer
class PhraseMerger:
    """spaCy component: merge the vocabulary's names into single tokens with the canonical lemma.

    Patterns match case-insensitively unless the entry is ``case_sensitive``; ``exact_patterns`` always match
    exactly; ``context_patterns`` match exactly and only in a doc that also has one of the entry's
    ``context`` words. Where matches overlap, the longest wins.

    Parameters
    ----------
    nlp : Language
    vocabulary : Vocabulary
    """

    def __init__(self, nlp: Language, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.contextual = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.context: dict[int, frozenset[int]] = {}
        for entry in vocabulary:
            matcher = self.exact if entry.case_sensitive else self.lower
            matcher.add(entry.term, [nlp.make_doc(p) for p in entry.patterns])
            if entry.exact_patterns:
                self.exact.add(entry.term, [nlp.make_doc(p) for p in entry.exact_patterns])
            if entry.context_patterns:
                self.contextual.add(entry.term, [nlp.make_doc(p) for p in entry.context_patterns])
                self.context[nlp.vocab.strings[entry.term]] = frozenset(nlp.vocab.strings.add(w)
                                                                        for w in entry.context)

    def __call__(self, doc: Doc) -> Doc:
        matches = self.lower(doc) + self.exact(doc)
        if self.context:
            contextual = self.contextual(doc)
            if contextual:
                orths = {t.orth for t in doc}
                matches += [m for m in contextual if self.context[m[0]] & orths]
        if not matches:
            return doc
        spans = filter_spans([Span(doc, start, end, label=match_id) for match_id, start, end in matches])
        with doc.retokenize() as retokenizer:
            for span in spans:
                term = span.label_
                retokenizer.merge(span, attrs={"LEMMA": term, "NORM": term})
        return doc


@Language.factory("softleft_phrases", default_config={"phrases_file": None})
def make_phrase_merger(nlp: Language, name: str, phrases_file: str | None) -> PhraseMerger:
    return PhraseMerger(nlp, load_vocabulary(phrases_file))


def build_pipeline(model: str | None = None, phrases_file: str | Path | None = None) -> Language:
    """The spaCy pipeline: phrase layer first, then the lemmatiser.

    Raises
    ------
    UnknownModelError
        When ``model`` is not an installed spaCy pipeline.
    """
    config = {"phrases_file": str(phrases_file) if phrases_file else None}
    if model is None:
        nlp = spacy.blank("en")
        nlp.add_pipe("softleft_phrases", config=config)
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        try:
            nlp.initialize()
        except (ValueError, ImportError, OSError) as exc:
            raise UnknownModelError(
                f"the lookup lemmatiser needs spacy-lookups-data: pip install spacy-lookups-data ({exc})"
            ) from None
        nlp.max_length = CHUNK_CHARS * 2
        # Preprocessor applies the same lookup table once per word type (cached), not once per token.
        nlp.disable_pipe("lemmatizer")
        return nlp
    try:
        nlp = spacy.load(model, exclude=["ner", "parser", "textcat", "textcat_multilabel"])
    except (OSError, ImportError, ValueError):
        raise UnknownModelError(
            f"unknown spaCy model {model!r}: install it with `python -m spacy download {model}`, "
            "or leave out --model to use the built-in blank English pipeline"
        ) from None
    nlp.add_pipe("softleft_phrases", config=config, first=True)
    return nlp


# ----------------------------------------------------------------------------- the preprocessor
class Preprocessor:
    """Text -> terms.

    Parameters
    ----------
    model : str, optional
        An installed spaCy pipeline (e.g. ``"en_core_web_sm"``); default blank English + lookup lemmas.
    phrases_file : str or Path, optional
        A user phrase vocabulary extending ``nlp/text/vocabulary.toml``.
    n_process : int
        Processes for ``nlp.pipe``.
    batch_size : int
        Texts per ``nlp.pipe`` batch.
    collocations : Collocations, optional
        Applied by :meth:`terms` and :meth:`pipe` (not to what :func:`preprocess_corpus` caches).

    Examples
    --------
    >>> Preprocessor().terms("The soft left and the hard left disagree about Labour First")
    ['soft_left', 'hard_left', 'disagree', 'labour_first']
    """

    def __init__(self, model: str | None = None, phrases_file: str | Path | None = None, n_process: int = 1,
                 batch_size: int = 256, collocations: Collocations | None = None):
        self.model = model
        self.phrases_file = str(Path(phrases_file).resolve()) if phrases_file else None
        self.n_process = max(1, int(n_process))
        self.batch_size = batch_size
        self.collocations = collocations
        self.nlp = build_pipeline(model, self.phrases_file)
        self.vocabulary: Vocabulary = self.nlp.get_pipe("softleft_phrases").vocabulary
        self.stop_words = frozenset(w.lower() for w in self.nlp.Defaults.stop_words) | self.vocabulary.stop_words
        self._phrase_terms = frozenset(self.vocabulary.entries)
        self._cache: dict[tuple[int, int], str | None] = {}
        self._query_matcher: PhraseMatcher | None = None
        self._lookup = None
        if model is None:
            self._lookup = self.nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
            if not len(self._lookup):
                raise UnknownModelError("the lookup lemmatiser has no table: pip install spacy-lookups-data")

    @classmethod
    def from_store(cls, store: CorpusStore, **overrides: Any) -> "Preprocessor":
        """The preprocessor that made the store's cached terms, with the store's collocations."""
        state = get_state(store, _STATE_KEY) or {}
        params = {"model": state.get("model"), "phrases_file": state.get("phrases_file")}
        params.update(overrides)
        params.setdefault("collocations", Collocations.from_store(store))
        return cls(**params)

    @property
    def fingerprint(self) -> str:
        """Changes when the pipeline, its model version, the vocabulary or the term rules change."""
        meta = self.nlp.meta
        parts = [
            PIPELINE_VERSION, spacy.__version__, self.model or "blank:en",
            f"{meta.get('name')}-{meta.get('version')}", ",".join(self.nlp.component_names),
            self.vocabulary.fingerprint, str(len(self.stop_words)),
        ]
        if self.model is None:
            try:
                import spacy_lookups_data
                parts.append(getattr(spacy_lookups_data, "__version__", ""))
            except ImportError:  # pragma: no cover - build_pipeline already failed
                pass
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    def config(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "model": self.model, "phrases_file": self.phrases_file,
                "version": PIPELINE_VERSION, "spacy": spacy.__version__, "pipeline": self.nlp.pipe_names}

    # -- terms ------------------------------------------------------------------------------------
    def doc_terms(self, doc: Doc) -> list[str]:
        """The terms of a processed doc (before collocations)."""
        from spacy.attrs import LEMMA, ORTH

        cache, lookup = self._cache, self._term_of
        out: list[str] = []
        for orth, lemma in doc.to_array([ORTH, LEMMA]).tolist():
            key = (orth, lemma)
            term = cache.get(key, False)
            if term is False:
                term = cache[key] = lookup(orth, lemma)
            if term and (term != PARAGRAPH or (out and out[-1] != PARAGRAPH)):
                out.append(term)
        if out and out[-1] == PARAGRAPH:
            out.pop()
        return out

    def _term_of(self, orth: int, lemma: int) -> str | None:
        strings = self.nlp.vocab.strings
        lemma_text = strings[lemma] if lemma else strings[orth]
        if lemma_text in self._phrase_terms:
            return lemma_text
        lex = self.nlp.vocab[orth]
        if lex.is_space and "\n" in lex.orth_:
            return PARAGRAPH  # a line break: where a passage may end
        if lex.is_space or lex.is_punct or lex.like_num or lex.like_url or lex.like_email:
            return None
        lower = lex.lower_
        if lower in self.stop_words:
            return None
        term = self.vocabulary.lemmas.get(lower)
        if term is None and self._lookup is not None:
            # Blank pipeline: the lookup lemmatiser's table, consulted once per word type (this cache) rather
            # than once per token. The table is lower-case: "Years", "SCHOOLS" (headings) need their lower form.
            text = lex.orth_
            term = self._lookup.get(text, text)
            if term == text and lower != text:
                term = self._lookup.get(lower, lower)
            term = term.lower()
        elif term is None:
            term = lemma_text.lower()
        if term in self.stop_words or not _TERM.fullmatch(term):
            return None
        return term.replace("’", "'")

    def query_terms(self, query: str, case_sensitive: bool = False) -> tuple[str, ...]:
        """The terms a query stands for, as the corpus' terms (before collocations) write them.

        Every term query (``terms trends``, ``kwic``, ``mentions --faction``) goes through this one mapping:
        a name of the phrase vocabulary, in any case and with hyphens, spaces or underscores, is its
        canonical term (``"nhs"``, ``"NHS"`` and ``"National Health Service"`` give
        ``("national_health_service",)``); names inside a longer query are merged the same way; the rest
        goes through the pipeline (``"devolved powers"`` gives ``("devolve", "power")``). A collocation as
        written (``prime_minister``) is read as its words.

        Parameters
        ----------
        query : str
        case_sensitive : bool
            Match vocabulary names only as the corpus' text must write them (``"nhs"`` is then the word
            ``nhs``, not the NHS).

        Returns
        -------
        tuple of str
            Empty when preprocessing removes everything (a stop word, a number).
        """
        query = query.strip()
        if query in self._phrase_terms:
            return (query,)
        text = query.replace("_", " ")
        if not case_sensitive:
            term = self.vocabulary.term_for(text)
            if term is not None:
                return (term,)
            text = self._merge_query_names(text)
        return tuple(strip_paragraphs(next(self._pipe_base([(text, None)]))[0]))

    def _merge_query_names(self, text: str) -> str:
        """Replace every vocabulary name in ``text``, in any case, by its canonical term (a contextual spelling
        such as "Campaign Group" only maps as the whole query)."""
        if self._query_matcher is None:
            self._query_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
            for entry in self.vocabulary:
                # not the contextual spellings: "local campaign group" is not the Socialist Campaign Group
                spellings = entry.patterns + entry.exact_patterns
                self._query_matcher.add(entry.term, [self.nlp.make_doc(p) for p in spellings])
        doc = self.nlp.make_doc(text)
        spans = filter_spans([Span(doc, s, e, label=m) for m, s, e in self._query_matcher(doc)])
        out, pos = [], 0
        for span in sorted(spans, key=lambda sp: sp.start):
            out.append(doc[pos:span.start].text_with_ws + span.label_ + span[-1].whitespace_)
            pos = span.end
        out.append(doc[pos:].text)
        return "".join(out)

    def terms(self, text: str) -> list[str]:
        """The terms of one text (with collocations, when the preprocessor has them)."""
        terms = next(self._pipe_base([(text, None)]))[0]
        return strip_paragraphs(self.collocations.apply(terms) if self.collocations else terms)

    def pipe(self, pairs: Iterable[tuple[str, Hashable]], collocations: bool = True,
             executor: Executor | None = None) -> Iterator[tuple[list[str], Hashable]]:
        """Terms of many texts, batched through ``nlp.pipe(as_tuples=True)``; ids travel with texts.

        Parameters
        ----------
        pairs : iterable of (text, id)
        collocations : bool
            Apply :attr:`collocations` (False gives what :func:`preprocess_corpus` caches).
        executor : nlp.parallel.Executor, optional
            Where batches are tokenised as tasks (:func:`tokenise_chunk`): the run's local processes or Dask
            workers; default: :attr:`n_process` local worker processes (or this process for one).

        Yields
        ------
        (list of str, id)
            In the order of ``pairs``; with Dask workers, batch by batch as they complete.
        """
        colloc = self.collocations if collocations else None
        if executor is not None and not isinstance(executor, InProcessExecutor):
            results = self._pipe_tasks(pairs, executor)
        else:
            results = self._pipe_local(pairs) if self.n_process > 1 else self._pipe_base(pairs)
        for terms, id_ in results:  # collocations never cross a paragraph mark (it is in no pair)
            yield (strip_paragraphs(colloc.apply(terms)) if colloc else terms), id_

    def _pipe_base(self, pairs: Iterable[tuple[str, Hashable]]) -> Iterator[tuple[list[str], Hashable]]:
        buffer: list[str] = []
        for doc, (id_, last) in self.nlp.pipe(_chunked(pairs), as_tuples=True, batch_size=self.batch_size):
            buffer.extend(self.doc_terms(doc))
            if last:
                yield buffer, id_
                buffer = []

    def _pipe_local(self, pairs: Iterable[tuple[str, Hashable]]) -> Iterator[tuple[list[str], Hashable]]:
        """:meth:`_pipe_tasks` on a pool of :attr:`n_process` local processes, stopped afterwards."""
        from nlp.parallel import ProcessExecutor

        with ProcessExecutor(self.n_process) as ex:
            yield from self._pipe_tasks(pairs, ex)

    def _pipe_tasks(self, pairs: Iterable[tuple[str, Hashable]], executor: Executor
                    ) -> Iterator[tuple[list[str], Hashable]]:
        """Batches as tasks of ``executor`` (local processes or Dask workers): each worker runs the whole
        pipeline (terms included) on a batch and sends back only the terms, much less to pickle than spaCy's
        own ``n_process`` (whole Docs); every worker must run this very pipeline (same fingerprint). A long text
        travels as its pieces (:func:`_pieces`), so one long document does not leave the other workers idle at
        the end; at most :data:`IN_FLIGHT` batches per worker are out at a time, so memory stays flat however
        long the stream.

        Local worker processes forked for this work inherit this very pipeline (and its warm term cache)
        instead of each building its own on its first batch: the entry is the parent's only until the first
        batch is back, by when the pool has started."""
        fp = self.fingerprint
        log.info("tokenising on %s", executor.describe())
        work = functools.partial(tokenise_chunk, self.settings)
        key = (self.settings, threading.get_ident())
        seeded = key not in _TASK_PIPELINES
        if seeded:
            _TASK_PIPELINES[key] = (self, fp)

        def results() -> Iterator[tuple[list[str], Hashable]]:
            nonlocal seeded
            try:
                batches = enumerate(_batches(_pieces(pairs), self.batch_size))
                for _, (worker_fp, batch) in executor.map_chunks(work, batches,
                                                                 max_in_flight=IN_FLIGHT * executor.n_workers):
                    if seeded:
                        del _TASK_PIPELINES[key]
                        seeded = False
                    if worker_fp != fp:
                        raise ClusterError(f"a worker's pipeline differs from this one (fingerprint {worker_fp}, "
                                           f"here {fp}): install the same spaCy, spacy-lookups-data and phrase "
                                           "file on every worker")
                    yield from batch
            finally:
                if seeded:
                    _TASK_PIPELINES.pop(key, None)

        yield from _joined(results())

    @property
    def settings(self) -> tuple[str | None, str | None, int]:
        """``(model, phrases_file, batch_size)``: what a worker process needs to build the same pipeline."""
        return self.model, self.phrases_file, self.batch_size


#: One preprocessor per worker process (and thread) and settings, built on its first task.
_TASK_PIPELINES: dict[tuple, tuple[Preprocessor, str]] = {}


def tokenise_chunk(settings: tuple[str | None, str | None, int], batch: list[tuple[str, Hashable]]
                   ) -> tuple[str, list[tuple[list[str], Hashable]]]:
    """The task a worker process runs: the cached terms of a batch of ``(text, id)`` pairs.

    Pure: the same batch always gives the same terms, so a task re-run after a worker died changes nothing.

    Parameters
    ----------
    settings : tuple
        :attr:`Preprocessor.settings` of the client's preprocessor.
    batch : list of (text, id)

    Returns
    -------
    (fingerprint, list of (terms, id))
        The worker pipeline's fingerprint (the client checks it is its own) and each text's terms.
    """
    key = (settings, threading.get_ident())  # a spaCy pipeline is not shared between threads
    if key not in _TASK_PIPELINES:
        model, phrases_file, batch_size = settings
        pre = Preprocessor(model=model, phrases_file=phrases_file, batch_size=batch_size)
        _TASK_PIPELINES[key] = (pre, pre.fingerprint)
    pre, fp = _TASK_PIPELINES[key]
    return fp, list(pre._pipe_base(batch))


#: Batches per worker process submitted ahead of the one the parent waits for (results come back in order, so
#: a slow batch at the head must not leave the other workers without work).
IN_FLIGHT = 4


def _pieces(pairs: Iterable[tuple[str, Hashable]]) -> Iterator[tuple[str, tuple[Hashable, int, bool]]]:
    """Each text as the pieces :func:`_chunked` cuts it into, keyed ``(id, piece number, last)``. A worker
    tokenises a piece as it would inside the whole text (the pipeline cuts there anyway); :func:`_joined`
    puts the terms back together."""
    number = 0
    for piece, (id_, last) in _chunked(pairs):
        yield piece, (id_, number, last)
        number = 0 if last else number + 1


def _joined(results: Iterable[tuple[list[str], tuple[Hashable, int, bool]]]) -> Iterator[tuple[list[str], Hashable]]:
    """Whole texts' terms from their pieces' terms, in whatever order the pieces arrive (Dask's: as they
    complete); a text is yielded once all its pieces are in."""
    parts: dict[Hashable, dict[int, list[str]]] = {}
    count: dict[Hashable, int] = {}
    for terms, (id_, number, last) in results:
        if last and number == 0:  # a text in one piece: the usual case
            yield terms, id_
            continue
        parts.setdefault(id_, {})[number] = terms
        if last:
            count[id_] = number + 1
        if count.get(id_) == len(parts[id_]):
            got = parts.pop(id_)
            del count[id_]
            yield [t for i in range(len(got)) for t in got[i]], id_


def _batches(pairs: Iterable[tuple[str, Hashable]], size: int, max_chars: int = 100_000
             ) -> Iterator[list[tuple[str, Hashable]]]:
    """Batches of at most ``size`` texts or about ``max_chars`` characters (long texts spread over workers)."""
    batch: list[tuple[str, Hashable]] = []
    chars = 0
    for text, id_ in pairs:
        batch.append((text, id_))
        chars += len(text or "")
        if len(batch) >= size or chars >= max_chars:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def _chunked(pairs: Iterable[tuple[str, Hashable]]) -> Iterator[tuple[str, tuple[Hashable, bool]]]:
    """Cut long texts at line (else word) breaks so spaCy's max_length never bites and memory stays flat."""
    for text, id_ in pairs:
        text = join_split_words(text or "")  # before cutting: a cut must not fall inside "Conser-\nvative"
        while len(text) > CHUNK_CHARS:
            cut = text.rfind("\n", CHUNK_CHARS // 2, CHUNK_CHARS)
            if cut < 0:
                cut = text.rfind(" ", CHUNK_CHARS // 2, CHUNK_CHARS)
            if cut < 0:
                cut = CHUNK_CHARS
            yield text[:cut], (id_, False)
            text = text[cut:]
        yield text, (id_, True)


def tokens(text: str, store: CorpusStore | None = None, model: str | None = None,
           phrases_file: str | Path | None = None) -> list[str]:
    """What the pipeline makes of ``text`` (``nlp tokens``); with the store's collocations if it has any."""
    collocations = Collocations.from_store(store) if store is not None else None
    return Preprocessor(model=model, phrases_file=phrases_file, collocations=collocations).terms(text)


# ----------------------------------------------------------------------------- the cache
def preprocess_corpus(store: CorpusStore, preprocessor: Preprocessor | None = None,
                      progress: Callable[[int], Any] | None = None, commit_every: int = 500,
                      collocation_min_count: int = 10, collocation_threshold: float = 0.5,
                      executor: Executor | None = None, **filters: Any) -> dict[str, Any]:
    """Preprocess every article not yet cached under this pipeline (new or changed text), then refit the
    corpus collocations.

    Parameters
    ----------
    store : CorpusStore
    preprocessor : Preprocessor, optional
        Default: blank English with lookup lemmas.
    progress : callable, optional
        Called with the number of articles just handled (e.g. a click progress bar's ``update``).
    commit_every : int
        Articles per transaction: an interruption loses at most this many.
    collocation_min_count, collocation_threshold : int, float
        gensim ``Phrases`` parameters (NPMI scoring).
    executor : nlp.parallel.Executor, optional
        Dask workers (:func:`nlp.parallel.executor`) tokenise batches as tasks; their terms come back here and
        are written by this process alone. Writes replace an article's row, never add a second one, so a
        batch re-run after a worker died changes nothing. Default: this process (``n_process`` processes).
    **filters
        Passed to :meth:`CorpusStore.articles` (outlet, tendency, since, until, limit).

    Returns
    -------
    dict
        ``{"articles", "processed", "cached", "failed", "fingerprint", "collocations", "boilerplate", "model"}``;
        ``boilerplate`` is :meth:`nlp.text.boilerplate.Boilerplate.summary` (lines found, outlets, lines
        left out of the terms).
    """
    pre = preprocessor or Preprocessor()
    fp = pre.fingerprint
    counts = {"articles": 0, "processed": 0, "cached": 0, "failed": 0}

    def todo() -> Iterator[tuple[str, tuple[str, str, str]]]:
        batch: list[Article] = []

        def check() -> Iterator[tuple[str, tuple[str, str, str]]]:
            status = term_cache_status(store, [a.id for a in batch])
            for article in batch:
                chash, cached_fp, cached_hash = status[article.id]
                if cached_fp == fp and cached_hash == chash:
                    counts["cached"] += 1
                    if progress:
                        progress(1)
                    continue
                yield article.text, (article.id, chash, article.outlet)
            batch.clear()

        for article in store.articles(**filters):
            counts["articles"] += 1
            batch.append(article)
            if len(batch) >= commit_every:
                yield from check()
        yield from check()

    rows: list[tuple] = []
    counted = CollocationCounts()  # counted on the way in: no second read of the cache for the collocations
    lines = LineCounts()  # and each outlet's lines, for its boilerplate

    def flush() -> None:
        if rows:
            write_terms(store, rows)
            rows.clear()

    try:
        for terms, (id_, chash, outlet) in pre.pipe(todo(), collocations=False, executor=executor):
            try:
                rows.append((id_, fp, chash, terms))
                counted.add(terms)
                lines.add(outlet, terms)
                counts["processed"] += 1
            except Exception:  # one bad article is logged, counted and skipped
                log.exception("cannot cache the terms of article %s", id_)
                counts["failed"] += 1
            if progress:
                progress(1)
            if len(rows) >= commit_every:
                flush()
    finally:
        flush()  # keep what is done, even on Ctrl-C
    set_state(store, _STATE_KEY, pre.config())
    colloc, boilerplate = refit_corpus_terms(store, fp, min_count=collocation_min_count,
                                             threshold=collocation_threshold, exclude=pre.vocabulary.entries,
                                             counted=counted, lines=lines)
    # Near-duplicates of the articles not yet compared: the analyses count each cluster of copies once.
    copies = update_near_duplicates(store)
    log.info("preprocessed %(processed)d articles, %(cached)d already cached", counts)
    return {**counts, "fingerprint": fp, "collocations": len(colloc) if colloc else 0,
            "boilerplate": boilerplate.summary(), "model": pre.model or "blank:en",
            "near_duplicates": copies.to_dict()}


def refit_collocations(store: CorpusStore, fingerprint: str, min_count: int = 10, threshold: float = 0.5,
                       exclude: Iterable[str] = (), counted: CollocationCounts | None = None) -> Collocations | None:
    """The collocations of :func:`refit_corpus_terms` (the boilerplate is refitted with them)."""
    return refit_corpus_terms(store, fingerprint, min_count, threshold, exclude, counted)[0]


def refit_corpus_terms(store: CorpusStore, fingerprint: str, min_count: int = 10, threshold: float = 0.5,
                       exclude: Iterable[str] = (), counted: CollocationCounts | None = None,
                       lines: LineCounts | None = None) -> tuple[Collocations | None, Boilerplate]:
    """Find each outlet's boilerplate lines and fit the collocations without them, on all cached terms;
    unless the cached articles are unchanged since the last fit.

    ``counted`` and ``lines``: counts of the terms just cached; used instead of reading the cache when they
    cover every cached article of ``fingerprint`` (a first preprocessing), since the terms are then the same.
    The boilerplate's uses are taken back from the collocation counts (:meth:`CollocationCounts.remove`),
    so a header's words never become a collocation (``guardian_news``, ``print_ltd``).
    """
    h = hashlib.sha256()
    n = 0
    for id_, chash in cached_hashes(store, fingerprint):
        h.update(f"{id_}:{chash}\n".encode())
        n += 1
    rules = {"min_docs": BOILERPLATE_MIN_DOCS, "min_share": BOILERPLATE_MIN_SHARE}
    inputs = f"{fingerprint}:{h.hexdigest()[:16]}:{min_count}:{threshold}:{rules['min_docs']}:{rules['min_share']}"
    old, old_lines = get_state(store, _COLLOCATIONS_KEY), get_state(store, BOILERPLATE_KEY)
    if old and old.get("inputs") == inputs and old_lines and old_lines.get("inputs") == inputs:
        return Collocations.from_dict(old), Boilerplate.from_dict(old_lines)
    if n == 0:
        return None, Boilerplate()
    if counted is None or lines is None or counted.n_docs != n or lines.n_docs != n:
        counted, lines = CollocationCounts(), LineCounts()
        for article, terms in iter_terms(store, collocations=False, paragraphs=True, boilerplate=False,
                                         with_text=False):
            counted.add(terms)
            lines.add(article.outlet, terms)
    boilerplate = lines.boilerplate(**rules)
    for found in boilerplate.lines.values():
        for line, (_, occurrences) in found.items():
            counted.remove(line, occurrences)
    colloc = counted.collocations(min_count=min_count, threshold=threshold, exclude=exclude)
    set_state(store, BOILERPLATE_KEY, {**boilerplate.to_dict(), "inputs": inputs, "preprocessor": fingerprint})
    set_state(store, _COLLOCATIONS_KEY, {**colloc.to_dict(), "inputs": inputs, "documents": n})
    log.info("fitted %d collocations on %d documents; %d boilerplate lines in %d outlets", len(colloc), n,
             len(boilerplate), len(boilerplate.lines))
    return colloc, boilerplate


class _CachedTerms:
    """Re-iterable stream of every cached term list of one fingerprint (pre-collocation, boilerplate kept)."""

    def __init__(self, store: CorpusStore, fingerprint: str):
        self.store, self.fingerprint = store, fingerprint

    def __iter__(self) -> Iterator[list[str]]:
        return iter_cached_terms(self.store, self.fingerprint)
