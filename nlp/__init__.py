"""softleft's analyses, for notebooks and scripts.

Read a selection of a corpus once, then hand it to any analysis::

    from corpus import CorpusStore
    from nlp import load_documents, contrast, evaluate

    docs = load_documents(CorpusStore("labour.db"), since="2020-01-01")
    contrast(docs, "soft_left", "hard_left").to_dict()
    evaluate(docs, group_by="author").macro_f1

Names are imported on first use (``import nlp`` stays light: no spaCy, gensim or scikit-learn until an
analysis needs them).
"""
from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the module that defines it.
_EXPORTS = {
    # the document-term object every analysis takes
    "DocumentTerms": "nlp.documents", "load_documents": "nlp.documents",
    # text
    "Preprocessor": "nlp.text.preprocess", "preprocess_corpus": "nlp.text.preprocess", "tokens": "nlp.text.preprocess",
    "kwic": "nlp.text.kwic", "load_vocabulary": "nlp.text.vocabulary",
    "find_markers": "nlp.text.markers", "without_markers": "nlp.text.markers",
    # topics
    "TopicModel": "nlp.topics.model", "fit_topics": "nlp.topics.fit", "sweep_topics": "nlp.topics.fit",
    "fit_model": "nlp.topics.fit", "sweep_models": "nlp.topics.fit", "assess_fit": "nlp.topics.fit",
    "save_fit": "nlp.topics.fit", "TopicsFit": "nlp.topics.fit",
    "load_run": "nlp.topics.runs", "list_runs": "nlp.topics.runs", "document_topic_matrix": "nlp.topics.runs",
    "stored_topic_prevalence": "nlp.topics.runs", "topic_prevalence": "nlp.topics.trends",
    "term_trends": "nlp.topics.trends", "NowAgainstBefore": "nlp.topics.trends",
    # tendencies
    "evaluate": "nlp.tendencies.classify", "train": "nlp.tendencies.classify",
    "predict_text": "nlp.tendencies.classify", "predict_unlabelled": "nlp.tendencies.classify",
    "contrast": "nlp.tendencies.contrast", "contrast_each_against_rest": "nlp.tendencies.contrast",
    "weighted_log_odds": "nlp.tendencies.contrast", "mentions": "nlp.tendencies.mentions",
    "analyse_tendencies": "nlp.tendencies.analysis", "contrast_within_outlets": "nlp.tendencies.contrast",
    "EvaluationResult": "nlp.tendencies.classify", "MentionsResult": "nlp.tendencies.mentions",
    "TendencyAnalysis": "nlp.tendencies.analysis",
    # the unit of analysis: where labels come from, how they fall across outlets
    "label_design": "nlp.design", "pair_design": "nlp.design",
    # scaling and meaning in context
    "Wordfish": "nlp.scaling", "Wordscores": "nlp.scaling", "corpus_scale": "nlp.scaling.positions",
    "group_positions": "nlp.scaling.positions", "analyse_term": "nlp.meaning", "train_embeddings": "nlp.meaning",
    # human coding: agreement between coders, the machine against them
    "agreement": "nlp.coding.agreement", "machine_vs_coders": "nlp.coding.validate",
    "coding_agreement": "nlp.coding.study", "coding_validation": "nlp.coding.study",
    # trust: stability, era topics, adjusted effects
    "assess_run": "nlp.topics.trust", "topic_effects": "nlp.topics.effects", "era_topics": "nlp.topics.effects",
    # the whole pipeline: the run's stages, the engine that runs and keeps them
    "RunConfig": "nlp.pipeline", "run_analysis": "nlp.pipeline", "write_report": "nlp.pipeline",
    "run_stages": "nlp.engine", "Stage": "nlp.engine", "Runtime": "nlp.engine", "ResultCache": "nlp.engine",
    "GRAPH": "nlp.stages", "stage_params": "nlp.stages",
    # errors
    "NlpError": "nlp.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nlp' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
