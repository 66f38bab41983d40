"""Wordscores (Laver, Benoit & Garry 2003): word scores from reference texts, raw and rescaled text scores.

Word score S_w = Σ_r P_wr A_r with P_wr = F_wr / Σ_r F_wr (F_wr: relative frequency of w in reference r,
A_r its score); only words occurring in the references are scored. A virgin text's raw score is the mean
word score of its scored words, S_v = Σ_w F_wv S_w (F_wv renormalised to those words), with variance
V_v = Σ_w F_wv (S_w − S_v)² and standard error √(V_v / N_v). Rescalings: LBG (over the virgin texts scored
together) and Martin–Vanberg (from the references' raw scores).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ._checks import as_counts, check_feature_names, check_ids, check_no_empty_docs, doc_label
from nlp.estimator import Estimator, check_fitted
from .errors import ScalingError
from .results import Z95, DocumentPosition, ScalingResult, WordParameter
from .storage import check_lengths, load_scale, save_scale

log = logging.getLogger(__name__)

RESCALINGS = ("lbg", "mv", "none")


class Wordscores(Estimator):
    """Wordscores scaling: score reference texts, then place virgin texts by their words.

    Parameters
    ----------
    z : float
        Normal quantile of the intervals (1.96 for 95 %).

    Attributes
    ----------
    word_scores_ : ndarray of shape (n_words,)
        S_w for every column; NaN where the word does not occur in the references.
    scored_ : ndarray of bool
        Which columns carry a word score.
    reference_scores_ : ndarray
        The given scores A_r. ``reference_raw_`` : the references' own raw scores (for Martin–Vanberg).
    ids_, terms_ : list of str or None
        Reference ids and column names given to ``fit``.
    """

    def __init__(self, z: float = Z95):
        self.z = z

    def fit(self, X_ref, scores: Sequence[float], *, ids: Sequence[str] | None = None,
            feature_names: Sequence[str] | None = None) -> "Wordscores":
        """Compute word scores from reference texts.

        Parameters
        ----------
        X_ref : scipy.sparse matrix or ndarray
            Word counts of the reference texts (documents × words).
        scores : sequence of float
            One known score per reference text; at least two distinct values, none missing.
        ids, feature_names : sequences of str, optional
            Reference ids and column names.

        Returns
        -------
        Wordscores
            ``self``, fitted.
        """
        Y = as_counts(X_ref, what="X_ref", min_docs=2)
        a = np.asarray(scores, dtype=np.float64).ravel()
        if a.size != Y.shape[0]:
            raise ScalingError(f"scores has {a.size} values for {Y.shape[0]} reference texts; pass one score per text")
        if not np.all(np.isfinite(a)):
            bad = int(np.flatnonzero(~np.isfinite(a))[0])
            raise ScalingError(f"the score of reference {bad} is missing (NaN or infinite); give every reference "
                               "a number, and pass texts to score to predict() instead")
        if np.unique(a).size < 2:
            raise ScalingError("the references need at least two different scores to span a scale; "
                               "give them distinct scores")
        self.ids_ = check_ids(ids, Y.shape[0])
        self.terms_ = check_feature_names(feature_names, Y.shape[1])
        totals = check_no_empty_docs(Y, self.ids_, what="X_ref")
        freq = sp.diags(1.0 / totals) @ Y  # F_wr, references × words, still sparse
        col = np.asarray(freq.sum(axis=0)).ravel()
        self.scored_ = col > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            self.word_scores_ = np.where(self.scored_, (freq.T @ a) / col, np.nan)
        self.reference_scores_ = a
        self.n_features_in_ = Y.shape[1]
        self.reference_raw_, _ = self._raw(Y, self.ids_)
        return self

    def _raw(self, Y, ids):
        """Raw scores and standard errors of the rows of ``Y``."""
        scores = np.where(self.scored_, self.word_scores_, 0.0)
        counts = Y[:, np.flatnonzero(self.scored_)]
        n_scored = np.asarray(counts.sum(axis=1)).ravel()
        empty = np.flatnonzero(n_scored <= 0)
        if empty.size:
            raise ScalingError(f"{doc_label(int(empty[0]), ids)} has no word that occurs in the references; "
                               "it cannot be scored: drop it or add references that share its vocabulary")
        s = scores[self.scored_]
        raw = (counts @ s) / n_scored
        var = (counts @ (s * s)) / n_scored - raw * raw  # Σ F (S_w − S_v)², expanded
        se = np.sqrt(np.maximum(var, 0.0) / n_scored)
        return raw, se

    def predict(self, X, rescale: str = "lbg", ids: Sequence[str] | None = None) -> ScalingResult:
        """Score virgin texts.

        Parameters
        ----------
        X : scipy.sparse matrix or ndarray
            Counts over the same columns as the references.
        rescale : {"lbg", "mv", "none"}
            LBG rescales over the texts scored together here; Martin–Vanberg from the references' raw
            scores; "none" keeps raw scores.
        ids : sequence of str, optional
            Ids of the virgin texts.

        Returns
        -------
        ScalingResult
            Per text: rescaled ``score``, ``raw``, ``se``, and the interval raw ± z·se, all on the rescaled
            scale (the rescaling is linear, so it carries over).
        """
        check_fitted(self, "word_scores_", ScalingError)
        if rescale not in RESCALINGS:
            raise ScalingError(f"unknown rescaling {rescale!r}; choose one of {', '.join(RESCALINGS)}")
        Y = as_counts(X)
        if Y.shape[1] != self.n_features_in_:
            raise ScalingError(f"X has {Y.shape[1]} word columns but the references had {self.n_features_in_}; "
                               "build it with word_matrix(texts, vocabulary=<the references' terms>)")
        ids = check_ids(ids, Y.shape[0])
        raw, se = self._raw(Y, ids)
        slope, shift = self._rescaling(raw, rescale)
        ends = np.sort([slope * (raw - self.z * se) + shift, slope * (raw + self.z * se) + shift], axis=0)
        docs = tuple(DocumentPosition(index=i, id=ids[i] if ids else None, score=float(slope * raw[i] + shift),
                                      se=float(abs(slope) * se[i]), lo=float(ends[0, i]), hi=float(ends[1, i]),
                                      raw=float(raw[i]))
                     for i in range(raw.size))
        return ScalingResult("wordscores", docs, (), {"rescale": rescale, "z": self.z})

    def _rescaling(self, raw: np.ndarray, rescale: str) -> tuple[float, float]:
        """The rescaling as ``score = slope · raw + shift``."""
        if rescale == "none":
            return 1.0, 0.0
        a = self.reference_scores_
        if rescale == "lbg":
            if raw.size < 2:
                raise ScalingError("LBG rescaling needs at least two virgin texts scored together; "
                                   "score more texts at once or use rescale='mv'")
            sd_raw = raw.std(ddof=1)
            slope = a.std(ddof=1) / sd_raw if sd_raw > 0 else 0.0
            mean = raw.mean()
            return slope, mean - slope * mean
        r_min, r_max = self.reference_raw_[np.argmin(a)], self.reference_raw_[np.argmax(a)]
        if r_max == r_min:
            raise ScalingError("the lowest and highest references have the same raw score; Martin–Vanberg "
                               "rescaling is undefined: use rescale='lbg' or 'none'")
        slope = (a.max() - a.min()) / (r_max - r_min)
        return slope, a.min() - slope * r_min

    def result(self, X, rescale: str = "lbg", ids: Sequence[str] | None = None,
               include_references: bool = True) -> ScalingResult:
        """Virgin texts scored as :meth:`predict`, followed by the references (``reference=True``) and the words.

        References are listed with their given score as ``score`` and their own raw score as ``raw``.
        """
        placed = self.predict(X, rescale=rescale, ids=ids)
        docs = list(placed.documents)
        if include_references:
            n = len(docs)
            docs += [DocumentPosition(index=n + r, id=self.ids_[r] if self.ids_ else None,
                                      score=float(self.reference_scores_[r]), se=0.0,
                                      lo=float(self.reference_scores_[r]), hi=float(self.reference_scores_[r]),
                                      raw=float(self.reference_raw_[r]), reference=True)
                     for r in range(self.reference_scores_.size)]
        terms = self.terms_ or [str(j) for j in range(self.n_features_in_)]
        words = tuple(WordParameter(term=terms[j], score=float(self.word_scores_[j]))
                      for j in np.flatnonzero(self.scored_))
        return ScalingResult("wordscores", tuple(docs), words, placed.info)

    def save(self, directory: str | Path) -> Path:
        """Write the fitted word scores to ``directory`` (JSON + ``.npy`` with SHA-256 checksums; no pickle)."""
        check_fitted(self, "word_scores_", ScalingError)
        arrays = {"word_scores": self.word_scores_, "reference_scores": self.reference_scores_,
                  "reference_raw": self.reference_raw_}
        return save_scale(directory, "wordscores", self.get_params(), arrays,
                          {"terms": self.terms_, "ids": self.ids_})

    @classmethod
    def load(cls, directory: str | Path) -> "Wordscores":
        """Read word scores written by :meth:`save`, verifying checksums and shapes."""
        manifest, arrays, lists = load_scale(directory, "wordscores",
                                             {"word_scores", "reference_scores", "reference_raw"}, {"terms", "ids"})
        try:
            model = cls(**(manifest.get("params") or {}))
        except TypeError as exc:
            raise ScalingError(f"{directory}: the manifest's parameters are unusable ({exc}); refit and save again") from None
        n = arrays["reference_scores"].shape[0]
        check_lengths(directory, n, reference_raw=arrays["reference_raw"], ids=lists["ids"])
        check_lengths(directory, arrays["word_scores"].shape[0], terms=lists["terms"])
        model.word_scores_ = arrays["word_scores"]
        model.scored_ = np.isfinite(model.word_scores_)
        model.reference_scores_, model.reference_raw_ = arrays["reference_scores"], arrays["reference_raw"]
        model.terms_, model.ids_, model.n_features_in_ = lists["terms"], lists["ids"], model.word_scores_.shape[0]
        return model


#: Rank correlation between the references' given scores and their held-out placements from which a
#: Wordscores scale counts as corroborated (with three references: all three in the right order).
CORROBORATION_RHO = 0.7


def leave_one_reference_out(X_ref, scores: Sequence[float], X_virgin, ids: Sequence[str] | None = None,
                            min_rho: float = CORROBORATION_RHO) -> dict:
    """Does each reference land where its score says when the others score it? (corroboration)

    Each reference in turn is left out, word scores are computed from the others, and the left-out text is
    scored as one more virgin text: together with the virgin texts, LBG-rescaled over them all, as the
    virgin texts themselves are scored. (A text scored by references it is not among sits nearer the middle
    than they do, so it is compared with other such texts, not with the references' own raw scores.) The
    rank correlation (Spearman ρ) of these held-out positions with the given scores says whether the
    references agree with one another about the scale; with fewer than three references there is nothing
    to check against.

    Parameters
    ----------
    X_ref : scipy.sparse matrix or ndarray
        Word counts of the reference texts.
    scores : sequence of float
        Their given scores.
    X_virgin : scipy.sparse matrix or ndarray
        Word counts of the virgin texts (the same columns), scored beside each left-out reference.
    ids : sequence of str, optional
        Their names, for the rows and the message.
    min_rho : float
        ρ from which the scale counts as corroborated.

    Returns
    -------
    dict
        ``{"corroborated", "rho", "n_references", "held_out": [{"id", "score", "held_out"}], "reason"}``;
        ``reason`` is the caveat to print when it is not corroborated (None otherwise).
    """
    from scipy.stats import spearmanr

    Y = as_counts(X_ref, what="X_ref", min_docs=1)
    V = as_counts(X_virgin, what="X_virgin", min_docs=1)
    a = np.asarray(scores, dtype=np.float64).ravel()
    n = a.size
    names = list(ids) if ids is not None else [f"reference {r}" for r in range(n)]
    out: dict = {"corroborated": False, "rho": None, "n_references": int(n), "held_out": [], "reason": None}
    if n < 3:
        out["reason"] = (f"Only {n} reference texts: with fewer than three, leaving one out leaves nothing to check "
                         "the scale against, so these positions cannot be corroborated and are not stated as "
                         "findings. Add a third reference of known score.")
        return out
    held = np.full(n, np.nan)
    for r in range(n):
        rest = np.flatnonzero(np.arange(n) != r)
        if np.unique(a[rest]).size < 2:
            continue
        try:
            model = Wordscores().fit(Y[rest], a[rest])
            held[r] = model.predict(sp.vstack([V, Y[[r]]]).tocsr(), rescale="lbg").documents[-1].score
        except ScalingError:  # no shared word, or the others' raw scores tie: this reference is not placed
            continue
        out["held_out"].append({"id": names[r], "score": float(a[r]), "held_out": float(held[r])})
    ok = np.isfinite(held)
    if ok.sum() >= 3 and np.ptp(held[ok]) > 0 and np.ptp(a[ok]) > 0:
        out["rho"] = float(spearmanr(a[ok], held[ok]).statistic)
    out["corroborated"] = out["rho"] is not None and out["rho"] >= min_rho
    if not out["corroborated"]:
        found = "could not be placed" if out["rho"] is None else f"rank correlation {out['rho']:+.2f}"
        out["reason"] = (f"Left out one at a time, the {n} references are not placed where their scores say "
                         f"({found} between their given and held-out positions; {min_rho} needed): the references "
                         "do not agree about the scale, so these positions cannot be corroborated and are not "
                         "stated as findings.")
    return out
