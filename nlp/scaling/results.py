"""Typed results of the scaling estimators, with ``to_dict()`` and ``to_frame()``."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

METHODS = ("wordfish", "wordscores")
Z95 = 1.959963984540054  # normal quantile of a two-sided 95 % interval


@dataclass(frozen=True)
class DocumentPosition:
    """One document's position on a scale.

    ``score`` is θ for Wordfish and the rescaled score for Wordscores; ``raw`` is the unrescaled Wordscores
    score (equal to ``score`` for Wordfish). ``lo``/``hi`` bound the 95 % interval on the ``score`` scale.
    ``reference`` marks a Wordscores reference text (its ``score`` is then its given score).
    """

    index: int
    id: str | None
    score: float
    se: float
    lo: float
    hi: float
    raw: float | None = None
    reference: bool = False


@dataclass(frozen=True)
class WordParameter:
    """One word's parameters: Wordfish weight ``beta`` and fixed effect ``psi``, or a Wordscores ``score``."""

    term: str
    beta: float | None = None
    psi: float | None = None
    score: float | None = None


@dataclass(frozen=True)
class ScalingResult:
    """Positions of documents (and the word parameters behind them) from one scaling run.

    Attributes
    ----------
    method : str
        ``"wordfish"`` or ``"wordscores"``.
    documents : tuple of DocumentPosition
        One row per scored document, in input order.
    words : tuple of WordParameter
        One row per word (empty when placing new documents).
    info : dict
        Run facts (iterations, log-posterior, rescaling, interval kind ...).
    """

    method: str
    documents: tuple[DocumentPosition, ...]
    words: tuple[WordParameter, ...] = ()
    info: dict[str, Any] = field(default_factory=dict)

    def document_rows(self) -> list[dict[str, Any]]:
        """Documents as plain dicts, keyed as the CLI renders them for this method."""
        rows = []
        for d in self.documents:
            row: dict[str, Any] = {"index": d.index, "id": d.id}
            if self.method == "wordfish":
                row["theta"] = d.score
            else:
                row.update(score=d.score, raw=d.raw)
            row.update(se=d.se, lo=d.lo, hi=d.hi)
            if self.method == "wordscores":
                row["reference"] = d.reference
            rows.append(row)
        return rows

    def word_rows(self) -> list[dict[str, Any]]:
        """Words as plain dicts: ``term, beta, psi`` (Wordfish) or ``term, score`` (Wordscores)."""
        keys = ("term", "beta", "psi") if self.method == "wordfish" else ("term", "score")
        return [{k: asdict(w)[k] for k in keys} for w in self.words]

    def to_dict(self) -> dict[str, Any]:
        """``{"method", "documents": [...], "words": [...], "info"}`` of plain JSON-ready values."""
        return {"method": self.method, "documents": self.document_rows(), "words": self.word_rows(),
                "info": dict(self.info)}

    def to_frame(self, which: str = "documents"):
        """A pandas DataFrame of the ``"documents"`` or the ``"words"`` rows."""
        import pandas as pd

        if which not in ("documents", "words"):
            raise ValueError(f"which must be 'documents' or 'words', not {which!r}")
        return pd.DataFrame(self.document_rows() if which == "documents" else self.word_rows())
