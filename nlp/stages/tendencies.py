"""The run's tendency stage: can a classifier tell the tendencies apart, which words set each apart, how each
faction is talked about — and the classifier trained on every labelled article, with its predictions; every
term of each contrast for the report's term explorer."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nlp.documents import DocumentTerms
from nlp.engine import Runtime
from nlp.results import Result
from nlp.tendencies.analysis import TendencyAnalysis
from nlp.tendencies.evaluation import EvaluationResult
from nlp.tendencies.contrast import ContrastResult
from nlp.tendencies.mentions import MentionsResult
from nlp.tendencies.model_files import ClassifierArrays


@dataclass(frozen=True)
class TendenciesParams:
    """``labels``: the labels in force (a :class:`corpus.labels.LabelSet`), whose outlet and tendency names
    are masked for the classifier's second score."""

    labels: Any = None
    seed: int = 0
    top: int = 15
    folds: int = 5
    train: bool = True
    quote_pairs: int = 8


@dataclass(frozen=True)
class TendenciesResult(Result):
    """:func:`nlp.tendencies.analysis.analyse_tendencies`'s results, typed.

    Attributes
    ----------
    evaluation : dict of str to EvaluationResult
        Grouping ("outlet", "author") -> the cross-validated evaluation.
    against_rest, pairwise : list of ContrastResult
    mentions : MentionsResult or None
    model : dict or None
        What training the classifier on every labelled article said (classes, top features...).
    classifier : ClassifierArrays or None
        The trained classifier itself (written as a model folder after the stage).
    predicted : dict or None
        Its predictions for the unlabelled and mixed articles (stored in the corpus after the stage).
    predictions : list or None
        Those predictions summarised by author.
    skipped : dict
        Analyses that could not run, with why.
    examples : dict
        ``"tendency\\tterm"`` -> the ids of that tendency's articles using the term most (for quotes).
    coding : dict or None
        Where people coded articles: how many, the coders' agreement and the classifier against them.
    headline : str or None
        The grouping whose score the report reads first: outlet folds where the outlet is the unit.
    design : dict or None
        Where the labels come from and how they fall across outlets (:func:`nlp.design.label_design`).
    explorer : list of dict
        Every term of each contrast (against the rest, then pairwise) for the report's term explorer
        (:func:`nlp.tendencies.explorer.explore_contrast`): at most 2,000 terms a contrast, each with its
        figures and the ids of two articles to quote.
    """

    evaluation: dict[str, EvaluationResult]
    against_rest: list[ContrastResult]
    pairwise: list[ContrastResult]
    mentions: MentionsResult | None
    model: dict[str, Any] | None
    classifier: ClassifierArrays | None
    predicted: dict[str, Any] | None
    predictions: list[dict[str, Any]] | None
    skipped: dict[str, str]
    examples: dict[str, list[str]]
    coding: dict[str, Any] | None = None
    headline: str | None = None
    design: dict[str, Any] | None = None
    explorer: list[dict[str, Any]] | None = None

    def example_ids(self, tendency: str, term: str) -> list[str]:
        return self.examples.get(f"{tendency}\t{term}", [])

    def analysis(self) -> TendencyAnalysis:
        """As :func:`~nlp.tendencies.analysis.analyse_tendencies` returns it (what the sections read)."""
        return TendencyAnalysis(evaluation=self.evaluation, headline=self.headline, design=self.design,
                                against_rest=self.against_rest, pairwise=self.pairwise, mentions=self.mentions,
                                model=self.model, classifier=self.classifier, predicted=self.predicted,
                                predictions=self.predictions, skipped=self.skipped, coding=self.coding)


def tendencies_stage(docs: DocumentTerms, params: TendenciesParams, runtime: Runtime) -> TendenciesResult:
    """Classifier evaluation, contrasts and faction mentions; the classifier trained on every labelled article
    and its predictions for the others; the articles to quote for each signature term and mention."""
    from nlp.tendencies.analysis import RUN_BOOTSTRAP, analyse_tendencies, example_ids
    from nlp.tendencies.explorer import explore_contrast

    analysis = analyse_tendencies(docs, seed=params.seed, top=params.top, folds=params.folds, train=params.train,
                                  labels=params.labels)
    pairs = analysis.quote_pairs(params.quote_pairs)
    ids = example_ids(docs, pairs) if pairs else {}
    explorer = [explore_contrast(docs, r, bootstrap=RUN_BOOTSTRAP, seed=params.seed)
                for r in analysis.against_rest + analysis.pairwise]
    return TendenciesResult(evaluation=analysis.evaluation, against_rest=analysis.against_rest,
                            pairwise=analysis.pairwise, mentions=analysis.mentions, model=analysis.model,
                            classifier=analysis.classifier, predicted=analysis.predicted,
                            predictions=analysis.predictions, skipped=analysis.skipped,
                            examples={f"{g}\t{t}": v for (g, t), v in ids.items()},
                            coding=analysis.coding, headline=analysis.headline,
                            design=analysis.design, explorer=explorer)
