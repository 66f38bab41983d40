"""Effects of tendency on topic prevalence, adjusted for date, and the topics that belong to an era.

For each topic, a document's share is regressed on its tendency (categorical, treatment-coded against a
reference), a smooth of its date (a cubic B-spline, patsy's ``bs()``) and, where the tendencies share
outlets, its outlet (what STM's ``estimateEffect`` answers). With outlet fixed effects each contrast
compares the tendencies within outlets, pooled by the regression's weights; where each outlet carries one
tendency the outlet is the unit, the dummies would absorb the tendency, and ``caveats`` say so
(:func:`nlp.design.label_design`; ``within`` forces either). The tendency contrasts come with 95 %
intervals that carry two kinds of uncertainty:

- **sampling**, through standard errors robust to clustering by author (the outlet for articles without an
  author; heteroskedasticity-robust HC1 when there are fewer than ``min_clusters`` clusters), with
  statsmodels' small-sample correction and t quantiles on G - 1 degrees of freedom;
- **the topic model's**, by the method of composition: the regression is repeated over ``draws`` draws of
  the document-topic shares, each document's shares drawn from a Dirichlet centred on its estimated shares
  with concentration = its number of terms (a long document's shares are better known), and the draws are
  pooled by Rubin's rules (mean estimate; variance = mean within-draw variance + (1 + 1/D) x between-draw
  variance; Barnard-Rubin degrees of freedom).

An **era topic** is one whose prevalence is explained mostly by period rather than tendency: the unique
share of variance of the date smooth (R² lost when it is dropped, minus what as many noise regressors would
add by chance) is at least ``era_share`` (2/3) of the date's and tendency's unique shares together, and at
least ``min_r2`` (0.05) of the variance. Variance that date and tendency share (a party that only exists in
later decades) is credited to neither.

:func:`topic_effects` and :func:`era_topics` take a :class:`~nlp.documents.DocumentTerms` and its
document-topic matrix (e.g. :func:`nlp.topics.runs.document_topic_matrix`) and return typed results.
See ``docs/topic-trust.md`` for the method and its limits.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Sequence

import numpy as np
from scipy import sparse

from nlp.copies import merge_copies
from nlp.design import SHARED, WITHIN, LabelDesign, label_design
from nlp.documents import DocumentTerms, GroupError, UNUSABLE_TENDENCIES
from nlp.errors import InvalidParameterError, NlpError

__all__ = ["topic_effects", "era_topics", "TopicEffects", "EffectContrast", "EraTopics", "EraTopic",
           "decimal_year", "draw_shares", "ERA_SHARE", "ERA_MIN_R2", "ERA_ALPHA", "ERA_PERMUTATIONS", "OTHER"]

log = logging.getLogger(__name__)

BY = ("tendency", "outlet")
#: Era topic: the date's unique share of the explained variance must reach this ...
ERA_SHARE = 2 / 3
#: ... and the date must explain at least this share of the variance of the topic's shares ...
ERA_MIN_R2 = 0.05
#: ... more than dates shuffled within each group do, at this level, over this many shuffles.
ERA_ALPHA = 0.05
ERA_PERMUTATIONS = 99
#: The group that pools levels with fewer than ``min_docs`` documents.
OTHER = "(other)"


def decimal_year(published: str | None) -> float | None:
    """``"1997"`` -> 1997.0, ``"1997-05"`` -> 1997.33, ``"1997-05-01"`` -> 1997.33 (mid-month / the day);
    None when there is no usable date."""
    if not published or not published[:4].isdigit():
        return None
    year = int(published[:4])
    try:
        if len(published) >= 10:
            day = date.fromisoformat(published[:10])
            return year + (day.timetuple().tm_yday - 1) / 365.25
        if len(published) >= 7 and published[5:7].isdigit():
            return year + (int(published[5:7]) - 0.5) / 12
    except ValueError:
        pass
    return float(year)


# ----------------------------------------------------------------------------- the design
@dataclass
class _Design:
    """Documents kept, their groups, and the regression matrix with its column blocks."""

    rows: np.ndarray                 # indices into docs
    groups: list[str]                # group of each kept document
    levels: list[str]                # reference first
    x: np.ndarray                    # (n, p)
    blocks: dict[str, slice]         # "group", "date", "outlet"
    years: np.ndarray
    spline: Any                      # patsy design info of the date smooth (None without one)
    df_date: int
    covariates: list[str]
    clusters: np.ndarray | None      # cluster code per kept document (None: HC1)
    cluster_by: str
    n_clusters: int
    dropped: dict[str, int]
    pooled: list[str]
    labels: LabelDesign | None = None  # how the groups fall across outlets (by tendency)
    within: str = "none"               # "outlet": outlet fixed effects, the groups compared within outlets


def _group_values(docs: DocumentTerms, by: str) -> list[str]:
    if by not in BY:
        raise InvalidParameterError(f"unknown grouping {by!r}; use one of {', '.join(BY)}", param="--by")
    return list(docs.labels) if by == "tendency" else list(docs.outlets)


def _dummies(values: Sequence[str], levels: Sequence[str]) -> np.ndarray:
    """Treatment coding: one column per level after the first (the reference)."""
    index = {v: j for j, v in enumerate(levels)}
    out = np.zeros((len(values), len(levels) - 1))
    for i, v in enumerate(values):
        j = index[v]
        if j:
            out[i, j - 1] = 1.0
    return out


def _build_design(docs: DocumentTerms, theta: np.ndarray, by: str, reference: str | None, df: int,
                  outlet: bool | str, min_docs: int, min_clusters: int) -> _Design:
    """The regression's documents, groups and matrix. ``outlet``: True adds outlet dummies wherever they are
    not collinear; False never; ``"auto"`` where the groups share outlets (:func:`nlp.design.label_design`),
    ``"outlet"`` always (an error when the groups are constant within outlets)."""
    if len(docs) != theta.shape[0]:
        raise InvalidParameterError(f"theta has {theta.shape[0]} rows for {len(docs)} documents: pass the "
                                    "document-topic matrix of these documents")
    values = _group_values(docs, by)
    dropped: Counter = Counter()
    keep = []
    years = []
    for i in range(len(docs)):
        y = decimal_year(docs.published[i])
        if not np.all(np.isfinite(theta[i])):
            dropped["not modelled"] += 1
        elif y is None:
            dropped["no date"] += 1
        elif not values[i] or (by == "tendency" and values[i] in UNUSABLE_TENDENCIES):
            dropped[f"no {by}"] += 1
        else:
            keep.append(i)
            years.append(y)
    counts = Counter(values[i] for i in keep)
    pooled = sorted(v for v, c in counts.items() if c < min_docs)
    groups = [OTHER if values[i] in pooled else values[i] for i in keep]
    if pooled and sum(counts[v] for v in pooled) < min_docs:
        dropped[f"{by} with fewer than {min_docs} documents"] += sum(counts[v] for v in pooled)
        mask = [g != OTHER for g in groups]
        keep = [i for i, m in zip(keep, mask) if m]
        years = [y for y, m in zip(years, mask) if m]
        groups = [g for g, m in zip(groups, mask) if m]
        pooled = []
    if dropped:
        log.info("left out of the regression: %s", ", ".join(f"{n} ({why})" for why, n in dropped.items()))
    counts = Counter(groups)
    if reference is not None:
        if reference not in counts:
            known = ", ".join(f"{k} ({n})" for k, n in counts.most_common())
            raise GroupError(f"Unknown reference {by} {reference!r}; {by} groups (documents): {known or 'none'}")
    else:
        reference = min((g for g in counts if g != OTHER), key=lambda g: (-counts[g], g), default=None)
    levels = [reference] + sorted(g for g in counts if g != reference) if reference else sorted(counts)
    n = len(keep)
    if n == 0:
        raise NlpError(f"no document has topic shares, a date and a {by}: fit the topic model on these documents "
                       "and import dates (--date-field) and labels (--label-field)")
    t = np.array(years, dtype=np.float64)
    columns, blocks, covariates = [np.ones((n, 1))], {}, []
    if len(levels) >= 2:
        blocks["group"] = slice(1, len(levels))
        columns.append(_dummies(groups, levels))
        covariates.append(f"{by} (reference {reference})")
    distinct = len(np.unique(t))
    df_date = min(df, distinct - 1)
    spline = None
    if df_date >= 1:
        import patsy
        basis = patsy.dmatrix(f"bs(t, df={df_date}, degree={min(3, df_date)}) - 1", {"t": t})
        spline = basis.design_info
        start = sum(c.shape[1] for c in columns)
        blocks["date"] = slice(start, start + basis.shape[1])
        columns.append(np.asarray(basis))
        covariates.append(f"B-spline of date ({df_date} df)")
    x = np.hstack(columns)
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise NlpError(f"{by} and date are collinear in this selection (each {by} has a single date?): effects "
                       f"adjusted for date cannot be estimated; widen the selection or lower the spline's df")
    labels = label_design(docs, keep, groups) if by == "tendency" else None
    if outlet == "auto":  # within outlets where the tendencies share them; across where they do not
        outlet = labels is not None and labels.kind == SHARED
    if outlet and by != "outlet":
        outlets = [docs.outlets[i] for i in keep]
        olevels = [o for o, _ in Counter(outlets).most_common()]
        with_outlet = np.hstack([x, _dummies(outlets, olevels)]) if len(olevels) >= 2 else x
        if len(olevels) >= 2 and np.linalg.matrix_rank(with_outlet) == with_outlet.shape[1]:
            blocks["outlet"] = slice(x.shape[1], with_outlet.shape[1])
            x = with_outlet
            covariates.append(f"outlet (reference {olevels[0]})")
        elif outlet == "outlet":
            raise NlpError(f"The {by} groups cannot be compared within outlets here (each outlet carries one, or "
                           "there is one outlet): use within='none'")
        else:
            log.info("outlet left out of the regression: collinear with %s and date", by)
    if n <= x.shape[1]:
        raise NlpError(f"{n} documents are too few for {x.shape[1]} regression terms ({', '.join(covariates)}): "
                       "widen the selection or lower the spline's df")
    # where the outlet is the unit, its articles are not independent: cluster by outlet when there are enough
    by_outlet = labels is not None and labels.unit == "outlet" and len(labels.by_outlet) >= min_clusters
    clusters, cluster_by, n_clusters = _clusters(docs, keep, min_clusters, by_outlet)
    return _Design(rows=np.array(keep, dtype=np.int64), groups=groups, levels=levels, x=x, blocks=blocks,
                   years=t, spline=spline, df_date=max(df_date, 0), covariates=covariates, clusters=clusters,
                   cluster_by=cluster_by, n_clusters=n_clusters, dropped=dict(dropped), pooled=pooled,
                   labels=labels, within="outlet" if "outlet" in blocks else "none")


def _clusters(docs: DocumentTerms, keep: list[int], min_clusters: int,
              by_outlet: bool = False) -> tuple[np.ndarray | None, str, int]:
    """Cluster of each document: its first author, else ``outlet:<outlet>`` (its outlet with ``by_outlet``),
    merged with its near-duplicates' clusters (copies are not independent draws); None (HC1) if too few."""
    if by_outlet:
        keys, what = [f"outlet:{docs.outlets[i]}" for i in keep], "outlet"
    else:
        keys = [f"author:{docs.authors[i][0]}" if docs.authors[i] else f"outlet:{docs.outlets[i]}" for i in keep]
        with_author = sum(bool(docs.authors[i]) for i in keep)
        what = ("author" if with_author == len(keep) else "outlet" if with_author == 0
                else "author (outlet when missing)")
    if docs.copy_clusters is not None:
        keys = merge_copies(keys, [docs.copy_clusters[i] for i in keep])
    codes: dict[str, int] = {}
    clusters = np.array([codes.setdefault(k, len(codes)) for k in keys], dtype=np.int64)
    if len(codes) < min_clusters:
        log.info("only %d clusters by %s: heteroskedasticity-robust (HC1) errors instead", len(codes), what)
        return None, f"none (HC1; only {len(codes)} clusters by {what})", len(codes)
    return clusters, what, len(codes)


# ----------------------------------------------------------------------------- estimation
def _ols(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients (p, C), residuals (n, C) and (X'X)^-1 of the least-squares fits of every column of y."""
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ (x.T @ y)
    return beta, y - x @ beta, xtx_inv


def _contrast_variance(x: np.ndarray, xtx_inv: np.ndarray, resid: np.ndarray, contrasts: np.ndarray,
                       clusters: np.ndarray | None) -> tuple[np.ndarray, float]:
    """Sandwich variances (P, C) of the contrasts (columns of ``contrasts``, p x P) of every fit, and the
    degrees of freedom of their t quantiles. Cluster-robust (CR1, as statsmodels) or HC1."""
    n, p = x.shape
    z = x @ (xtx_inv @ contrasts)  # (n, P): each document's weight in each contrast
    if clusters is None:
        return (n / (n - p)) * ((z ** 2).T @ (resid ** 2)), float(n - p)
    g = int(clusters.max()) + 1
    member = sparse.csr_matrix((np.ones(n), (clusters, np.arange(n))), shape=(g, n))
    factor = g / (g - 1) * (n - 1) / (n - p)
    out = np.empty((contrasts.shape[1], resid.shape[1]))
    for j in range(contrasts.shape[1]):
        scores = member @ (z[:, j:j + 1] * resid)  # (G, C)
        out[j] = factor * (scores ** 2).sum(axis=0)
    return out, float(g - 1)


def _rubin(estimates: np.ndarray, variances: np.ndarray, df_complete: float
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pool (D, ...) estimates and variances: mean, total variance, Barnard-Rubin degrees of freedom."""
    d = estimates.shape[0]
    mean = estimates.mean(axis=0)
    within = variances.mean(axis=0)
    if d == 1:
        return mean, within, np.full(mean.shape, df_complete)
    between = estimates.var(axis=0, ddof=1)
    total = within + (1 + 1 / d) * between
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(total > 0, (1 + 1 / d) * between / total, 0.0)
        df_old = np.where(lam > 0, (d - 1) / lam ** 2, np.inf)
        df_obs = (df_complete + 1) / (df_complete + 3) * df_complete * (1 - lam)
        df = 1 / (1 / df_old + 1 / df_obs)
    return mean, total, df


def draw_shares(theta: np.ndarray, concentration: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw of every document's shares from Dirichlet(concentration_i x theta_i) (rows sum to 1)."""
    alpha = np.maximum(theta * concentration[:, None], 1e-3)  # a zero share is kept drawable
    g = rng.standard_gamma(alpha)
    return g / g.sum(axis=1, keepdims=True)


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class EffectContrast:
    """The adjusted difference in a topic's mean share between two groups (``group`` minus ``versus``)."""

    topic: int
    label: str
    group: str
    versus: str
    effect: float
    lo: float
    hi: float
    se: float
    n: int
    n_authors: int

    @property
    def excludes_zero(self) -> bool:
        return self.lo > 0 or self.hi < 0


@dataclass
class TopicEffects:
    """Adjusted tendency contrasts of every topic's prevalence (see :func:`topic_effects`)."""

    by: str
    reference: str
    levels: dict[str, int]
    covariates: list[str]
    cluster_by: str
    n_clusters: int
    draws: int
    seed: int
    n_docs: int
    contrasts: list[EffectContrast]
    dropped: dict[str, int] = field(default_factory=dict)
    pooled: list[str] = field(default_factory=list)
    level: float = 0.95
    #: "outlet" when the groups were compared within outlets (outlet fixed effects), else "none".
    within: str = "none"
    #: How the groups fall across outlets (:meth:`nlp.design.LabelDesign.to_dict`; empty by outlet).
    design: dict[str, Any] = field(default_factory=dict)
    caveats: list[str] = field(default_factory=list)

    def get(self, topic: int, group: str, versus: str | None = None) -> EffectContrast:
        """The contrast of ``group`` against ``versus`` (default: the reference) for ``topic``."""
        versus = versus or self.reference
        for c in self.contrasts:
            if c.topic == topic and c.group == group and c.versus == versus:
                return c
        raise GroupError(f"no contrast {group!r} - {versus!r} for topic {topic}; groups: {', '.join(self.levels)}")

    def to_dict(self) -> dict[str, Any]:
        return {**{k: v for k, v in asdict(self).items() if k != "contrasts"},
                "contrasts": [asdict(c) for c in self.contrasts]}

    def to_frame(self):
        import pandas as pd
        return pd.DataFrame([asdict(c) for c in self.contrasts])


@dataclass(frozen=True)
class EraTopic:
    """How much of a topic's prevalence the date explains, against tendency (see :func:`era_topics`)."""

    topic: int
    label: str
    era: bool
    r2: float
    r2_date: float
    r2_group: float
    date_share: float
    peak_year: float | None
    low_year: float | None
    n: int
    #: Share of date shuffles (within groups) whose smooth explains as much: the era flag needs it below alpha.
    p_date: float | None = None


@dataclass
class EraTopics:
    """Per topic the era flag and the figures behind it."""

    by: str
    topics: list[EraTopic]
    era_share: float
    min_r2: float
    covariates: list[str]
    n_docs: int
    permutations: int = 0
    alpha: float = 0.05

    @property
    def era(self) -> list[int]:
        """The ids of the era topics."""
        return [t.topic for t in self.topics if t.era]

    def to_dict(self) -> dict[str, Any]:
        return {**{k: v for k, v in asdict(self).items() if k != "topics"}, "era": self.era,
                "topics": [asdict(t) for t in self.topics]}

    def to_frame(self):
        import pandas as pd
        return pd.DataFrame([asdict(t) for t in self.topics])


# ----------------------------------------------------------------------------- the analyses
def _check_theta(theta: Any) -> np.ndarray:
    theta = np.asarray(theta, dtype=np.float64)
    if theta.ndim != 2 or theta.shape[1] < 1:
        raise InvalidParameterError(f"theta must be a documents x topics matrix (got shape {theta.shape})")
    finite = np.all(np.isfinite(theta), axis=1)
    if np.any(theta[finite] < 0):
        raise InvalidParameterError("theta holds negative shares: pass topic shares (rows summing to 1)")
    empty = finite & (np.where(finite[:, None], theta, 0).sum(axis=1) <= 0)
    if np.any(empty):  # a row of zeros is a document without shares
        theta = theta.copy()
        theta[empty] = np.nan
    return theta


def _labels(labels: Sequence[str] | None, k: int) -> list[str]:
    if labels is None:
        return [f"topic {t}" for t in range(k)]
    if len(labels) != k:
        raise InvalidParameterError(f"{len(labels)} labels for {k} topics")
    return list(labels)


def topic_effects(docs: DocumentTerms, theta: Any, by: str = "tendency", reference: str | None = None,
                  labels: Sequence[str] | None = None, pairs: str = "all", df: int = 4, outlet: bool = True,
                  draws: int = 20, seed: int = 0, concentration: float | Sequence[float] | None = None,
                  level: float = 0.95, min_docs: int = 3, min_clusters: int = 10,
                  within: str = "auto") -> TopicEffects:
    """Tendency contrasts of each topic's share, adjusted for date (and outlet), with 95 % intervals.

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
    theta : array of shape (n_docs, K)
        Each document's topic shares (NaN rows for documents the model did not cover).
    by : {"tendency", "outlet"}
        The grouping whose contrasts are estimated.
    reference : str, optional
        The reference group (default: the one with most documents).
    labels : sequence of str, optional
        Topic labels.
    pairs : {"all", "reference"}
        Every pair of groups, or each group against the reference only.
    df : int
        Degrees of freedom of the date's B-spline (fewer when there are few distinct dates).
    outlet : bool
        False: never adjust for outlet (as ``within="none"``).
    within : {"auto", "outlet", "none"}
        ``outlet``: outlet fixed effects, so each contrast compares the groups within outlets (the
        regression's pooling of the within-outlet differences); ``none``: across outlets; ``auto``: within
        outlets where the tendencies share them (:func:`nlp.design.label_design`), across where each outlet
        carries one tendency. Where the outlet is the unit the errors cluster by outlet (given at least
        ``min_clusters`` outlets) and ``caveats`` say what cannot be separated.
    draws : int
        Draws of the shares for the method of composition (0: the shares as given, model uncertainty ignored).
    seed : int
        Seed of the draws.
    concentration : float or sequence of float, optional
        Dirichlet concentration of each document's draws (default: its number of terms).
    level : float
        Coverage of the intervals.
    min_docs : int
        Groups with fewer documents are pooled into ``"(other)"`` (dropped if that is still too small).
    min_clusters : int
        Below this many clusters, heteroskedasticity-robust (HC1) errors replace cluster-robust ones.

    Returns
    -------
    TopicEffects

    Raises
    ------
    GroupError
        Fewer than two groups, or an unknown reference.
    InvalidParameterError, NlpError
    """
    theta = _check_theta(theta)
    if pairs not in ("all", "reference"):
        raise InvalidParameterError(f"pairs must be 'all' or 'reference' (got {pairs!r})")
    if draws < 0 or df < 0 or not 0 < level < 1:
        raise InvalidParameterError("draws and df must be >= 0 and level in (0, 1)")
    k = theta.shape[1]
    names = _labels(labels, k)
    if within not in WITHIN:
        raise InvalidParameterError(f"within must be one of {', '.join(WITHIN)} (got {within!r})", param="--within")
    design = _build_design(docs, theta, by, reference, df, within if outlet and within != "none" else False,
                           min_docs, min_clusters)
    if "group" not in design.blocks:
        raise GroupError(f"topic effects need at least two {by} groups with documents (got "
                         f"{', '.join(design.levels) or 'none'})")
    levels = design.levels
    contrast_pairs = [(a, levels[0]) for a in levels[1:]]
    if pairs == "all":
        contrast_pairs += [(a, b) for i, b in enumerate(levels[1:], 1) for a in levels[i + 1:]]
    cm = np.zeros((design.x.shape[1], len(contrast_pairs)))
    first = design.blocks["group"].start
    for j, (a, b) in enumerate(contrast_pairs):
        for name, sign in ((a, 1.0), (b, -1.0)):
            if name != levels[0]:
                cm[first + levels.index(name) - 1, j] += sign

    shares = theta[design.rows]
    shares = shares / shares.sum(axis=1, keepdims=True)
    if concentration is None:
        conc = np.array([docs.n_terms(i) for i in design.rows], dtype=np.float64)
    else:
        conc = np.broadcast_to(np.asarray(concentration, dtype=np.float64), (len(docs),))[design.rows]
    conc = np.maximum(conc, 1.0)
    rng = np.random.default_rng(seed)
    estimates, variances, df_complete = [], [], 0.0
    for _ in range(max(draws, 1)):
        y = draw_shares(shares, conc, rng) if draws else shares
        beta, resid, xtx_inv = _ols(design.x, y)
        var, df_complete = _contrast_variance(design.x, xtx_inv, resid, cm, design.clusters)
        estimates.append(cm.T @ beta)  # (P, K)
        variances.append(var)
    effect, total, dof = _rubin(np.array(estimates), np.array(variances), df_complete)
    from scipy import stats  # here, not at the top: a report drawn from stored effects needs no scipy.stats

    q = stats.t.ppf(0.5 + level / 2, np.where(np.isfinite(dof), dof, 1e9))
    se = np.sqrt(total)

    kept = [int(i) for i in design.rows]
    members: dict[str, list[int]] = {}
    for i, g in zip(kept, design.groups):
        members.setdefault(g, []).append(i)
    contrasts = []
    for j, (a, b) in enumerate(contrast_pairs):
        docs_ab = members[a] + members[b]
        n_authors = len({au for i in docs_ab for au in docs.authors[i]})
        for t in range(k):
            contrasts.append(EffectContrast(
                topic=t, label=names[t], group=a, versus=b, effect=float(effect[j, t]),
                lo=float(effect[j, t] - q[j, t] * se[j, t]), hi=float(effect[j, t] + q[j, t] * se[j, t]),
                se=float(se[j, t]), n=len(docs_ab), n_authors=n_authors))
    contrasts.sort(key=lambda c: (c.topic, levels.index(c.versus), levels.index(c.group)))
    return TopicEffects(by=by, reference=levels[0], levels={g: len(members[g]) for g in levels},
                        covariates=design.covariates, cluster_by=design.cluster_by, n_clusters=design.n_clusters,
                        draws=draws, seed=seed, n_docs=len(kept), contrasts=contrasts, dropped=design.dropped,
                        pooled=design.pooled, level=level, within=design.within,
                        design=design.labels.to_dict() if design.labels is not None else {},
                        caveats=_effect_caveats(design, min_clusters))


def _effect_caveats(design: _Design, min_clusters: int) -> list[str]:
    """What the contrasts cannot separate: outlets' house agendas where each outlet carries one tendency."""
    labels = design.labels
    if labels is None:
        return []
    if labels.unit == "outlet":
        how = "constant" if labels.constant_within_outlets else "nearly constant"
        errors = (f"with only {len(labels.by_outlet)} outlets the intervals (clustered by {design.cluster_by}) "
                  "do not allow for them" if len(labels.by_outlet) < min_clusters else
                  "the intervals are clustered by outlet")
        return [f"The tendency is {how} within outlets ({labels.summary()}): an effect may be an outlet's house "
                f"agenda as much as its tendency's, and {errors}"]
    if labels.kind == SHARED and design.within == "none":
        return [f"The tendencies share outlets ({', '.join(labels.shared)}) but are compared across them: each "
                "outlet's agenda is mixed into the contrasts (within='outlet' compares them within outlets)"]
    return []


def era_topics(docs: DocumentTerms, theta: Any, by: str = "tendency", labels: Sequence[str] | None = None,
               df: int = 4, outlet: bool = True, era_share: float = ERA_SHARE, min_r2: float = ERA_MIN_R2,
               min_docs: int = 3, permutations: int = ERA_PERMUTATIONS, alpha: float = ERA_ALPHA,
               seed: int = 0) -> EraTopics:
    """Flag the topics whose prevalence is explained mostly by period rather than by tendency.

    For each topic the shares are regressed on the same covariates as :func:`topic_effects`. The unique
    contribution of a block (the date smooth, the groups) is the R² lost when it is dropped, less the R² that
    as many pure-noise regressors would add on average (so a block of many columns gets no credit for its
    size); clipped at 0. A topic is an era topic when the date's unique contribution is at least
    ``era_share`` of the two together and at least ``min_r2``, **and** the date's contribution is larger than
    dates shuffled among the documents of each group (and outlet) give: its permutation ``p_date`` is below
    ``alpha``. Without that test, noise flagged a quarter of the topics (on the manifestos with dates
    shuffled within party: 1.6 to 2.4 of 8 on average, up to 6), so that a flag on every topic meant nothing.

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
    theta : array of shape (n_docs, K)
        Each document's topic shares (NaN rows for documents the model did not cover).
    by : {"tendency", "outlet"}
    labels : sequence of str, optional
    df, outlet, min_docs
        As in :func:`topic_effects`.
    era_share : float
        Default :data:`ERA_SHARE` (2/3: the date explains at least twice what tendency does).
    min_r2 : float
        Default :data:`ERA_MIN_R2` (0.05).
    permutations, alpha, seed : int, float, int
        Shuffles of the dates within each group (and outlet) for ``p_date`` (0: no test, every ``p_date``
        None), the level it must fall below, and the shuffles' seed.

    Returns
    -------
    EraTopics
        Per topic: ``era``, ``r2`` (full model), ``r2_date`` and ``r2_group`` (unique, adjusted),
        ``date_share``, ``p_date``, and the years where the fitted date curve peaks and bottoms out.
    """
    theta = _check_theta(theta)
    k = theta.shape[1]
    names = _labels(labels, k)
    design = _build_design(docs, theta, by, None, df, outlet, min_docs, min_clusters=1)
    y = theta[design.rows] / theta[design.rows].sum(axis=1, keepdims=True)
    n, p = design.x.shape
    beta, resid, _ = _ols(design.x, y)
    ssr = (resid ** 2).sum(axis=0)
    sst = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    sst = np.where(sst > 0, sst, np.inf)
    noise = ssr / max(n - p, 1)  # the residual variance: what one noise column would explain, on average

    def unique(block: str) -> np.ndarray:
        if block not in design.blocks:
            return np.zeros(k)
        cols = np.ones(p, dtype=bool)
        cols[design.blocks[block]] = False
        _, r, _ = _ols(design.x[:, cols], y)
        q = int((~cols).sum())
        return np.clip(((r ** 2).sum(axis=0) - ssr - q * noise) / sst, 0.0, None)

    r2_date, r2_group = unique("date"), unique("group")
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # many small products: BLAS threads only contend
        p_date = _date_permutation_p(design, docs.outlets, y, ssr, permutations, seed) if permutations else [None] * k
    peak, low = _date_extremes(design, beta)
    topics = []
    for t in range(k):
        both = r2_date[t] + r2_group[t]
        share = float(r2_date[t] / both) if both > 0 else 0.0
        beyond_chance = p_date[t] is None or p_date[t] < alpha
        topics.append(EraTopic(topic=t, label=names[t],
                               era=bool(share >= era_share and r2_date[t] >= min_r2 and beyond_chance),
                               r2=float(1 - ssr[t] / sst[t]), r2_date=float(r2_date[t]),
                               r2_group=float(r2_group[t]), date_share=share,
                               peak_year=peak[t], low_year=low[t], n=n, p_date=p_date[t]))
    return EraTopics(by=by, topics=topics, era_share=era_share, min_r2=min_r2, covariates=design.covariates,
                     n_docs=n, permutations=permutations, alpha=alpha)


def _date_permutation_p(design: _Design, outlets: Sequence[str], y: np.ndarray, ssr: np.ndarray,
                        permutations: int, seed: int) -> list[float | None]:
    """Per topic, the permutation p of the date smooth's contribution: the share of shuffles of the dates
    among the documents of each group (and outlet, when it is a covariate) whose smooth explains at least as
    much. By Frisch-Waugh-Lovell the contribution is the sum of squares of the shares, residualised on the
    other covariates, that the residualised date smooth explains; only the smooth is shuffled and
    residualised again (n x columns work per shuffle, not a whole regression per topic)."""
    if "date" not in design.blocks:
        return [None] * y.shape[1]
    cols = np.ones(design.x.shape[1], dtype=bool)
    cols[design.blocks["date"]] = False
    others, date = design.x[:, cols], design.x[:, design.blocks["date"]]
    project = np.linalg.pinv(others)  # (others' columns, n): residualising is x - others @ (project @ x)
    y_rest = y - others @ (project @ y)

    def explained(d: np.ndarray) -> np.ndarray:  # per topic b' G^+ b, G = D'D and b = D'y of the residuals
        d_rest = d - others @ (project @ d)
        b = d_rest.T @ y_rest
        return (b * (np.linalg.pinv(d_rest.T @ d_rest) @ b)).sum(axis=0)

    observed = explained(date)
    with_outlet = "outlet" in design.blocks
    keys = [f"{g}\0{outlets[i] if with_outlet else ''}" for g, i in zip(design.groups, design.rows)]
    _, code = np.unique(keys, return_inverse=True)
    members = [np.flatnonzero(code == c) for c in range(code.max() + 1)]
    rng = np.random.default_rng(seed)
    hits = np.zeros(y.shape[1])
    order = np.arange(len(code))
    for _ in range(permutations):
        for m in members:
            order[m] = m[rng.permutation(len(m))]
        hits += explained(date[order]) >= observed - 1e-12
    return [round(float((1 + h) / (1 + permutations)), 4) for h in hits]


def _date_extremes(design: _Design, beta: np.ndarray) -> tuple[list[float | None], list[float | None]]:
    """Per topic, the years (over the observed range) where the fitted date smooth is highest and lowest."""
    k = beta.shape[1]
    if design.spline is None:
        return [None] * k, [None] * k
    import patsy

    grid = np.linspace(design.years.min(), design.years.max(), 200)
    basis = np.asarray(patsy.build_design_matrices([design.spline], {"t": grid})[0])
    curve = basis @ beta[design.blocks["date"]]  # (200, K)
    return ([round(float(grid[i]), 1) for i in curve.argmax(axis=0)],
            [round(float(grid[i]), 1) for i in curve.argmin(axis=0)])
