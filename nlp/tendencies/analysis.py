"""The tendency part of a run: classifier evaluation, contrasts and faction mentions, as report sections.

:func:`analyse_tendencies` runs every analysis of :mod:`nlp.classify`, :mod:`nlp.contrast` and
:mod:`nlp.mentions` that the corpus supports (one that cannot run, e.g. a single labelled tendency, is
recorded under ``skipped`` with its reason, never faked); :mod:`nlp.report.tendency_sections` turns the
results into report sections.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any

import numpy as np

from nlp.design import documents_pair_design, label_design
from nlp.results import Result, optional_key
from nlp.tendencies.evaluation import EvaluationResult
from nlp.tendencies.contrast import ContrastResult, contrast, contrast_each_against_rest, contrast_within_outlets
from nlp.documents import DocumentTerms
from nlp.errors import NlpError
from nlp.tendencies.mentions import MentionsResult, mentions
from nlp.tendencies.model_files import ClassifierArrays

log = logging.getLogger(__name__)

#: Tendencies with fewer articles are left out of the run's classifier and contrasts.
MIN_CLASS_ARTICLES = 8
#: Pairwise contrasts are drawn when there are at most this many labelled tendencies.
MAX_PAIRWISE_GROUPS = 4
#: Bootstrap resamples for the stability of contrast terms in a run (fewer than ``contrast``'s 50: a run
#: draws many contrasts).
RUN_BOOTSTRAP = 20


@dataclass(frozen=True, kw_only=True)
class TendencyAnalysis(Result):
    """What :func:`analyse_tendencies` found: the classifier, the contrasts and the faction mentions.

    ``to_dict()`` has the keys of the dict :func:`analyse_tendencies` returned before it had a type, in its
    order (``coding`` only where people coded articles), as plain JSON: each evaluation as its
    :meth:`EvaluationResult.to_dict <nlp.tendencies.classify.EvaluationResult.to_dict>`, the mentions as
    theirs, the contrasts and the classifier field by field (its arrays as lists); ``from_dict`` reads it back.

    Attributes
    ----------
    evaluation : dict of str to EvaluationResult
        Grouping ("outlet", "author") -> the cross-validated evaluation (a grouping that could not be
        evaluated is under ``skipped``).
    headline : str or None
        The grouping whose score to report: ``outlet`` where the outlet is the unit, else ``author``.
    design : dict or None
        Where the labels come from and how they fall across outlets (:meth:`nlp.design.LabelDesign.to_dict`).
    against_rest : list of ContrastResult
        Each tendency against the rest (within outlets where the design calls for it).
    pairwise : list of ContrastResult
        Each pair of tendencies (at most :data:`MAX_PAIRWISE_GROUPS` tendencies).
    mentions : MentionsResult or None
    model : dict or None
        What training the classifier on every labelled article said (classes, top features...).
    classifier : ClassifierArrays or None
        The classifier trained on every labelled article, for the caller to write as a model folder.
    predicted : dict or None
        Its predictions for the unlabelled and mixed articles (:func:`~nlp.tendencies.classify.predict_unlabelled`).
    predictions : list of dict or None
        Those predictions by author (:func:`~nlp.tendencies.classify.prediction_summary`).
    skipped : dict of str to str
        Analyses that could not run, with why.
    coding : dict, optional
        Where people coded articles: how many, the coders' agreement, and the classifier against their
        majority (``validation``: :func:`nlp.coding.validate.machine_vs_coders`).
    """

    evaluation: dict[str, EvaluationResult] = field(default_factory=dict)
    headline: str | None = None
    design: dict[str, Any] | None = None
    against_rest: list[ContrastResult] = field(default_factory=list)
    pairwise: list[ContrastResult] = field(default_factory=list)
    mentions: MentionsResult | None = None
    model: dict[str, Any] | None = None
    classifier: ClassifierArrays | None = None
    predicted: dict[str, Any] | None = None
    predictions: list[dict[str, Any]] | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    coding: dict[str, Any] | None = optional_key()

    def quote_pairs(self, terms: int = 8) -> list[tuple[str, str]]:
        """The ``(tendency, term)`` pairs a report quotes articles for: each tendency's first ``terms``
        signature terms (against the rest), and each faction as the writers of a tendency that mention it at
        least twice (:func:`example_ids` finds the articles)."""
        pairs = [(r.a, t.term) for r in self.against_rest for t in r.terms_a[:terms]]
        pairs += [(group, f.faction) for f in (self.mentions.factions if self.mentions is not None else [])
                  for group, t in f.by_tendency.items() if t.mentions >= 2]
        return pairs


def analyse_tendencies(docs: DocumentTerms, seed: int = 0, top: int = 15, folds: int = 5,
                       train: bool = False, labels: Any = None) -> TendencyAnalysis:
    """Run the classifier evaluation, contrasts and mention mining on a selection; nothing is written.

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
        Read with ``raw=True`` (mentions count faction names before collocations).
    seed, top, folds
        As for ``classify evaluate`` and ``contrast`` (the evaluation also scores the classifier with
        self-names masked; contrast terms get their stability over :data:`RUN_BOOTSTRAP` resamples).
    train : bool
        Also train a classifier on every labelled article (``classifier``: its arrays, for the caller to
        write as a model folder; ``model``: what it learnt) and predict the tendency of every unlabelled or
        mixed-outlet article (``predicted``; the caller stores it).
    labels : corpus.labels.LabelSet, optional
        The labels in force (``store.labels``), whose outlet and tendency names are masked for the
        classifier's second score; default the shipped labels.

    Returns
    -------
    TendencyAnalysis
        ``evaluation`` by grouping, ``headline``, ``design``, ``against_rest`` and ``pairwise`` contrasts,
        ``mentions``, ``model``, ``classifier``, ``predicted``, ``predictions`` and ``skipped`` (analysis ->
        why it could not run); and ``coding`` when people coded articles (``docs.meta``): how many, the
        coders' agreement, and the classifier against their majority
        (:func:`nlp.coding.validate.machine_vs_coders`). ``design`` is where the labels come from and how
        they fall across outlets (:func:`nlp.design.label_design`); ``headline`` the grouping of the score to
        report: ``outlet`` where the outlet is the unit (the tendency constant, or nearly, within outlets),
        else ``author``. Contrasts are made within outlets where the tendencies share them
        (:func:`nlp.design.pair_design`).
    """
    # here, not at the top: reading a stored analysis (TendencyAnalysis) imports no scikit-learn
    from nlp.tendencies.classify import evaluate, predict_unlabelled, prediction_summary, train_arrays

    skipped: dict[str, str] = {}
    # A tendency with a handful of articles can be neither cross-validated nor contrasted reliably: the
    # run leaves it out of the classifier and the contrasts, and says so (`classify evaluate` refuses it).
    counts = {t: n for t, n in docs.group_counts("tendency").items() if t not in ("unlabelled", "mixed")}
    rare = sorted(t for t, n in counts.items() if n < MIN_CLASS_ARTICLES)
    kept = docs.subset([i for i, t in enumerate(docs.labels) if t not in rare]) if rare else docs
    if rare:
        skipped["tendencies with fewer than %d articles" % MIN_CLASS_ARTICLES] = (
            f"left out of the classifier and contrasts: {_listed([f'{t} ({counts[t]})' for t in rare])}")
    design = label_design(kept)
    evaluation: dict[str, EvaluationResult] = {}
    for group_by in ("outlet", "author"):
        try:
            evaluation[group_by] = evaluate(kept, group_by=group_by, folds=folds, seed=seed, labels=labels)
        except NlpError as exc:
            skipped[f"classifier, folds by {group_by}"] = str(exc)
    # Where the tendency is a property of the outlet, author folds measure house style: headline outlet folds.
    preferred = ("outlet", "author") if design.unit == "outlet" else ("author", "outlet")
    trained: dict[str, Any] = {}  # classifier, model, predicted, predictions: as far as they got
    if train:
        try:
            trained["classifier"], trained["model"] = train_arrays(kept, seed=seed, top=top, labels=labels)
            trained["predicted"] = predict_unlabelled(docs, trained["classifier"])
            trained["predictions"] = prediction_summary(trained["predicted"], by="author")
        except NlpError as exc:
            skipped["classifier predictions"] = str(exc)
    against_rest: list[ContrastResult] = []
    try:
        against_rest = [with_design(docs, r, top=top, bootstrap=RUN_BOOTSTRAP, seed=seed)
                        for r in contrast_each_against_rest(docs, field="tendency", top=top,
                                                            exclude=("unlabelled", "mixed", *rare),
                                                            bootstrap=RUN_BOOTSTRAP, seed=seed)]
    except NlpError as exc:
        skipped["contrasts"] = str(exc)
    pairwise: list[ContrastResult] = []
    groups = [r.a for r in against_rest]
    if 2 <= len(groups) <= MAX_PAIRWISE_GROUPS:
        # the soft left first: it is the tendency the toolkit is about
        ordered = sorted(groups, key=lambda g: (g != "soft_left", g))
        for a, b in combinations(ordered, 2):
            try:
                pairwise.append(contrast(docs, a, b, top=top, bootstrap=RUN_BOOTSTRAP, seed=seed))
            except NlpError as exc:
                skipped[f"contrast {a} vs {b}"] = str(exc)
    mentioned = None
    try:
        mentioned = mentions(docs, top=top)
    except NlpError as exc:
        skipped["mentions"] = str(exc)
    coded = None
    coding = docs.meta.get("coding")
    if coding and coding.get("coded_labels"):
        from nlp.coding.validate import machine_vs_coders

        try:
            check = machine_vs_coders(docs, coding.get("list_labels"), seed=seed)
            coded = {**{k: v for k, v in coding.items() if k != "list_labels"}, "validation": check}
        except NlpError as exc:
            skipped["classifier against the coders"] = str(exc)
    return TendencyAnalysis(evaluation=evaluation, headline=next((g for g in preferred if g in evaluation), None),
                            design=design.to_dict(), against_rest=against_rest, pairwise=pairwise,
                            mentions=mentioned, skipped=skipped, coding=coded, **trained)


def with_design(docs: DocumentTerms, result: ContrastResult, **params: Any) -> ContrastResult:
    """A one-against-the-rest contrast with its design and caveats (:func:`nlp.design.pair_design`); made
    again within outlets when the design calls for it (``params``: as for
    :func:`nlp.tendencies.contrast.contrast_within_outlets`)."""
    design = documents_pair_design(docs, result.a, None, result.field)
    if design.within == "outlet":
        return contrast_within_outlets(docs, result.a, None, result.field, design=design, **params)
    return replace(result, design=design.to_dict(), caveats=design.caveats())


def _listed(names: list[str], limit: int = 12) -> str:
    """Names on one line, at most ``limit`` of them ("A, B and 31 more")."""
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def example_ids(docs: DocumentTerms, pairs: list[tuple[str, str]], n: int = 3,
                block: int = 5000) -> dict[tuple[str, str], list[str]]:
    """For each ``(tendency, term)``, the ids of that tendency's ``n`` articles using the term most (their
    terms before collocations, so a name inside a longer collocation is found too); ties by id.

    Vectorised over a block of documents at a time: only the uses of a wanted term by a document of a
    tendency it is wanted for are counted, and the top ``n`` of each pair are picked by sorting integer keys,
    so the working memory follows the wanted pairs' uses, never a list per using document.
    """
    tokens, offsets = ((docs.raw_tokens, docs.raw_offsets) if docs.raw_tokens is not None
                       else (docs.tokens, docs.offsets))
    index = {w: i for i, w in enumerate(docs.vocabulary)}
    groups = sorted(set(docs.labels))
    code = {g: i for i, g in enumerate(groups)}
    v = len(docs.vocabulary)
    label = np.array([code[g] for g in docs.labels], dtype=np.int64)
    wanted = np.array(sorted({code[g] * v + index[t] for g, t in pairs if g in code and t in index}), dtype=np.int64)
    terms = np.unique(wanted % v)
    found_doc, found_term, found_count = [], [], []
    for start in range(0, len(docs), block):
        lo, hi = offsets[start], offsets[min(len(docs), start + block)]
        at = np.flatnonzero(np.isin(tokens[lo:hi], terms)) + lo
        doc = np.searchsorted(offsets, at, side="right") - 1
        term = tokens[at].astype(np.int64)
        keep = np.isin(label[doc] * v + term, wanted)
        keys, counts = np.unique(doc[keep] * v + term[keep], return_counts=True)  # (document, term) uses
        found_doc.append(keys // v)
        found_term.append(keys % v)
        found_count.append(counts)
    doc, term, count = (np.concatenate(a) if a else np.zeros(0, dtype=np.int64)
                        for a in (found_doc, found_term, found_count))
    id_rank = np.empty(len(docs), dtype=np.int64)
    id_rank[np.argsort(np.asarray(docs.ids, dtype=object), kind="stable")] = np.arange(len(docs))
    pair = label[doc] * v + term
    order = np.lexsort((id_rank[doc], -count, pair))  # by pair, then most uses, then id
    pair, doc = pair[order], doc[order]
    first = np.searchsorted(pair, pair, side="left")  # where each pair's run starts
    top = np.flatnonzero(np.arange(len(pair)) - first < n)
    out: dict[tuple[str, str], list[str]] = {}
    for p, d in zip(pair[top].tolist(), doc[top].tolist()):
        out.setdefault((groups[p // v], docs.vocabulary[p % v]), []).append(docs.ids[d])
    return {p: out.get(p, []) for p in pairs}
