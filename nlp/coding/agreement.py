"""Agreement between coders: Krippendorff's alpha per variable, with a bootstrap interval over units.

α = 1 − D_o / D_e from the coincidence matrix of all pairable values (Krippendorff 2004; METHODS.md): each
unit (article) with m ≥ 2 codes adds its m(m−1) ordered pairs of values, weighted 1/(m−1); nominal,
ordinal and interval variables differ only in the distance between two values. Codes may be missing (a
coder who did not code an article). The computation is the ``krippendorff`` package's, on the value counts
of each unit; the interval resamples units with replacement (a percentile bootstrap, seeded), so an
article counts once however many coders read it.

Beside α: the agreement of each pair of coders (the share of their shared articles given the same value, and
their α), and the articles whose coders disagree. Reading: α ≥ 0.80 reliable; 0.667–0.80 for tentative
conclusions only; below that the coding cannot be relied on.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Mapping, Sequence

import krippendorff
import numpy as np

log = logging.getLogger(__name__)

#: Bootstrap replicates behind an interval, and its level.
REPLICATES = 1000
LEVEL = 0.95
RELIABLE, TENTATIVE = 0.80, 0.667


@dataclass
class VariableAgreement:
    """Krippendorff's alpha of one variable, with its interval and what it rests on.

    Attributes
    ----------
    alpha, lo, hi : float or None
        ``None`` when alpha is undefined (no article with two codes, or a single value used throughout).
    n_units : int
        Articles with at least two codes (the pairable ones alpha rests on).
    n_coded : int
        Articles with any code.
    n_coders : int
    n_pairable_values : int
        Codes on the pairable articles.
    percent_agreement : float or None
        Share of pairable articles whose coders all gave the same value.
    pairwise : list of dict
        Per pair of coders: ``{"coders", "n_units", "agreement", "alpha"}``.
    """

    variable: str
    level: str
    alpha: float | None
    lo: float | None
    hi: float | None
    n_units: int
    n_coded: int
    n_coders: int
    n_pairable_values: int
    percent_agreement: float | None
    pairwise: list[dict[str, Any]] = field(default_factory=list)
    replicates: int = REPLICATES
    seed: int = 0
    note: str | None = None

    @property
    def reading(self) -> str:
        if self.alpha is None:
            return "undefined"
        return ("reliable" if self.alpha >= RELIABLE else "tentative conclusions only" if self.alpha >= TENTATIVE
                else "unreliable")

    def to_dict(self) -> dict[str, Any]:
        out = {"variable": self.variable, "level": self.level, "alpha": _r(self.alpha), "lo": _r(self.lo),
               "hi": _r(self.hi), "n_units": self.n_units, "n_coded": self.n_coded, "n_coders": self.n_coders,
               "n_pairable_values": self.n_pairable_values, "percent_agreement": _r(self.percent_agreement),
               "reading": self.reading, "pairwise": self.pairwise,
               "interval": {"method": "percentile bootstrap over units (articles)", "level": LEVEL,
                            "replicates": self.replicates, "seed": self.seed}}
        if self.note:
            out["note"] = self.note
        return out


def _r(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


def value_counts(units: Sequence[Mapping[str, Any]], domain: Sequence[Any]) -> np.ndarray:
    """Units x values: how many coders gave each value of ``domain`` to each unit (``units``: coder -> value)."""
    index = {v: j for j, v in enumerate(domain)}
    counts = np.zeros((len(units), len(domain)), dtype=np.int64)
    for i, unit in enumerate(units):
        for value in unit.values():
            counts[i, index[value]] += 1
    return counts


def alpha_of_counts(counts: np.ndarray, domain: Sequence[Any], level: str) -> float | None:
    """Krippendorff's alpha of a units x values count matrix (``None`` when undefined)."""
    pairable = counts[counts.sum(axis=1) >= 2]
    if len(pairable) == 0 or np.count_nonzero(pairable.sum(axis=0)) < 2:
        return None  # nothing to pair, or every pairable code the same value: no expected disagreement
    value = krippendorff.alpha(value_counts=pairable, value_domain=np.asarray(domain),
                               level_of_measurement=level)
    return float(value) if np.isfinite(value) else None


def coincidences(counts: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """The coincidence matrix of pairable units (rows of ``counts`` with two codes or more), each unit
    counted ``weights`` times: o = Σ_u w_u (c_u c_uᵀ − diag c_u) / (m_u − 1)."""
    m = counts.sum(axis=1)
    a = (np.ones(len(counts)) if weights is None else weights) / np.maximum(m - 1, 1) * (m >= 2)
    x = counts.astype(float)
    return (x * a[:, None]).T @ x - np.diag(a @ x)


def alpha_of_coincidences(o: np.ndarray, domain: Sequence[Any], level: str) -> float:
    """1 − D_o / D_e from a coincidence matrix (NaN when D_e is 0): the bootstrap's fast path, equal to
    ``krippendorff.alpha`` on the same units (the tests check it)."""
    n_v = o.sum(axis=0)
    n = n_v.sum()
    if n <= 1:
        return float("nan")
    e = (np.outer(n_v, n_v) - np.diag(n_v)) / (n - 1)
    if level == "nominal":
        d = 1.0 - np.eye(len(n_v))
    elif level == "interval":
        x = np.asarray(domain, dtype=float)
        d = (x[:, None] - x[None, :]) ** 2
    elif level == "ordinal":
        cum = np.concatenate([[0.0], np.cumsum(n_v)])
        lo, hi = np.minimum.outer(np.arange(len(n_v)), np.arange(len(n_v))), \
            np.maximum.outer(np.arange(len(n_v)), np.arange(len(n_v)))
        d = (cum[hi + 1] - cum[lo] - (n_v[lo] + n_v[hi]) / 2) ** 2
    else:
        raise ValueError(f"unknown level {level!r}")
    expected = (e * d).sum()
    return float(1 - (o * d).sum() / expected) if expected > 0 else float("nan")


def bootstrap_alpha(counts: np.ndarray, domain: Sequence[Any], level: str, replicates: int = REPLICATES,
                    seed: int = 0, confidence: float = LEVEL) -> tuple[float | None, float | None]:
    """Percentile interval of alpha over pairable units resampled with replacement (seeded).

    A replicate weighs each unit by the number of times it was drawn; its coincidence matrix is then one
    product of the value counts (:func:`coincidences`), so a thousand replicates over thousands of units take
    a fraction of a second.
    """
    pairable = counts[counts.sum(axis=1) >= 2]
    if replicates <= 0 or len(pairable) < 2:
        return None, None
    rng = np.random.default_rng(seed)
    n = len(pairable)
    draws = np.array([alpha_of_coincidences(coincidences(pairable, np.bincount(rng.integers(0, n, n), minlength=n)),
                                            domain, level) for _ in range(replicates)])
    if np.isnan(draws).all():
        return None, None
    tail = (1 - confidence) / 2
    return float(np.nanquantile(draws, tail)), float(np.nanquantile(draws, 1 - tail))


def domain_of(values: Sequence[str], categories: Sequence[str], numeric: bool) -> list[Any]:
    """The ordered value domain: the categories in the codebook's order (then any other value seen), or the
    sorted numbers."""
    if numeric:
        return sorted({float(v) for v in values})
    return list(categories) + sorted(set(values) - set(categories))


def agreement(units: Mapping[str, Mapping[str, str]], variable: str, level: str = "nominal",
              categories: Sequence[str] = (), numeric: bool = False, replicates: int = REPLICATES,
              seed: int = 0) -> VariableAgreement:
    """Krippendorff's alpha of one variable, with its bootstrap interval and each pair of coders' agreement.

    Parameters
    ----------
    units : mapping of str to mapping of str to str
        Per article id, each coder's value (as stored: a category or a number as text).
    variable : str
    level : {"nominal", "ordinal", "interval"}
        Sets the distance between values. An ordinal variable with categories orders them as ``categories``.
    categories : sequence of str
        The codebook's categories (its value domain, in order).
    numeric : bool
        The values are numbers.
    replicates, seed
        The bootstrap behind the interval.
    """
    cast = (lambda v: float(v)) if numeric else (lambda v: v)  # noqa: E731
    rows = [{c: cast(v) for c, v in unit.items()} for unit in units.values()]
    all_values = [v for unit in units.values() for v in unit.values()]
    domain = domain_of(all_values, categories, numeric)
    counts = value_counts(rows, domain)
    pairable = counts.sum(axis=1) >= 2
    coders = sorted({c for unit in units.values() for c in unit})
    a = alpha_of_counts(counts, domain, level)
    lo, hi = bootstrap_alpha(counts, domain, level, replicates, seed) if a is not None else (None, None)
    same = [len(set(r.values())) == 1 for r, p in zip(rows, pairable) if p]
    note = None
    if not pairable.any():
        note = "no article has codes from two coders: alpha needs articles coded twice"
    elif a is None:
        note = "every code of the articles coded twice is the same value: alpha is undefined (no variation)"
    pairwise = []
    for c1, c2 in combinations(coders, 2):
        shared = [r for r in rows if c1 in r and c2 in r]
        pair_counts = value_counts([{c1: r[c1], c2: r[c2]} for r in shared], domain)
        pairwise.append({"coders": [c1, c2], "n_units": len(shared),
                         "agreement": _r(float(np.mean([r[c1] == r[c2] for r in shared]))) if shared else None,
                         "alpha": _r(alpha_of_counts(pair_counts, domain, level)) if shared else None})
    log.info("agreement on %s: alpha %s over %d units", variable, a, int(pairable.sum()))
    return VariableAgreement(variable=variable, level=level, alpha=a, lo=lo, hi=hi, n_units=int(pairable.sum()),
                             n_coded=len(rows), n_coders=len(coders),
                             n_pairable_values=int(counts[pairable].sum()),
                             percent_agreement=float(np.mean(same)) if same else None, pairwise=pairwise,
                             replicates=replicates, seed=seed, note=note)
