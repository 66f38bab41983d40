"""What :func:`nlp.tendencies.classify.evaluate` returns, :class:`EvaluationResult`, in a module of its own:
reading a stored evaluation (a report drawn from stored results) imports no scikit-learn."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nlp.results import Result, optional_key

#: ``classify evaluate`` leaves out classes with fewer articles (``--min-class``): two is the fewest a
#: cross-validation can use (one to train on, one to test).
MIN_CLASS = 2


@dataclass(frozen=True, kw_only=True)
class EvaluationResult(Result):
    """What :func:`nlp.tendencies.classify.evaluate` found: the cross-validated classifier beside its baseline, with its caveats.

    ``to_dict()`` is the JSON document of ``classify evaluate --json`` (CLI.md): the fields in this order, a
    field that is None for want of its analysis (no interval, no masked score, no permutation test, no
    period, no label design) left out; ``to_frame()`` the per-class scores.

    Attributes
    ----------
    group_by : {"outlet", "author", "period", "none"}
        What no fold splits.
    label_field : {"tendency", "outlet", "year"}
        What was predicted.
    seed : int
    macro_f1 : float
        Over the out-of-fold predictions.
    macro_f1_lo, macro_f1_hi : float, optional
        Its bootstrap interval, over the groups the folds keep whole; ``interval`` says how it was made.
    interval : dict, optional
        ``{"method", "level", "replicates", "seed"}``.
    accuracy : float
    permutation_test : dict, optional
        The label permutation test (:func:`nlp.tendencies.significance.label_permutation_test`): ``p_value``
        and how it was drawn, or ``{"skipped": why}`` when it was not exact here; None when not asked for.
    masked_macro_f1, masked_accuracy : float, optional
        The scores with the self-names masked (None with ``mask_names=False``).
    masked_fold_macro_f1 : list of float, optional
        The masked macro-F1 of each fold.
    top_features : dict
        Class -> its weightiest terms ``[{"term", "weight"}]`` (a model fitted on every document).
    self_names_in_top_features : dict, optional
        Class -> its top features that are self-names (with the masked score).
    per_class : dict
        Class -> ``{"precision", "recall", "f1", "support"}``.
    confusion : dict
        ``{"labels", "matrix"}`` (rows: true classes, columns: predicted).
    folds : int
    splitter : str
        The scikit-learn splitter's name (``StratifiedGroupKFold``, ``LeaveOneGroupOut``...).
    baseline : dict
        The majority class's scores ``{"strategy", "class", "macro_f1", "accuracy", "chance_macro_f1",
        "chance"}``.
    fold_macro_f1 : list of float
    n_documents, n_tested : int
        The labelled articles, and those scored (forward folds never test the earliest periods).
    n_groups : int or None
        The groups the folds keep whole (None for ``group_by="none"`` without copies).
    caveats : list of str
        What a reader must know before quoting the score.
    copies : dict
        ``{"articles", "independent", "kept_in_one_fold"}``: near-duplicates, kept in one fold.
    period_years : int, optional
        The length of a period (``group_by="period"`` only).
    masked_terms : list of str, optional
        The self-names masked that the labelled articles use (with the masked score).
    outlet_markers : dict
        The selection's outlet markers (:meth:`nlp.text.markers.OutletMarkers.to_dict`).
    person_names_in_top_features : dict
        Class -> its top features that are people's names.
    design : dict, optional
        How the labels fall across outlets (:meth:`nlp.design.LabelDesign.to_dict`; ``label_field="tendency"``
        only), and ``unit`` the unit of analysis it implies.
    unit : str, optional
    dropped_classes : dict of str to int
        Classes left out for having fewer than ``min_class`` articles, with their counts.
    min_class : int
    label_levels : dict of str to int
        Where the labels come from (article, author, outlet).
    excluded : dict of str to int
        Articles left out, by why.
    model : dict
        The estimator and its parameters.
    """

    group_by: str
    label_field: str = "tendency"
    seed: int = 0
    macro_f1: float
    macro_f1_lo: float | None = optional_key()
    macro_f1_hi: float | None = optional_key()
    interval: dict[str, Any] | None = optional_key()
    accuracy: float
    permutation_test: dict[str, Any] | None = optional_key()
    masked_macro_f1: float | None = optional_key()
    masked_accuracy: float | None = optional_key()
    masked_fold_macro_f1: list[float] | None = optional_key()
    top_features: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    self_names_in_top_features: dict[str, list[str]] | None = optional_key()
    per_class: dict[str, dict[str, Any]] = field(default_factory=dict)
    confusion: dict[str, Any] = field(default_factory=lambda: {"labels": [], "matrix": []})
    folds: int
    splitter: str
    baseline: dict[str, Any]
    fold_macro_f1: list[float] = field(default_factory=list)
    n_documents: int
    n_tested: int
    n_groups: int | None = None
    caveats: list[str] = field(default_factory=list)
    copies: dict[str, Any] = field(default_factory=dict)
    period_years: int | None = optional_key()
    masked_terms: list[str] | None = optional_key()
    outlet_markers: dict[str, Any] = field(default_factory=dict)
    person_names_in_top_features: dict[str, list[str]] = field(default_factory=dict)
    design: dict[str, Any] | None = optional_key()
    unit: str | None = optional_key()
    dropped_classes: dict[str, int] = field(default_factory=dict)
    min_class: int = MIN_CLASS
    label_levels: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)

    def to_frame(self):
        """The per-class scores as a pandas DataFrame: the class (named by ``label_field``), ``precision``,
        ``recall``, ``f1``, ``support``."""
        import pandas as pd

        return pd.DataFrame([{self.label_field: c, **scores} for c, scores in self.per_class.items()],
                            columns=[self.label_field, "precision", "recall", "f1", "support"])
