"""Topic models: gensim LDA on the documents' terms, with coherence, FREX labels, guided topics and trust.

Fitting and saving are two steps:

* :func:`fit_model` (one K) and :func:`sweep_models` (several Ks, the most coherent kept) are pure: they
  take a :class:`~nlp.documents.DocumentTerms` and parameters and return a :class:`TopicsFit` — the
  model's arrays, its topics, every document's topic shares and a manifest — touching no store;
  :func:`assess_fit` adds each topic's stability across seeds and its era flag.
* :func:`save_fit` is the edge: it writes a fit as a *run* (see :mod:`nlp.topics.runs`), a folder
  ``<db>.runs/topics/<name>/`` of model files without pickles (:mod:`nlp.topics.model_files`) and its
  manifest, plus the run's rows and every document's shares in the store, all or nothing.

:func:`fit_topics` and :func:`sweep_topics` (``topics fit``, ``topics sweep``) are the two steps in one call.

Single-process :class:`gensim.models.LdaModel` with ``random_state=seed`` is the default and is
reproducible: the same documents and seed give the same topics. ``workers > 1`` uses ``LdaMulticore``,
which is faster and *not* reproducible; the manifest says so. A sweep fits its Ks as tasks of an executor
(:mod:`nlp.parallel`: processes or Dask workers; each fit single-process and seeded, so the result is the
serial one) and scores the topics of every K together, on the corpus or a seeded sample of it within a budget
of tokens (:mod:`nlp.topics.coherence`).

On a large selection, ``fit_sample`` fits the model on a stratified sample (:mod:`nlp.topics.sampling`) and
infers every document's shares from it (:mod:`nlp.topics.infer`; docs/topics.md).
"""
from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from corpus.analyses import begin_topic_run, write_document_topics
from corpus.store import CorpusStore

from nlp.documents import DocumentTerms, load_documents
from nlp.errors import InvalidParameterError, NlpError, TopicModelError
from nlp.provenance import package_versions
from nlp.results import Result
from nlp.topics.bags import (TOPIC_STOP_WORDS, PreparedCorpus, _passages, bags_of_words,  # noqa: F401
                             passage_cuts, prepare_corpus, RowsCorpus, topic_stop_words, write_mm)
from nlp.topics.infer import iter_shares, model_arrays
from nlp.topics.coherence import COHERENCE_TOKENS, CoherenceTexts, _mean, coherence, coherence_texts
from nlp.topics.model import TopicModel, check_k, frex_scores, load_seed_words  # noqa: F401
from nlp.topics.model_files import MODEL_FILES, save_lda_arrays
from nlp.topics.phrases import topic_phrases
from nlp.topics.runs import TopicRun, list_runs, load_gensim_model, load_run, runs_root, show_topics, store_run
from nlp.topics.sampling import FitSample, resolve_fit_sample, stratified_sample

__all__ = [
    "TopicModel", "TopicRun", "TopicsFit", "fit_model", "sweep_models", "assess_fit", "save_fit", "fit_topics",
    "sweep_topics", "fit_models", "prepare_corpus", "load_run", "list_runs", "show_topics", "load_gensim_model",
    "load_seed_words", "frex_scores", "coherence", "TOPIC_STOP_WORDS", "COHERENCE_TOKENS", "draw_fit_sample",
]

log = logging.getLogger(__name__)

#: Seeds fitted in all (the fit's own and the next ones) to score each topic's stability, as ``--stability-seeds``.
STABILITY_SEEDS = 3

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


# ----------------------------------------------------------------------------- the result of a fit
@dataclass(frozen=True)
class TopicsFit(Result):
    """A fitted topic model, everything a run saves and the report reads (a typed, storable result).

    Attributes
    ----------
    name : str
        The run name it is saved under.
    k : int
    topics : list of dict
        Per topic: ``id``, ``label`` (FREX), ``terms``, ``frex``, ``phrases`` (its most particular phrases,
        :mod:`nlp.topics.phrases`; also the manifest's ``topic_phrases``), ``seeded``, ``coherence_c_v``,
        ``coherence_npmi``, ``prevalence``, and once assessed ``stability`` and ``era``.
    theta : ndarray, shape (n_docs, K)
        Every document's topic shares, in the order of the documents given; a NaN row for a document with no
        term the model knows.
    manifest : dict
        The run's manifest: parameters, coherence, sizes, fit sample, sweep, trust, versions, timings.
    lam, alpha, eta : ndarray
        The model: topic-term variational parameters (K, V) and the priors.
    vocabulary : list of str
        The model's terms, in column order.
    """

    name: str
    k: int
    topics: list[dict[str, Any]]
    theta: np.ndarray
    manifest: dict[str, Any]
    lam: np.ndarray
    alpha: np.ndarray
    eta: np.ndarray
    vocabulary: list[str]

    @property
    def coherence_c_v(self) -> float | None:
        return self.manifest.get("coherence", {}).get("c_v")

    @property
    def sweep(self) -> dict[str, Any] | None:
        return self.manifest.get("sweep")

    def with_trust(self, trust: dict[str, Any]) -> "TopicsFit":
        """The same fit with each topic's ``stability`` and ``era`` (:func:`assess_fit`) recorded."""
        topics = [{**t, "stability": trust["stability"][t["id"]], "era": trust["era"][t["id"]]} for t in self.topics]
        return replace(self, topics=topics, manifest={**self.manifest, "trust": trust})

    def run(self, path: Path | str | None = None) -> TopicRun:
        """As a :class:`~nlp.topics.runs.TopicRun` (for what reads runs: overviews, the report)."""
        return TopicRun(name=self.name, k=self.k, path=Path(path or "."), manifest=self.manifest,
                        topics=[dict(t) for t in self.topics])


# ----------------------------------------------------------------------------- fitting (pure)
def fit_model(docs: DocumentTerms, k: int, seed: int = 0, name: str | None = None, passes: int = 10,
              iterations: int = 100, workers: int = 1, alpha: str = "auto", no_below: int | None = None,
              no_above: float | None = None, keep_n: int = 50_000, chunk_terms: int | None = None,
              stop_words: Iterable[str] | str | Path | None = None, seed_words: str | Path | dict | None = None,
              seed_strength: float = 200.0, topn: int = 10, coherence_tokens: int | None = COHERENCE_TOKENS,
              fit_sample: int | str | None = None, executor: Any = None, stability_seeds: int = 1,
              progress: Callable[[str, int, int], Any] | None = None) -> TopicsFit:
    """Fit one topic model on ``docs``, score it and infer every document's shares; nothing is saved.

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
    k : int
        Number of topics (2 to the number of documents).
    seed : int
        ``random_state`` of the model and of the coherence sample.
    name : str, optional
        The run name it will be saved under (default ``lda-k{K}-s{seed}``).
    passes, iterations, workers, alpha
        See :class:`~nlp.topics.model.TopicModel`.
    no_below, no_above, keep_n, chunk_terms, stop_words
        Dictionary filtering and passages of long documents, see :func:`~nlp.topics.bags.prepare_corpus`.
    seed_words : path or dict, optional
        Guided topics, see :func:`~nlp.topics.model.load_seed_words`.
    coherence_tokens : int or None
        Coherence (c_v and NPMI) is counted on at most this many tokens: every document when the corpus is
        no larger, else a seeded sample of passages (:func:`nlp.topics.coherence.coherence_texts`); None: on
        every document.
    fit_sample : int or "auto", optional
        Fit on a seeded sample of this many documents, stratified by tendency x year x outlet
        (:mod:`nlp.topics.sampling`), then infer every document's shares from the model.
    executor : nlp.parallel.Executor, optional
        Infer the documents' shares in chunks as its tasks; the same shares as in process.
    stability_seeds : int
        Seeds fitted in all for :func:`assess_fit`'s stability (1: none): the ``stability_seeds - 1`` further
        seeds start on the corpus as soon as it is prepared, on ``executor``'s workers when it has them (beside
        this fit), and :func:`assess_fit` uses them instead of fitting them again; the same fits either way.
    progress : callable, optional
        ``progress(step, done, total)``.

    Returns
    -------
    TopicsFit

    Raises
    ------
    InvalidParameterError, TopicModelError
    """
    if k < 2:  # before any work
        check_k(k, k)
    name = _run_name(name or f"lda-k{k}-s{seed}")
    seeds = load_seed_words(seed_words)
    started = time.perf_counter()
    with _scratch() as work:
        sample = draw_fit_sample(docs, fit_sample, seed, k)
        prepared = prepare_corpus(docs if sample is None else docs.subset(sample.indices), work, no_below=no_below,
                                  no_above=no_above, keep_n=keep_n, chunk_terms=chunk_terms, stop_words=stop_words)
        check_k(k, prepared.n_docs)
        params = dict(k=k, random_state=seed, passes=passes, iterations=iterations, alpha=alpha,
                      workers=workers, seed_words=seeds or None, seed_strength=seed_strength, topn=topn)
        rows = _corpus_rows(prepared)
        beside = _start_stability_seeds(rows, prepared, params, stability_seeds, executor)
        model = fit_models(prepared, [params], progress=progress, rows=rows)[0]
        if progress:
            progress("coherence", 0, 0)
        texts = coherence_texts(docs, coherence_tokens, seed)
        scores = coherence([t["terms"] for t in model.topics_], texts, prepared.dictionary)
        fit = _fitted(name, model, prepared, scores, docs, sample, started, texts, seeds, executor)
    return fit if beside is None else _with_seed_fits(fit, beside())


def _start_stability_seeds(rows: Any, prepared: PreparedCorpus, params: dict[str, Any], n_seeds: int,
                           executor: Any) -> Callable[[], list[Any]] | None:
    """Start the stability seeds' fits (:func:`nlp.topics.stability.start_seeds`) with the parameters
    :func:`assess_fit` would fit them with; None when there are none to fit."""
    if n_seeds <= 1:
        return None
    from nlp.topics.stability import start_seeds

    base = int(params["random_state"])
    alpha = "symmetric" if params["workers"] > 1 and params["alpha"] == "auto" else params["alpha"]
    return start_seeds(RowsCorpus(rows), prepared.dictionary, params["k"], [base + i for i in range(1, n_seeds)],
                       executor=executor, passes=params["passes"], iterations=params["iterations"], alpha=alpha)


def _with_seed_fits(fit: TopicsFit, fits: Sequence[Any]) -> TopicsFit:
    """``fit`` carrying the stability seeds fitted beside it (their seeds, each topic's stability), for
    :func:`assess_fit`."""
    from nlp.topics.stability import topic_stability

    phi = fit.lam / fit.lam.sum(axis=1, keepdims=True)
    beside = {"seeds": [f.seed for f in fits], "stability": topic_stability([phi] + [f.phi for f in fits]),
              "seconds": round(sum(f.seconds for f in fits), 3)}
    return replace(fit, manifest={**fit.manifest, "stability_beside": beside})


def sweep_models(docs: DocumentTerms, ks: Sequence[int], seed: int = 0, passes: int = 10, iterations: int = 100,
                 workers: int = 1, alpha: str = "auto", no_below: int | None = None, no_above: float | None = None,
                 keep_n: int = 50_000, chunk_terms: int | None = None,
                 stop_words: Iterable[str] | str | Path | None = None, topn: int = 10,
                 coherence_tokens: int | None = COHERENCE_TOKENS, npmi: bool = True, name: str = "lda-k{k}-s{seed}",
                 fit_sample: int | str | None = None, executor: Any = None, jobs: int = 1,
                 progress: Callable[[str, int, int], Any] | None = None) -> tuple[list[dict[str, Any]], TopicsFit]:
    """Fit one model per K on the same dictionary and seed, score each by coherence, and keep the best.

    The Ks are fitted as parallel tasks (``jobs`` processes, or ``executor``'s Dask workers); each fit is
    single-process and seeded, so the result is the serial one. Coherence scores the topics of every K in one
    count over the same texts (at most ``coherence_tokens`` tokens).

    Parameters
    ----------
    npmi : bool
        Also score NPMI for every K; False scores c_v only (the Ks are chosen by c_v) and NPMI for the best K.
    name : str
        The best fit's run name; ``{k}`` and ``{seed}`` in it are filled in.

    Other parameters are those of :func:`fit_model`.

    Returns
    -------
    (rows, best)
        ``rows``: ``[{"k", "coherence_c_v", "coherence_npmi", "seconds", "labels"}]``; ``best``: the
        :class:`TopicsFit` of the K with the highest c_v, its manifest carrying the ``sweep``.
    """
    ks = sorted(set(int(k) for k in ks))
    if not ks:
        raise InvalidParameterError("name at least one K, e.g. --k 5,10,20", param="--k")
    check_k(ks[0], max(ks[0], 2))
    _run_name(name.format(k=ks[0], seed=seed))
    started = time.perf_counter()
    with _scratch() as work:
        sample = draw_fit_sample(docs, fit_sample, seed, max(ks))
        prepared = prepare_corpus(docs if sample is None else docs.subset(sample.indices), work, no_below=no_below,
                                  no_above=no_above, keep_n=keep_n, chunk_terms=chunk_terms, stop_words=stop_words)
        for k in ks:
            check_k(k, prepared.n_docs)
        models = fit_models(prepared, [dict(k=k, random_state=seed, passes=passes, iterations=iterations,
                                            alpha=alpha, workers=workers, topn=topn) for k in ks],
                            jobs=jobs, executor=executor, progress=progress)
        if progress:
            progress("coherence", 0, 0)
        texts = coherence_texts(docs, coherence_tokens, seed)
        topics = [t["terms"] for m in models for t in m.topics_]
        measures = ("c_v", "c_npmi") if npmi else ("c_v",)
        scores = _split_scores(coherence(topics, texts, prepared.dictionary, measures), ks)
        rows = [{"k": k, "coherence_c_v": scores[k]["c_v"][0],
                 "coherence_npmi": scores[k]["c_npmi"][0] if npmi else None,
                 "seconds": round(m.fit_seconds_, 2), "labels": [t["label"] for t in m.topics_]}
                for k, m in zip(ks, models)]
        best = max(rows, key=lambda r: (r["coherence_c_v"] is not None, r["coherence_c_v"] or 0))
        i = ks.index(best["k"])
        if not npmi:  # shown with the best fit: score the best K alone
            scores[best["k"]].update(coherence([t["terms"] for t in models[i].topics_], texts,
                                               prepared.dictionary, ("c_npmi",)))
        fit = _fitted(name.format(k=best["k"], seed=seed), models[i], prepared, scores[best["k"]], docs, sample,
                      started, texts, {}, executor)
    sweep = {"ks": ks, "rows": rows, "best_k": best["k"]}
    return rows, replace(fit, manifest={**fit.manifest, "sweep": sweep})


def assess_fit(fit: TopicsFit, docs: DocumentTerms, seeds: int = STABILITY_SEEDS, jobs: int = 1,
               executor: Any = None, progress: Callable[[int, int], Any] | None = None) -> TopicsFit:
    """The fit with ``stability`` (0–1; None with one seed) and ``era`` (bool) for every topic.

    Stability: the fit's K refitted with ``seeds - 1`` further seeds on the same bag-of-words corpus, topics
    matched by the Hungarian algorithm on Jensen–Shannon similarity (:mod:`nlp.topics.stability`); the seeds
    :func:`fit_model` fitted beside the fit (``stability_seeds``) when they are these. Era: the topics whose
    prevalence the date explains rather than the tendency (:func:`nlp.topics.effects.era_topics`).
    """
    from nlp.topics.effects import era_topics
    from nlp.topics.stability import fit_seeds, topic_stability

    params = fit.manifest.get("parameters", {})
    stability: list[float | None] = [None] * fit.k
    base = int(fit.manifest.get("seed", 0))
    beside = fit.manifest.get("stability_beside")
    if beside is not None:
        fit = replace(fit, manifest={k: v for k, v in fit.manifest.items() if k != "stability_beside"})
    if seeds > 1 and beside is not None and beside["seeds"] == [base + i for i in range(1, seeds)]:
        stability = beside["stability"]
    elif seeds > 1:
        from gensim.corpora import Dictionary

        dictionary = Dictionary.from_documents([])
        dictionary.token2id = {w: i for i, w in enumerate(fit.vocabulary)}
        with _scratch() as work:
            corpus = _fitted_corpus(fit, docs, dictionary, work)
            fits = fit_seeds(corpus, dictionary, fit.k, seeds=[base + i for i in range(1, seeds)], progress=progress,
                             n_jobs=jobs, executor=executor, passes=int(params.get("passes", 10)),
                             iterations=int(params.get("iterations", 100)),
                             alpha="symmetric" if params.get("alpha") == "symmetric" else params.get("alpha", "auto"))
        phi = fit.lam / fit.lam.sum(axis=1, keepdims=True)
        stability = topic_stability([phi] + [f.phi for f in fits])
    labels = [t["label"] for t in sorted(fit.topics, key=lambda t: t["id"])]
    trust: dict[str, Any] = {"seeds": seeds,
                             "stability": [None if s is None else round(float(s), 4) for s in stability]}
    try:
        era = era_topics(docs, fit.theta, labels=labels)
    except NlpError as exc:  # no dates or no tendencies: the era question cannot be asked
        trust.update(era=[False] * fit.k, era_not_assessed=str(exc))
    else:
        flags = {e.topic: e for e in era.topics}
        trust["era"] = [bool(flags[t].era) if t in flags else False for t in range(fit.k)]
        trust["era_detail"] = [{"topic": e.topic, "r2_date": round(e.r2_date, 4), "r2_group": round(e.r2_group, 4),
                                "date_share": round(e.date_share, 4), "p_date": e.p_date, "peak_year": e.peak_year}
                               for e in era.topics]
    log.info("%s: stability %s, era topics %s", fit.name, trust["stability"],
             [t for t, e in enumerate(trust["era"]) if e])
    return fit.with_trust(trust)


def _fitted_corpus(fit: TopicsFit, docs: DocumentTerms, dictionary: Any, work: Path) -> Any:
    """The bag-of-words corpus the fit was fitted on (its sample, its passages), rebuilt from ``docs``."""
    from gensim.corpora import MmCorpus

    sample = fit.manifest.get("fit_sample")
    drawn = draw_fit_sample(docs, sample["requested"], int(fit.manifest["seed"])) if sample else None
    fitted = docs if drawn is None else docs.subset(drawn.indices)
    bows, _ = bags_of_words(fitted, dictionary, int(fit.manifest.get("parameters", {}).get("chunk_terms") or 0))
    write_mm(work / "corpus.mm", bows, len(fit.vocabulary))
    return MmCorpus(str(work / "corpus.mm"))


def fit_models(prepared: PreparedCorpus, params: Sequence[dict[str, Any]], jobs: int = 1, executor: Any = None,
               progress: Callable[[str, int, int], Any] | None = None, rows: Any = None) -> list[TopicModel]:
    """Fit one model per parameter set on ``prepared``, as parallel tasks (:mod:`nlp.parallel`).

    Each model is a single-process, seeded ``LdaModel`` (unless its ``workers`` say otherwise), so the result
    does not depend on where or how many at a time the fits run.

    Parameters
    ----------
    prepared : PreparedCorpus
    params : sequence of dict
        :class:`TopicModel` parameters, one dict per model.
    jobs : int
        Processes when no ``executor`` is given (1: in this process).
    executor : nlp.parallel.Executor, optional
    progress : callable, optional
        ``progress("fitting", done, total)`` as models finish.
    rows : scipy.sparse.csr_matrix, optional
        The prepared corpus as rows, when the caller has read them already.

    Returns
    -------
    list of TopicModel
        In the order of ``params``; each has ``fit_seconds_``.
    """
    from nlp.parallel import local_executor

    total = len(params)
    bows = _corpus_rows(prepared) if rows is None else rows
    models: list[TopicModel | None] = [None] * total
    if progress:
        progress("fitting", 0, total)
    with local_executor(executor, min(jobs, total)) as ex:
        chunks = ((i, (bows, prepared.dictionary, p)) for i, p in enumerate(params))
        for done, (i, model) in enumerate(ex.map_chunks(_timed_fit, chunks), 1):
            models[i] = model
            if progress:
                progress("fitting", done, total)
    return models  # type: ignore[return-value]


def _corpus_rows(prepared: PreparedCorpus) -> Any:
    """The prepared bag-of-words corpus as a CSR matrix (what a fit task carries to any worker)."""
    from scipy.io import mmread

    return mmread(str(prepared.mm_path)).tocsr()


def _timed_fit(payload: tuple[Any, Any, dict[str, Any]]) -> TopicModel:
    """One fit task (pure): BLAS held to one thread, so a fit gives the same floats wherever it runs."""
    from threadpoolctl import threadpool_limits

    rows, dictionary, params = payload
    t0 = time.perf_counter()
    with threadpool_limits(limits=1):
        model = TopicModel(**params).fit(RowsCorpus(rows), dictionary)
    model.fit_seconds_ = time.perf_counter() - t0
    return model


def draw_fit_sample(docs: DocumentTerms, fit_sample: int | str | None, seed: int, k: int | None = None
                    ) -> FitSample | None:
    """The stratified sample to fit on for ``fit_sample`` (see :func:`fit_model`), or None to fit on every
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


def _fitted(name: str, model: TopicModel, prepared: PreparedCorpus,
            scores: dict[str, tuple[float | None, list[float | None]]], docs: DocumentTerms,
            sample: FitSample | None, started: float, texts: CoherenceTexts, seeds: dict[str, list[str]],
            executor: Any) -> TopicsFit:
    """A :class:`TopicsFit` from a fitted model: every document's shares inferred, the manifest written."""
    t0 = time.perf_counter()
    theta, n_modelled = infer_theta(docs, model, prepared, executor=executor)
    seconds_shares = time.perf_counter() - t0
    modelled = ~np.isnan(theta[:, 0]) if len(theta) else np.zeros(0, bool)
    prevalence = theta[modelled].sum(axis=0) / max(n_modelled, 1) if modelled.any() else np.zeros(model.k)
    none = (None, [None] * model.k)
    topics = [{**t, "coherence_c_v": scores.get("c_v", none)[1][t["id"]],
               "coherence_npmi": scores.get("c_npmi", none)[1][t["id"]], "prevalence": float(prevalence[t["id"]])}
              for t in model.topics_]
    manifest = _manifest(name, model, prepared, scores, docs, model.fit_seconds_, time.perf_counter() - started,
                         seeds, texts)
    manifest["seconds_shares"] = round(seconds_shares, 3)  # inferring every document's shares
    manifest["fit_sample"] = None
    if sample is not None:
        manifest["fit_sample"] = {**sample.to_dict(), "fitted_docs": prepared.n_docs, "fitted_passages": prepared.n_units}
        manifest["n_articles"], manifest["n_docs"] = len(docs), n_modelled
    lda = model.model_
    lam = np.asarray(lda.state.get_lambda(), dtype=np.float64)
    vocabulary = [prepared.dictionary[i] for i in range(len(prepared.dictionary))]
    phrases = topic_phrases(docs, theta, lam, vocabulary, seed=model.random_state)
    topics = [{**t, "phrases": phrases[t["id"]]} for t in topics]
    manifest["topic_phrases"] = phrases  # kept with the run: the store's topic rows have no column for them
    log.info("fitted %s: K=%d, c_v=%s, %.1fs", name, model.k, manifest["coherence"]["c_v"], manifest["seconds_total"])
    return TopicsFit(name=name, k=model.k, topics=topics, theta=theta, manifest=manifest, lam=lam,
                     alpha=np.asarray(lda.alpha, dtype=np.float64), eta=np.asarray(lda.eta, dtype=np.float64),
                     vocabulary=vocabulary)


def infer_theta(docs: DocumentTerms, model: TopicModel, prepared: PreparedCorpus, executor: Any = None
                ) -> tuple[np.ndarray, int]:
    """Every document's topic shares (n_docs, K) and how many documents got shares.

    Shares are inferred from the fitted model chunk by chunk (:func:`nlp.topics.infer.iter_shares`); a document
    modelled as passages gets the token-weighted mean of its passages' shares (still summing to 1); a
    document with no term in the model's vocabulary gets a NaN row.
    """
    bows, unit_doc = bags_of_words(docs, prepared.dictionary, prepared.chunk_terms)
    lengths = np.asarray(bows.sum(axis=1)).ravel().tolist()
    exp_elog_beta, alpha = model_arrays(model)
    theta = np.full((len(docs), model.k), np.nan)
    shares = (s for chunk in iter_shares(bows, exp_elog_beta, alpha, model.iterations, executor=executor)
              for s in chunk)
    current, acc, weight, n_docs = None, np.zeros(model.k), 0, 0
    for d, n_tokens, s in zip(unit_doc.tolist(), lengths, shares):
        if d != current:
            if current is not None:
                theta[current] = acc / weight
                n_docs += 1
            current, acc, weight = d, np.zeros(model.k), 0
        acc = acc + s * n_tokens
        weight += n_tokens
    if current is not None:
        theta[current] = acc / weight
        n_docs += 1
    return theta, n_docs


def _manifest(name: str, model: TopicModel, prepared: PreparedCorpus, scores: dict, docs: DocumentTerms,
              fit_seconds: float, total_seconds: float, seeds: dict, texts: CoherenceTexts) -> dict[str, Any]:
    return {
        "name": name, "k": model.k, "seed": model.random_state, "reproducible": model.reproducible,
        "estimator": "gensim.models.LdaMulticore" if model.workers > 1 else "gensim.models.LdaModel",
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "corpus_fingerprint": docs.meta.get("corpus"),
        "preprocess_fingerprint": prepared.preprocess_fingerprint,
        "collocations_fingerprint": prepared.collocations_fingerprint,
        "filters": {k: v for k, v in (docs.meta.get("filters") or {}).items() if k != "with_text"},
        "parameters": {**{k: v for k, v in model.get_params().items() if k != "seed_words"},
                       "alpha": model.effective_alpha, **prepared.filtering},
        "seed_words": seeds, "seed_words_missing": model.seed_words_missing_,
        "n_articles": prepared.n_articles, "n_docs": prepared.n_docs, "n_passages": prepared.n_units,
        "n_terms": len(prepared.dictionary), "n_tokens": prepared.n_tokens,
        "coherence": {"c_v": scores.get("c_v", (None,))[0], "c_npmi": scores.get("c_npmi", (None,))[0],
                      "measured_on": texts.describe(),
                      "per_topic": {m: v[1] for m, v in scores.items()}},
        "seconds_fit": round(fit_seconds, 3), "seconds_total": round(total_seconds, 3),
        "versions": package_versions(),
        "files": [*MODEL_FILES, "topics.json", "manifest.json"],
    }


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


@contextmanager
def _scratch() -> Iterator[Path]:
    """A temporary folder for a fit's bag-of-words corpus, removed afterwards."""
    work = Path(tempfile.mkdtemp(prefix="softleft-topics-"))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_name(name: str) -> str:
    if not _NAME.match(name):
        raise InvalidParameterError(f"run name {name!r} must be letters, digits, '.', '_' or '-'", param="--name")
    return name


# ----------------------------------------------------------------------------- saving (the edge)
def save_fit(store: CorpusStore, fit: TopicsFit, ids: Sequence[str], runs_dir: str | Path | None = None,
             name: str | None = None, extra: dict[str, Any] | None = None) -> TopicRun:
    """Store ``fit`` as a run: the model files and manifest in ``<runs_dir>/topics/<name>/`` and the run's
    row, topics and every document's shares (``ids``: the documents of ``fit.theta``'s rows) in the store,
    all or nothing. A run of the same name is replaced.
    """
    name = _run_name(name or fit.name)
    folder = runs_root(store, runs_dir) / "topics" / name
    work = folder.with_name(f".{name}.partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    manifest = {**fit.manifest, "name": name, "corpus_path": store.path, **(extra or {})}
    manifest["corpus_fingerprint"] = manifest.get("corpus_fingerprint") or store.fingerprint()
    try:
        manifest["model"] = save_lda_arrays(fit.lam, fit.alpha, fit.eta, fit.vocabulary, work)
        topics = [{k: v for k, v in t.items() if k not in ("stability", "era")} for t in fit.topics]
        (work / "topics.json").write_text(json.dumps(topics, indent=2, ensure_ascii=False), "utf-8")
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str), "utf-8")
        with store.transaction():  # shares, topics and run row: all or nothing
            begin_topic_run(store, name, fit.k, int(manifest["seed"]), str(folder))
            rows: list[tuple] = []
            for id_, shares in zip(ids, fit.theta):
                if not np.isnan(shares[0]):
                    rows.extend((name, id_, t, float(s)) for t, s in enumerate(shares))
                if len(rows) >= 20_000:
                    write_document_topics(store, rows)
                    rows = []
            write_document_topics(store, rows)
            shutil.rmtree(folder, ignore_errors=True)
            work.rename(folder)
            manifest["path"] = str(folder)
            store_run(store, name, fit.k, int(manifest["seed"]), manifest, folder, topics)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return load_run(store, name)


def fit_topics(store: CorpusStore, k: int, seed: int = 0, name: str | None = None, passes: int = 10,
               iterations: int = 100, workers: int = 1, alpha: str = "auto", no_below: int | None = None,
               no_above: float | None = None, keep_n: int = 50_000, chunk_terms: int | None = None,
               stop_words: Iterable[str] | str | Path | None = None, seed_words: str | Path | dict | None = None,
               seed_strength: float = 200.0, topn: int = 10, coherence_tokens: int | None = COHERENCE_TOKENS,
               runs_dir: str | Path | None = None, progress: Callable[[str, int, int], Any] | None = None,
               docs: DocumentTerms | None = None, fit_sample: int | str | None = None, stability_seeds: int = 1,
               jobs: int = 1, executor: Any = None, **filters: Any) -> TopicRun:
    """Fit, score, assess and save one topic model (``topics fit``): :func:`fit_model`, :func:`assess_fit`
    with ``stability_seeds`` (1: the era flags only) and :func:`save_fit` in one call.

    ``docs`` are the documents to model (read from ``store`` with ``filters`` when not given); the other
    parameters are those of :func:`fit_model` and :func:`save_fit`.

    Returns
    -------
    TopicRun

    Raises
    ------
    InvalidParameterError, TopicModelError, NotPreprocessedError
    """
    if k < 2:
        check_k(k, k)
    _run_name(name or f"lda-k{k}-s{seed}")
    step = (lambda s: (lambda n=1: progress(s, n, 0))) if progress else (lambda s: None)
    if docs is None:
        docs = _read_documents(store, step("reading terms"), filters)
    from nlp.parallel import local_executor

    with local_executor(executor, jobs) as ex:  # the stability seeds are fitted beside the model
        fit = fit_model(docs, k, seed=seed, name=name, passes=passes, iterations=iterations, workers=workers,
                        alpha=alpha, no_below=no_below, no_above=no_above, keep_n=keep_n, chunk_terms=chunk_terms,
                        stop_words=stop_words, seed_words=seed_words, seed_strength=seed_strength, topn=topn,
                        coherence_tokens=coherence_tokens, fit_sample=fit_sample, executor=ex,
                        stability_seeds=stability_seeds, progress=progress)
    fit = assess_fit(fit, docs, seeds=stability_seeds, jobs=jobs)
    return save_fit(store, fit, docs.ids, runs_dir=runs_dir)


def sweep_topics(store: CorpusStore, ks: Sequence[int], seed: int = 0, passes: int = 10, iterations: int = 100,
                 workers: int = 1, alpha: str = "auto", no_below: int | None = None, no_above: float | None = None,
                 keep_n: int = 50_000, chunk_terms: int | None = None,
                 stop_words: Iterable[str] | str | Path | None = None, topn: int = 10,
                 coherence_tokens: int | None = COHERENCE_TOKENS, runs_dir: str | Path | None = None, name: str | None = None,
                 progress: Callable[[str, int, int], Any] | None = None, docs: DocumentTerms | None = None,
                 n_jobs: int = 1, npmi: bool = True, save_best: str | None = None,
                 fit_sample: int | str | None = None, executor: Any = None, **filters: Any) -> dict[str, Any]:
    """``topics sweep``: :func:`sweep_models`, the table written to ``<runs_dir>/sweeps/<name>/`` (``sweep.csv``,
    ``sweep.json``), and with ``save_best`` (a run name; ``{k}`` in it becomes the K) the best model saved as
    a run, returned under ``"run"``.

    Returns
    -------
    dict
        ``{"name", "seed", "n_docs", "rows": [{"k", "coherence_c_v", "coherence_npmi", "seconds"}], "best_k",
        "fit_sample", "corpus_fingerprint", "reproducible", "csv", "json"}`` (and ``"run"`` with ``save_best``).
    """
    ks = sorted(set(int(k) for k in ks))
    if not ks:
        raise InvalidParameterError("name at least one K, e.g. --k 5,10,20", param="--k")
    name = name or f"sweep-{'-'.join(map(str, ks))}-s{seed}"
    step = (lambda s: (lambda n=1: progress(s, n, 0))) if progress else (lambda s: None)
    if docs is None:
        docs = _read_documents(store, step("reading terms"), filters)
    rows, best = sweep_models(docs, ks, seed=seed, passes=passes, iterations=iterations, workers=workers, alpha=alpha,
                              no_below=no_below, no_above=no_above, keep_n=keep_n, chunk_terms=chunk_terms,
                              stop_words=stop_words, topn=topn, coherence_tokens=coherence_tokens, npmi=npmi,
                              name=(save_best or "lda-k{k}-s{seed}"), fit_sample=fit_sample, executor=executor,
                              jobs=n_jobs, progress=progress)
    run = save_fit(store, best, docs.ids, runs_dir=runs_dir) if save_best else None
    out = runs_root(store, runs_dir) / "sweeps" / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"csv": out / "sweep.csv", "json": out / "sweep.json"}
    with open(paths["csv"], "w", encoding="utf-8") as fh:
        fh.write("k,coherence_c_v,coherence_npmi,seconds\n")
        for r in rows:
            fh.write(f"{r['k']},{r['coherence_c_v']},{r['coherence_npmi']},{r['seconds']}\n")
    sample = best.manifest.get("fit_sample")
    result = {"name": name, "seed": seed, "n_docs": best.manifest["n_docs"] if not sample else sample["fitted_docs"],
              "rows": rows, "best_k": best.manifest["sweep"]["best_k"],
              "fit_sample": {k: v for k, v in sample.items() if k not in ("strata", "fitted_docs", "fitted_passages")}
              if sample else None,
              "corpus_fingerprint": docs.meta.get("corpus") or store.fingerprint(), "reproducible": workers <= 1}
    paths["json"].write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return {**result, **{k: str(v) for k, v in paths.items()}, **({"run": run} if run else {})}


def _read_documents(store: CorpusStore, progress: Callable[[int], Any] | None, filters: dict[str, Any]
                    ) -> DocumentTerms:
    """The selection's documents for a fit; an empty corpus and a corpus never preprocessed are errors."""
    if store.count(**{k: v for k, v in filters.items() if k != "with_text"}) == 0:
        raise TopicModelError("the corpus is empty: add articles first (python cli.py corpus import FILE, "
                              "or python cli.py scrape OUTLET)")
    return load_documents(store, preprocess=False, progress=progress, **filters)
