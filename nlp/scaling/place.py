"""The last scale a researcher made, kept beside the corpus, and a new text placed on it without refitting.

``scale wordfish`` and ``scale wordscores`` keep their model (:func:`keep_scale`: the model's own files, no
pickle, and a record of how it was made in the corpus' state); ``scale place`` reads it back
(:func:`last_scale`) and places a text (:func:`place_text`): the text's features made as the scale's were
(plain words, or the corpus' own preprocessing), its position, standard error and interval from the model,
and for Wordscores the scale's own rescaling (affine in the raw score) applied.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.results import Result
from nlp.scaling.errors import ScalingError

#: The corpus state key of the last scale.
STATE_KEY = "last_scale"


@dataclass(frozen=True)
class StoredScale:
    """A scale kept for ``scale place``: its method, features, model folder and rescaling."""

    method: str
    features: str
    path: str
    affine: tuple[float, float] = (1.0, 0.0)
    preprocessor: str | None = None

    def model(self) -> Any:
        from nlp.scaling import Wordfish, Wordscores

        return (Wordfish if self.method == "wordfish" else Wordscores).load(self.path)


@dataclass(frozen=True)
class Placement(Result):
    """Where a text lies on a stored scale (``scale place --json``)."""

    method: str
    features: str
    scale: str
    position: float
    se: float
    lo: float
    hi: float
    known_words: int


def keep_scale(store: Any, analysis: Any, docs: Any) -> Path:
    """Keep ``analysis``' model (a :class:`~nlp.scaling.analysis.ScaleAnalysis`) as the corpus' last scale:
    its files in ``<db>.runs/scales/last`` (whole or not at all) and how it was made in the corpus' state."""
    from corpus.analyses import set_state
    from corpus.dates import now_utc
    from corpus.output import atomic_directory
    from nlp.topics.runs import runs_root

    target = runs_root(store) / "scales" / "last"
    with atomic_directory(target) as work:
        analysis.model.save(work)
    set_state(store, STATE_KEY, {"path": str(target), "method": analysis.method, "features": analysis.features,
                                 "created": now_utc(), "preprocessor": docs.meta.get("preprocessor"),
                                 "affine": list(analysis.affine)})
    return target


def last_scale(store: Any) -> StoredScale:
    """The corpus' last scale.

    Raises
    ------
    ScalingError
        When no scale was made on this corpus.
    """
    from corpus.analyses import get_state

    state = get_state(store, STATE_KEY)
    if not state:
        raise ScalingError("no stored scale: run `scale wordfish` or `scale wordscores` first")
    return StoredScale(method=state["method"], features=state["features"], path=state["path"],
                       affine=tuple(state.get("affine", (1.0, 0.0))), preprocessor=state.get("preprocessor"))


def place_text(scale: StoredScale, text: str, preprocessor: Any = None) -> Placement:
    """Place ``text`` on ``scale`` without refitting.

    Parameters
    ----------
    scale : StoredScale
    text : str
    preprocessor : nlp.text.preprocess.Preprocessor, optional
        The corpus' own (``Preprocessor.from_store``), for a scale of preprocessed terms; a scale of plain
        words needs none.

    Raises
    ------
    ScalingError
        The text shares no word with the scale's vocabulary, or a terms scale is given no preprocessor.
    """
    from nlp.scaling.features import terms_matrix, word_matrix

    model = scale.model()
    if scale.features == "words":
        from nlp.text.cleaning import join_split_words

        X, _ = word_matrix([join_split_words(text)], vocabulary=model.terms_)
    else:
        if preprocessor is None:
            raise ScalingError("this scale was made of the corpus' preprocessed terms: give its preprocessor")
        X, _ = terms_matrix([preprocessor.terms(text)], vocabulary=model.terms_)
    if X.sum() == 0:
        raise ScalingError("the text shares no word with the scale's vocabulary; give a longer text on the same "
                           "subject")
    if scale.method == "wordfish":
        row = model.predict(X, ids=["text"]).document_rows()[0]
        position, se, lo, hi = row["theta"], row["se"], row["lo"], row["hi"]
    else:  # the raw score, then the rescaling the scale was made with
        row = model.predict(X, rescale="none", ids=["text"]).document_rows()[0]
        a, b = scale.affine
        position, se = a * row["raw"] + b, abs(a) * row["se"]
        lo, hi = sorted((a * row["lo"] + b, a * row["hi"] + b))
    return Placement(method=scale.method, features=scale.features, scale=scale.path, position=float(position),
                     se=float(se), lo=float(lo), hi=float(hi), known_words=int((X > 0).sum()))
