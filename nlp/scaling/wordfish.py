"""Wordfish (Slapin & Proksch 2008): a Poisson scaling model of word counts, as quanteda.textmodels fits it.

Model: y_ij ~ Poisson(λ_ij), log λ_ij = α_i + ψ_j + β_j θ_i for document i and word j. Estimation alternates
conditional Newton–Raphson steps for the word parameters (ψ_j, β_j) and the document parameters (α_i, θ_i),
words first, with penalties β ~ N(0, 3²) and θ ~ N(0, 1); after each round α is centred, θ standardised and
the direction fixed. A round is two passes over the rate matrix (one step for every word, one for every
document), and the fit stops when a round gains less than ``tol`` relative to the log-posterior's size.
All sums over the dense rate matrix are taken in blocks (see ``_poisson``), so a 20,000 × 20,000 sparse count
matrix fits in modest memory.
"""
from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from nlp.parallel import Executor, InProcessExecutor, chunk_rng

from . import _poisson as pois
from ._checks import as_counts, check_feature_names, check_ids, check_no_empty_docs
from nlp.estimator import Estimator, check_fitted
from .errors import ScalingError
from .results import Z95, DocumentPosition, ScalingResult, WordParameter
from .storage import check_lengths, load_scale, save_scale

log = logging.getLogger(__name__)

_DENSE_SVD_CELLS = 1_000_000  # below this the residual matrix is decomposed densely, as quanteda does


def _precisions(priors: Sequence[float]) -> tuple[float, float, float, float]:
    """Penalty precisions 1/sd² of (α, ψ, β, θ) from their prior standard deviations (inf → no penalty)."""
    if len(priors) != 4:
        raise ScalingError(f"priors must hold four standard deviations (alpha, psi, beta, theta), not {len(priors)}; "
                           "the default is (inf, inf, 3, 1)")
    out = []
    for sd in priors:
        sd = float(sd)
        if not sd > 0:
            raise ScalingError(f"prior standard deviations must be positive (inf for none), not {sd}")
        out.append(0.0 if math.isinf(sd) else 1.0 / (sd * sd))
    return tuple(out)  # type: ignore[return-value]


def _check_dir(direction, n_docs: int) -> tuple[int, int] | None:
    if direction is None:
        return None
    try:
        high, low = (int(d) for d in direction)
    except (TypeError, ValueError):
        raise ScalingError(f"dir must be two document row numbers (high, low), not {direction!r}") from None
    for d in (high, low):
        if not 0 <= d < n_docs:
            raise ScalingError(f"dir index {d} is out of range for {n_docs} documents; "
                               f"pass row numbers between 0 and {n_docs - 1}")
    if high == low:
        raise ScalingError(f"dir names document {high} twice; pass two different documents (high, low)")
    return high, low


def _starting_theta(Y: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray, seed: int) -> np.ndarray:
    """θ from the first singular vector of the chi-square residuals, scaled by (row share)^(−½), standardised.

    Residuals C_ij = (y_ij − r_i c_j / T) / √(r_i c_j / T): dense SVD for small matrices; for large ones the
    same matrix as "sparse minus rank one" through a linear operator.
    """
    total = rows.sum()
    n, k = Y.shape
    sr, sc = np.sqrt(rows), np.sqrt(cols)
    if n * k <= _DENSE_SVD_CELLS or min(n, k) < 3:
        expected = np.outer(rows, cols) / total
        u, sv, _ = np.linalg.svd((Y.toarray() - expected) / np.sqrt(expected), full_matrices=False)
    else:
        from scipy.sparse.linalg import LinearOperator, svds  # here: placing a text on a stored scale needs neither

        root_t = math.sqrt(total)
        op = LinearOperator(
            (n, k), dtype=np.float64,
            matvec=lambda v: root_t * (Y @ (np.ravel(v) / sc)) / sr - sr * (sc @ np.ravel(v)) / root_t,
            rmatvec=lambda v: root_t * (Y.T @ (np.ravel(v) / sr)) / sc - sc * (sr @ np.ravel(v)) / root_t)
        v0 = np.random.default_rng(seed).standard_normal(min(n, k))
        u, sv, _ = svds(op, k=1, v0=v0, random_state=seed)
    theta = u[:, 0] / np.sqrt(rows / total)
    sd = theta.std(ddof=1)
    if not np.isfinite(sd) or sd < 1e-12 or sv.max() < 1e-8:
        raise ScalingError("every document uses words in the same proportions; there is nothing to scale: "
                           "select documents that differ")
    return (theta - theta.mean()) / sd


#: A drop of the log-posterior ends the fit at the peak (converged) only if the round before rose by less
#: than this many times ``tol`` (relative: 1e-5 of its size by default); after a larger rise it is a swing, and
#: the rounds go on. At a peak the gains shrink towards zero round by round and the last rise is small
#: (UK manifestos 5e-7, Irish budget 3e-7, manifesto terms of three parties 1.2e-6); a swing turns after a
#: rise of 1e-4 or more.
PEAK_TOL = 100.0
#: Drops in a row after which the path is taken to drift away from its peak (not converged).
DRIFT_ROUNDS = 5


class _Rounds:
    """The outer rounds of a Wordfish fit on counts ``Y``: two passes over the rate matrix per round.

    Pass one takes the word moments at the current parameters, which give the log-posterior (Σ λ is their
    first row) and one Newton step for every word; pass two takes the document moments with the new word
    parameters and one Newton step for every document. Then the identification of every round: α centred,
    θ standardised, the direction fixed.
    """

    def __init__(self, Y: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray, prec: tuple[float, float, float, float],
                 plan: pois.Blocks, direction: tuple[int, int] | None):
        self.Y, self.YT, self.rows, self.cols = Y, Y.T.tocsr(), rows, cols
        self.prec, self.plan, self.direction = prec, plan, direction

    def identify(self, alpha, theta, beta):
        """α centred, θ standardised and oriented; returns ``(alpha, theta, beta, normalisation)``.

        ``normalisation`` (α's centre, θ's centre and scale) maps this round's unidentified θ to the reported
        scale, so documents placed later (with these word parameters) land on the same scale.
        """
        alpha_center, theta_center, theta_scale = alpha.mean(), theta.mean(), theta.std(ddof=1)
        if not (np.isfinite(theta_scale) and theta_scale > 0):
            raise ScalingError("Wordfish cannot tell the documents apart (all positions collapsed to one "
                               "point); select documents whose wording differs")
        alpha = alpha - alpha_center
        theta = (theta - theta_center) / theta_scale
        if self.direction and theta[self.direction[0]] < theta[self.direction[1]]:
            theta, beta, theta_center = -theta, -beta, -theta_center
        return alpha, theta, beta, np.array([alpha_center, theta_center, theta_scale])

    def log_posterior(self, alpha, theta, psi, beta, rate_total: float) -> float:
        lp = pois.log_posterior(self.rows @ alpha + self.cols @ psi + theta @ (self.Y @ beta), rate_total,
                                alpha, theta, psi, beta, self.prec)
        if not np.isfinite(lp):
            raise ScalingError("Wordfish diverged (the log-posterior is not finite); drop very rare words "
                               "or very short documents and fit again")
        return lp

    def run(self, alpha, theta, psi, beta, tol: float, max_iter: int,
            progress: Callable[[int, float], None] | None):
        """Rounds until the log-posterior levels off; returns the parameters, the identification of their
        round, their log-posterior, the rounds run and why it stopped (``"tol"``, ``"peak"``, ``"drift"`` or
        ``"max_iter"``).

        From the second round on (the first starts from β = 0 with a half step and can lower the
        log-posterior), the fit stops when a round changes the log-posterior by less than ``tol`` times its
        size (``"tol"``). A round that lowers it right after a rise of less than :data:`PEAK_TOL` ``· tol`` has
        passed the peak of a path that has levelled off (quanteda's rule stops at any drop): the peak's
        parameters are kept (``"peak"``). A drop after a larger rise may be a swing of a path still on its way,
        so the rounds go on; :data:`DRIFT_ROUNDS` drops in a row mean the path drifts away from its peak
        (``"drift"``, not converged), and the best parameters seen are kept, as at ``max_iter``.
        """
        prec, plan = self.prec, self.plan
        it, last, rise, falls, stop = 0, -math.inf, math.inf, 0, "max_iter"
        best: tuple = (-math.inf, None)
        normalisation = np.array([0.0, 0.0, 1.0])
        while True:
            moments = pois.word_moments(alpha, theta, psi, beta, plan)
            lp = self.log_posterior(alpha, theta, psi, beta, float(moments[0].sum()))
            if it:
                log.debug("wordfish round %d: log-posterior %.6f", it, lp)
                if progress is not None:
                    progress(it, lp)
                if lp > best[0]:
                    best = (lp, (alpha.copy(), theta.copy(), psi.copy(), beta.copy(), normalisation))
            falls = falls + 1 if it >= 2 and lp < last else 0
            if it >= 2 and abs(lp - last) <= tol * abs(lp):
                stop = "tol"
                break
            if falls == 1 and 0 <= rise <= PEAK_TOL * tol * abs(last):
                stop = "peak"
                break
            if falls >= DRIFT_ROUNDS:
                stop = "drift"
                break
            if it >= max_iter:
                break
            rise, last = (lp - last if it else math.inf), lp
            it += 1
            step = 0.5 if it == 1 else 1.0
            pois.step_words(self.cols, self.YT @ theta, moments, psi, beta, prec[1], prec[2], step)
            pois.step_docs(self.rows, self.Y @ beta, pois.doc_moments(alpha, theta, psi, beta, plan), alpha, theta,
                           prec[0], prec[3], step)
            alpha, theta, beta, normalisation = self.identify(alpha, theta, beta)
        if stop != "tol" and best[1] is not None:  # the peak (or the best round seen), not the rounds after it
            lp, (alpha, theta, psi, beta, normalisation) = best
        return alpha, theta, psi, beta, normalisation, lp, it, stop

    def polish(self, alpha, theta, psi, beta, normalisation, tol: float, max_inner: int):
        """The documents' conditional optimum given the word parameters, identified; returns
        ``(alpha, theta, beta, normalisation)``. It starts where the round's document step ended (before its
        identification), a Newton step or two from the optimum."""
        alpha, theta = alpha + normalisation[0], theta * normalisation[2] + normalisation[1]
        pois.update_docs(self.rows, self.Y @ beta, alpha, theta, psi, beta, self.prec[0], self.prec[3], 1.0, tol,
                         max_inner, self.plan)
        return self.identify(alpha, theta, beta)


class Wordfish(Estimator):
    """Wordfish scaling of a documents × words count matrix.

    Parameters
    ----------
    dir : (int, int) or None
        Row numbers ``(high, low)``: the direction is set so that document ``high`` gets the larger θ
        (quanteda's ``dir = c(low, high)`` in 1-based numbering). None leaves the sign as it comes out.
    priors : tuple of four floats
        Prior standard deviations of (α, ψ, β, θ); ``inf`` means no penalty. Default (inf, inf, 3, 1).
    tol : float
        Relative tolerance: from the second round on, stop when a round gains less than ``tol`` times the
        log-posterior's size (a round that lowers it has passed the peak: the previous round is kept).
    inner_tol : float
        The documents' final conditional optimum (and a placed document's) is reached when no parameter
        moves more than this.
    max_iter : int
        At most this many outer rounds (each is one Newton step for every word, then for every document).
    max_inner : int
        At most this many Newton steps for the documents' final conditional optimum (and a placed document's).
    n_bootstrap : int
        Parametric-bootstrap replicates for ``theta_lo_``/``theta_hi_`` (0: analytic intervals only).
    random_state : int
        Seed of the bootstrap draws (and of the iterative SVD on large matrices).
    block_size : int
        Cells of the rate matrix in one block (memory: about ``8 · block_size · n_jobs`` bytes).
    n_jobs : int
        Blocks computed at once on threads (results do not depend on it).

    Attributes
    ----------
    theta_, alpha_ : ndarray of shape (n_documents,)
        Document positions and fixed effects.
    beta_, psi_ : ndarray of shape (n_words,)
        Word weights and fixed effects.
    se_theta_ : ndarray of shape (n_documents,)
        Analytic standard errors of θ (document's 2 × 2 Hessian, word parameters fixed).
    theta_lo_, theta_hi_ : ndarray
        Percentile 95 % bootstrap interval (only with ``n_bootstrap > 0``).
    ll_ : float
        Final log-posterior (no constant). ``n_iter_`` : rounds run; ``converged_`` : whether the fit stopped
        by ``tol`` (``stop_`` ``"tol"``: a round changed the log-posterior by less than ``tol``; ``"peak"``: a
        round lowered it right after a rise of less than 100 ``tol``, the peak's parameters are kept), not
        ``"drift"`` (it fell five rounds in a row) or ``"max_iter"`` (the best round's parameters are kept).
    ids_, terms_ : list of str or None
        Document ids and column names passed to ``fit``.
    """

    def __init__(self, dir: tuple[int, int] | None = None, priors: tuple[float, float, float, float] = (
            math.inf, math.inf, 3.0, 1.0), tol: float = 1e-7, inner_tol: float = 1e-8, max_iter: int = 300,
            max_inner: int = 10, n_bootstrap: int = 0, random_state: int = 0, block_size: int = pois.DEFAULT_BUDGET,
            n_jobs: int = 1):
        self.dir = dir
        self.priors = priors
        self.tol = tol
        self.inner_tol = inner_tol
        self.max_iter = max_iter
        self.max_inner = max_inner
        self.n_bootstrap = n_bootstrap
        self.random_state = random_state
        self.block_size = block_size
        self.n_jobs = n_jobs

    def _plan(self) -> pois.Blocks:
        return pois.Blocks(budget=max(1, int(self.block_size)), n_jobs=max(1, int(self.n_jobs)))

    # ---------------------------------------------------------------- fitting
    def fit(self, X, y=None, *, ids: Sequence[str] | None = None, feature_names: Sequence[str] | None = None,
            progress: Callable[[int, float], None] | None = None) -> "Wordfish":
        """Estimate document and word parameters from counts ``X`` (documents × words, sparse or dense).

        Parameters
        ----------
        X : scipy.sparse matrix or ndarray
            Word counts; every document needs a word and every word a count.
        y : ignored
        ids, feature_names : sequences of str, optional
            Document ids and column names, kept for results and for saving.
        progress : callable, optional
            Called as ``progress(round, log_posterior)`` after every outer round.

        Returns
        -------
        Wordfish
            ``self``, fitted.
        """
        Y = as_counts(X, min_docs=2)
        n, k = Y.shape
        self.ids_ = check_ids(ids, n)
        self.terms_ = check_feature_names(feature_names, k)
        if k < 2:
            raise ScalingError(f"X has {k} word column(s); scaling needs at least two words: use more text")
        if Y.nnz == 0:
            raise ScalingError("X holds no counts at all; build it with word_matrix from non-empty texts")
        rows = check_no_empty_docs(Y, self.ids_)
        cols = np.asarray(Y.sum(axis=0)).ravel()
        empty = np.flatnonzero(cols <= 0)
        if empty.size:
            name = repr(self.terms_[empty[0]]) if self.terms_ else f"at column {empty[0]}"
            raise ScalingError(f"word {name} (and {empty.size - 1} more) never occurs; drop empty columns, "
                               "e.g. X[:, X.sum(axis=0).A1 > 0]")
        direction = _check_dir(self.dir, n)
        prec = _precisions(self.priors)
        plan = self._plan()

        theta = _starting_theta(Y, rows, cols, int(self.random_state))
        beta = np.zeros(k)
        psi = np.log(cols / n)
        alpha = np.log(rows) - np.log(rows.mean())
        fit = _Rounds(Y, rows, cols, prec, plan, direction)
        alpha, theta, psi, beta, normalisation, _, it, stop = fit.run(alpha, theta, psi, beta, float(self.tol),
                                                                       int(self.max_iter), progress)
        self.converged_ = stop in ("tol", "peak")
        self.stop_ = stop
        if not self.converged_:
            log.warning("wordfish stopped after %d rounds without meeting tol=%g (%s)", it, self.tol,
                        "the log-posterior fell five rounds in a row" if stop == "drift" else "max_iter")
        # The reported positions: each document's conditional optimum given the final word parameters,
        # identified as in every round; so a training document placed again lands on its fitted position.
        alpha, theta, beta, self.normalisation_ = fit.polish(alpha, theta, psi, beta, normalisation, self.inner_tol,
                                                             self.max_inner)
        moments = pois.doc_moments(alpha, theta, psi, beta, plan)
        self.alpha_, self.theta_, self.psi_, self.beta_ = alpha, theta, psi, beta
        self.ll_ = fit.log_posterior(alpha, theta, psi, beta, float(moments[:, 0].sum()))
        self.n_iter_, self.n_features_in_ = it, k
        self.se_theta_ = pois.theta_se(moments, prec[0], prec[3])
        if self.n_bootstrap > 0:
            alpha_c, theta_c = self._conditional(rows, Y @ beta)
            draws = self._bootstrap(alpha_c, theta_c, np.random.default_rng(self.random_state))
            self.theta_lo_, self.theta_hi_ = np.nanpercentile(draws, [2.5, 97.5], axis=0)
        return self

    def _conditional(self, rows: np.ndarray, counts_beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each document's (α, θ) maximising its penalised likelihood given the word parameters (unnormalised)."""
        prec = _precisions(self.priors)
        theta = np.zeros(rows.size)
        alpha = np.log(rows) - np.logaddexp.reduce(self.psi_)  # the exact optimum at θ = 0
        pois.update_docs(rows, counts_beta, alpha, theta, self.psi_, self.beta_, prec[0], prec[3], 1.0,
                         self.inner_tol, max(self.max_inner, 100), self._plan())
        return alpha, theta

    def _to_scale(self, theta_c: np.ndarray) -> np.ndarray:
        """Map conditional optima to the reported scale with the fit's last identification step."""
        _, center, scale = self.normalisation_
        return (theta_c - center) / scale

    def _bootstrap(self, alpha_c: np.ndarray, theta_c: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """θ re-estimated on ``n_bootstrap`` count sets simulated from the documents' rates (words fixed).

        ``alpha_c``/``theta_c`` are the documents' conditional optima; the draws are returned on the reported
        scale, one row per replicate (NaN where a simulated document came out empty).
        """
        plan = self._plan()
        draws = np.full((int(self.n_bootstrap), theta_c.size), np.nan)
        for b in range(draws.shape[0]):
            rows, counts_beta = pois.simulate_doc_counts(alpha_c, theta_c, self.psi_, self.beta_, rng, plan)
            ok = rows > 0
            draws[b, ok] = self._to_scale(self._conditional(rows[ok], counts_beta[ok])[1])
        return draws

    # ---------------------------------------------------------------- placing documents
    def _place(self, X, ids: Sequence[str] | None, executor: Executor | None = None, intervals: bool = True
               ) -> tuple[np.ndarray, Sequence[str] | None]:
        """``(array (4, n) of θ, se, lo, hi; ids)`` of new documents, in chunks of :data:`PLACE_CHUNK`."""
        check_fitted(self, "theta_", ScalingError)
        Y = as_counts(X)
        if Y.shape[1] != self.n_features_in_:
            raise ScalingError(f"X has {Y.shape[1]} word columns but the scale was fitted on {self.n_features_in_}; "
                               "build it with word_matrix(texts, vocabulary=<the scale's terms>)")
        ids = check_ids(ids, Y.shape[0])
        check_no_empty_docs(Y, ids, what="X (no word of the scale's vocabulary)")
        chunks = ((i, (i, Y[start:start + PLACE_CHUNK]))
                  for i, start in enumerate(range(0, Y.shape[0], PLACE_CHUNK)))
        work = functools.partial(place_chunk, self, intervals)
        parts = [part for _, part in (executor or InProcessExecutor()).map_chunks(work, chunks, ordered=True)]
        return (np.concatenate(parts, axis=1) if parts else np.empty((4, 0))), ids

    def transform(self, X, executor: Executor | None = None) -> np.ndarray:
        """Positions θ of new documents (word parameters fixed), as a column of shape (n_documents, 1)."""
        return self._place(X, None, executor, intervals=False)[0][0][:, None]

    def predict(self, X, ids: Sequence[str] | None = None, executor: Executor | None = None) -> ScalingResult:
        """Place new documents on the fitted scale: θ, standard error and 95 % interval each.

        Parameters
        ----------
        X : scipy.sparse matrix or ndarray
            Counts over the scale's words, in its column order (``word_matrix(texts, vocabulary=terms_)``).
        ids : sequence of str, optional
            Ids of the new documents (used in results and error messages).
        executor : nlp.parallel.Executor, optional
            Places chunks of :data:`PLACE_CHUNK` documents as tasks (Dask workers); default in process. Each
            document is placed given the word parameters alone, and each chunk's bootstrap draws come from
            its own generator, so the numbers do not depend on where the chunks run.

        Returns
        -------
        ScalingResult
            With bootstrap percentile intervals when ``n_bootstrap > 0`` (seeded by ``random_state`` and the
            chunk), else θ ± 1.96 se.
        """
        (theta, se, lo, hi), ids = self._place(X, ids, executor)
        docs = tuple(DocumentPosition(index=i, id=ids[i] if ids else None, score=float(theta[i]), se=float(se[i]),
                                      lo=float(lo[i]), hi=float(hi[i]), raw=float(theta[i]))
                     for i in range(theta.size))
        return ScalingResult("wordfish", docs, (), {"placed": True, "interval": self._interval_kind()})

    def _interval_kind(self) -> str:
        return f"parametric bootstrap ({self.n_bootstrap} draws)" if self.n_bootstrap > 0 else "theta ± 1.96 se"

    # ---------------------------------------------------------------- results
    def result(self) -> ScalingResult:
        """The fitted positions and word parameters as a :class:`ScalingResult`."""
        check_fitted(self, "theta_", ScalingError)
        if self.n_bootstrap > 0 and hasattr(self, "theta_lo_"):
            lo, hi = self.theta_lo_, self.theta_hi_
        else:
            lo, hi = self.theta_ - Z95 * self.se_theta_, self.theta_ + Z95 * self.se_theta_
        docs = tuple(DocumentPosition(index=i, id=self.ids_[i] if self.ids_ else None, score=float(t),
                                      se=float(self.se_theta_[i]), lo=float(lo[i]), hi=float(hi[i]), raw=float(t))
                     for i, t in enumerate(self.theta_))
        terms = self.terms_ or [str(j) for j in range(self.n_features_in_)]
        words = tuple(WordParameter(term=terms[j], beta=float(b), psi=float(p))
                      for j, (b, p) in enumerate(zip(self.beta_, self.psi_)))
        info = {"n_iter": self.n_iter_, "converged": self.converged_, "stop": getattr(self, "stop_", None),
                "log_posterior": self.ll_,
                "dir": list(self.dir) if self.dir is not None else None, "interval": self._interval_kind()}
        return ScalingResult("wordfish", docs, words, info)

    # ---------------------------------------------------------------- saving
    def _json_params(self) -> dict:
        params = self.get_params()
        params["priors"] = [None if math.isinf(float(p)) else float(p) for p in self.priors]
        params["dir"] = list(self.dir) if self.dir is not None else None
        return params

    def save(self, directory: str | Path) -> Path:
        """Write the fitted scale to ``directory`` (JSON + ``.npy`` with SHA-256 checksums; no pickle)."""
        check_fitted(self, "theta_", ScalingError)
        arrays = {"theta": self.theta_, "alpha": self.alpha_, "beta": self.beta_, "psi": self.psi_,
                  "se_theta": self.se_theta_, "normalisation": self.normalisation_}
        if hasattr(self, "theta_lo_"):
            arrays.update(theta_lo=self.theta_lo_, theta_hi=self.theta_hi_)
        info = {"ll": self.ll_, "n_iter": self.n_iter_, "converged": self.converged_,
                "stop": getattr(self, "stop_", None)}
        return save_scale(directory, "wordfish", self._json_params(), arrays,
                          {"terms": self.terms_, "ids": self.ids_}, info)

    @classmethod
    def load(cls, directory: str | Path) -> "Wordfish":
        """Read a scale written by :meth:`save`, verifying checksums and shapes."""
        manifest, arrays, lists = load_scale(directory, "wordfish", {"theta", "alpha", "beta", "psi", "se_theta",
                                                                             "normalisation"},
                                             {"terms", "ids"})
        params = dict(manifest.get("params") or {})
        try:
            params["priors"] = tuple(math.inf if p is None else float(p) for p in params["priors"])
            params["dir"] = tuple(params["dir"]) if params.get("dir") is not None else None
            model = cls(**params)
        except (KeyError, TypeError) as exc:
            raise ScalingError(f"{directory}: the manifest's parameters are unusable ({exc}); refit and save again") from None
        n, k = arrays["theta"].shape[0], arrays["beta"].shape[0]
        check_lengths(directory, n, alpha=arrays["alpha"], se_theta=arrays["se_theta"], ids=lists["ids"],
                      theta_lo=arrays.get("theta_lo"), theta_hi=arrays.get("theta_hi"))
        check_lengths(directory, k, psi=arrays["psi"], terms=lists["terms"])
        if any(a.ndim != 1 for a in arrays.values()) or arrays["normalisation"].shape != (3,) \
                or not arrays["normalisation"][2] > 0:
            raise ScalingError(f"{directory}: a parameter file is not one-dimensional; refit and save again")
        model.theta_, model.alpha_, model.beta_, model.psi_ = arrays["theta"], arrays["alpha"], arrays["beta"], arrays["psi"]
        model.se_theta_, model.normalisation_ = arrays["se_theta"], arrays["normalisation"]
        if "theta_lo" in arrays and "theta_hi" in arrays:
            model.theta_lo_, model.theta_hi_ = arrays["theta_lo"], arrays["theta_hi"]
        info = manifest.get("info") or {}
        model.ll_, model.n_iter_ = info.get("ll"), info.get("n_iter")
        model.converged_, model.stop_ = info.get("converged"), info.get("stop")
        model.terms_, model.ids_, model.n_features_in_ = lists["terms"], lists["ids"], k
        return model


#: Documents per task when placing new documents (fixed, so results never depend on the number of workers).
PLACE_CHUNK = 5000


def place_chunk(model: Wordfish, intervals: bool, chunk: tuple[int, sp.csr_matrix]) -> np.ndarray:
    """Place one chunk ``(index, counts)`` of new documents on ``model``'s scale (a pure task).

    Parameters
    ----------
    model : Wordfish
        A fitted model (its word parameters and normalisation are all that is used).
    intervals : bool
        Compute the 95 % interval (bootstrap draws when ``model.n_bootstrap > 0``); else ``lo = hi = θ``.
    chunk : (int, sparse matrix)
        The chunk's index (its bootstrap generator is :func:`nlp.parallel.chunk_rng` of ``random_state``
        and the index) and its counts, with no empty document.

    Returns
    -------
    array (4, n)
        θ, se, lo and hi of each document.
    """
    index, Y = chunk
    rows = np.asarray(Y.sum(axis=1)).ravel().astype(float)
    prec = _precisions(model.priors)
    alpha_c, theta_c = model._conditional(rows, Y @ model.beta_)
    se = pois.theta_standard_errors(alpha_c, theta_c, model.psi_, model.beta_, prec[0], prec[3],
                                    model._plan()) / model.normalisation_[2]
    theta = model._to_scale(theta_c)
    if intervals and model.n_bootstrap > 0:
        lo, hi = np.nanpercentile(model._bootstrap(alpha_c, theta_c, chunk_rng(model.random_state, index)),
                                  [2.5, 97.5], axis=0)
    elif intervals:
        lo, hi = theta - Z95 * se, theta + Z95 * se
    else:
        lo = hi = theta
    return np.vstack([theta, se, lo, hi])
