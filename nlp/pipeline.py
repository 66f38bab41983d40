"""The one-command pipeline behind ``run``, ``report``, ``update`` and ``demo``: a graph of pure stages
(:mod:`nlp.stages`, run by :mod:`nlp.engine`) between two edges.

* In: the corpus overview and the selection's documents (preprocessed if need be), read once.
* The stages, each result reused from the corpus' stored results when its inputs are unchanged.
* Out: the topic model saved as a run and the classifier's predictions stored (after their stages, never
  inside them); ``report.html`` rendered from the results (:mod:`nlp.report.build`), ``data/*.csv`` (the
  data behind every chart), ``model/`` (the classifier) and ``manifest.json`` (seed, package versions, corpus
  hash, configuration, what was reused and computed, timings and memory).
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from corpus import CorpusStore
from corpus.analyses import relocate_topic_run, save_predictions
from corpus.dates import now_utc
from corpus.output import SafeDictWriter, atomic_directory, atomic_output, write_bytes_atomic, write_text_atomic
from corpus.summary import corpus_overview

from nlp.engine import Outcome, ProgressCallback, ResultCache, Runtime, StageCallback, run_stages, stage_key
from nlp.errors import NlpError
from nlp.memory import memory_mb, release_memory
from nlp.provenance import package_versions
from nlp.stages import GRAPH, TITLES, stage_params
from nlp.stages.scaling import CONTESTED, MEANING_TRAINING_TERMS, training_sample  # noqa: F401 (API)
from nlp.uncertainty import BOOTSTRAP, MIN_SUPPORT

log = logging.getLogger(__name__)

__all__ = ["RunConfig", "WrittenReport", "run_analysis", "run_demo", "write_report", "write_csv", "CONTESTED"]


@dataclass
class RunConfig:
    """What ``run`` does; every field lands in the manifest."""

    seed: int = 0
    #: Number of topics; None sweeps ``sweep_ks`` and keeps the most coherent.
    k: int | None = None
    sweep_ks: tuple[int, ...] = (6, 8, 10, 12)
    #: LDA passes; None: 10, fewer on a large corpus (:func:`nlp.topics.model.auto_passes`).
    passes: int | None = None
    period: str = "year"
    model: str | None = None
    #: Seeds fitted in all to score each topic's stability (1: none).
    stability_seeds: int = 3
    #: Fit the topic model on a stratified sample of this many articles and infer every article's shares from
    #: it; "auto": 20,000 when the selection is larger (nlp.topics.sampling); None: fit on every article.
    fit_sample: int | str | None = None
    #: Cluster-bootstrap replicates behind every interval (0: none).
    bootstrap: int = BOOTSTRAP
    #: Articles a finding must rest on before the report states it.
    min_support: int = MIN_SUPPORT
    #: The report's title; None makes one from the data ("Labour's soft left and hard left: articles 2016–2025").
    title: str | None = None
    notice: str | None = None
    #: Words whose meaning to each tendency the report reads (the "meaning" stage).
    contested: tuple[str, ...] = CONTESTED
    #: Word vectors trained on a larger corpus (a ``meaning`` model folder), for corpora too small to train on.
    meaning_background: str | None = None
    #: Processes for the run's parallel work (preprocessing, the Ks of a sweep, stability seeds, folds).
    n_process: int = field(default_factory=lambda: os.cpu_count() or 1)
    #: Dask: the parallel work on this many local worker processes, or on the workers of a running scheduler
    #: ("tcp://HOST:8786") (:func:`nlp.parallel.executor`).
    workers: int | None = None
    scheduler: str | None = None
    #: Reuse a stored topic model fitted on the same documents with the same parameters.
    reuse_topics: bool = True
    #: Reuse the stored results of the other stages computed on the same documents and settings
    #: (:mod:`nlp.engine`); False computes them afresh (and stores the new results).
    reuse_results: bool = True
    #: The "now against before" window: "3m", "6m" or "12m" (against the year before it).
    recent: str = "6m"
    #: Which articles every stage reads (``Selection.filters()``: outlet, tendency, author, since, until).
    filters: dict[str, Any] = field(default_factory=dict)
    #: In words, for the subtitle ("outlet tribune; 2024-01-01 to …").
    selection_text: str = ""
    #: A TOML file of topic number -> name (else the corpus' names for the run, else the top terms).
    topic_names: str | None = None
    #: Words or phrases whose use over time gets its own chart ("green new deal", "devolution").
    watch: tuple[str, ...] = ()
    #: From ``update``: ``{"last": time of the last report, "ids": articles new since, "first": bool}``.
    since: dict[str, Any] | None = None
    #: How many groups the report names (the largest; the others folded into "other" and one line); None: every
    #: group with at least ``min_support`` articles, at most ten (:func:`nlp.report.styles.named_groups`).
    top_groups: int | None = None


@dataclass
class RunRecord:
    """What a run did, for its manifest and its caller."""

    outcome: Outcome
    metrics: dict[str, Any]
    timings: dict[str, float]
    memory: dict[str, dict[str, float]]
    topics_path: Path | None = None


#: The steps before the stages (each a progress line).
LEAD_STEPS = ("corpus summary", "preprocessing")


def run_analysis(store: CorpusStore, out_dir: str | Path, config: RunConfig | None = None,
                 on_stage: StageCallback | None = None, stored_topics: str | None = None,
                 progress: ProgressCallback | None = None, atomic: bool = True) -> Path:
    """Run every stage on ``store``, write the run directory and return the report's path.

    Parameters
    ----------
    store : CorpusStore
    out_dir : path
        The run directory (created with its parents as needed). With ``atomic`` (the default) the run is
        written into a new folder beside it that replaces it only once complete, so a killed run never
        leaves a mix of two runs.
    config : RunConfig
    on_stage : callable, optional
        Called as ``on_stage(name, index, total, None)`` when a step starts and ``on_stage(name, index,
        total, seconds)`` when it ends (the caller draws progress; the library never writes to the terminal).
    stored_topics : str, optional
        Show this stored topic run ("" for the newest) instead of fitting a model.
    progress : callable, optional
        ``progress(step, done, total)`` within long stages (preprocessing, topic fitting).
    atomic : bool
        False writes into ``out_dir`` in place (``demo``, which rebuilds its whole folder anyway).

    Raises
    ------
    NlpError
        The selection holds no article (say how to widen it).
    """
    config = config or RunConfig()
    out_dir = Path(out_dir)
    if not atomic:
        out_dir.mkdir(parents=True, exist_ok=True)
        _run_into(store, out_dir, config, on_stage, stored_topics, progress)
        return out_dir / "report.html"
    with atomic_directory(out_dir) as work:
        record = _run_into(store, work, config, on_stage, stored_topics, progress)
    if record.topics_path is not None and record.topics_path.is_relative_to(work):
        # the run fitted here: its folder moved with the run directory
        relocate_topic_run(store, record.outcome.results["topics"].name,
                           str(out_dir / record.topics_path.relative_to(work)))
    return out_dir / "report.html"


def _run_into(store: CorpusStore, out_dir: Path, config: RunConfig, on_stage: StageCallback | None,
              stored_topics: str | None, progress: ProgressCallback | None) -> RunRecord:
    """The edges and the stages: the report, the CSVs, the model and the manifest, written into ``out_dir``."""
    from nlp.parallel import executor
    from nlp.report.styles import Styles

    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    memory: dict[str, dict[str, float]] = {}
    graph = [s for s in GRAPH if s.name != "watch" or config.watch]  # no watched words: nothing to chart
    total = len(LEAD_STEPS) + len(graph)
    draw = on_stage or (lambda *a: None)

    def lead(index: int, name: str, work: Callable[[], Any]) -> Any:
        draw(name, index, total, None)
        t0 = time.perf_counter()
        value = work()
        timings[name] = round(time.perf_counter() - t0, 3)
        if (m := memory_mb()) is not None:
            memory[name] = m
        draw(name, index, total, timings[name])
        return value

    overview = lead(0, "corpus summary", lambda: corpus_overview(store, **config.filters))
    if not overview.articles:
        raise NlpError(f"no article matches this selection ({config.selection_text or 'the whole corpus'}): "
                       "widen it (drop or change --outlet, --tendency, --author, --since, --until)")
    styles = Styles.from_labels(store.labels, overview.tendencies, overview.sizes()).planned(
        config.min_support, config.top_groups)
    with contextlib.ExitStack() as stack:
        ex = stack.enter_context(executor(config.workers, config.scheduler, jobs=config.n_process))
        docs, preprocessed = lead(1, "preprocessing", lambda: _documents(store, config, ex, progress,
                                                                          keep_pipeline=stored_topics is not None))
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="softleft-run-")))
        runtime = _runtime(store, config, ex, progress, scratch)
        cache = _Cache(store, topics=config.reuse_topics, others=config.reuse_results)
        given, stored_run = _stored_topics(store, stored_topics, docs)
        params = stage_params(config, store, given_topics=given.get("topics", (None, None))[1])
        _prefetch_word_vectors(runtime, docs, params, cache, config)
        edges = _Edges(store, out_dir, docs, memory, stored=stored_run is not None)
        failed = True
        try:
            outcome = run_stages(graph, docs, params, runtime, cache=cache, given=given, after_stage=edges.after,
                                 on_stage=lambda name, i, n, s: draw(name, i + len(LEAD_STEPS), total, s))
            failed = False
        finally:
            if failed:
                ex.terminate()
        for name in (s.name for s in graph):
            timings[TITLES[name]] = outcome.seconds.get(name, 0.0)
        metrics = _metrics(overview, preprocessed, outcome, edges)
        if (m := memory_mb()) is not None:
            memory["stages done"] = m
        _write_outputs(store, out_dir, config, overview, styles, docs, outcome, metrics, stored_run is not None)
    release_memory(_grown(memory.get("stages done", {}).get("rss")))
    if (m := memory_mb()) is not None:
        memory["report written"] = m
    timings["total"] = round(time.perf_counter() - started, 3)
    corpus = {"hash": docs.meta.get("corpus"), "articles": docs.meta.get("corpus_articles"), "selected": len(docs)}
    if store.fingerprint() != corpus["hash"]:
        corpus["changed_during_run"] = True
    _write_manifest(store, out_dir, config, metrics, timings, memory, corpus)
    return RunRecord(outcome, metrics, timings, memory, edges.topics_path)


# ------------------------------------------------------------------------------------------- in
def _documents(store: CorpusStore, config: RunConfig, ex: Any, progress: ProgressCallback | None,
               keep_pipeline: bool = False) -> tuple[Any, dict]:
    """Preprocess what is new, then read the selection's documents and terms once (every stage shares them).

    ``keep_pipeline`` (``report``): the terms the corpus has are used as they are, and only articles without
    terms are preprocessed, with the pipeline that made the others; a ``run`` preprocesses with its own
    pipeline (``--model``) whatever it has not made yet."""
    from nlp.documents import ensure_preprocessed, load_documents

    counter = _counter(progress)
    if keep_pipeline:
        summary = {"articles": store.count(), "processed": ensure_preprocessed(store)}
    else:
        from nlp.text.preprocess import Preprocessor, preprocess_corpus

        pre = Preprocessor(model=config.model, n_process=config.n_process)
        summary = preprocess_corpus(store, pre, executor=ex, progress=counter("preprocessing", store.count()))
    docs = load_documents(store, preprocess=False, raw=True, progress=counter("reading terms", summary["articles"]),
                          **config.filters)
    return docs, summary


def _counter(progress: ProgressCallback | None) -> Callable[[str, int], Callable[[int], None] | None]:
    def make(step: str, total: int = 0) -> Callable[[int], None] | None:
        return Runtime(progress=progress).step(step, total)
    return make


def _runtime(store: CorpusStore, config: RunConfig, ex: Any, progress: ProgressCallback | None,
             scratch: Path) -> Runtime:
    """What the stages may borrow: the executor, progress, a scratch folder, the word-vector cache beside the
    corpus, the corpus' preprocessor (made when first asked for) and the store (read for example lines)."""
    from nlp.topics.runs import runs_root

    def preprocessor() -> Any:
        from nlp.text.preprocess import Preprocessor  # spaCy: only when a stage asks for it

        return Preprocessor.from_store(store)

    return Runtime(executor=ex, progress=progress, scratch=scratch, cache_dir=runs_root(store) / "meaning",
                   resources={"preprocessor": preprocessor, "store": store})


def _stored_topics(store: CorpusStore, name: str | None, docs: Any) -> tuple[dict[str, tuple[str, Any]], Any]:
    """``report``: the stored topic run to show (the newest for ""), as the topics stage's result, keyed as the
    run that fitted it keyed it (so that run's trends and other results are reused)."""
    if name is None:
        return {}, None
    from nlp.topics.fit import load_run
    from nlp.topics.trust import fit_of_run

    run = load_run(store, name or None)
    key = run.manifest.get("stage_key") or f"topics-stored-{run.name}-{run.manifest.get('created_at')}"
    return {"topics": (key, fit_of_run(store, run, docs))}, run


class _Cache(ResultCache):
    """The corpus' stored results, the topic model's reuse switched apart from the other stages'."""

    def __init__(self, store: CorpusStore, topics: bool, others: bool):
        super().__init__(store)
        self.reuse_topics, self.reuse_others = topics, others

    def get(self, stage: Any, key: str) -> Any:
        if not (self.reuse_topics if stage.name == "topics" else self.reuse_others):
            return None
        return super().get(stage, key)


def _prefetch_word_vectors(runtime: Runtime, docs: Any, params: dict[str, Any], cache: ResultCache,
                           config: RunConfig) -> None:
    """With a spare core, train the meaning stage's word vectors in another process now, while this one fits
    the topic model; the meaning stage then finds them in the cache."""
    from nlp.engine import documents_key
    from nlp.meaning import embeddings
    from nlp.stages import stage_named

    meaning = params.get("meaning")
    if config.n_process < 2 or meaning is None or not meaning.contested or meaning.background is not None:
        return
    stage = stage_named("meaning")
    key = stage_key(stage, documents_key(docs), meaning, {})
    if cache.get(stage, key) is not None:
        return
    training = training_sample(docs, MEANING_TRAINING_TERMS, meaning.seed)
    minimum = embeddings.MIN_TRAINING_TERMS
    if (embeddings.n_training_terms(training) < minimum
            or (embeddings.cache_folder(training, runtime.cache_dir, meaning.seed) / "manifest.json").is_file()):
        return
    runtime.resources["word vectors"] = runtime.executor.submit(
        embeddings.cache_embeddings, training, str(runtime.cache_dir), meaning.seed, minimum)


# ------------------------------------------------------------------------------------------- the edges
def _rss() -> float | None:
    return (memory_mb() or {}).get("rss")


def _grown(before: float | None) -> float | None:
    """MB the process grew by since ``before`` (None when either is unknown: then memory is released)."""
    now = _rss()
    return None if now is None or before is None else now - before


class _Edges:
    """Work at the edge of a stage, once it is done: the topic model saved as a run, the classifier written
    and its predictions stored; the count matrix released and the memory recorded."""

    def __init__(self, store: CorpusStore, out_dir: Path, docs: Any, memory: dict[str, dict[str, float]],
                 stored: bool):
        self.store, self.out_dir, self.docs, self.memory, self.stored = store, out_dir, docs, memory, stored
        self.rss = _rss()  # the process' resident MB before the next stage (None without /proc)
        self.topics_path: Path | None = None
        self.topics_reused_from: str | None = None

    def after(self, name: str, outcome: Outcome) -> None:
        result = outcome.results.get(name)
        if result is not None and name == "topics" and not self.stored:
            self._save_topics(result, outcome.keys[name])
        if result is not None and name == "tendencies":
            self._save_classifier(result)
        if name in outcome.computed:  # a stage read back from the store leaves nothing to give back
            self.docs.release_derived()  # a later stage that needs the count matrix builds it again
            release_memory(_grown(self.rss))
        if (m := memory_mb()) is not None:  # the stage whose end first shows a peak is where it was
            from nlp.stages import TITLES

            self.memory[TITLES[name]] = m
            self.rss = m["rss"]

    def _save_topics(self, fit: Any, key: str) -> None:
        """The run's topic model as a stored run in the run directory (reused: copied from where it was)."""
        from nlp.topics.fit import load_run, save_fit
        from nlp.topics.runs import list_runs

        runs_dir = self.out_dir / "topics"
        here = runs_dir / "topics" / fit.name
        for row in list_runs(self.store):
            run = load_run(self.store, row["name"])
            if run.manifest.get("stage_key") == key and (run.path / "lambda.npy").is_file():
                if run.path.resolve() != here.resolve():  # keep the run directory whole: a copy of the model files
                    shutil.copytree(run.path, here, dirs_exist_ok=True)
                self.topics_reused_from = str(run.path)
                return
        run = save_fit(self.store, fit, self.docs.ids, runs_dir=runs_dir, extra={"stage_key": key})
        self.topics_path = run.path

    def _save_classifier(self, result: Any) -> None:
        """The classifier trained on every labelled article, as ``model/``; its predictions in the corpus."""
        if result.classifier is not None:
            result.classifier.write(self.out_dir / "model")
        if result.predicted and result.predicted.get("articles"):
            save_predictions(self.store, result.predicted["model_id"], result.predicted["articles"], now_utc())


# ------------------------------------------------------------------------------------------- out
def _metrics(overview: Any, preprocessed: dict, outcome: Outcome, edges: _Edges) -> dict[str, Any]:
    from nlp.stages import TITLES

    metrics: dict[str, Any] = {"articles": overview.articles, "preprocess": preprocessed}
    fit = outcome.results.get("topics")
    if fit is not None:
        sample = fit.manifest.get("fit_sample")
        run_path = edges.topics_path or (edges.out_dir / "topics" / "topics" / fit.name)
        metrics.update({
            "topics_k": fit.k, "topics_coherence_c_v": fit.manifest.get("coherence", {}).get("c_v"),
            "topics_coherence_npmi": fit.manifest.get("coherence", {}).get("c_npmi"),
            "topics_run": str(run_path.relative_to(edges.out_dir)) if run_path.is_relative_to(edges.out_dir)
            else str(run_path),
            "topics_reused": "topics" in outcome.reused, "topics_cache_key": outcome.keys.get("topics"),
            "topics_passes": fit.manifest.get("parameters", {}).get("passes")})
        if edges.topics_reused_from:
            metrics["topics_reused_from"] = edges.topics_reused_from
        if sample:
            metrics["topics_fit_sample"] = {k: v for k, v in sample.items() if k != "strata"}
        if fit.sweep:
            metrics["topic_sweep"] = [{c: r[c] for c in ("k", "coherence_c_v", "coherence_npmi")}
                                      for r in fit.sweep["rows"]]
    tendencies = outcome.results.get("tendencies")
    if tendencies is not None:
        for group_by, e in tendencies.evaluation.items():
            metrics[f"classifier_macro_f1_by_{group_by}"] = e.macro_f1
            metrics[f"classifier_baseline_macro_f1_by_{group_by}"] = e.baseline["macro_f1"]
        if tendencies.skipped:
            metrics["tendency_analyses_skipped"] = tendencies.skipped
    if outcome.results.get("positions") is not None:
        metrics["positions"] = outcome.results["positions"].info
    metrics["stages_reused"] = [TITLES[n] for n in outcome.reused if n != "topics"]
    metrics["stages_computed"] = [TITLES[n] for n in outcome.computed]
    metrics["stage_keys"] = dict(outcome.keys)
    if outcome.skipped:
        metrics["stages_not_run"] = {TITLES[n]: reason for n, reason in outcome.skipped.items()}
    return metrics


def _write_outputs(store: CorpusStore, out_dir: Path, config: RunConfig, overview: Any, styles: Any, docs: Any,
                   outcome: Outcome, metrics: dict[str, Any], stored_topics: bool) -> None:
    """``report.html`` and ``data/*.csv`` from the results (the documents released before the page is drawn)."""
    from nlp.report.build import Quotes, build_sections, default_title, extra_tables, findings_inputs, group_hint
    from nlp.report.method import method_notes
    from nlp.report.render import render_report
    from nlp.report.sections import corpus_section, findings_section, method_section
    from nlp.stages import TITLES

    outlets = store.labels.outlets
    quotes = Quotes(lambda ids: store.articles(ids=ids, with_text=True),
                    {o: label.name for o, label in outlets.items() if label.name})
    by_stage = build_sections(outcome.results, outcome.params, docs, styles, quotes, config.min_support)
    lead = list(by_stage.get("now", []))
    corpus = [corpus_section(overview, styles)]
    if config.since is not None:
        lead.insert(0, _since_section(store, config, styles))
    rest = corpus + [s for name in ("topics", "trends", "watch", "positions", "meaning", "tendencies")
                     for s in by_stage.get(name, [])]
    skipped = {TITLES[n]: reason for n, reason in outcome.skipped.items()}
    from nlp.text.boilerplate import Boilerplate

    notes = method_notes(outcome.results, outcome.params, skipped, model=config.model,
                         topics_reused="topics" in outcome.reused and not stored_topics, stored_topics=stored_topics,
                         boilerplate=Boilerplate.from_store(store, docs.meta.get("preprocessor")).summary(),
                         copies=(len(docs), len(set(docs.copy_keys))))
    findings = findings_section(findings_inputs(outcome.results), styles, min_support=config.min_support)
    sections = sorted(lead, key=lambda sec: sec.id != "now") + ([findings] if findings else []) + rest
    sections.append(method_section(notes))
    for section in sections:
        for name, rows in section.data.items():
            write_csv(out_dir / "data" / f"{name}.csv", rows)
    for name, rows in extra_tables(outcome.results).items():
        write_csv(out_dir / "data" / f"{name}.csv", rows)
    title = config.title or default_title(overview, styles)
    subtitle = f"{metrics.get('articles', 0):,} articles" + (
        f" ({config.selection_text})" if config.selection_text else "")
    write_text_atomic(out_dir / "report.html", render_report(
        sections, title, subtitle=subtitle, notice=config.notice, hint=group_hint(styles, config.min_support),
        footer="Every chart's data is one click away under it (and in data/*.csv beside a run's report)."))


def _since_section(store: CorpusStore, config: RunConfig, styles: Any) -> Any:
    """The articles added since the last report (``update``), newest first, as plain rows."""
    from nlp.report.render import display_date, display_title
    from nlp.report.sections import since_section

    since = config.since or {}
    ids = list(since.get("ids") or [])
    rows = []
    for a in store.articles(ids=ids, with_text=True, **{k: v for k, v in config.filters.items() if k != "limit"}):
        rows.append({"id": a.id, "published": a.published or "", "date": display_date(a.published,
                     a.metadata.get("date_precision")), "title": display_title(a.title, a.text, a.id),
                     "url": a.url or "", "outlet": a.outlet, "authors": "; ".join(a.authors),
                     "tendency": store.tendency(a)})
    rows.sort(key=lambda r: (r["published"], r["id"]), reverse=True)
    return since_section(rows, since.get("last"), bool(since.get("first")), styles)


def _write_manifest(store: CorpusStore, out_dir: Path, config: RunConfig, metrics: dict[str, Any],
                    timings: dict[str, float], memory: dict[str, dict[str, float]], corpus: dict[str, Any]) -> None:
    manifest = {
        "created": now_utc(),
        "seed": config.seed,
        "config": {k: v for k, v in vars(config).items()},
        # the corpus the documents were read from: its fingerprint and size read in one snapshot, however busy
        # an import was meanwhile (and whether it changed before the run ended)
        "corpus": {"path": str(store.path), **corpus},
        "metrics": metrics,
        "timings_seconds": timings,
        # resident memory (MB) at the end of each stage, and the peak so far
        "memory_mb": memory,
        "versions": package_versions(),
        "files": sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*") if p.is_file()),
    }
    write_text_atomic(out_dir / "manifest.json", json.dumps(manifest, indent=2, default=str))


# ------------------------------------------------------------------------------------------- the commands
def run_demo(out_dir: str | Path, seed: int = 0, on_stage: StageCallback | None = None,
             progress: ProgressCallback | None = None, **settings: Any) -> Path:
    """Build the demo corpus in ``out_dir/softleft.db`` (afresh) and run the whole analysis on it
    (``settings``: further :class:`RunConfig` fields, e.g. ``bootstrap``, ``n_process``)."""
    from corpus.demo import NOTICE, fill_demo

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "softleft.db"
    # A fresh demo every time: the corpus and every file of an earlier demo run go first (never a mix).
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    for name in ("report.html", "manifest.json"):
        (out_dir / name).unlink(missing_ok=True)
    for name in ("data", "topics", "model", "softleft.runs"):
        shutil.rmtree(out_dir / name, ignore_errors=True)
    with CorpusStore(db) as store:
        added = fill_demo(store)
        log.info("demo corpus: %d articles", added.inserted)
        settings.setdefault("watch", ("green new deal", "devolution"))
        config = RunConfig(seed=seed, notice=NOTICE + " Nothing here describes real writing.", **settings)
        return run_analysis(store, out_dir, config, on_stage=on_stage, progress=progress, atomic=False)


@dataclass(frozen=True)
class WrittenReport:
    """A report written from stored results: where, and which stages were reused or computed (by title)."""

    path: Path
    reused: list[str]
    computed: list[str]

    def __fspath__(self) -> str:
        return str(self.path)


def write_report(store: CorpusStore, path: str | Path, topics: str | None = None, seed: int = 0,
                 on_stage: StageCallback | None = None, progress: ProgressCallback | None = None,
                 **settings: Any) -> WrittenReport:
    """``report``: one HTML file from the stored results (a stored topic model: the newest, or ``topics``).

    Every stage whose result is stored for the same documents and settings is reused; only what is missing is
    computed (and stored); no topic model is fitted. The run's other files (manifest, CSVs) are discarded.

    Raises
    ------
    NlpError
        ``path`` is not an HTML file name, or the selection holds no article.
    """
    from nlp.stages import TITLES

    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise NlpError(f"the report is HTML: name it like {path.with_suffix('.html').name}")
    if topics:
        from nlp.topics.fit import load_run

        load_run(store, topics)  # an unknown name is an error that lists the known runs
    with tempfile.TemporaryDirectory() as tmp:
        config = RunConfig(seed=seed, **settings)
        record = _run_into(store, Path(tmp), config, on_stage, topics or "", progress)
        write_bytes_atomic(path, (Path(tmp) / "report.html").read_bytes())
    outcome = record.outcome
    return WrittenReport(path, [TITLES[n] for n in outcome.reused], [TITLES[n] for n in outcome.computed])


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """A data table beside the report: written whole, cells a spreadsheet would run as formulas neutralised."""
    if not rows:
        return
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with atomic_output(path, "w", newline="") as fh:
        writer = SafeDictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
