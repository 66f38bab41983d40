"""The run's topic stages: the topic model, its trends, its adjusted effects, "now against before", and the
watched words — each a pure function of the documents, its parameters and the upstream results."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nlp.documents import DocumentTerms
from nlp.engine import Runtime
from nlp.results import Result
from nlp.topics.coherence import COHERENCE_TOKENS
from nlp.topics.effects import TopicEffects
from nlp.topics.fit import TopicsFit
from nlp.topics.trends import NowAgainstBefore
from nlp.defaults import BOOTSTRAP, MIN_SUPPORT


# ----------------------------------------------------------------------------- the topic model
@dataclass(frozen=True)
class TopicsParams:
    """The topic model of a run: a given K, or the most coherent of ``sweep_ks``.

    ``passes`` None: 10, fewer on a large corpus (:func:`nlp.topics.model.auto_passes`); ``fit_sample``:
    fit on a stratified sample of this many articles ("auto": 20,000 when the selection is larger);
    ``stability_seeds``: seeds fitted in all to score each topic's stability (1: none).
    """

    seed: int = 0
    k: int | None = None
    sweep_ks: tuple[int, ...] = (6, 8, 10, 12)
    passes: int | None = None
    fit_sample: int | str | None = None
    stability_seeds: int = 3
    coherence_tokens: int = COHERENCE_TOKENS


def topics_stage(docs: DocumentTerms, params: TopicsParams, runtime: Runtime) -> TopicsFit:
    """Fit (or sweep) the run's topic model, infer every article's shares, score each topic's trust."""
    from nlp.topics.fit import assess_fit, fit_model, sweep_models
    from nlp.topics.model import auto_passes
    from nlp.topics.sampling import resolve_fit_sample

    sample_size = resolve_fit_sample(params.fit_sample, len(docs))
    passes = params.passes or auto_passes(sample_size or len(docs))  # by the documents the model is fitted on
    common = dict(seed=params.seed, passes=passes, fit_sample=params.fit_sample, executor=runtime.executor,
                  progress=runtime.progress, coherence_tokens=params.coherence_tokens)
    if params.k is None:
        n_docs = len(docs)
        ks = [k for k in params.sweep_ks if 2 <= k < n_docs] or [max(2, min(n_docs - 1, 2))]
        _, fit = sweep_models(docs, ks, npmi=False, name="run-k{k}-s{seed}", **common)
    else:
        fit = fit_model(docs, params.k, name=f"run-k{params.k}-s{params.seed}", stability_seeds=params.stability_seeds,
                        **common)  # the stability seeds fitted beside the model where a core is free
    return assess_fit(fit, docs, seeds=params.stability_seeds, executor=runtime.executor)


# ----------------------------------------------------------------------------- trends
@dataclass(frozen=True)
class TrendsParams:
    """Topic prevalence by period, for tendencies and outlets, and each tendency's latest shift.

    ``labels``: the topics' display names, by topic id (the editor's names, or the FREX labels).
    """

    labels: tuple[str, ...]
    period: str = "year"
    bootstrap: int = BOOTSTRAP
    min_support: int = MIN_SUPPORT
    seed: int = 0


@dataclass(frozen=True)
class TrendsResult(Result):
    """Prevalence rows by grouping ("tendency", "outlet"), each tendency's latest shift, and the tendencies
    whose shift is withheld (with why)."""

    prevalence: dict[str, list[dict[str, Any]]]
    shifts: dict[str, dict[str, Any]]
    withheld: dict[str, str]


def trends_stage(docs: DocumentTerms, params: TrendsParams, runtime: Runtime, topics: TopicsFit) -> TrendsResult:
    from nlp.topics.trends import recent_shifts, topic_prevalence

    labels = list(params.labels)
    prevalence = {by: topic_prevalence(docs, topics.theta, labels, by=by, period=params.period,
                                       bootstrap=params.bootstrap, seed=params.seed) for by in ("tendency", "outlet")}
    era = {t["label"] for t in topics.topics if t.get("era")}  # their rise is the date's, not a tendency's
    shifts, withheld = recent_shifts(docs, topics.theta, prevalence["tendency"], period=params.period,
                                     min_support=params.min_support, bootstrap=params.bootstrap, seed=params.seed,
                                     exclude=era)
    return TrendsResult(prevalence=prevalence, shifts=shifts, withheld=withheld)


# ----------------------------------------------------------------------------- adjusted effects
@dataclass(frozen=True)
class EffectsParams:
    """What each tendency writes about more, adjusted for the date (and outlet where it can be)."""

    labels: tuple[str, ...]
    seed: int = 0


@dataclass(frozen=True)
class EffectsResult(Result):
    effects: TopicEffects


def effects_stage(docs: DocumentTerms, params: EffectsParams, runtime: Runtime, topics: TopicsFit) -> EffectsResult:
    from nlp.topics.effects import topic_effects

    return EffectsResult(topic_effects(docs, topics.theta, by="tendency", labels=list(params.labels), seed=params.seed))


# ----------------------------------------------------------------------------- now against before
@dataclass(frozen=True)
class NowParams:
    """Each tendency's articles of the last ``recent`` months ("3m", "6m", "12m") against the year before."""

    labels: tuple[str, ...] | None
    recent: str = "6m"
    min_support: int = MIN_SUPPORT
    bootstrap: int = BOOTSTRAP
    seed: int = 0


@dataclass(frozen=True)
class NowResult(Result):
    """:func:`nlp.topics.trends.now_against_before`'s comparison, as it returns it."""

    comparison: NowAgainstBefore


def now_stage(docs: DocumentTerms, params: NowParams, runtime: Runtime, topics: TopicsFit | None) -> NowResult:
    from nlp.topics.trends import now_against_before

    return NowResult(now_against_before(docs, topics.theta if topics is not None else None,
                                        list(params.labels) if params.labels is not None else None,
                                        recent=params.recent, min_support=params.min_support,
                                        bootstrap=params.bootstrap, seed=params.seed))


# ----------------------------------------------------------------------------- watched words
@dataclass(frozen=True)
class WatchParams:
    """Words or phrases whose use over time the report charts (none: the stage has nothing to do)."""

    words: tuple[str, ...] = ()
    period: str = "year"
    bootstrap: int = BOOTSTRAP
    seed: int = 0


@dataclass(frozen=True)
class WatchResult(Result):
    rows: list[dict[str, Any]]


def watch_stage(docs: DocumentTerms, params: WatchParams, runtime: Runtime) -> WatchResult:
    """Uses per 10,000 words of each watched word, matched as the corpus' terms are made (the preprocessor
    the documents were made with is lent by the runtime; its fingerprint is part of the documents' key)."""
    from nlp.topics.trends import term_trends

    if not params.words:
        return WatchResult([])
    return WatchResult(term_trends(docs, list(params.words), runtime.resource("preprocessor"), by="tendency",
                                   period=params.period, bootstrap=params.bootstrap, seed=params.seed))
