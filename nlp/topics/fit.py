"""Topic models: gensim LDA on the cached terms, with coherence, FREX labels and guided (seeded) topics.

Every fit is a *run* (see :mod:`nlp.topic_runs`): a folder next to the corpus (``<db>.runs/topics/<name>/``) holding the model, its
dictionary, the bag-of-words corpus it saw and a ``manifest.json`` (seed, corpus hash, parameters, package
versions, coherence); the topics and each document's topic shares go into the store (``topic_runs``,
``topic_run_topics``, ``document_topics``) so trends and reports need no model files.

Single-process :class:`gensim.models.LdaModel` with ``random_state=seed`` is the default and is
reproducible: the same corpus and seed give the same topics. ``workers > 1`` uses ``LdaMulticore``, which
is faster and *not* reproducible; the manifest says so.
"""
from __future__ import annotations

import json
import logging
import math
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
from nlp.topics.model_files import MODEL_FILES, save_lda
from nlp.topics.model import TopicModel, _Sample, check_k, coherence, frex_scores, load_seed_words  # noqa: F401
from nlp.topics.runs import TopicRun, list_runs, load_gensim_model, load_run, runs_root, show_topics, store_run
from nlp.text.vocabulary import normalise_term

__all__ = [
    "TopicModel", "TopicRun", "fit_topics", "sweep_topics", "prepare_corpus", "load_run", "list_runs",
    "show_topics", "load_gensim_model", "load_seed_words", "frex_scores", "coherence", "TOPIC_STOP_WORDS",
]

log = logging.getLogger(__name__)

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
    from gensim.corpora import Dictionary, MmCorpus

    if len(docs) == 0:
        raise TopicModelError("the selection is empty: add articles first (python cli.py corpus import FILE, "
                              "or python cli.py scrape OUTLET), or widen it")
    dictionary = Dictionary()
    n_articles = 0
    for terms in docs:
        dictionary.add_documents([terms], prune_at=2_000_000)
        n_articles += 1
        if progress:
            progress(1)
    if n_articles == 0 or dictionary.num_nnz == 0:
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
    counts = {"docs": 0, "tokens": 0, "units": 0}
    with open(ids_path, "w", encoding="utf-8") as ids:
        def bows() -> Iterator[list[tuple[int, int]]]:
            for article_id, terms in zip(docs.ids, docs):
                modelled = False
                for piece in _passages(terms, chunk_terms):
                    bow = dictionary.doc2bow(piece)
                    if not bow:
                        continue  # a document with no modelled term has no topic shares
                    n = sum(c for _, c in bow)
                    ids.write(f"{article_id}\t{n}\n")
                    counts["units"] += 1
                    counts["tokens"] += n
                    modelled = True
                    yield bow
                counts["docs"] += modelled
        MmCorpus.serialize(str(mm_path), bows(), id2word=dictionary)
    if counts["docs"] == 0:
        raise TopicModelError("no document has a term left after filtering: lower --no-below")
    return PreparedCorpus(
        dictionary=dictionary, mm_path=mm_path, ids_path=ids_path, n_docs=counts["docs"],
        n_articles=n_articles, n_tokens=counts["tokens"], n_units=counts["units"], chunk_terms=chunk_terms,
        filtering={"no_below": no_below, "no_above": no_above, "keep_n": keep_n, "chunk_terms": chunk_terms,
                   "stop_words": sorted(stop)},
        preprocess_fingerprint=docs.meta.get("preprocessor"), collocations_fingerprint=docs.meta.get("collocations"))


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


def _passages(terms: list[str], size: int) -> Iterator[list[str]]:
    """The document itself, or (when ``size`` and it is over 1.5 times ``size``) even pieces of about ``size``."""
    if not size or len(terms) <= size * 1.5:
        yield terms
        return
    pieces = round(len(terms) / size)
    step = math.ceil(len(terms) / pieces)
    for start in range(0, len(terms), step):
        yield terms[start:start + step]



# ----------------------------------------------------------------------------- seed words

# ----------------------------------------------------------------------------- labels and coherence

# ----------------------------------------------------------------------------- the estimator

# ----------------------------------------------------------------------------- fitting a run
def fit_topics(store: CorpusStore, k: int, seed: int = 0, name: str | None = None, passes: int = 10,
               iterations: int = 100, workers: int = 1, alpha: str = "auto", no_below: int | None = None,
               no_above: float | None = None, keep_n: int = 50_000, chunk_terms: int | None = None,
               stop_words: Iterable[str] | str | Path | None = None, seed_words: str | Path | dict | None = None,
               seed_strength: float = 200.0, topn: int = 10, coherence_docs: int = 20_000,
               runs_dir: str | Path | None = None, progress: Callable[[str, int, int], Any] | None = None,
               docs: DocumentTerms | None = None, **filters: Any) -> TopicRun:
    """Fit, label, score, save and store one topic model.

    Parameters
    ----------
    store : CorpusStore
    k : int
        Number of topics (2 to the number of documents).
    seed : int
        ``random_state`` of the model (and of nothing else: there is nothing else random).
    name : str, optional
        Run name (default ``lda-k{K}-s{seed}``); a run of the same name is replaced.
    passes, iterations, workers, alpha
        See :class:`TopicModel`.
    no_below, no_above, keep_n, chunk_terms, stop_words
        Dictionary filtering and passages of long documents, see :func:`prepare_corpus`.
    seed_words : path or dict, optional
        Guided topics, see :func:`load_seed_words`.
    coherence_docs : int
        Coherence is computed on an evenly spaced sample of at most this many documents.
    runs_dir : path, optional
        Where run folders go (default ``<db>.runs``); the run is ``<runs_dir>/topics/<name>``.
    progress : callable, optional
        ``progress(step, done, total)`` for the CLI's progress display.
    docs : nlp.documents.DocumentTerms, optional
        The documents to model (read from ``store`` with ``filters`` when not given); the store keeps the
        fitted run and each document's shares.
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
    name = name or f"lda-k{k}-s{seed}"
    if not _NAME.match(name):
        raise InvalidParameterError(f"run name {name!r} must be letters, digits, '.', '_' or '-'", param="--name")
    seeds = load_seed_words(seed_words)
    started = time.perf_counter()
    final = runs_root(store, runs_dir) / "topics" / name
    work = final.with_name(f".{name}.partial")
    shutil.rmtree(work, ignore_errors=True)
    try:
        step = (lambda s: (lambda n=1: progress(s, n, 0))) if progress else (lambda s: None)
        if docs is None:
            docs = _read_documents(store, step("reading terms"), filters)
        prepared = prepare_corpus(docs, work, no_below=no_below, no_above=no_above, keep_n=keep_n,
                                  chunk_terms=chunk_terms, stop_words=stop_words)
        check_k(k, prepared.n_docs)
        model = TopicModel(k=k, random_state=seed, passes=passes, iterations=iterations, alpha=alpha,
                           workers=workers, seed_words=seeds or None, seed_strength=seed_strength, topn=topn)
        if progress:
            progress("fitting", 0, 0)
        model.fit(prepared.corpus(), prepared.dictionary)
        fit_seconds = time.perf_counter() - started
        if progress:
            progress("coherence", 0, 0)
        texts = _Sample(docs, math.ceil(prepared.n_articles / coherence_docs))
        scores = coherence([t["terms"] for t in model.topics_], texts, prepared.dictionary)
        with store.transaction():  # shares, topics and run row: all or nothing
            begin_topic_run(store, name, k, seed, str(final))  # the row the shares refer to
            prevalence = _store_shares(store, name, model, prepared)
            for t in model.topics_:
                t["coherence_c_v"] = scores["c_v"][1][t["id"]]
                t["coherence_npmi"] = scores["c_npmi"][1][t["id"]]
                t["prevalence"] = float(prevalence[t["id"]])
            manifest = _manifest(store, name, model, prepared, scores, docs.meta.get("filters", {}), fit_seconds,
                                 time.perf_counter() - started, seeds, coherence_docs)
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
    log.info("fitted %s: K=%d, c_v=%s, %.1fs", name, k, manifest["coherence"]["c_v"], manifest["seconds_total"])
    return TopicRun(name=name, k=k, path=final, manifest=manifest, topics=model.topics_)


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
        "coherence": {"c_v": scores["c_v"][0], "c_npmi": scores["c_npmi"][0], "measured_on_docs": "at most "
                      f"{coherence_docs}", "per_topic": {"c_v": scores["c_v"][1], "c_npmi": scores["c_npmi"][1]}},
        "seconds_fit": round(fit_seconds, 3), "seconds_total": round(total_seconds, 3),
        "versions": package_versions(),
        "files": [*MODEL_FILES, "corpus.mm", "doc_ids.txt", "topics.json", "manifest.json"],
    }


def _store_shares(store: CorpusStore, name: str, model: TopicModel, prepared: PreparedCorpus) -> np.ndarray:
    """Write every document's topic shares (call inside a transaction); return each topic's mean share.

    A document modelled as passages gets the token-weighted mean of its passages' shares (still summing to 1).
    """
    total = np.zeros(model.k)
    rows: list[tuple] = []
    current, acc, weight = None, np.zeros(model.k), 0

    def flush() -> None:
        nonlocal total
        theta = acc / weight
        total += theta
        rows.extend((name, current, t, float(share)) for t, share in enumerate(theta))

    for (article_id, n_tokens), theta in zip(prepared.ids(), model.transform(prepared.corpus())):
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
    return total / max(prepared.n_docs, 1)


# ----------------------------------------------------------------------------- sweeps over K
def sweep_topics(store: CorpusStore, ks: Sequence[int], seed: int = 0, passes: int = 10, iterations: int = 100,
                 workers: int = 1, alpha: str = "auto", no_below: int | None = None, no_above: float | None = None,
                 keep_n: int = 50_000, chunk_terms: int | None = None, stop_words: Iterable[str] | str | Path | None = None,
                 topn: int = 10,
                 coherence_docs: int = 20_000, runs_dir: str | Path | None = None, name: str | None = None,
                 progress: Callable[[str, int, int], Any] | None = None, docs: DocumentTerms | None = None,
                 **filters: Any) -> dict[str, Any]:
    """Fit one model per K on the same dictionary and seed; score each by coherence.

    Writes ``sweep.csv``, ``sweep.json`` and ``sweep.png`` (c_v and NPMI against K) to
    ``<runs_dir>/sweeps/<name>/``.

    Returns
    -------
    dict
        ``{"rows": [{"k", "coherence_c_v", "coherence_npmi", "seconds"}], "best_k", "csv", "json", "png"}``;
        ``best_k`` has the highest c_v.
    """
    ks = sorted(set(int(k) for k in ks))
    if not ks:
        raise InvalidParameterError("name at least one K, e.g. --k 5,10,20", param="--k")
    check_k(ks[0], max(ks[0], 2))
    name = name or f"sweep-{'-'.join(map(str, ks))}-s{seed}"
    out = runs_root(store, runs_dir) / "sweeps" / name
    shutil.rmtree(out, ignore_errors=True)
    step = (lambda s: (lambda n=1: progress(s, n, 0))) if progress else (lambda s: None)
    if docs is None:
        docs = _read_documents(store, step("reading terms"), filters)
    prepared = prepare_corpus(docs, out / "corpus", no_below=no_below, no_above=no_above, keep_n=keep_n,
                              chunk_terms=chunk_terms, stop_words=stop_words)
    for k in ks:
        check_k(k, prepared.n_docs)
    texts = _Sample(docs, math.ceil(prepared.n_articles / coherence_docs))
    rows = []
    for i, k in enumerate(ks):
        if progress:
            progress(f"K = {k}", i, len(ks))
        t0 = time.perf_counter()
        model = TopicModel(k=k, random_state=seed, passes=passes, iterations=iterations, alpha=alpha,
                           workers=workers, topn=topn).fit(prepared.corpus(), prepared.dictionary)
        seconds = time.perf_counter() - t0
        scores = coherence([t["terms"] for t in model.topics_], texts, prepared.dictionary)
        rows.append({"k": k, "coherence_c_v": scores["c_v"][0], "coherence_npmi": scores["c_npmi"][0],
                     "seconds": round(seconds, 2), "labels": [t["label"] for t in model.topics_]})
    shutil.rmtree(out / "corpus", ignore_errors=True)
    best = max(rows, key=lambda r: (r["coherence_c_v"] is not None, r["coherence_c_v"] or 0))
    paths = {"csv": out / "sweep.csv", "json": out / "sweep.json"}
    with open(paths["csv"], "w", encoding="utf-8") as fh:
        fh.write("k,coherence_c_v,coherence_npmi,seconds\n")
        for r in rows:
            fh.write(f"{r['k']},{r['coherence_c_v']},{r['coherence_npmi']},{r['seconds']}\n")
    result = {"name": name, "seed": seed, "n_docs": prepared.n_docs, "rows": rows, "best_k": best["k"],
              "corpus_fingerprint": store.fingerprint(), "reproducible": workers <= 1}
    paths["json"].write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return {**result, **{k: str(v) for k, v in paths.items()}}


