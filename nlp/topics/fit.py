"""Topic models: gensim LDA on the cached terms, with coherence, FREX labels and guided (seeded) topics.

Every fit is a *run* (see :mod:`nlp.topic_runs`): a folder next to the corpus (``<db>.runs/topics/<name>/``) holding the model, its
dictionary, the bag-of-words corpus it saw and a ``manifest.json`` (seed, corpus hash, parameters, package
versions, coherence); the topics and each document's topic shares go into the store (``topic_runs``,
``topic_run_topics``, ``document_topics``) so trends and reports need no model files.

Single-process :class:`gensim.models.LdaModel` with ``random_state=seed`` is the default and is
reproducible: the same corpus and seed give the same topics. ``workers > 1`` uses ``LdaMulticore``, which
is faster and *not* reproducible; the manifest says so.

Work is done once: a sweep fits its Ks in parallel processes (each fit single-process and seeded, so the
result is the serial one), scores the topics of every K in one coherence pass over a seeded sample of
documents, and can store its best model as a run (:func:`sweep_topics` ``save_best``); a run's manifest can
carry a cache key (:func:`topics_cache_key`) by which an identical later request finds and reuses it
(:func:`find_cached_run`).

On a large selection, ``fit_sample`` fits the model on a stratified sample (:mod:`nlp.topics.sampling`) and
infers every document's shares from it; every fit infers its documents' shares chunk by chunk with
:func:`nlp.topics.infer.infer_shares` (docs/topics.md).
"""
from __future__ import annotations

import json
import logging
import re
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from corpus.analyses import begin_topic_run, write_document_topics
from corpus.store import CorpusStore

from nlp.errors import InvalidParameterError, TopicModelError, VocabularyError
from nlp.documents import DocumentTerms, load_documents
from nlp.provenance import package_versions
from nlp.topics.infer import iter_shares, model_arrays
from nlp.topics.model_files import MODEL_FILES, save_lda
from nlp.topics.model import (TopicModel, _mean, _Sample, check_k, coherence, frex_scores,  # noqa: F401
                              load_seed_words)
from nlp.topics.runs import TopicRun, list_runs, load_gensim_model, load_run, runs_root, show_topics, store_run
from nlp.topics.sampling import FitSample, resolve_fit_sample, stratified_sample
from nlp.text.vocabulary import normalise_term

__all__ = [
    "TopicModel", "TopicRun", "fit_topics", "sweep_topics", "fit_models", "save_run", "prepare_corpus", "load_run",
    "list_runs", "show_topics", "load_gensim_model", "load_seed_words", "frex_scores", "coherence",
    "topics_cache_key", "find_cached_run", "TOPIC_STOP_WORDS", "COHERENCE_DOCS", "draw_fit_sample",
]

log = logging.getLogger(__name__)

#: Documents in the seeded coherence sample: c_v on 2,000 documents is within 0.01 of c_v on 20,000
#: (docs/benchmarks.md, "Coherence sample"), at a tenth of the cost.
COHERENCE_DOCS = 2_000

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")

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
    units, unit_doc = _bags_of_words(docs, dictionary, chunk_terms)
    if units.nnz == 0:
        raise TopicModelError("no document has a term left after filtering: lower --no-below")
    _write_mm(mm_path, units, len(dictionary))
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


def _bags_of_words(docs: DocumentTerms, dictionary: Any, chunk_terms: int):
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
        bows, unit_doc = _block_bags(docs, column, lengths, start, end, chunk_terms, len(dictionary))
        blocks.append(bows)
        block_docs.append(unit_doc)
        start = end
    bows = sparse.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]
    return bows, np.concatenate(block_docs)


def _block_bags(docs: DocumentTerms, column: np.ndarray, lengths: np.ndarray, first: int, last: int,
                chunk_terms: int, n_terms: int):
    """:func:`_bags_of_words` for documents ``first`` to ``last - 1``: their non-empty units' bags and documents."""
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


def _write_mm(path: Path, bows, n_terms: int) -> None:
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


def _read_documents(store: CorpusStore, progress: Callable[[int], Any] | None, filters: dict[str, Any]
                    ) -> DocumentTerms:
    """The selection's documents for a fit; an empty corpus and a corpus never preprocessed are errors."""
    if store.count(**{k: v for k, v in filters.items() if k != "with_text"}) == 0:
        raise TopicModelError("the corpus is empty: add articles first (python cli.py corpus import FILE, "
                              "or python cli.py scrape OUTLET)")
    return load_documents(store, preprocess=False, progress=progress, **filters)


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



# ----------------------------------------------------------------------------- fitting models
def _fit_one(mm_path: str, dictionary: Any, params: dict[str, Any]) -> TopicModel:
    """Fit one :class:`TopicModel` on a saved bag-of-words corpus (also the body of a sweep's worker process).

    BLAS is held to one thread, so a fit gives the same floats in a worker as in the parent process.
    """
    from gensim.corpora import MmCorpus
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return TopicModel(**params).fit(MmCorpus(mm_path), dictionary)


def fit_models(prepared: PreparedCorpus, params: Sequence[dict[str, Any]], n_jobs: int = 1,
               progress: Callable[[str, int, int], Any] | None = None) -> list[TopicModel]:
    """Fit one model per parameter set on ``prepared``, in up to ``n_jobs`` processes.

    Each model is a single-process, seeded ``LdaModel`` (unless its ``workers`` say otherwise), so the result
    does not depend on ``n_jobs``: a parallel sweep gives the serial sweep's topics.

    Parameters
    ----------
    prepared : PreparedCorpus
    params : sequence of dict
        :class:`TopicModel` parameters, one dict per model.
    n_jobs : int
        Processes (``spawn``: safe whatever threads the parent runs); 1 fits in this process.
    progress : callable, optional
        ``progress("fitting", done, total)`` as models finish.

    Returns
    -------
    list of TopicModel
        In the order of ``params``; each has ``fit_seconds_``.
    """
    total = len(params)
    n_jobs = max(1, min(int(n_jobs), total))
    if n_jobs == 1:
        out = []
        for i, p in enumerate(params):
            if progress:
                progress("fitting", i, total)
            out.append(_timed_fit(str(prepared.mm_path), prepared.dictionary, p))
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    models: list[TopicModel | None] = [None] * total
    with ProcessPoolExecutor(n_jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_timed_fit, str(prepared.mm_path), prepared.dictionary, p): i
                   for i, p in enumerate(params)}
        for done, future in enumerate(as_completed(futures)):
            models[futures[future]] = future.result()
            if progress:
                progress("fitting", done + 1, total)
    return models  # type: ignore[return-value]


def _timed_fit(mm_path: str, dictionary: Any, params: dict[str, Any]) -> TopicModel:
    t0 = time.perf_counter()
    model = _fit_one(mm_path, dictionary, params)
    model.fit_seconds_ = time.perf_counter() - t0
    return model


def _coherence_measures(npmi: bool) -> tuple[str, ...]:
    return ("c_v", "c_npmi") if npmi else ("c_v",)


# ----------------------------------------------------------------------------- fitting a run
def fit_topics(store: CorpusStore, k: int, seed: int = 0, name: str | None = None, passes: int = 10,
               iterations: int = 100, workers: int = 1, alpha: str = "auto", no_below: int | None = None,
               no_above: float | None = None, keep_n: int = 50_000, chunk_terms: int | None = None,
               stop_words: Iterable[str] | str | Path | None = None, seed_words: str | Path | dict | None = None,
               seed_strength: float = 200.0, topn: int = 10, coherence_docs: int = COHERENCE_DOCS,
               runs_dir: str | Path | None = None, progress: Callable[[str, int, int], Any] | None = None,
               docs: DocumentTerms | None = None, cache_key: str | None = None, fit_sample: int | str | None = None,
               executor: Any = None, **filters: Any) -> TopicRun:
    """Fit, label, score, save and store one topic model.

    Parameters
    ----------
    store : CorpusStore
    k : int
        Number of topics (2 to the number of documents).
    seed : int
        ``random_state`` of the model and of the coherence sample.
    name : str, optional
        Run name (default ``lda-k{K}-s{seed}``); a run of the same name is replaced.
    passes, iterations, workers, alpha
        See :class:`TopicModel`.
    no_below, no_above, keep_n, chunk_terms, stop_words
        Dictionary filtering and passages of long documents, see :func:`prepare_corpus`.
    seed_words : path or dict, optional
        Guided topics, see :func:`load_seed_words`.
    coherence_docs : int
        Coherence (c_v and NPMI) is computed on a seeded random sample of at most this many documents
        (default :data:`COHERENCE_DOCS`, chosen by measurement: see docs/benchmarks.md).
    runs_dir : path, optional
        Where run folders go (default ``<db>.runs``); the run is ``<runs_dir>/topics/<name>``.
    progress : callable, optional
        ``progress(step, done, total)`` for the CLI's progress display.
    docs : nlp.documents.DocumentTerms, optional
        The documents to model (read from ``store`` with ``filters`` when not given); the store keeps the
        fitted run and each document's shares.
    cache_key : str, optional
        Recorded in the manifest (see :func:`topics_cache_key`), so an identical later request can reuse the run.
    fit_sample : int or "auto", optional
        Fit on a seeded sample of this many documents, stratified by tendency x year x outlet
        (:mod:`nlp.topics.sampling`; ``"auto"``: :data:`~nlp.topics.sampling.AUTO_FIT_SAMPLE` when the selection
        is larger), then infer every document's shares from the model; the manifest's ``fit_sample`` records
        it. Default: fit on every document.
    executor : nlp.parallel.Executor, optional
        Infer the documents' shares in chunks as its tasks (Dask workers); the same shares as in process.
    **filters
        Article selection (outlet, tendency, since, until, limit) when ``docs`` is not given.

    Returns
    -------
    TopicRun

    Raises
    ------
    InvalidParameterError, TopicModelError, NotPreprocessedError
    """
    if k < 2:  # before any work
        check_k(k, k)
    name = _run_name(name or f"lda-k{k}-s{seed}")
    seeds = load_seed_words(seed_words)
    started = time.perf_counter()
    work = _work_dir(store, runs_dir, name)
    try:
        step = (lambda s: (lambda n=1: progress(s, n, 0))) if progress else (lambda s: None)
        if docs is None:
            docs = _read_documents(store, step("reading terms"), filters)
        sample = draw_fit_sample(docs, fit_sample, seed, k)
        prepared = prepare_corpus(docs if sample is None else docs.subset(sample.indices), work, no_below=no_below,
                                  no_above=no_above, keep_n=keep_n, chunk_terms=chunk_terms, stop_words=stop_words)
        check_k(k, prepared.n_docs)
        params = dict(k=k, random_state=seed, passes=passes, iterations=iterations, alpha=alpha,
                      workers=workers, seed_words=seeds or None, seed_strength=seed_strength, topn=topn)
        model = fit_models(prepared, [params], progress=progress)[0]
        if progress:
            progress("coherence", 0, 0)
        scores = coherence([t["terms"] for t in model.topics_], _Sample(docs, coherence_docs, seed),
                           prepared.dictionary)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return save_run(store, name, model, prepared, scores, work, docs.meta.get("filters", {}), started,
                    coherence_docs, seeds=seeds, extra={"cache_key": cache_key} if cache_key else None, docs=docs,
                    sample=sample, executor=executor)


def draw_fit_sample(docs: DocumentTerms, fit_sample: int | str | None, seed: int, k: int | None = None
                    ) -> FitSample | None:
    """The stratified sample to fit on for ``fit_sample`` (see :func:`fit_topics`), or None to fit on every
    document (none asked for, or no fewer documents than asked for).

    Raises
    ------
    InvalidParameterError
        When ``fit_sample`` is not a positive number or ``"auto"``, or is smaller than ``k``.
    """
    size = resolve_fit_sample(fit_sample, len(docs))
    if size is None:
        return None
    if k is not None and size < k:
        raise InvalidParameterError(f"a sample of {size} documents is smaller than K = {k}: sample at least {k} "
                                    "documents (or leave --fit-sample out)", param="--fit-sample")
    sample = stratified_sample(docs, size, seed, requested=fit_sample)
    log.info("fitting on a stratified sample of %d of %d documents (%d of %d strata)", sample.size, len(docs),
             sample.to_dict()["strata_in_sample"], len(sample.strata))
    return sample


def _run_name(name: str) -> str:
    if not _NAME.match(name):
        raise InvalidParameterError(f"run name {name!r} must be letters, digits, '.', '_' or '-'", param="--name")
    return name


def _work_dir(store: CorpusStore, runs_dir: str | Path | None, name: str) -> Path:
    """A fresh ``.<name>.partial`` folder beside where run ``name`` will be saved."""
    work = runs_root(store, runs_dir) / "topics" / f".{name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    return work


def save_run(store: CorpusStore, name: str, model: TopicModel, prepared: PreparedCorpus,
             scores: dict[str, tuple[float | None, list[float | None]]], work: Path, filters: dict[str, Any],
             started: float, coherence_docs: int, seeds: dict[str, list[str]] | None = None,
             extra: dict[str, Any] | None = None, docs: DocumentTerms | None = None,
             sample: FitSample | None = None, executor: Any = None) -> TopicRun:
    """Store a fitted model as run ``name``: shares, topics and run row in the store (all or nothing), model
    files and manifest in ``work``, which becomes the run folder ``<work's parent>/<name>``.

    ``prepared`` must have written its corpus into ``work``; ``scores`` are :func:`coherence`'s result for
    the model's topics (a measure left out is recorded as None); ``extra`` adds keys to the manifest.
    ``docs`` are the documents given shares (inferred from the model, :mod:`nlp.topics.infer`; default: the
    documents ``prepared`` holds); ``sample``, the sample of them the model was fitted on, goes into the
    manifest as ``fit_sample``.
    """
    final = work.with_name(name)
    try:
        with store.transaction():  # shares, topics and run row: all or nothing
            begin_topic_run(store, name, model.k, model.random_state, str(final))  # the row the shares refer to
            t0 = time.perf_counter()
            prevalence, n_modelled = _store_shares(store, name, model, prepared, docs, executor=executor)
            seconds_shares = time.perf_counter() - t0
            none = (None, [None] * model.k)
            for t in model.topics_:
                t["coherence_c_v"] = scores.get("c_v", none)[1][t["id"]]
                t["coherence_npmi"] = scores.get("c_npmi", none)[1][t["id"]]
                t["prevalence"] = float(prevalence[t["id"]])
            manifest = _manifest(store, name, model, prepared, scores, filters, model.fit_seconds_,
                                 time.perf_counter() - started, seeds or {}, coherence_docs)
            manifest.update(extra or {})
            manifest["seconds_shares"] = round(seconds_shares, 3)  # inferring and storing every document's shares
            manifest["fit_sample"] = None
            if sample is not None:
                manifest["fit_sample"] = {**sample.to_dict(), "fitted_docs": prepared.n_docs,
                                          "fitted_passages": prepared.n_units}
                manifest["n_articles"], manifest["n_docs"] = len(docs), n_modelled
            manifest["model"] = save_lda(model.model_, prepared.dictionary, work)  # arrays and JSON, no pickle
            (work / "topics.json").write_text(json.dumps(model.topics_, indent=2, ensure_ascii=False), "utf-8")
            (work / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
            shutil.rmtree(final, ignore_errors=True)
            work.rename(final)
            manifest["path"] = str(final)
            store_run(store, name, model, manifest, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    log.info("fitted %s: K=%d, c_v=%s, %.1fs", name, model.k, manifest["coherence"]["c_v"],
             manifest["seconds_total"])
    return TopicRun(name=name, k=model.k, path=final, manifest=manifest, topics=model.topics_)


def _manifest(store, name, model, prepared, scores, filters, fit_seconds, total_seconds, seeds,
              coherence_docs) -> dict:
    return {
        "name": name, "k": model.k, "seed": model.random_state, "reproducible": model.reproducible,
        "estimator": "gensim.models.LdaMulticore" if model.workers > 1 else "gensim.models.LdaModel",
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "corpus_fingerprint": store.fingerprint(), "corpus_path": store.path,
        "preprocess_fingerprint": prepared.preprocess_fingerprint,
        "collocations_fingerprint": prepared.collocations_fingerprint,
        "filters": {k: v for k, v in filters.items() if k != "with_text"},
        "parameters": {**{k: v for k, v in model.get_params().items() if k != "seed_words"},
                       "alpha": model.effective_alpha,
                       **prepared.filtering},
        "seed_words": seeds, "seed_words_missing": model.seed_words_missing_,
        "n_articles": prepared.n_articles, "n_docs": prepared.n_docs, "n_passages": prepared.n_units,
        "n_terms": len(prepared.dictionary),
        "n_tokens": prepared.n_tokens,
        "coherence": {"c_v": scores.get("c_v", (None,))[0], "c_npmi": scores.get("c_npmi", (None,))[0],
                      "measured_on_docs": f"a seeded sample of at most {coherence_docs}",
                      "per_topic": {m: v[1] for m, v in scores.items()}},
        "seconds_fit": round(fit_seconds, 3), "seconds_total": round(total_seconds, 3),
        "versions": package_versions(),
        "files": [*MODEL_FILES, "corpus.mm", "doc_ids.txt", "topics.json", "manifest.json"],
    }


def _store_shares(store: CorpusStore, name: str, model: TopicModel, prepared: PreparedCorpus,
                  docs: DocumentTerms | None = None, executor: Any = None) -> tuple[np.ndarray, int]:
    """Write the topic shares of every document of ``docs`` (default: those ``prepared`` holds) that has a term
    in the model's vocabulary (call inside a transaction); return each topic's mean share and how many documents
    got shares.

    Shares are inferred from the fitted model chunk by chunk (:func:`nlp.topics.infer.iter_shares`); a document
    modelled as passages gets the token-weighted mean of its passages' shares (still summing to 1).
    """
    if docs is None:
        from scipy.io import mmread

        units = [(id_, n) for id_, n in prepared.ids()]
        bows = mmread(str(prepared.mm_path)).tocsr()
    else:
        bows, unit_doc = _bags_of_words(docs, prepared.dictionary, prepared.chunk_terms)
        lengths = np.asarray(bows.sum(axis=1)).ravel().tolist()
        units = [(docs.ids[d], n) for d, n in zip(unit_doc.tolist(), lengths)]
    exp_elog_beta, alpha = model_arrays(model)
    total = np.zeros(model.k)
    rows: list[tuple] = []
    current, acc, weight, n_docs = None, np.zeros(model.k), 0, 0

    def flush() -> None:
        nonlocal total, n_docs
        theta = acc / weight
        total += theta
        n_docs += 1
        rows.extend((name, current, t, float(share)) for t, share in enumerate(theta))

    shares = (theta for chunk in iter_shares(bows, exp_elog_beta, alpha, model.iterations, executor=executor)
              for theta in chunk)
    for (article_id, n_tokens), theta in zip(units, shares):
        if article_id != current:
            if current is not None:
                flush()
            current, acc, weight = article_id, np.zeros(model.k), 0
        acc = acc + theta * n_tokens
        weight += n_tokens
        if len(rows) >= 20_000:
            write_document_topics(store, rows)
            rows = []
    if current is not None:
        flush()
    write_document_topics(store, rows)
    return total / max(n_docs, 1), n_docs


# ----------------------------------------------------------------------------- sweeps over K
def sweep_topics(store: CorpusStore, ks: Sequence[int], seed: int = 0, passes: int = 10, iterations: int = 100,
                 workers: int = 1, alpha: str = "auto", no_below: int | None = None, no_above: float | None = None,
                 keep_n: int = 50_000, chunk_terms: int | None = None, stop_words: Iterable[str] | str | Path | None = None,
                 topn: int = 10,
                 coherence_docs: int = COHERENCE_DOCS, runs_dir: str | Path | None = None, name: str | None = None,
                 progress: Callable[[str, int, int], Any] | None = None, docs: DocumentTerms | None = None,
                 n_jobs: int = 1, npmi: bool = True, save_best: str | None = None, cache_key: str | None = None,
                 fit_sample: int | str | None = None, executor: Any = None, **filters: Any) -> dict[str, Any]:
    """Fit one model per K on the same dictionary and seed; score each by coherence.

    Writes ``sweep.csv``, ``sweep.json`` and ``sweep.png`` (c_v and NPMI against K) to
    ``<runs_dir>/sweeps/<name>/``. The Ks are fitted in up to ``n_jobs`` processes (each fit single-process
    and seeded, so the result is the serial one); coherence scores the topics of every K in one pass over a
    seeded sample of ``coherence_docs`` documents.

    Parameters
    ----------
    npmi : bool
        Also score NPMI for every K (the sweep table shows it); False scores c_v only (the Ks are chosen by
        c_v) and NPMI for the best K alone, and only when it is saved.
    save_best : str, optional
        Store the best K's model as a run of this name (no refit; ``{k}`` in it becomes the K); it is
        returned under ``"run"``.
    cache_key : str, optional
        Recorded in the saved run's manifest (see :func:`topics_cache_key`).
    fit_sample : int or "auto", optional
        Fit every K on this stratified sample of the documents (see :func:`fit_topics`); the saved run's shares
        are inferred for every document.

    Other parameters are those of :func:`fit_topics`.

    Returns
    -------
    dict
        ``{"rows": [{"k", "coherence_c_v", "coherence_npmi", "seconds"}], "best_k", "csv", "json"}`` (and
        ``"run"``, a :class:`TopicRun`, with ``save_best``); ``best_k`` has the highest c_v.
    """
    ks = sorted(set(int(k) for k in ks))
    if not ks:
        raise InvalidParameterError("name at least one K, e.g. --k 5,10,20", param="--k")
    check_k(ks[0], max(ks[0], 2))
    if save_best:
        _run_name(save_best.format(k=ks[0]))
    name = name or f"sweep-{'-'.join(map(str, ks))}-s{seed}"
    started = time.perf_counter()
    out = runs_root(store, runs_dir) / "sweeps" / name
    shutil.rmtree(out, ignore_errors=True)
    work = _work_dir(store, runs_dir, save_best.format(k="best")) if save_best else out / "corpus"
    step = (lambda s: (lambda n=1: progress(s, n, 0))) if progress else (lambda s: None)
    try:
        if docs is None:
            docs = _read_documents(store, step("reading terms"), filters)
        sample = draw_fit_sample(docs, fit_sample, seed, max(ks))
        prepared = prepare_corpus(docs if sample is None else docs.subset(sample.indices), work, no_below=no_below,
                                  no_above=no_above, keep_n=keep_n, chunk_terms=chunk_terms, stop_words=stop_words)
        for k in ks:
            check_k(k, prepared.n_docs)
        models = fit_models(prepared, [dict(k=k, random_state=seed, passes=passes, iterations=iterations,
                                            alpha=alpha, workers=workers, topn=topn) for k in ks],
                            n_jobs=n_jobs, progress=progress)
        if progress:
            progress("coherence", 0, 0)
        texts = _Sample(docs, coherence_docs, seed)
        topics = [t["terms"] for m in models for t in m.topics_]
        scores = _split_scores(coherence(topics, texts, prepared.dictionary, _coherence_measures(npmi)), ks)
        rows = [{"k": k, "coherence_c_v": scores[k]["c_v"][0],
                 "coherence_npmi": scores[k]["c_npmi"][0] if npmi else None,
                 "seconds": round(m.fit_seconds_, 2), "labels": [t["label"] for t in m.topics_]}
                for k, m in zip(ks, models)]
        best = max(rows, key=lambda r: (r["coherence_c_v"] is not None, r["coherence_c_v"] or 0))
        run = None
        if save_best:
            i = ks.index(best["k"])
            if not npmi:  # shown with the saved run: score the best K alone
                scores[best["k"]].update(coherence([t["terms"] for t in models[i].topics_], texts,
                                                   prepared.dictionary, ("c_npmi",)))
            run = save_run(store, save_best.format(k=best["k"]), models[i], prepared, scores[best["k"]], work,
                           docs.meta.get("filters", {}), started, coherence_docs,
                           extra={"cache_key": cache_key, "sweep": {"ks": ks, "rows": rows, "best_k": best["k"]}},
                           docs=docs, sample=sample, executor=executor)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"csv": out / "sweep.csv", "json": out / "sweep.json"}
    with open(paths["csv"], "w", encoding="utf-8") as fh:
        fh.write("k,coherence_c_v,coherence_npmi,seconds\n")
        for r in rows:
            fh.write(f"{r['k']},{r['coherence_c_v']},{r['coherence_npmi']},{r['seconds']}\n")
    result = {"name": name, "seed": seed, "n_docs": prepared.n_docs, "rows": rows, "best_k": best["k"],
              "fit_sample": None if sample is None else {k: v for k, v in sample.to_dict().items() if k != "strata"},
              "corpus_fingerprint": docs.meta.get("corpus") or store.fingerprint(), "reproducible": workers <= 1}
    paths["json"].write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return {**result, **{k: str(v) for k, v in paths.items()}, **({"run": run} if run else {})}


def _split_scores(scores: dict[str, tuple[float | None, list[float | None]]], ks: Sequence[int]
                  ) -> dict[int, dict[str, tuple[float | None, list[float | None]]]]:
    """Per-K scores from one :func:`coherence` call over the topics of every K, in order."""
    out: dict[int, dict[str, tuple]] = {k: {} for k in ks}
    for measure, (_, per_topic) in scores.items():
        start = 0
        for k in ks:
            part = per_topic[start:start + k]
            out[k][measure] = (_mean(part), part)
            start += k
    return out


# ----------------------------------------------------------------------------- reusing a stored run
#: Part of every cache key: bump it when a change to fitting makes stored runs stale.
FIT_VERSION = 1


def topics_cache_key(docs: DocumentTerms, **params: Any) -> str:
    """A key for "this model on these documents": the corpus, preprocessing and collocations fingerprints
    and the selection (all from ``docs.meta``), the number of documents, and ``params`` (K or the swept Ks,
    seed, passes...). Two requests with the same key would fit the same model, so the second can reuse it.
    """
    import hashlib

    payload = {"version": FIT_VERSION, "n_docs": len(docs),
               **{key: docs.meta.get(key) for key in ("corpus", "preprocessor", "collocations", "filters")},
               "params": params}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


def find_cached_run(store: CorpusStore, key: str) -> TopicRun | None:
    """The newest stored run whose manifest has ``cache_key == key`` and whose model files are all on disk."""
    for row in list_runs(store):
        run = load_run(store, row["name"])
        if run.manifest.get("cache_key") == key and all((run.path / f).is_file() for f in MODEL_FILES):
            return run
    return None
