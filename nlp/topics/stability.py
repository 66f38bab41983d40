"""Topic stability: do the same topics come back when only the seed changes?

LDA finds a local optimum that depends on its random start. Fitting the same K on the same prepared corpus
with several seeds and matching the topics across fits says which topics are robust (they come back almost
word for word) and which are an accident of one start (they split, merge or vanish).

Method (see ``docs/topic-trust.md``):

- **Similarity of two topics** = 1 - the Jensen-Shannon divergence (base 2) of their topic-term
  distributions, over the whole shared vocabulary. It lies in [0, 1]: 1 for identical distributions, 0 for
  distributions with no term in common. Whole distributions rather than top-N lists, so that no cut-off
  decides the answer and a topic whose top terms merely reorder still scores high.
- **Matching** of the topics of two fits: the Hungarian algorithm
  (:func:`scipy.optimize.linear_sum_assignment`) on the K x K distance matrix, a one-to-one assignment that
  maximises the total similarity (greedy best-match would let two topics claim the same partner).
- **Stability** of a topic of the reference fit (the first) = the mean similarity to its matches in the
  other fits; the overall stability is the mean over topics.

:func:`match_topics` and :func:`topic_stability` are pure functions of topic-term matrices;
:func:`fit_seeds` fits the seeds (in parallel processes when ``n_jobs > 1``, with the same results as
serially) and :func:`assess_stability` puts it together as a :class:`TopicStability`.
"""
from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from nlp.errors import InvalidParameterError
from nlp.topics.model import TopicModel

__all__ = ["match_topics", "similarity_matrix", "align_vocabularies", "topic_stability", "fit_seeds", "start_seeds",
           "assess_stability", "TopicStability", "SeedFit", "DEFAULT_SEEDS"]

log = logging.getLogger(__name__)

#: Seeds fitted when none are given: the run's seed and the next two.
DEFAULT_SEEDS = 3
#: How the seeds' LDA E-step is computed: "blocked" (:class:`nlp.topics.estep.BlockedLdaModel`, gensim's fit to
#: float rounding at about a third of the CPU) or "gensim" (``LdaModel`` itself).
ESTEP = "blocked"


# ----------------------------------------------------------------------------- pure functions
def _as_distributions(phi: Any, name: str) -> np.ndarray:
    phi = np.asarray(phi, dtype=np.float64)
    if phi.ndim != 2 or phi.shape[0] == 0 or phi.shape[1] == 0:
        raise InvalidParameterError(f"{name} must be a non-empty topics x terms matrix (got shape {phi.shape})")
    if not np.all(np.isfinite(phi)) or np.any(phi < 0):
        raise InvalidParameterError(f"{name} must hold finite, non-negative term weights")
    sums = phi.sum(axis=1, keepdims=True)
    if np.any(sums <= 0):
        raise InvalidParameterError(f"{name} has a topic with no weight on any term")
    return phi / sums


def similarity_matrix(phi_a: Any, phi_b: Any) -> np.ndarray:
    """1 - Jensen-Shannon divergence (base 2) between every topic of ``phi_a`` and every topic of ``phi_b``.

    Parameters
    ----------
    phi_a, phi_b : array of shape (K_a, V) and (K_b, V)
        Topic-term weights over the same vocabulary (rows are normalised to sum to 1).

    Returns
    -------
    ndarray of shape (K_a, K_b)
        Similarities in [0, 1].
    """
    a, b = _as_distributions(phi_a, "phi_a"), _as_distributions(phi_b, "phi_b")
    if a.shape[1] != b.shape[1]:
        raise InvalidParameterError(f"the two fits have different vocabularies ({a.shape[1]} and {b.shape[1]} "
                                    "terms): fit every seed on the same prepared corpus")
    # JSD = H(m) - (H(p) + H(q)) / 2, m = (p + q) / 2, H = -sum x log2 x (0 log 0 = 0)
    neg_h_b = _plogp(b).sum(axis=1)
    out = np.empty((a.shape[0], b.shape[0]))
    for i, p in enumerate(a):
        out[i] = -_plogp(0.5 * (p[None, :] + b)).sum(axis=1) + 0.5 * (_plogp(p).sum() + neg_h_b)
    return 1.0 - np.clip(out, 0.0, 1.0)


def align_vocabularies(phi_a: Any, vocab_a: Sequence[str], phi_b: Any, vocab_b: Sequence[str]
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Two fits' topic-term weights over the union of their vocabularies (a term one fit lacks weighs 0 there),
    so that fits with different dictionaries — one on a sample, one on every document — can be matched.

    Returns
    -------
    phi_a, phi_b : ndarray of shape (K_a, V) and (K_b, V)
        Columns in the order of ``vocab_a``, then the terms only ``vocab_b`` has.
    """
    index = {t: i for i, t in enumerate(vocab_a)}
    for t in vocab_b:
        index.setdefault(t, len(index))
    a, b = np.asarray(phi_a, dtype=np.float64), np.asarray(phi_b, dtype=np.float64)
    out_a, out_b = np.zeros((a.shape[0], len(index))), np.zeros((b.shape[0], len(index)))
    out_a[:, :a.shape[1]] = a
    out_b[:, [index[t] for t in vocab_b]] = b
    return out_a, out_b


def _plogp(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x * np.log2(np.where(x > 0, x, 1.0)), 0.0)


def match_topics(phi_a: Any, phi_b: Any) -> tuple[np.ndarray, np.ndarray]:
    """Match each topic of fit A to one topic of fit B (the Hungarian algorithm on 1 - similarity).

    Parameters
    ----------
    phi_a, phi_b : array of shape (K, V)
        Topic-term weights of two fits over the same vocabulary.

    Returns
    -------
    matches : ndarray of int, shape (K,)
        ``matches[i]`` is the topic of B matched to topic ``i`` of A (a permutation when both have K topics).
    similarity : ndarray of float, shape (K,)
        The similarity (1 - Jensen-Shannon divergence) of each matched pair.
    """
    sim = similarity_matrix(phi_a, phi_b)
    matches = _assign(sim)
    return matches, sim[np.arange(sim.shape[0]), matches]


def _assign(sim: np.ndarray) -> np.ndarray:
    if sim.shape[0] != sim.shape[1]:
        raise InvalidParameterError(f"the two fits have different numbers of topics ({sim.shape[0]} and "
                                    f"{sim.shape[1]}): compare fits of the same K")
    rows, cols = linear_sum_assignment(1.0 - sim)
    matches = np.empty(sim.shape[0], dtype=np.int64)
    matches[rows] = cols
    return matches


def topic_stability(phis: Sequence[Any], reference: int = 0) -> list[float]:
    """Each topic's stability across fits: its mean similarity to its matches in the other fits.

    Parameters
    ----------
    phis : sequence of arrays of shape (K, V)
        Topic-term weights of two or more fits of the same K over the same vocabulary.
    reference : int
        The fit whose topics are scored (the others are matched to it).

    Returns
    -------
    list of float
        One value in [0, 1] per topic of the reference fit (1: the topic comes back identically every time).
    """
    _, sims, _ = _match_all(phis, reference)
    return [float(v) for v in sims.mean(axis=0)]


def _match_all(phis: Sequence[Any], reference: int) -> tuple[np.ndarray, np.ndarray, float | None]:
    """``(matches, similarity)`` of the reference's topics in each other fit, arrays (n_fits - 1, K), and the
    mean similarity of the pairs left unmatched (None for K = 1)."""
    if len(phis) < 2:
        raise InvalidParameterError(f"stability needs at least two fits (got {len(phis)}): give two or more "
                                    "seeds", param="--seeds")
    if not 0 <= reference < len(phis):
        raise InvalidParameterError(f"reference fit {reference} is not one of the {len(phis)} fits")
    matches, sims, unmatched = [], [], []
    for j, phi in enumerate(phis):
        if j == reference:
            continue
        sim = similarity_matrix(phis[reference], phi)
        m = _assign(sim)
        matched = np.zeros_like(sim, dtype=bool)
        matched[np.arange(len(m)), m] = True
        matches.append(m)
        sims.append(sim[np.arange(len(m)), m])
        unmatched.append(sim[~matched])
    rest = np.concatenate(unmatched)
    return np.array(matches), np.array(sims), float(rest.mean()) if rest.size else None


# ----------------------------------------------------------------------------- fitting several seeds
@dataclass
class SeedFit:
    """One fit of :func:`fit_seeds`: its seed, topic-term matrix, topic descriptions, fit time and the fitted
    :class:`~nlp.topics.model.TopicModel` (for the documents' shares: ``model.transform(corpus)``)."""

    seed: int
    phi: np.ndarray
    topics: list[dict[str, Any]]
    seconds: float
    model: TopicModel | None = field(default=None, repr=False, compare=False)


def _fit_one(payload: tuple[Any, Any, int, int, dict[str, Any]]) -> SeedFit:
    """One seed's fit (a task: pure, BLAS held to one thread so a fit gives the same floats anywhere)."""
    from threadpoolctl import threadpool_limits

    corpus, dictionary, k, seed, params = payload
    if isinstance(corpus, str):  # a Matrix Market path
        from gensim.corpora import MmCorpus
        corpus = MmCorpus(corpus)
    params = dict(params)
    estep = params.pop("estep", ESTEP)
    t0 = time.perf_counter()
    with threadpool_limits(limits=1):
        model = TopicModel(k=k, random_state=seed, **params).fit(corpus, dictionary, estep=estep)
    return SeedFit(seed=seed, phi=model.model_.get_topics(), topics=model.topics_,
                   seconds=time.perf_counter() - t0, model=model)


def _portable_corpus(corpus: Any) -> Any:
    """What a task can carry to any worker: a CSR matrix of an ``MmCorpus`` (read back as the same documents
    by :class:`nlp.topics.fit.RowsCorpus`), else the documents as a list."""
    from gensim.corpora import MmCorpus

    if isinstance(corpus, MmCorpus):
        from scipy.io import mmread

        from nlp.topics.bags import RowsCorpus

        return RowsCorpus(mmread(str(corpus.input)).tocsr())
    return corpus if isinstance(corpus, list) else [list(doc) for doc in corpus]


def fit_seeds(corpus: Iterable, dictionary: Any, k: int, seeds: Sequence[int] | int = DEFAULT_SEEDS,
              n_jobs: int = 1, progress: Callable[[int, int], Any] | None = None, executor: Any = None,
              **params: Any) -> list[SeedFit]:
    """Fit the same K once per seed on one prepared corpus.

    Parameters
    ----------
    corpus : iterable
        A re-iterable bag-of-words corpus (e.g. ``PreparedCorpus.corpus()``, a gensim ``MmCorpus``).
    dictionary : gensim.corpora.Dictionary
    k : int
        Number of topics.
    seeds : sequence of int, or int
        The seeds; an int ``n`` means seeds ``0 .. n-1``.
    n_jobs : int
        Without an ``executor``: fit this many seeds at a time, each in its own process (1: one after another
        in this process).
    progress : callable, optional
        ``progress(done, total)`` after each fit.
    executor : nlp.parallel.Executor, optional
        Where the fits run (the run's processes or Dask workers). Each fit is a single-process ``LdaModel``,
        so the results do not depend on where or how many at a time they run.
    **params
        Other :class:`~nlp.topics.model.TopicModel` parameters (``passes``, ``iterations``, ``alpha``,
        ``chunksize``, ``topn``, ``seed_words``...), and ``estep`` (default :data:`ESTEP`, "blocked": gensim's
        ``LdaModel`` with its E-step a block of documents at a time, the same topics to float rounding;
        "gensim": ``LdaModel`` itself). ``workers`` is not allowed (``LdaMulticore`` is not reproducible).

    Returns
    -------
    list of SeedFit
        In the order of ``seeds``.
    """
    from nlp.parallel import local_executor

    seeds, params = _checked(seeds, params)
    if n_jobs < 1:
        raise InvalidParameterError(f"n_jobs must be at least 1 (got {n_jobs})", param="--jobs")
    source = _portable_corpus(corpus) if (executor is not None or n_jobs > 1) and len(seeds) > 1 else corpus
    fits: list[SeedFit | None] = [None] * len(seeds)
    with local_executor(executor, min(n_jobs, len(seeds))) as ex:
        chunks = ((i, (source, dictionary, k, seed, params)) for i, seed in enumerate(seeds))
        for done, (i, fit) in enumerate(ex.map_chunks(_fit_one, chunks), 1):
            fits[i] = fit
            if progress:
                progress(done, len(seeds))
    log.info("fitted K=%d with seeds %s (%.1fs of fitting)", k, seeds, sum(f.seconds for f in fits if f))
    return fits  # type: ignore[return-value]


def _checked(seeds: Sequence[int] | int, params: dict[str, Any]) -> tuple[list[int], dict[str, Any]]:
    """The seeds as a list and the fit parameters without ``workers``, or an error for what cannot be fitted."""
    seeds = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if len(seeds) < 1:
        raise InvalidParameterError("give at least one seed", param="--seeds")
    if len(set(seeds)) != len(seeds):
        raise InvalidParameterError(f"seeds must differ (got {seeds})", param="--seeds")
    if params.get("workers", 1) != 1:
        raise InvalidParameterError("stability fits are single-process LdaModel fits (reproducible): drop "
                                    "workers and use n_jobs to fit seeds in parallel", param="--workers")
    return seeds, {k: v for k, v in params.items() if k != "workers"}


def start_seeds(corpus: Any, dictionary: Any, k: int, seeds: Sequence[int], executor: Any = None,
                **params: Any) -> Callable[[], list[SeedFit]]:
    """Start fitting ``seeds`` beside other work, and return a function that waits for them (as
    :func:`fit_seeds` would give them).

    With an ``executor`` that has workers (``Executor.submit``: local processes) the fits start on them now,
    while the caller goes on (fitting the run's own model, say); otherwise they are fitted in this process when
    asked for. Each fit is a single-process seeded ``LdaModel``, so where it runs changes nothing.

    Parameters
    ----------
    corpus : sequence
        A bag-of-words corpus a task can carry (:class:`nlp.topics.bags.RowsCorpus`, or a list).
    dictionary, k, seeds, **params
        As :func:`fit_seeds`.
    executor : nlp.parallel.Executor, optional

    Returns
    -------
    callable
        ``wait() -> list of SeedFit``, in the order of ``seeds``.
    """
    from nlp.parallel import InProcessExecutor

    seeds, params = _checked(seeds, params)
    ex = executor if executor is not None else InProcessExecutor()
    pending = [ex.submit(_fit_one, (corpus, dictionary, k, seed, params)) for seed in seeds]

    def wait() -> list[SeedFit]:
        fits = [p.result() for p in pending]
        log.info("fitted K=%d with seeds %s beside (%.1fs of fitting)", k, seeds, sum(f.seconds for f in fits))
        return fits

    return wait


# ----------------------------------------------------------------------------- the result
@dataclass
class TopicStability:
    """Stability of each topic of the reference fit across seeds.

    Attributes
    ----------
    k : int
    seeds : list of int
        The seeds, the reference's first.
    stability : list of float
        Per topic of the reference fit, the mean similarity (1 - Jensen-Shannon divergence) to its matches.
    matches : list of list of int
        ``matches[j][t]``: the topic of the fit of ``seeds[j + 1]`` matched to topic ``t``.
    similarities : list of list of float
        The similarity of each of those matches.
    baseline : float or None
        The mean similarity of the pairs of topics the matching left apart: what two *different* topics of
        this corpus score, the floor against which to read :attr:`stability` (None when K = 1).
    labels : list of str
        The reference fit's topic labels (empty if not known).
    """

    k: int
    seeds: list[int]
    stability: list[float]
    matches: list[list[int]]
    similarities: list[list[float]]
    baseline: float | None = None
    labels: list[str] = field(default_factory=list)
    measure: str = "1 - Jensen-Shannon divergence (base 2) of topic-term distributions"

    @property
    def mean(self) -> float:
        """The overall stability: the mean over topics."""
        return float(np.mean(self.stability))

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "mean": self.mean}

    def to_frame(self):
        """One row per topic of the reference fit: ``topic``, ``label``, ``stability``, and per other seed the
        matched topic and its similarity."""
        import pandas as pd

        rows = []
        for t in range(self.k):
            row: dict[str, Any] = {"topic": t, "label": self.labels[t] if self.labels else None,
                                   "stability": self.stability[t]}
            for j, seed in enumerate(self.seeds[1:]):
                row[f"match_seed_{seed}"] = self.matches[j][t]
                row[f"similarity_seed_{seed}"] = self.similarities[j][t]
            rows.append(row)
        return pd.DataFrame(rows)


def assess_stability(fits: Sequence[SeedFit] | Sequence[Any], seeds: Sequence[int] | None = None,
                     labels: Sequence[str] | None = None) -> TopicStability:
    """Stability of the first fit's topics against the others.

    Parameters
    ----------
    fits : sequence of SeedFit, or of topic-term arrays
        Two or more fits of the same K on the same corpus (e.g. from :func:`fit_seeds`).
    seeds : sequence of int, optional
        The fits' seeds (taken from :class:`SeedFit` when not given; else ``0, 1, ...``).
    labels : sequence of str, optional
        The reference fit's topic labels (taken from :class:`SeedFit` when not given).

    Returns
    -------
    TopicStability
    """
    phis = [f.phi if isinstance(f, SeedFit) else np.asarray(f) for f in fits]
    matches, sims, baseline = _match_all(phis, 0)
    if seeds is None:
        seeds = [f.seed for f in fits] if all(isinstance(f, SeedFit) for f in fits) else list(range(len(fits)))
    if labels is None and isinstance(fits[0], SeedFit):
        labels = [t["label"] for t in fits[0].topics]
    return TopicStability(k=int(phis[0].shape[0]), seeds=[int(s) for s in seeds],
                          stability=[float(v) for v in sims.mean(axis=0)],
                          matches=matches.tolist(), similarities=sims.tolist(), baseline=baseline,
                          labels=list(labels or []))
