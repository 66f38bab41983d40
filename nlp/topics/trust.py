"""How far a stored topic model can be trusted, topic by topic: stability across seeds and era topics.

:func:`assess_run` refits the run's K with further seeds on the run's own bag-of-words corpus (saved in
its folder), matches the topics (Hungarian matching on Jensen–Shannon similarity,
:mod:`nlp.topics.stability`) and flags the topics whose prevalence the date explains rather than the
tendency (:func:`nlp.topics.effects.era_topics`). The figures go into the run's manifest in the corpus,
so ``topics show --json``, ``topics fit --json`` and the report carry ``stability`` and ``era`` per topic.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from corpus.analyses import update_topic_run_manifest
from corpus.store import CorpusStore
from nlp.documents import DocumentTerms
from nlp.errors import NlpError
from nlp.topics.effects import era_topics
from nlp.topics.runs import TopicRun, document_topic_matrix, load_gensim_model, load_run
from nlp.topics.stability import fit_seeds, topic_stability

log = logging.getLogger(__name__)

#: Seeds fitted in all (the run's own and the next ones), as ``--stability-seeds``.
STABILITY_SEEDS = 3


def assess_run(store: CorpusStore, run: TopicRun, docs: DocumentTerms, seeds: int = STABILITY_SEEDS,
               progress: Callable[[int, int], Any] | None = None, n_jobs: int = 1) -> TopicRun:
    """Add ``stability`` (0–1, ``None`` with one seed) and ``era`` (bool) to every topic of a stored run.

    Parameters
    ----------
    store : CorpusStore
        Where the run is stored (its manifest is updated).
    run : TopicRun
    docs : DocumentTerms
        The documents the run modelled (for the era regression).
    seeds : int
        Seeds in all; the run's own fit is the first, so ``seeds - 1`` more fits.
    n_jobs : int
        Fit this many of those seeds at a time, each in its own process (the figures do not depend on it).

    Returns
    -------
    TopicRun
        The run read back, its topics carrying ``stability`` and ``era``.
    """
    from gensim.corpora import MmCorpus

    params = run.manifest.get("parameters", {})
    stability: list[float | None] = [None] * run.k
    if seeds > 1:
        model, dictionary = load_gensim_model(run)
        # The run's dictionary with the ids the saved corpus uses (the vocabulary is saved in id order).
        corpus = MmCorpus(str(run.path / "corpus.mm"))
        base = int(run.manifest.get("seed", 0))
        fits = fit_seeds(corpus, dictionary, run.k, seeds=[base + i for i in range(1, seeds)], progress=progress, n_jobs=n_jobs,
                         passes=int(params.get("passes", 10)), iterations=int(params.get("iterations", 100)),
                         alpha=params.get("alpha", "auto") if params.get("alpha") != "symmetric" else "symmetric")
        stability = topic_stability([model.get_topics()] + [f.phi for f in fits])
    theta = document_topic_matrix(store, run, docs)
    labels = [t["label"] for t in sorted(run.topics, key=lambda t: t["id"])]
    trust: dict[str, Any] = {"seeds": seeds,
                             "stability": [None if s is None else round(float(s), 4) for s in stability]}
    try:
        era = era_topics(docs, theta, labels=labels)
    except NlpError as exc:  # no dates or no tendencies: the era question cannot be asked
        trust.update(era=[False] * run.k, era_not_assessed=str(exc))
    else:
        flags = {e.topic: e for e in era.topics}
        trust["era"] = [bool(flags[t].era) if t in flags else False for t in range(run.k)]
        trust["era_detail"] = [{"topic": e.topic, "r2_date": round(e.r2_date, 4), "r2_group": round(e.r2_group, 4),
                                "date_share": round(e.date_share, 4), "p_date": e.p_date, "peak_year": e.peak_year}
                               for e in era.topics]
    update_topic_run_manifest(store, run.name, {"trust": trust})
    log.info("run %s: stability %s, era topics %s", run.name, trust["stability"], [t for t, e in enumerate(trust["era"]) if e])
    return load_run(store, run.name)
