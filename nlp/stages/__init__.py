"""The stages of a run, as a declared graph (:data:`GRAPH`), and their parameters from a ``RunConfig``.

::

    topics ──> trends
          ├──> effects
          └··> now            (without a topic model: the words only)
    watch, positions, meaning, tendencies   (on the documents alone)

Each stage is a pure function ``stage(docs, params, runtime, **upstream) -> result`` (see
:mod:`nlp.engine`); the report is drawn from the results (:mod:`nlp.report.build`).
"""
from __future__ import annotations

from typing import Any

from nlp.engine import Stage
from nlp.stages.scaling import (MeaningParams, MeaningResult, PositionsParams, PositionsResult, meaning_stage,
                                positions_stage)
from nlp.stages.tendencies import TendenciesParams, TendenciesResult, tendencies_stage
from nlp.stages.topics import (EffectsParams, EffectsResult, NowParams, NowResult, TopicsParams, TrendsParams,
                               TrendsResult, WatchParams, WatchResult, effects_stage, now_stage, topics_stage,
                               trends_stage, watch_stage)
from nlp.topics.fit import TopicsFit

__all__ = ["GRAPH", "TITLES", "stage_params", "stage_named", "TopicsParams", "TrendsParams", "EffectsParams",
           "NowParams", "WatchParams", "PositionsParams", "MeaningParams", "TendenciesParams"]

#: The run's stages, in the order their work is done (the meaning stage last: its word vectors may be
#: training on a spare core meanwhile).
GRAPH: list[Stage] = [
    Stage("topics", "topic model", topics_stage, TopicsFit),
    Stage("trends", "topic trends", trends_stage, TrendsResult, upstream=("topics",)),
    Stage("effects", "adjusted topic effects", effects_stage, EffectsResult, upstream=("topics",)),
    Stage("now", "now against before", now_stage, NowResult, upstream=("topics",), optional=("topics",)),
    Stage("watch", "watched words", watch_stage, WatchResult),
    Stage("positions", "positions", positions_stage, PositionsResult),
    Stage("tendencies", "classifier, contrasts and mentions", tendencies_stage, TendenciesResult),
    Stage("meaning", "meaning", meaning_stage, MeaningResult),
]
#: Stage name -> the title progress lines, the manifest and the report use.
TITLES = {s.name: s.title for s in GRAPH}


def stage_named(name: str) -> Stage:
    return next(s for s in GRAPH if s.name == name)


def stage_params(config: Any, store: Any, given_topics: TopicsFit | None = None) -> dict[str, Any]:
    """Each stage's parameters from a :class:`~nlp.pipeline.RunConfig` (and, for what names topics, from the
    fitted model: the editor's names for its run, else its FREX labels).

    ``store`` gives the labels in force and the names set with ``topics name``; nothing else is read."""
    def labels(upstream: dict[str, Any]) -> tuple[str, ...] | None:
        fit = upstream.get("topics")
        if fit is None:
            return None
        return topic_labels(fit, store, config.topic_names)

    common = dict(bootstrap=config.bootstrap, seed=config.seed)
    return {
        "topics": TopicsParams(seed=config.seed, k=config.k, sweep_ks=tuple(config.sweep_ks), passes=config.passes,
                               fit_sample=config.fit_sample, stability_seeds=config.stability_seeds),
        "trends": lambda up: TrendsParams(labels=labels(up), period=config.period, min_support=config.min_support,
                                          **common),
        "effects": lambda up: EffectsParams(labels=labels(up), seed=config.seed),
        "now": lambda up: NowParams(labels=labels(up), recent=config.recent, min_support=config.min_support,
                                    **common),
        "watch": WatchParams(words=tuple(config.watch), period=config.period, **common),
        "positions": PositionsParams(period=config.period, min_support=config.min_support, **common),
        "tendencies": TendenciesParams(labels=store.labels, seed=config.seed),
        "meaning": MeaningParams(contested=tuple(config.contested), seed=config.seed, min_support=config.min_support,
                                 background=config.meaning_background,
                                 background_manifest=_background_manifest(config.meaning_background)),
    }


def topic_labels(fit: TopicsFit, store: Any, names_file: str | None = None) -> tuple[str, ...]:
    """The topics' display names, by id: ``names_file`` when given, else the corpus' names for the run, else
    the topics' phrases, else their FREX labels (:func:`nlp.topics.names.topic_name`)."""
    from nlp.topics.names import load_topic_names, names_path, topic_name
    from nlp.topics.runs import runs_root

    names = load_topic_names(names_file) if names_file else load_topic_names(names_path(runs_root(store), fit.name))
    phrases = fit.manifest.get("topic_phrases") or []  # a stored run's topic rows do not keep them
    return tuple(topic_name(t, names, phrases=phrases[t["id"]] if t["id"] < len(phrases) else None)
                 for t in sorted(fit.topics, key=lambda t: t["id"]))


def _background_manifest(path: str | None) -> str | None:
    """A background model's manifest (what the meaning stage's output depends on besides its path)."""
    from pathlib import Path

    manifest = Path(path) / "manifest.json" if path else None
    return manifest.read_text(encoding="utf-8") if manifest is not None and manifest.is_file() else None
