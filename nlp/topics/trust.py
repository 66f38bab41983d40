"""How far a stored topic model can be trusted, topic by topic: stability across seeds and era topics.

:func:`assess_run` reads a stored run back as a :class:`~nlp.topics.fit.TopicsFit` (its model files and the
documents' shares the store holds), assesses it with :func:`~nlp.topics.fit.assess_fit` — the run's K
refitted with further seeds on the same bag-of-words corpus, topics matched by the Hungarian algorithm on
Jensen–Shannon similarity (:mod:`nlp.topics.stability`); topics whose prevalence the date explains rather
than the tendency flagged (:func:`nlp.topics.effects.era_topics`) — and records the figures in the run's
manifest in the corpus, so ``topics show --json``, ``topics fit --json`` and the report carry ``stability``
and ``era`` per topic.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from corpus.analyses import update_topic_run_manifest
from corpus.store import CorpusStore
from nlp.documents import DocumentTerms
from nlp.topics.fit import STABILITY_SEEDS, TopicsFit, assess_fit
from nlp.topics.runs import TopicRun, document_topic_matrix, load_run

__all__ = ["assess_run", "fit_of_run", "STABILITY_SEEDS"]


def fit_of_run(store: CorpusStore, run: TopicRun, docs: DocumentTerms) -> TopicsFit:
    """A stored run as a :class:`TopicsFit` over ``docs``: its verified model arrays, its topics and manifest,
    and the shares the store holds for ``docs`` (NaN rows for documents it did not model)."""
    from nlp.topics.model_files import load_lda_arrays

    lam, alpha, eta, vocabulary = load_lda_arrays(run.path, run.manifest.get("model"))
    return TopicsFit(name=run.name, k=run.k, topics=[dict(t) for t in run.topics],
                     theta=document_topic_matrix(store, run, docs), manifest=dict(run.manifest),
                     lam=lam.astype(np.float64), alpha=alpha.astype(np.float64), vocabulary=vocabulary,
                     # a scalar prior as gensim holds it: one value per term
                     eta=np.full(lam.shape[1], float(eta)) if eta.ndim == 0 else eta.astype(np.float64))


def assess_run(store: CorpusStore, run: TopicRun, docs: DocumentTerms, seeds: int = STABILITY_SEEDS,
               progress: Callable[[int, int], Any] | None = None, n_jobs: int = 1) -> TopicRun:
    """Add ``stability`` (0–1, ``None`` with one seed) and ``era`` (bool) to every topic of a stored run.

    Parameters
    ----------
    store : CorpusStore
        Where the run is stored (its manifest is updated).
    run : TopicRun
    docs : DocumentTerms
        The documents the run modelled (its bag-of-words corpus is rebuilt from them, and the era regression
        reads them).
    seeds : int
        Seeds in all; the run's own fit is the first, so ``seeds - 1`` more fits.
    n_jobs : int
        Fit this many of those seeds at a time, each in its own process (the figures do not depend on it).

    Returns
    -------
    TopicRun
        The run read back, its topics carrying ``stability`` and ``era``.
    """
    assessed = assess_fit(fit_of_run(store, run, docs), docs, seeds=seeds, jobs=n_jobs, progress=progress)
    update_topic_run_manifest(store, run.name, {"trust": assessed.manifest["trust"]})
    return load_run(store, run.name)
