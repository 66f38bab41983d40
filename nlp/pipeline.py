"""The one-command pipeline behind ``run`` and ``demo``: every analysis into a run directory.

A run directory holds ``manifest.json`` (seed, package versions, corpus hash, configuration, metrics and
timings), ``data/*.csv`` (the data behind every chart) and ``report.html``.
"""
from __future__ import annotations

import csv
import json
import logging
import os
import platform
import shutil
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from corpus import CorpusStore
from corpus.analyses import save_predictions
from corpus.dates import now_utc
from corpus.summary import corpus_overview

from nlp.documents import load_documents
from nlp.errors import NlpError
from nlp.topics.runs import topics_overview
from nlp.report.render import Section, render_report
from nlp.report.sections import (corpus_section, findings_section, method_section, topics_section,
                                 trends_section)

log = logging.getLogger(__name__)

PACKAGES = ("spacy", "spacy-lookups-data", "gensim", "scikit-learn", "numpy", "scipy", "matplotlib", "click")


@dataclass
class RunConfig:
    """What ``run`` does; every field lands in the manifest."""

    seed: int = 0
    #: Number of topics; None sweeps ``sweep_ks`` and keeps the most coherent.
    k: int | None = None
    sweep_ks: tuple[int, ...] = (6, 8, 10, 12)
    passes: int = 10
    period: str = "year"
    model: str | None = None
    title: str = "softleft report"
    notice: str | None = None
    #: Processes for preprocessing and for a sweep's Ks (default: every core).
    n_process: int = field(default_factory=lambda: os.cpu_count() or 1)
    #: Reuse a stored topic model fitted on the same terms with the same parameters (see stage_topics).
    reuse_topics: bool = True


@dataclass
class RunContext:
    store: CorpusStore
    out_dir: Path
    config: RunConfig
    sections: list[Section] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    method: dict[str, str] = field(default_factory=dict)
    topic_run: Any = None
    #: With a name, the topics stage shows this stored run instead of fitting one (``report --topics``).
    stored_topics: str | None = None
    #: Results later stages and the findings summary read: "prevalence" (by grouping), "tendencies".
    results: dict[str, Any] = field(default_factory=dict)
    #: The selection's documents and terms, read once after preprocessing and shared by every stage.
    docs: Any = None
    #: ``progress(stage, done, total)`` within a stage (total 0 when unknown); set by the caller.
    progress: Callable[[str, int, int], None] | None = None

    def documents(self) -> Any:
        """The documents read after preprocessing (an analysis stage cannot run without them)."""
        if self.docs is None:
            raise NlpError("no preprocessed terms to analyse (preprocessing did not run)")
        return self.docs

    def step(self, stage: str, total: int = 0) -> Callable[[int], None] | None:
        """A counter for a library call's ``progress(n)`` callback, reporting to :attr:`progress`."""
        if self.progress is None:
            return None
        done = [0]
        report = self.progress

        def update(n: int = 1) -> None:
            done[0] += n
            report(stage, done[0], total)
        return update
    skipped: dict[str, str] = field(default_factory=dict)


Stage = tuple[str, Callable[[RunContext], None]]


def stage_corpus(ctx: RunContext) -> None:
    section = corpus_section(corpus_overview(ctx.store))
    ctx.sections.append(section)
    ctx.metrics["articles"] = ctx.store.count()
    ctx.method["Corpus"] = ("Articles are stored in SQLite with a full-text index; each article's tendency is "
                            "resolved from its own label, else its author's, else its outlet's default.")


def stage_preprocess(ctx: RunContext) -> None:
    from nlp.text.preprocess import Preprocessor, preprocess_corpus

    pre = Preprocessor(model=ctx.config.model, n_process=ctx.config.n_process)
    ctx.metrics["preprocess"] = preprocess_corpus(ctx.store, pre, progress=ctx.step("preprocessing",
                                                                                 ctx.store.count()))
    # The one read of the selection's terms: every later stage works on this object.
    ctx.docs = load_documents(ctx.store, preprocess=False, raw=True,
                              progress=ctx.step("reading terms", ctx.metrics["preprocess"]["articles"]))
    ctx.method["Preprocessing"] = (
        f"spaCy ({ctx.config.model or 'blank English with lookup lemmas'}); names of factions, groups, people and "
        "policies from the phrase vocabulary (nlp/text/vocabulary.toml) joined into single terms before lemmatising "
        "(\"soft left\" becomes soft_left); stop words, numbers, URLs and punctuation removed; frequent "
        "collocations joined (gensim Phrases).")


def stage_topics(ctx: RunContext) -> None:
    from nlp.topics.fit import find_cached_run, fit_topics, sweep_topics, topics_cache_key

    cfg, runs_dir = ctx.config, ctx.out_dir / "topics"
    if ctx.stored_topics is not None:
        from nlp.topics.fit import load_run

        run = load_run(ctx.store, ctx.stored_topics or None)
        ctx.topic_run = run
        ctx.sections.append(topics_section(topics_overview(ctx.store, run)))
        ctx.metrics.update({"topics_run": run.name, "topics_k": run.k})
        ctx.method["Topics"] = f"The stored topic model {run.name!r} (K = {run.k}); its manifest: {run.path}."
        return
    docs = ctx.documents()
    if cfg.k is None:
        n_docs = len(docs)
        ks = [k for k in cfg.sweep_ks if 2 <= k < n_docs] or [max(2, min(n_docs - 1, 2))]
        params: dict[str, Any] = {"ks": ks}
    else:
        params = {"k": cfg.k}
    params.update(seed=cfg.seed, passes=cfg.passes)
    key = topics_cache_key(docs, **params)
    ctx.metrics["topics_cache_key"] = key
    run = find_cached_run(ctx.store, key) if cfg.reuse_topics else None
    reused = run is not None
    if run is not None:
        log.info("topic model reused: %s (K = %d) was fitted on the same terms with the same parameters", run.name,
                 run.k)
        sweep = run.manifest.get("sweep")
        here = runs_dir / "topics" / run.name
        if here.resolve() != run.path.resolve():  # keep the run directory whole: a copy of the model files
            shutil.copytree(run.path, here, dirs_exist_ok=True)
        ctx.metrics["topics_reused_from"] = str(run.path)
    elif cfg.k is None:
        sweep = sweep_topics(ctx.store, params["ks"], seed=cfg.seed, passes=cfg.passes, runs_dir=runs_dir,
                             progress=ctx.progress, docs=docs, n_jobs=cfg.n_process, npmi=False,
                             save_best=f"run-k{{k}}-s{cfg.seed}", cache_key=key)
        run = sweep.pop("run")
    else:
        sweep = None
        run = fit_topics(ctx.store, cfg.k, seed=cfg.seed, name=f"run-k{cfg.k}-s{cfg.seed}", passes=cfg.passes,
                         runs_dir=runs_dir, progress=ctx.progress, docs=docs, cache_key=key)
    if sweep:
        ctx.metrics["topic_sweep"] = [{col: r[col] for col in ("k", "coherence_c_v", "coherence_npmi")}
                                      for r in sweep["rows"]]
    ctx.topic_run = run
    ctx.sections.append(topics_section(topics_overview(ctx.store, run), sweep))
    ctx.metrics.update({"topics_k": run.k, "topics_coherence_c_v": run.coherence_c_v,
                        "topics_coherence_npmi": run.coherence_npmi, "topics_run": str(run.path),
                        "topics_reused": reused})
    ctx.method["Topics"] = (
        f"LDA (gensim LdaModel, single process, seed {cfg.seed}, {cfg.passes} passes), K = {run.k}"
        + (" chosen by c_v coherence" if sweep else "") + "; topics named by FREX (frequent and exclusive) terms. "
        "The fitted model and its manifest are in topics/ beside this report"
        + (" (reused: fitted by an earlier run on the same terms with the same parameters)." if reused else "."))


def stage_trends(ctx: RunContext) -> None:
    from nlp.topics.runs import document_topic_matrix
    from nlp.topics.trends import topic_prevalence

    run = ctx.topic_run
    if run is None:
        return
    theta = document_topic_matrix(ctx.store, run, ctx.documents())
    labels = [t["label"] for t in sorted(run.topics, key=lambda t: t["id"])]
    prevalence = {by: topic_prevalence(ctx.documents(), theta, labels, by=by, period=ctx.config.period)
                  for by in ("tendency", "outlet")}
    ctx.results["prevalence"] = prevalence
    ctx.sections.append(trends_section(prevalence))
    ctx.method["Trends"] = (f"A topic's share in a {ctx.config.period} and group is the mean of its share in the "
                            "group's articles that year; each point carries the number of articles behind it.")


def stage_tendencies(ctx: RunContext) -> None:
    """Classifier evaluation, contrasts and faction mentions, with their report sections."""
    from nlp.report.tendency_sections import tendency_sections
    from nlp.tendencies.analysis import analyse_tendencies

    analysis = analyse_tendencies(ctx.documents(), seed=ctx.config.seed, model_dir=Path(ctx.out_dir) / "model")
    if analysis["predicted"]:
        save_predictions(ctx.store, analysis["predicted"]["model_id"], analysis["predicted"]["articles"], now_utc())
    ctx.results["tendencies"] = analysis
    ctx.sections.extend(tendency_sections(analysis))
    for group_by, e in analysis["evaluation"].items():
        ctx.metrics[f"classifier_macro_f1_by_{group_by}"] = e["macro_f1"]
        ctx.metrics[f"classifier_baseline_macro_f1_by_{group_by}"] = e["baseline"]["macro_f1"]
    if analysis["skipped"]:
        ctx.metrics["tendency_analyses_skipped"] = analysis["skipped"]
    ctx.method["Classifier"] = (
        "TF-IDF over the preprocessed terms and class-balanced logistic regression (scikit-learn), scored by "
        "stratified cross-validation whose folds never split an outlet (or an author), beside a majority-class "
        "baseline. Articles labelled 'unlabelled' or 'mixed' are left out.")
    ctx.method["Contrasts"] = ("Weighted log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi & "
                               "Quinn 2008); the prior follows the term counts of both groups and weighs a tenth of the data.")
    ctx.method["Mentions"] = ("Mentions of each faction of the phrase vocabulary, by writing tendency; the words "
                              "within a window around them are contrasted with the tendency's overall usage.")


STAGES: list[Stage] = [
    ("corpus summary", stage_corpus),
    ("preprocessing", stage_preprocess),
    ("topic model", stage_topics),
    ("topic trends", stage_trends),
    ("classifier, contrasts and mentions", stage_tendencies),
]


def run_analysis(store: CorpusStore, out_dir: str | Path, config: RunConfig | None = None,
                 on_stage: Callable[[str, int, int], None] | None = None, stored_topics: str | None = None,
                 progress: Callable[[str, int, int], None] | None = None) -> Path:
    """Run every stage on ``store``, write the run directory and return the report's path.

    Parameters
    ----------
    store : CorpusStore
    out_dir : path
        Created if missing; files of an earlier run there are replaced.
    config : RunConfig
    on_stage : callable, optional
        Called as ``on_stage(name, index, total)`` before each stage (progress display).
    stored_topics : str, optional
        Show this stored topic run ("" for the newest) instead of fitting a model.
    progress : callable, optional
        ``progress(step, done, total)`` within long stages (preprocessing, topic fitting).
    """
    config = config or RunConfig()
    out_dir = Path(out_dir)
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    ctx = RunContext(store, out_dir, config, stored_topics=stored_topics, progress=progress)
    started = time.perf_counter()
    for i, (name, stage) in enumerate(STAGES):
        if on_stage:
            on_stage(name, i, len(STAGES))
        t0 = time.perf_counter()
        try:
            stage(ctx)
        except NlpError as exc:
            # An analysis the corpus cannot support (too few articles, one tendency) is reported, never faked.
            log.warning("%s not run: %s", name, exc)
            ctx.skipped[name] = str(exc)
        ctx.timings[name] = round(time.perf_counter() - t0, 3)
        log.info("stage %s took %.1fs", name, ctx.timings[name])
    for section in ctx.sections:
        for name, rows in section.data.items():
            write_csv(out_dir / "data" / f"{name}.csv", rows)
    if ctx.skipped:
        ctx.metrics["stages_not_run"] = ctx.skipped
        ctx.method.update({f"Not run: {name}": reason for name, reason in ctx.skipped.items()})
    findings = findings_section(ctx.results)
    sections = ([findings] if findings else []) + ctx.sections + [method_section(ctx.method)]
    report = out_dir / "report.html"
    _write_atomic(report, render_report(
        sections, config.title, subtitle=f"{ctx.metrics.get('articles', 0)} articles in {Path(store.path).name}",
        notice=config.notice, footer="Charts' data: data/*.csv beside this file; run details: manifest.json."))
    ctx.timings["total"] = round(time.perf_counter() - started, 3)
    manifest = {
        "created": now_utc(),
        "seed": config.seed,
        "config": {k: v for k, v in vars(config).items()},
        "corpus": {"path": str(store.path), "hash": store.fingerprint(), "articles": ctx.metrics.get("articles")},
        "metrics": ctx.metrics,
        "timings_seconds": ctx.timings,
        "versions": package_versions(),
        "files": sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*") if p.is_file()),
    }
    _write_atomic(out_dir / "manifest.json", json.dumps(manifest, indent=2, default=str))
    return report


def run_demo(out_dir: str | Path, seed: int = 0, settings: Any = None, n_process: int | None = None) -> Path:
    """Build the demo corpus in ``out_dir/softleft.db`` (afresh) and run the whole analysis on it."""
    from corpus.demo import NOTICE, demo_labels, iter_demo_articles

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "softleft.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    with CorpusStore(db) as store:
        store.load_labels(demo_labels())
        added = store.add_many(iter_demo_articles())
        log.info("demo corpus: %d articles", added.inserted)
        config = RunConfig(seed=seed, title="softleft demo report", notice=NOTICE + " Nothing here describes real writing.",
                           **({"n_process": n_process} if n_process else {}))
        return run_with_progress(store, out_dir, config, settings)


def write_report(store: CorpusStore, path: str | Path, topics: str | None = None, seed: int = 0,
                 settings: Any = None) -> Path:
    """``report``: one HTML file from the corpus and a stored topic model (the newest, or ``topics``).

    Nothing is refitted but the classifier; the run's other files (manifest, CSVs) are discarded.
    """
    import tempfile

    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise NlpError(f"the report is HTML: name it like {path.with_suffix('.html').name}")
    if not path.parent.resolve().is_dir():
        raise NlpError(f"folder {path.parent} does not exist")
    if topics:
        from nlp.topics.fit import load_run

        load_run(store, topics)  # an unknown name is an error that lists the known runs
    with tempfile.TemporaryDirectory() as tmp:
        config = RunConfig(seed=seed, title="softleft report")
        report = run_with_progress(store, Path(tmp), config, settings, stored_topics=topics or "", final=path)
        tmp_target = path.with_name(path.name + ".partial")
        shutil.copyfile(report, tmp_target)
        tmp_target.replace(path)
    return path


def run_with_progress(store: CorpusStore, out_dir: Path, config: RunConfig, settings: Any = None,
                      stored_topics: str | None = None, final: Path | None = None) -> Path:
    """:func:`run_analysis` with a line per stage on stderr and the total time at the end."""
    quiet = bool(getattr(settings, "quiet", False))
    live = not quiet and sys.stderr.isatty()
    t0 = time.perf_counter()

    def on_stage(name: str, i: int, total: int) -> None:
        if not quiet:
            print(f"{chr(13) if live else ''}[{i + 1}/{total}] {name} ({time.perf_counter() - t0:.1f}s)"
                  + ("\033[K" if live else ""), file=sys.stderr, flush=True)

    counts: dict[str, int] = {}

    def progress(step: str, done: int, total: int) -> None:
        """A live line under the stage: a bar when the total is known, a counter otherwise (the
        libraries then report increments)."""
        if not live:
            return
        if not total:
            counts[step] = done = counts.get(step, 0) + done
        if total:
            filled = int(30 * min(done, total) / total)
            line = f"      {step} [{'#' * filled}{'-' * (30 - filled)}] {done}/{total}"
        else:
            line = f"      {step} {done or ''}"
        print(f"\r{line}\033[K", end="", file=sys.stderr, flush=True)

    report = run_analysis(store, out_dir, config, on_stage=on_stage, stored_topics=stored_topics,
                          progress=progress)
    if live:
        print("\r\033[K", end="", file=sys.stderr)
    print(f"Done in {time.perf_counter() - t0:.1f}s: {final or report}", file=sys.stderr)
    return report


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
