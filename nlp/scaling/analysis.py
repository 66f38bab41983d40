"""One scaling of a selection as the ``scale`` commands give it: the positions, the groups, and what a
reader must know before reading them (diagnostics and caveats).

:func:`analyse_wordfish` and :func:`analyse_wordscores` take the selection's documents and count matrix
(:func:`~nlp.scaling.positions.feature_matrix`) and return a :class:`ScaleAnalysis`; the command stores its
``model`` for ``scale place``, prints it, or writes ``to_dict()`` as JSON.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from nlp.scaling.diagnostics import ScaleDiagnostics, scale_diagnostics
from nlp.scaling.errors import ScalingError
from nlp.scaling.periods import detrend_within, wordfish_within
from nlp.scaling.positions import (GroupPosition, document_rows, find_document, group_positions, group_rows,
                                   period_orders, scale_wordfish, scale_wordscores, scale_wordscores_by_labels)
from nlp.scaling.results import ScalingResult
from nlp.uncertainty import BOOTSTRAP, MIN_SUPPORT


@dataclass(frozen=True)
class ScaleAnalysis:
    """A scale of a selection, ready to print.

    Attributes
    ----------
    method, features : str
    model : Wordfish or Wordscores
        The fitted (pooled) estimator: what ``scale place`` uses.
    result : ScalingResult
        The positions reported: within their period with ``--within``, else on the pooled scale.
    groups : list of GroupPosition
        Mean position per group and period (and ``"all"``).
    diagnostics : ScaleDiagnostics
        Time correlation, pole words, fringe, convergence or corroboration, and the caveats.
    orders : list of dict
        Within-period order of the largest groups (:func:`~nlp.scaling.positions.period_orders`).
    affine : (float, float)
        Wordscores: the rescaling as ``score = a · raw + b`` (for ``scale place``).
    """

    method: str
    features: str
    model: Any
    result: ScalingResult
    groups: list[GroupPosition]
    diagnostics: ScaleDiagnostics
    orders: list[dict[str, Any]] = field(default_factory=list)
    affine: tuple[float, float] = (1.0, 0.0)
    by: str = "tendency"

    @property
    def caveats(self) -> list[str]:
        return list(self.diagnostics.caveats)

    def to_dict(self, docs: Any) -> dict[str, Any]:
        """The ``--json`` document: positions and words, the documents' metadata, groups, diagnostics, caveats."""
        return {**self.result.to_dict(), "documents": document_rows(docs, self.result), "groups": group_rows(self.groups),
                "by": self.by, "features": self.features,
                "diagnostics": {**self.diagnostics.to_dict(), "period_orders": self.orders},
                "caveats": self.caveats}


def _finish(method: str, features: str, docs: Any, model: Any, result: ScalingResult, by: str, period: str,
            bootstrap: int, seed: int, min_support: int, counts: Sequence[float] | None = None,
            corroboration: Mapping[str, Any] | None = None, affine: tuple[float, float] = (1.0, 0.0),
            ) -> ScaleAnalysis:
    corroborated = corroboration is None or bool(corroboration.get("corroborated"))
    groups = group_positions(docs, result, by=by, period=period, bootstrap=bootstrap, seed=seed,
                             min_support=min_support, corroborated=corroborated)
    diagnostics = scale_diagnostics(docs, result, by=by, counts=counts,
                                    corroboration=dict(corroboration) if corroboration is not None else None)
    left_out = result.info.get("left_out") or []
    if left_out:
        diagnostics.caveats.append(f"{len(left_out)} documents are not placed within a {result.info['within']}: "
                                   "undated, or in a period with too few documents to scale.")
    return ScaleAnalysis(method, features, model, result, groups, diagnostics, period_orders(groups), affine, by)


def analyse_wordfish(docs: Any, X: Any, feature_names: Sequence[str], features: str = "terms",
                     high: str | None = None, low: str | None = None, within: str | None = None,
                     by: str = "tendency", period: str = "year", bootstrap: int = BOOTSTRAP, seed: int = 0,
                     min_support: int = MIN_SUPPORT) -> ScaleAnalysis:
    """Wordfish on a selection, with groups, diagnostics and caveats (``scale wordfish``).

    ``within`` (``"year"`` or ``"decade"``) refits within each period (:func:`~nlp.scaling.periods.wordfish_within`);
    the pooled fit is still made (it orients the periods, gives the words and is the stored scale).
    """
    model, result = scale_wordfish(docs, X, feature_names, high=high, low=low, bootstrap=0, seed=seed)
    if within:
        direction = ((find_document(docs, high, "--high"), find_document(docs, low, "--low"))
                     if high is not None and low is not None else None)
        result = wordfish_within(docs, X, feature_names, within, result, direction=direction, seed=seed)
    return _finish("wordfish", features, docs, model, result, by, period, bootstrap, seed, min_support)


def analyse_wordscores(docs: Any, X: Any, feature_names: Sequence[str], reference: Mapping[int, float] | None = None,
                       label_scores: Mapping[str, float] | None = None, features: str = "terms",
                       rescale: str = "lbg", within: str | None = None, by: str = "tendency", period: str = "year",
                       bootstrap: int = BOOTSTRAP, seed: int = 0, min_support: int = MIN_SUPPORT) -> ScaleAnalysis:
    """Wordscores on a selection, with groups, diagnostics, the references' corroboration and caveats.

    The references are reference documents (``reference``: ``{document index: score}``) or whole labels
    pooled into one text each (``label_scores``). They are corroborated by
    :func:`~nlp.scaling.wordscores.leave_one_reference_out` (three or more needed); a scale that is not
    corroborated marks no group ``supported``. ``within`` detrends by period
    (:func:`~nlp.scaling.periods.detrend_within`).
    """
    import scipy.sparse as sp

    from nlp.scaling.wordscores import leave_one_reference_out

    X = X.tocsr() if hasattr(X, "tocsr") else sp.csr_matrix(np.asarray(X))
    if (reference is None) == (label_scores is None):
        raise ScalingError("give the references as documents or as labels, not both")
    if label_scores is not None:
        model, result = scale_wordscores_by_labels(docs, X, feature_names, label_scores, rescale=rescale)
        virgin = [i for i, t in enumerate(docs.labels) if t not in label_scores]
        X_ref = sp.vstack([sp.csr_matrix(X[[i for i, t in enumerate(docs.labels) if t == label]].sum(axis=0))
                           for label in label_scores]).tocsr()
        names, scores = [f"(all {label})" for label in label_scores], list(label_scores.values())
    else:
        model, result = scale_wordscores(docs, X, feature_names, reference, rescale=rescale)
        refs = sorted(reference)
        virgin = [i for i in range(len(docs)) if i not in reference]
        X_ref, scores = X[refs], [reference[i] for i in refs]
        names = [docs.titles[i] or docs.ids[i] for i in refs]
    corroboration = leave_one_reference_out(X_ref, scores, X[virgin], ids=names)
    # The rescaling is affine in the raw score: keep it, so `scale place` puts a new text on the same scale.
    placed = [d for d in result.documents if not d.reference]
    affine = (tuple(float(v) for v in np.polyfit([d.raw for d in placed], [d.score for d in placed], 1))
              if len(placed) > 1 and rescale != "none" else (1.0, 0.0))
    counts = np.asarray(X.sum(axis=0)).ravel()[np.flatnonzero(model.scored_)]
    if within:
        result = detrend_within(docs, result, within)
    return _finish("wordscores", features, docs, model, result, by, period, bootstrap, seed, min_support,
                   counts=counts, corroboration=corroboration, affine=affine)  # type: ignore[arg-type]
