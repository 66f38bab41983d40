"""The topic model: LDA (gensim) with the scikit-learn estimator contract, FREX labels and guided topics
(coherence: :mod:`nlp.topics.coherence`)."""
from __future__ import annotations

import functools
import logging
import math
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from corpus.tomlfile import read_toml
from nlp.estimator import Estimator
from nlp.errors import InvalidParameterError, VocabularyError
from nlp.parallel import Executor, InProcessExecutor
from nlp.text.vocabulary import normalise_term

log = logging.getLogger(__name__)


def check_k(k: int, n_docs: int) -> None:
    """K must be at least 2 and at most the number of documents."""
    if k < 2:
        raise InvalidParameterError(f"K must be at least 2 (got {k})", param="--k")
    if k > n_docs:
        raise InvalidParameterError(f"K = {k} is more than the number of documents ({n_docs}): choose K of "
                                    f"at most {n_docs}", param="--k")



def load_seed_words(source: str | Path | dict[str, Sequence[str]] | None) -> dict[str, list[str]]:
    """Read guided-topic seed words: a TOML file ``name = ["word", ...]`` (or ``[name] words = [...]``).

    Multi-word seeds are written as the pipeline emits them (``"community wealth building"`` ->
    ``community_wealth_building``).
    """
    if source is None:
        return {}
    if isinstance(source, dict):
        data: dict[str, Any] = dict(source)
    else:
        data = read_toml(source, "seed-words file", VocabularyError)
        data = data.get("topics", data)
    seeds: dict[str, list[str]] = {}
    for name, words in data.items():
        if isinstance(words, dict):
            words = words.get("words", [])
        if isinstance(words, str):
            words = words.split()
        if not isinstance(words, (list, tuple)) or not words:
            raise VocabularyError(f"seed topic {name!r} needs a list of words")
        seeds[str(name)] = [normalise_term(str(w)) for w in words]
    return seeds



def seed_eta(seeds: dict[str, list[str]], dictionary: Any, k: int, strength: float = 200.0
             ) -> tuple[np.ndarray, dict[str, list[str]]]:
    """Eta priors for guided topics: seeded topic i gets ``strength`` times the base prior on its seed
    words, the other topics a hundredth of it. Topic i is the i-th seed topic. Returns (eta, missing)."""
    if len(seeds) > k:
        raise InvalidParameterError(f"{len(seeds)} seeded topics do not fit in K = {k}: raise --k", param="--k")
    base = 1.0 / k
    eta = np.full((k, len(dictionary)), base, dtype=np.float64)
    missing: dict[str, list[str]] = {}
    for i, (name, words) in enumerate(seeds.items()):
        for word in words:
            wid = dictionary.token2id.get(word)
            if wid is None:
                missing.setdefault(name, []).append(word)
                continue
            eta[:, wid] = base / 100
            eta[i, wid] = base * strength
    for name, words in missing.items():
        log.warning("seed words of %r not in the modelled vocabulary: %s", name, ", ".join(words))
    return eta, missing



def frex_scores(topic_word: np.ndarray, weight: float = 0.5) -> np.ndarray:
    """FREX (Bischof & Airoldi; stm's ``labelTopics``): harmonic mean of the ECDF ranks of a word's
    exclusivity to a topic and its frequency in it. ``topic_word`` rows are topic-word distributions."""
    from scipy.stats import rankdata

    exclusivity = topic_word / np.maximum(topic_word.sum(axis=0, keepdims=True), 1e-300)
    n = topic_word.shape[1]
    excl_rank = rankdata(exclusivity, axis=1) / n
    freq_rank = rankdata(topic_word, axis=1) / n
    return 1.0 / (weight / excl_rank + (1 - weight) / freq_rank)



#: Online updates of the topics a default-length fit makes in all: ``passes`` x chunks per pass. Ten passes over
#: 10,000 documents in chunks of 2,000 make 50; a larger corpus reaches them in fewer passes (docs/benchmarks.md,
#: "Passes on a large corpus").
AUTO_UPDATES = 50


def auto_passes(n_docs: int, chunksize: int = 2000, most: int = 10, least: int = 2,
                updates: int = AUTO_UPDATES) -> int:
    """Passes for a fit of ``n_docs`` documents: ``most`` on a corpus of up to ``updates x chunksize / most``
    documents, then as many as make about ``updates`` online updates in all, never fewer than ``least``.

    Online LDA (Hoffman, Blei and Bach 2010) updates the topics once per chunk, with a step size that shrinks
    with the number of updates made: on a large corpus one pass already makes many updates over fresh
    documents, and repeating it changes the topics less than a different seed does.

    >>> auto_passes(2_000), auto_passes(10_000), auto_passes(25_000), auto_passes(50_000), auto_passes(10**6)
    (10, 10, 4, 2, 2)
    """
    chunks = max(1, math.ceil(n_docs / chunksize))
    return max(least, min(most, math.ceil(updates / chunks)))


class TopicModel(Estimator):
    """LDA with the scikit-learn contract: parameters in ``__init__``, ``fit`` returns ``self``, learnt
    attributes end in ``_``; ``get_params`` / ``set_params`` / ``sklearn.base.clone`` work.

    Parameters
    ----------
    k : int
        Number of topics.
    random_state : int
        Seed (reproducible with ``workers=1``).
    passes, iterations, chunksize : int
        gensim training parameters.
    alpha : str
        Document-topic prior (``"auto"`` learns an asymmetric prior; ``LdaMulticore`` falls back to
        ``"symmetric"``).
    workers : int
        1: ``LdaModel`` (reproducible); more: ``LdaMulticore`` (not reproducible).
    seed_words : dict, optional
        Guided topics: ``{name: [word, ...]}``; topic i is the i-th name.
    seed_strength : float
    topn : int
        Terms per topic (labels, coherence).

    Attributes
    ----------
    model_, dictionary_, topics_, seed_words_missing_
    """

    def __init__(self, k: int = 10, random_state: int = 0, passes: int = 10, iterations: int = 100,
                 chunksize: int = 2000, alpha: str = "auto", workers: int = 1,
                 seed_words: dict[str, list[str]] | None = None, seed_strength: float = 200.0, topn: int = 10):
        self.k, self.random_state, self.passes, self.iterations = k, random_state, passes, iterations
        self.chunksize, self.alpha, self.workers = chunksize, alpha, workers
        self.seed_words, self.seed_strength, self.topn = seed_words, seed_strength, topn

    @property
    def reproducible(self) -> bool:
        return self.workers <= 1

    @property
    def effective_alpha(self) -> str:
        return "symmetric" if self.workers > 1 and self.alpha == "auto" else self.alpha

    def fit(self, corpus: Iterable, dictionary: Any, estep: str = "gensim") -> "TopicModel":
        """Fit on a re-iterable bag-of-words corpus (e.g. gensim ``MmCorpus``) and its dictionary.

        ``estep="blocked"`` fits gensim's ``LdaModel`` with its E-step computed a block of documents at a time
        (:class:`nlp.topics.estep.BlockedLdaModel`: the same fit to float rounding, about a third of the CPU);
        the stability seeds use it, the run's own model is gensim's (``"gensim"``).
        """
        from gensim.models import LdaModel, LdaMulticore

        if estep not in ("gensim", "blocked"):
            raise InvalidParameterError(f"estep must be 'gensim' or 'blocked' (got {estep!r})")
        if estep == "blocked" and self.workers > 1:
            raise InvalidParameterError("the blocked E-step fits in one process: drop workers", param="--workers")
        eta, self.seed_words_missing_ = (None, {})
        if self.seed_words:
            eta, self.seed_words_missing_ = seed_eta(self.seed_words, dictionary, self.k, self.seed_strength)
        common = dict(id2word=dictionary, num_topics=self.k, passes=self.passes,
                      iterations=self.iterations, chunksize=self.chunksize, eta=eta,
                      random_state=self.random_state, eval_every=None, alpha=self.effective_alpha)
        if self.workers > 1:
            self.model_ = LdaMulticore(corpus=corpus, workers=self.workers, **common)
        elif estep == "blocked":
            from nlp.topics.estep import BlockedLdaModel

            self.model_ = BlockedLdaModel(_count_rows(corpus, dictionary), **common)
        else:
            self.model_ = LdaModel(corpus=corpus, **common)
        self.dictionary_ = dictionary
        self._describe_topics()
        return self

    def _describe_topics(self) -> None:
        phi = self.model_.get_topics()
        frex = frex_scores(phi)
        names = list(self.seed_words or {})
        topics = []
        for t in range(self.k):
            top = [self.dictionary_[int(i)] for i in np.argsort(-phi[t], kind="stable")[: self.topn]]
            # FREX ranks the topic's frequent words (top 3*topn) so a label is never a one-off word.
            pool = np.argsort(-phi[t], kind="stable")[: max(30, 3 * self.topn)]
            ftop = [self.dictionary_[int(i)] for i in pool[np.argsort(-frex[t][pool], kind="stable")][: self.topn]]
            label = " · ".join(ftop[:3])
            seeded = names[t] if t < len(names) else None
            topics.append({"id": t, "label": f"{seeded}: {label}" if seeded else label, "terms": top,
                           "frex": ftop, "seeded": seeded})
        self.topics_ = topics

    def transform(self, corpus: Iterable, executor: Executor | None = None) -> Iterator[np.ndarray]:
        """Topic shares of each document (rows sum to 1), in the order of ``corpus``.

        Documents are inferred in chunks of ``chunksize`` (:func:`nlp.topics.infer.infer_chunk`, which starts
        every document from the same point): the same shares in process or with the chunks as tasks of
        ``executor`` (Dask workers, :mod:`nlp.parallel`).
        """
        from nlp.topics.infer import bows_matrix, infer_chunk, model_arrays

        exp_elog_beta, alpha = model_arrays(self)
        work = functools.partial(infer_chunk, exp_elog_beta, alpha, self.iterations)
        n_terms = exp_elog_beta.shape[1]
        chunks = ((i, bows_matrix(chunk, n_terms)) for i, chunk in enumerate(_chunks(corpus, self.chunksize)))
        for _, shares in (executor or InProcessExecutor()).map_chunks(work, chunks, ordered=True):
            yield from shares


def _count_rows(corpus: Any, dictionary: Any) -> Any:
    """A bag-of-words corpus as a CSR matrix of counts: a :class:`~nlp.topics.bags.RowsCorpus`'s own rows, a
    gensim ``MmCorpus`` read whole, any other iterable of ``[(term id, count)]`` converted."""
    from scipy import sparse

    rows = getattr(corpus, "rows", None)
    if sparse.issparse(rows):
        return rows
    if sparse.issparse(corpus):
        return corpus
    from gensim.corpora import MmCorpus

    if isinstance(corpus, MmCorpus):
        from scipy.io import mmread

        return sparse.csr_matrix(mmread(str(corpus.input)))
    from nlp.topics.infer import bows_matrix

    bows = list(corpus)
    n_terms = max([len(dictionary)] + [int(t) + 1 for b in bows for t, _ in b])
    return bows_matrix(bows, n_terms)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
