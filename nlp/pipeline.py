"""The one-command pipeline behind ``run`` and ``demo``: every analysis into a run directory.

A run directory holds ``manifest.json`` (seed, package versions, corpus hash, configuration, metrics and
timings), ``data/*.csv`` (the data behind every chart) and ``report.html``.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from corpus import CorpusStore
from corpus.analyses import relocate_topic_run, save_predictions
from corpus.output import SafeDictWriter, atomic_directory, atomic_output, write_bytes_atomic, write_text_atomic
from corpus.dates import now_utc
from corpus.summary import corpus_overview

from nlp.documents import load_documents
from nlp.errors import NlpError
from nlp.memory import memory_mb, release_memory
from nlp.provenance import package_versions
from nlp.stage_cache import cacheable, is_stored, run_stage
from nlp.uncertainty import BOOTSTRAP, MIN_SUPPORT
from nlp.report.render import Section, render_report
from nlp.report.sections import (corpus_section, findings_section, method_section, since_section,
                                 topics_section, trends_section)
from nlp.report.styles import Styles
from nlp.report.names import load_topic_names, names_path, topic_name

log = logging.getLogger(__name__)


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
    contested: tuple[str, ...] = ("pluralism", "socialism", "ownership", "community", "democracy", "power")
    #: Word vectors trained on a larger corpus (a ``meaning`` model folder), for corpora too small to train on.
    meaning_background: str | None = None
    #: Processes for preprocessing and for a sweep's Ks (default: every core).
    n_process: int = field(default_factory=lambda: os.cpu_count() or 1)
    #: Dask: per-document work (tokenising, topic inference, Wordfish placement) on this many local worker
    #: processes, or on the workers of a running scheduler
    #: ("tcp://HOST:8786"); neither: in this process (:func:`nlp.parallel.executor`).
    workers: int | None = None
    scheduler: str | None = None
    #: Reuse a stored topic model fitted on the same terms with the same parameters (see stage_topics).
    reuse_topics: bool = True
    #: Replay the stored results of the slow analysis stages computed on the same documents, labels and
    #: settings (nlp.stage_cache); False computes them afresh (and stores the new results).
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


@dataclass
class RunContext:
    store: CorpusStore
    out_dir: Path
    config: RunConfig
    sections: list[Section] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    memory: dict[str, dict[str, float]] = field(default_factory=dict)
    method: dict[str, str] = field(default_factory=dict)
    topic_run: Any = None
    #: With a name, the topics stage shows this stored run instead of fitting one (``report --topics``).
    stored_topics: str | None = None
    #: Results later stages and the findings summary read: "prevalence" (by grouping), "tendencies".
    results: dict[str, Any] = field(default_factory=dict)
    #: Tables written beside the report (data/NAME.csv) that belong to no section.
    extra_data: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: The selection's documents and terms, read once after preprocessing and shared by every stage.
    docs: Any = None
    #: ``progress(stage, done, total)`` within a stage (total 0 when unknown); set by the caller.
    progress: Callable[[str, int, int], None] | None = None
    #: How the report shows tendencies (the labels' [tendencies] table); set by the corpus stage.
    styles: Styles | None = None

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
    #: Texts read for example sentences, by article id (only the few the report quotes).
    texts: dict[str, Any] = field(default_factory=dict)
    #: Where per-document work runs (:func:`nlp.parallel.executor`: in process, or Dask workers); set by the run.
    executor: Any = None
    #: Work started early on a spare core (``multiprocessing`` AsyncResults by name; see :func:`_background`).
    background: dict[str, Any] = field(default_factory=dict)
    _pool: Any = None

    def submit(self, name: str, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` in a spare process (spawned, so no thread state is forked) while stages go on."""
        if self._pool is None:
            import multiprocessing

            self._pool = multiprocessing.get_context("spawn").Pool(max(1, self.config.n_process - 1))
        self.background[name] = self._pool.apply_async(fn, args)

    def wait(self, name: str) -> Any:
        """The result of background work ``name`` (None when none was started, or when it failed: the stage
        then does the work itself)."""
        job = self.background.pop(name, None)
        if job is None:
            return None
        try:
            return job.get()
        except Exception as exc:  # noqa: BLE001 - the stage redoes the work in this process and reports its error
            log.warning("background %s failed (%s); doing it now", name, exc)
            return None

    def close(self, failed: bool = False) -> None:
        """Stop the spare processes: at once when the run failed, else once their work is done."""
        if self._pool is not None:
            if failed:
                self._pool.terminate()
            else:
                self._pool.close()
            self._pool.join()
            self._pool = None

    def read_texts(self, ids: list[str]) -> dict[str, Any]:
        """The articles ``ids`` as :class:`~nlp.report.examples.ArticleText`, read once each."""
        from nlp.report.examples import ArticleText

        missing = [i for i in dict.fromkeys(ids) if i not in self.texts]
        if missing:
            outlets = self.store.labels.outlets
            for a in self.store.articles(ids=missing, with_text=True):
                label = outlets.get(a.outlet)
                self.texts[a.id] = ArticleText.from_article(a, label.name if label and label.name else None)
        return self.texts

    def examples(self, kind: str, ids: list[str], words: list[str], n: int = 3) -> list[dict[str, Any]]:
        """Example sentences from the articles ``ids`` using ``words`` (a topic's name, a term)."""
        from nlp.report.examples import example_sentences

        if kind == "topic":
            words = [w for name in words for w in name.split(",")]
        return example_sentences(self.read_texts(ids), ids, words, n=n)

    def topic_examples(self, topic: Any, n: int = 3) -> list[dict[str, Any]]:
        """Example sentences for a topic summary: from its most typical articles, using its top terms."""
        from nlp.report.examples import example_sentences

        ids = [e["id"] for e in topic.examples]
        return example_sentences(self.read_texts(ids), ids, list(topic.terms[:6]), n=n, per_article=2)


Stage = tuple[str, Callable[[RunContext], None]]
#: ``on_stage(name, index, total, seconds)``: seconds is None when the stage starts.
StageCallback = Callable[[str, int, int, "float | None"], None]
#: ``progress(step, done, total)`` within a stage (total 0 when unknown).
ProgressCallback = Callable[[str, int, int], None]


def stage_corpus(ctx: RunContext) -> None:
    overview = corpus_overview(ctx.store, **ctx.config.filters)
    if not overview.articles:
        raise NlpError(f"no article matches this selection ({ctx.config.selection_text}): widen it")
    ctx.styles = Styles.from_labels(ctx.store.labels, overview.tendencies)
    ctx.sections.append(corpus_section(overview, ctx.styles))
    ctx.metrics["articles"] = overview.articles
    ctx.results["overview"] = overview
    if ctx.config.since is not None:
        ctx.sections.append(_since_section(ctx))
    ctx.method["Corpus"] = ("Articles are stored in SQLite with a full-text index; each article's tendency is "
                            "resolved from its own label, else its author's, else its outlet's default.")


def _since_section(ctx: RunContext) -> Section:
    """The articles added since the last report (``update``), newest first, as plain rows."""
    from nlp.report.render import display_date, display_title

    since = ctx.config.since or {}
    ids = list(since.get("ids") or [])
    rows = []
    for a in ctx.store.articles(ids=ids, with_text=True, **{k: v for k, v in ctx.config.filters.items() if k != "limit"}):
        rows.append({"id": a.id, "published": a.published or "", "date": display_date(a.published,
                     a.metadata.get("date_precision")), "title": display_title(a.title, a.text, a.id),
                     "url": a.url or "", "outlet": a.outlet, "authors": "; ".join(a.authors),
                     "tendency": ctx.store.tendency(a)})
    rows.sort(key=lambda r: (r["published"], r["id"]), reverse=True)
    return since_section(rows, since.get("last"), bool(since.get("first")), _styles(ctx))


def stage_preprocess(ctx: RunContext) -> None:
    from nlp.text.preprocess import Preprocessor, preprocess_corpus

    pre = Preprocessor(model=ctx.config.model, n_process=ctx.config.n_process)
    ctx.metrics["preprocess"] = preprocess_corpus(ctx.store, pre, executor=ctx.executor,
                                                  progress=ctx.step("preprocessing", ctx.store.count()))
    # The one read of the selection's terms: every later stage works on this object.
    ctx.docs = load_documents(ctx.store, preprocess=False, raw=True,
                              progress=ctx.step("reading terms", ctx.metrics["preprocess"]["articles"]),
                              **ctx.config.filters)
    ctx.method["Preprocessing"] = (
        f"spaCy ({ctx.config.model or 'blank English with lookup lemmas'}); names of factions, groups, people and "
        "policies from the phrase vocabulary (nlp/text/vocabulary.toml) joined into single terms before lemmatising "
        "(\"soft left\" becomes soft_left); stop words, numbers, URLs and punctuation removed; frequent "
        "collocations joined (gensim Phrases).")
    _prefetch_word_vectors(ctx)


def _prefetch_word_vectors(ctx: RunContext) -> None:
    """With a spare core, train the meaning stage's word vectors in another process now, while this one
    fits the topic model (single-threaded); the meaning stage then finds them in the cache."""
    from nlp.meaning import embeddings
    from nlp.topics.runs import runs_root

    cfg = ctx.config
    stages = dict(STAGES)
    if (cfg.n_process < 2 or not cfg.contested or cfg.meaning_background is not None
            or "meaning" not in stages or is_stored(ctx, "meaning", stages["meaning"])):
        return
    training = training_sample(ctx.documents(), MEANING_TRAINING_TERMS, cfg.seed)
    cache_dir = runs_root(ctx.store) / "meaning"
    minimum = embeddings.MIN_TRAINING_TERMS
    if (embeddings.n_training_terms(training) < minimum
            or (embeddings.cache_folder(training, cache_dir, cfg.seed) / "manifest.json").is_file()):
        return
    ctx.submit("word vectors", embeddings.cache_embeddings, training, str(cache_dir), cfg.seed, minimum)


def stage_topics(ctx: RunContext) -> None:
    from nlp.topics.fit import find_cached_run, fit_topics, sweep_topics, topics_cache_key
    from nlp.topics.model import auto_passes
    from nlp.topics.sampling import resolve_fit_sample
    from nlp.topics.runs import document_topic_matrix, topics_overview

    cfg, runs_dir = ctx.config, ctx.out_dir / "topics"
    sweep = None
    if ctx.stored_topics is not None:
        from nlp.topics.fit import load_run

        run = load_run(ctx.store, ctx.stored_topics or None)
        ctx.metrics.update({"topics_run": run.name, "topics_k": run.k})
        ctx.method["Topics"] = f"The stored topic model {run.name!r} (K = {run.k}); its manifest: {run.path}."
    else:
        docs = ctx.documents()
        if cfg.k is None:
            n_docs = len(docs)
            ks = [k for k in cfg.sweep_ks if 2 <= k < n_docs] or [max(2, min(n_docs - 1, 2))]
            params: dict[str, Any] = {"ks": ks}
        else:
            params = {"k": cfg.k}
        sample_size = resolve_fit_sample(cfg.fit_sample, len(docs))
        passes = cfg.passes or auto_passes(sample_size or len(docs))  # by the documents the model is fitted on
        params.update(seed=cfg.seed, passes=passes)
        if sample_size is not None:  # only then: the key of a fit on every document stays what it was
            params["fit_sample"] = sample_size
        ctx.metrics["topics_passes"] = passes
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
            sweep = sweep_topics(ctx.store, params["ks"], seed=cfg.seed, passes=passes, runs_dir=runs_dir,
                                 progress=ctx.progress, docs=docs, n_jobs=cfg.n_process, npmi=False,
                                 save_best=f"run-k{{k}}-s{cfg.seed}", cache_key=key, fit_sample=cfg.fit_sample,
                                 executor=ctx.executor)
            run = sweep.pop("run")
        else:
            sweep = None
            run = fit_topics(ctx.store, cfg.k, seed=cfg.seed, name=f"run-k{cfg.k}-s{cfg.seed}", passes=passes,
                             runs_dir=runs_dir, progress=ctx.progress, docs=docs, cache_key=key, fit_sample=cfg.fit_sample,
                             executor=ctx.executor)
        if sweep:
            ctx.metrics["topic_sweep"] = [{col: r[col] for col in ("k", "coherence_c_v", "coherence_npmi")}
                                          for r in sweep["rows"]]
        if not reused or not run.manifest.get("trust"):
            from nlp.topics.trust import assess_run

            run = assess_run(ctx.store, run, docs, seeds=cfg.stability_seeds,  # stability and era per topic
                             n_jobs=cfg.n_process)
        here = runs_dir / "topics" / run.name
        fitted_on = run.manifest.get("fit_sample")
        if fitted_on:
            ctx.metrics["topics_fit_sample"] = {k: v for k, v in fitted_on.items() if k != "strata"}
        ctx.metrics.update({"topics_k": run.k, "topics_coherence_c_v": run.coherence_c_v,
                            "topics_coherence_npmi": run.coherence_npmi,
                            "topics_run": str(here.relative_to(ctx.out_dir)), "topics_reused": reused})
        ctx.method["Topics"] = (
            f"LDA (gensim LdaModel, single process, seed {cfg.seed}, {passes} passes), K = {run.k}"
            + (" chosen by c_v coherence" if sweep else "")
            + (f", fitted on a stratified sample of {fitted_on['used']:,} of {fitted_on['of']:,} articles (by tendency, "
               "year and outlet; docs/topics.md) and every article's topic shares inferred from that model"
               if fitted_on else "")
            + "; topics named by FREX (frequent and exclusive) terms. "
            "The fitted model and its manifest are in topics/ beside this report"
            + (" (reused: fitted by an earlier run on the same terms with the same parameters)." if reused else "."))
    ctx.topic_run = run
    theta = document_topic_matrix(ctx.store, run, ctx.documents())
    ctx.results["theta"] = theta
    names = topic_names_for(ctx.store, run.name, cfg.topic_names)
    ctx.results["topic_names"] = [topic_name(t, names) for t in sorted(run.topics, key=lambda t: t["id"])]
    overview = topics_overview(run, ctx.documents(), theta, ctx.results["topic_names"])
    ctx.sections.append(topics_section(overview, sweep, examples=ctx.topic_examples, styles=_styles(ctx)))


def topic_names_for(store: CorpusStore, run: str, path: str | None = None) -> dict[int, str]:
    """The editor's names for a run's topics: ``path`` when given, else the corpus' names file for ``run``."""
    from nlp.topics.runs import runs_root

    return load_topic_names(path) if path else load_topic_names(names_path(runs_root(store), run))


def stage_trends(ctx: RunContext) -> None:
    from nlp.topics.trends import recent_shifts, topic_prevalence

    run = ctx.topic_run
    if run is None:
        return
    theta = ctx.results["theta"]
    labels = ctx.results["topic_names"]
    cfg = ctx.config
    prevalence = {by: topic_prevalence(ctx.documents(), theta, labels, by=by, period=cfg.period,
                                       bootstrap=cfg.bootstrap, seed=cfg.seed) for by in ("tendency", "outlet")}
    from nlp.topics.effects import topic_effects

    try:  # what each tendency writes about more, adjusted for the date (and outlet where it can be)
        effects = topic_effects(ctx.documents(), theta, by="tendency", labels=labels, seed=cfg.seed)
        ctx.results["effects"] = effects
        ctx.extra_data["topic_effects"] = [
            {"topic": c.topic, "label": c.label, "tendency": c.group, "versus": c.versus,
             "effect": round(c.effect, 5), "lo": round(c.lo, 5), "hi": round(c.hi, 5), "n": c.n,
             "n_authors": c.n_authors} for c in effects.contrasts]
    except NlpError as exc:
        ctx.skipped["adjusted topic effects"] = str(exc)
    era = {t["label"] for t in run.topics if t.get("era")}  # their rise is the date's, not a tendency's
    ctx.results["shifts"], ctx.results["shifts_withheld"] = recent_shifts(
        ctx.documents(), theta, prevalence["tendency"], period=cfg.period, min_support=cfg.min_support,
        bootstrap=cfg.bootstrap, seed=cfg.seed, exclude=era)
    ctx.results["prevalence"] = prevalence
    ctx.sections.append(trends_section(prevalence, styles=_styles(ctx)))
    ctx.method["Trends"] = (f"A topic's share in a {ctx.config.period} and group is the mean of its share in the "
                            "group's articles that year; each point carries the number of articles behind it. The "
                            "line is a rolling mean over three periods; the band is a 95% interval from a cluster "
                            "bootstrap that resamples whole authors, so a prolific writer cannot pass for a trend.")


def stage_now(ctx: RunContext) -> None:
    """"Now against before": what rose or fell in each tendency's writing lately (the report's first section)."""
    from nlp.report.now_section import now_section
    from nlp.topics.trends import now_against_before

    cfg = ctx.config
    result = now_against_before(ctx.documents(), ctx.results.get("theta"), ctx.results.get("topic_names"),
                                recent=cfg.recent, min_support=cfg.min_support, bootstrap=cfg.bootstrap, seed=cfg.seed)
    ctx.results["now"] = result
    ctx.sections.insert(0, now_section(result, _styles(ctx), examples=ctx.examples, min_support=cfg.min_support))
    ctx.method["Now against before"] = (
        f"Each tendency's articles of the last {cfg.recent.replace('m', ' months')} against those of the year before. "
        "Topic shares and word rates (per 10,000 words) get 95% intervals from a cluster bootstrap by author "
        f"({cfg.bootstrap} replicates); a rise or fall is stated only when the two intervals do not overlap and "
        f"each window holds at least {cfg.min_support} articles. The words compared are each tendency's most "
        "changed between the two windows by weighted log-odds (Monroe, Colaresi & Quinn 2008).")


def stage_watch(ctx: RunContext) -> None:
    """Term-trend charts for the editor's watched words (``--watch``), by tendency."""
    from nlp.report.sections import watch_section
    from nlp.text.preprocess import Preprocessor
    from nlp.topics.trends import term_trends

    cfg = ctx.config
    if not cfg.watch:
        return
    rows = term_trends(ctx.documents(), list(cfg.watch), Preprocessor.from_store(ctx.store), by="tendency",
                       period=cfg.period, bootstrap=cfg.bootstrap, seed=cfg.seed)
    ctx.sections.append(watch_section(rows, _styles(ctx)))
    ctx.method["Watched words"] = ("Uses per 10,000 words of each watched word or phrase (matched as the corpus' "
                                   "terms are made, so \"devolved\" counts as devolve), by tendency and "
                                   f"{cfg.period}, with 95% intervals from the cluster bootstrap by author.")


def store_predictions(ctx: RunContext) -> None:
    """Store the classifier's predictions for the unlabelled articles (after the stage, or its replay)."""
    predicted = (ctx.results.get("tendencies") or {}).get("predicted")
    if predicted:
        save_predictions(ctx.store, predicted["model_id"], predicted["articles"], now_utc())


@cacheable(reads=("seed",), replay=store_predictions)
def stage_tendencies(ctx: RunContext) -> None:
    """Classifier evaluation, contrasts and faction mentions, with their report sections."""
    from nlp.report.tendency_sections import tendency_sections
    from nlp.tendencies.analysis import analyse_tendencies, example_ids

    analysis = analyse_tendencies(ctx.documents(), seed=ctx.config.seed, model_dir=Path(ctx.out_dir) / "model")
    ctx.results["tendencies"] = analysis
    store_predictions(ctx)
    pairs = [(r.a, t.term) for r in analysis["against_rest"] for t in r.terms_a[:8]]
    pairs += [(group, f["faction"]) for f in (analysis["mentions"] or {}).get("factions", [])
              for group, t in f["by_tendency"].items() if t["mentions"] >= 2]
    quote = getattr(ctx, "examples", None)  # a bare context (tests, notebooks) quotes nothing
    ids = example_ids(ctx.documents(), pairs) if quote else {}
    ctx.sections.extend(tendency_sections(
        analysis, styles=_styles(ctx),
        examples=(lambda group, term: quote("term", ids.get((group, term), []), [term])) if quote else None))
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


def _styles(ctx: RunContext) -> Styles:
    """The run's tendency styles; from the store's labels when the corpus stage has not set them."""
    return getattr(ctx, "styles", None) or Styles.from_labels(ctx.store.labels)


@cacheable(reads=("seed", "period", "bootstrap", "min_support"))
def stage_positions(ctx: RunContext) -> None:
    """Where each tendency stands: Wordfish on the terms (bounded cost), positions per tendency and period."""
    from nlp.report.positions_section import positions_section
    from nlp.scaling.positions import corpus_scale, group_positions

    cfg = ctx.config
    result, info = corpus_scale(ctx.documents(), seed=cfg.seed, executor=ctx.executor)
    positions = group_positions(ctx.documents(), result, by="tendency", period=cfg.period, bootstrap=cfg.bootstrap,
                                seed=cfg.seed, min_support=cfg.min_support)
    if not any(p.supported and p.group not in ("mixed", "unlabelled") for p in positions):
        raise NlpError("no labelled tendency has enough articles to place on the scale")
    ctx.results["positions"] = positions
    ctx.sections.append(positions_section(result, positions, info, _styles(ctx)))
    ctx.metrics["positions"] = info
    ctx.method["Positions"] = (
        "Wordfish (Slapin & Proksch 2008, as quanteda fits it: Poisson scaling with the same priors and "
        f"identification) on the preprocessed terms: fitted on {info['fitted_on']} articles over {info['terms']} "
        f"frequent terms{', the others placed on that scale afterwards' if info['placed'] else ''}; "
        + (f"oriented with the {info['oriented']}. " if info["oriented"] else "")
        + (f"{info['not_placed']} articles could not be placed (too few of the scale's words). "
           if info.get("not_placed") else "")
        + "A tendency's position is the mean of its articles', with a 95% interval from a bootstrap over "
        "articles resampled by author; a move is stated only when the intervals of two periods part.")


#: The words the factions share and fight over, read by the "meaning" stage (``RunConfig.contested``).
CONTESTED = ("pluralism", "socialism", "ownership", "community", "democracy", "power")


#: Word vectors for the meaning stage are trained on at most about this many terms (a seeded sample of
#: whole articles): within the 0.9-1.9M terms on which these settings gave stable vectors (docs/meaning.md),
#: at a bounded cost on a large corpus (about a minute of one core).
MEANING_TRAINING_TERMS = 1_000_000


def training_sample(docs: Any, max_terms: int, seed: int = 0) -> Any:
    """The documents themselves, or a seeded random sample of whole documents holding about ``max_terms``."""
    import numpy as np

    if len(docs.tokens) <= max_terms:
        return docs
    order = np.random.default_rng(seed).permutation(len(docs))
    lengths = np.diff(docs.offsets)[order]
    keep = order[: int(np.searchsorted(np.cumsum(lengths), max_terms)) + 1]
    return docs.subset(np.sort(keep))


def background_manifest(ctx: RunContext) -> str | None:
    """The background word vectors' manifest (what the meaning stage's output depends on besides its path)."""
    path = ctx.config.meaning_background
    manifest = Path(path) / "manifest.json" if path else None
    return manifest.read_text(encoding="utf-8") if manifest is not None and manifest.is_file() else None


@cacheable(reads=("seed", "contested", "min_support", "meaning_background"), depends=background_manifest)
def stage_meaning(ctx: RunContext) -> None:
    """What the contested words mean to each tendency (à-la-carte embeddings), where the corpus is large
    enough to train word vectors (else the stage is skipped, and says how to use a background model)."""
    from nlp.meaning import MeaningError, meaning
    from nlp.report.meaning_section import meaning_section

    cfg = ctx.config
    docs = ctx.documents()
    training = training_sample(docs, MEANING_TRAINING_TERMS, cfg.seed)
    ctx.wait("word vectors")  # trained on a spare core since preprocessing, if there was one
    results, skipped = [], {}
    for term in cfg.contested:
        try:
            results += meaning(docs, [term], store=ctx.store, by="tendency", seed=cfg.seed, training=training,
                               min_support=cfg.min_support, background=cfg.meaning_background, n_perm=500,
                               n_boot=50)
        except MeaningError as exc:
            if "too small" in str(exc) or "background" in str(exc):
                raise  # the whole stage cannot run: say so once
            skipped[term] = str(exc)
    if not results:
        raise NlpError("none of the contested words is used in this selection")
    ctx.sections.append(meaning_section(results, _styles(ctx), skipped))
    ctx.method["Meaning"] = (
        "Each use of a contested word is embedded from the six words either side (à-la-carte embeddings over "
        f"word vectors trained on this corpus — on a sample of about {MEANING_TRAINING_TERMS:,} terms when it is larger "
        "— as in conText); a tendency's use is the mean of its uses. Two "
        "tendencies differ when reshuffling whole articles between them rarely gives a difference as large "
        f"(p < 0.05); tendencies with fewer than {cfg.min_support} articles using the word are not compared.")


#: The stages, in the order their sections appear in the report.
STAGES: list[Stage] = [
    ("corpus summary", stage_corpus),
    ("preprocessing", stage_preprocess),
    ("topic model", stage_topics),
    ("topic trends", stage_trends),
    ("now against before", stage_now),
    ("watched words", stage_watch),
    ("positions", stage_positions),
    ("meaning", stage_meaning),
    ("classifier, contrasts and mentions", stage_tendencies),
]
#: Stages run after all the others (the meaning stage waits for the word vectors trained in the background).
RUN_LAST = ("meaning",)


def run_analysis(store: CorpusStore, out_dir: str | Path, config: RunConfig | None = None,
                 on_stage: StageCallback | None = None, stored_topics: str | None = None,
                 progress: ProgressCallback | None = None, atomic: bool = True) -> Path:
    """Run every stage on ``store``, write the run directory and return the report's path.

    Parameters
    ----------
    store : CorpusStore
    out_dir : path
        The run directory. With ``atomic`` (the default) the run is written into a new folder beside it
        that replaces it only once complete, so a killed run never leaves a mix of two runs.
    config : RunConfig
    on_stage : callable, optional
        Called as ``on_stage(name, index, total, None)`` when a stage starts and ``on_stage(name, index,
        total, seconds)`` when it ends (the caller draws progress; the library never writes to the terminal).
    stored_topics : str, optional
        Show this stored topic run ("" for the newest) instead of fitting a model.
    progress : callable, optional
        ``progress(step, done, total)`` within long stages (preprocessing, topic fitting).
    atomic : bool
        False writes into ``out_dir`` in place (``demo``, which rebuilds its whole folder anyway).
    """
    config = config or RunConfig()
    out_dir = Path(out_dir)
    if not atomic:
        out_dir.mkdir(parents=True, exist_ok=True)
        return _run_into(store, out_dir, config, on_stage, stored_topics, progress).out_dir / "report.html"
    with atomic_directory(out_dir) as work:
        ctx = _run_into(store, work, config, on_stage, stored_topics, progress)
    if ctx.topic_run is not None and ctx.stored_topics is None and ctx.topic_run.path.is_relative_to(work):
        # the run fitted here: its folder moved with the run directory
        moved = out_dir / ctx.topic_run.path.relative_to(work)
        relocate_topic_run(store, ctx.topic_run.name, str(moved))
    return out_dir / "report.html"


def _run_into(store: CorpusStore, out_dir: Path, config: RunConfig, on_stage: StageCallback | None,
              stored_topics: str | None, progress: ProgressCallback | None) -> "RunContext":
    """Every stage, the CSVs, the report and the manifest, written into ``out_dir``."""
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    ctx = RunContext(store, out_dir, config, stored_topics=stored_topics, progress=progress)
    started = time.perf_counter()
    failed = True
    # Stages that wait for background work run last, so it has every other stage's time to finish; their
    # sections still take their place in the report (the order of STAGES).
    order = sorted(STAGES, key=lambda st: st[0] in RUN_LAST)
    produced: dict[str, list[Section]] = {}
    stack = contextlib.ExitStack()  # the Dask workers, if any: closed with the run
    from nlp.parallel import executor

    try:
        ctx.executor = stack.enter_context(executor(config.workers, config.scheduler))
        for i, (name, stage) in enumerate(order):
            if on_stage:
                on_stage(name, i, len(order), None)
            t0 = time.perf_counter()
            try:
                run_stage(ctx, name, stage)  # or replay its stored results (nlp.stage_cache)
            except NlpError as exc:
                # An analysis the corpus cannot support (too few articles, one tendency) is reported, never faked.
                log.warning("%s not run: %s", name, exc)
                ctx.skipped[name] = str(exc)
            produced[name], ctx.sections = ctx.sections, []  # each stage's own sections
            if ctx.docs is not None:
                ctx.docs.release_derived()  # a later stage that needs the count matrix builds it again
            release_memory()
            ctx.timings[name] = round(time.perf_counter() - t0, 3)
            if (memory := memory_mb()) is not None:  # the stage whose end first shows a peak is where it was
                ctx.memory[name] = memory
            log.info("stage %s took %.1fs", name, ctx.timings[name])
            if on_stage:
                on_stage(name, i, len(order), ctx.timings[name])
        failed = False
    finally:
        ctx.close(failed)
        stack.close()
    ctx.metrics.setdefault("stages_reused", [])
    ctx.docs = None  # every stage is done with the documents: the report is written without them in memory
    release_memory()
    if (memory := memory_mb()) is not None:
        ctx.memory["stages done"] = memory
    ctx.sections = [sec for name, _ in STAGES for sec in produced.get(name, [])]
    for section in ctx.sections:
        for name, rows in section.data.items():
            write_csv(out_dir / "data" / f"{name}.csv", rows)
    for name, rows in ctx.extra_data.items():
        write_csv(out_dir / "data" / f"{name}.csv", rows)
    if ctx.skipped:
        ctx.metrics["stages_not_run"] = ctx.skipped
        ctx.method.update({f"Not run: {name}": reason for name, reason in ctx.skipped.items()})
    findings = findings_section(ctx.results, _styles(ctx), min_support=config.min_support)
    lead = [sec for sec in ctx.sections if sec.id in ("since", "now")]
    rest = [sec for sec in ctx.sections if sec not in lead]
    sections = (sorted(lead, key=lambda sec: sec.id != "now") + ([findings] if findings else []) + rest
                + [method_section(ctx.method)])
    title = config.title or default_title(ctx.results.get("overview"), _styles(ctx))
    subtitle = f"{ctx.metrics.get('articles', 0):,} articles" + (
        f" ({config.selection_text})" if config.selection_text else "")
    write_text_atomic(out_dir / "report.html", render_report(
        sections, title, subtitle=subtitle, notice=config.notice,
        footer="Every chart's data is one click away under it (and in data/*.csv beside a run's report)."))
    if (memory := memory_mb()) is not None:
        ctx.memory["report written"] = memory
    ctx.timings["total"] = round(time.perf_counter() - started, 3)
    manifest = {
        "created": now_utc(),
        "seed": config.seed,
        "config": {k: v for k, v in vars(config).items()},
        "corpus": {"path": str(store.path), "hash": store.fingerprint(), "articles": ctx.metrics.get("articles")},
        "metrics": ctx.metrics,
        "timings_seconds": ctx.timings,
        # resident memory (MB) at the end of each stage, and the peak so far
        "memory_mb": ctx.memory,
        "versions": package_versions(),
        "files": sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*") if p.is_file()),
    }
    write_text_atomic(out_dir / "manifest.json", json.dumps(manifest, indent=2, default=str))
    return ctx


def default_title(overview: Any, styles: Styles) -> str:
    """A human title from the data: "Labour's soft left, hard left and soft right: articles 2016–2025"."""
    if overview is None:
        return "Labour's tendencies: a report"
    names = [styles.name(t) for t in styles.ordered(overview.tendencies) if t not in ("mixed", "unlabelled")]
    who = (", ".join(names[:-1]) + " and " + names[-1]) if len(names) > 1 else (names[0] if names else "writing")
    years = [y for y in overview.by_year_tendency if y != "undated"]
    span = (f"{years[0]}–{years[-1]}" if years[0] != years[-1] else years[0]) if years else "undated"
    return f"Labour's {who}: articles {span}"


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
    for name in ("data", "topics", "model"):
        shutil.rmtree(out_dir / name, ignore_errors=True)
    with CorpusStore(db) as store:
        added = fill_demo(store)
        log.info("demo corpus: %d articles", added.inserted)
        settings.setdefault("watch", ("green new deal", "devolution"))
        config = RunConfig(seed=seed, notice=NOTICE + " Nothing here describes real writing.", **settings)
        return run_analysis(store, out_dir, config, on_stage=on_stage, progress=progress, atomic=False)


def write_report(store: CorpusStore, path: str | Path, topics: str | None = None, seed: int = 0,
                 on_stage: StageCallback | None = None, progress: ProgressCallback | None = None,
                 **settings: Any) -> Path:
    """``report``: one HTML file from the corpus and a stored topic model (the newest, or ``topics``).

    Nothing is refitted but the classifier; the run's other files (manifest, CSVs) are discarded.
    """
    import tempfile

    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise NlpError(f"the report is HTML: name it like {path.with_suffix('.html').name}")
    if topics:
        from nlp.topics.fit import load_run

        load_run(store, topics)  # an unknown name is an error that lists the known runs
    with tempfile.TemporaryDirectory() as tmp:
        config = RunConfig(seed=seed, **settings)
        report = run_analysis(store, Path(tmp), config, on_stage=on_stage, progress=progress,
                              stored_topics=topics or "", atomic=False)
        write_bytes_atomic(path, report.read_bytes())
    return path



def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """A data table beside the report: written whole, cells a spreadsheet would run as formulas neutralised."""
    if not rows:
        return
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with atomic_output(path, "w", newline="") as fh:
        writer = SafeDictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
