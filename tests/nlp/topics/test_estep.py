"""The blocked E-step (nlp.topics.estep): gensim's LdaModel fit, a block of documents at a time, to float rounding."""
from __future__ import annotations

import numpy as np
import pytest

from nlp.topics.estep import BlockedLdaModel, blocked_estep
from nlp.topics.stability import fit_seeds, topic_stability


def _corpus(n_docs: int = 80, n_terms: int = 300, seed: int = 0):
    """Documents of 20 to 400 tokens mixing six overlapping themes of a Zipfian vocabulary: topics that come back
    only in part across seeds, so that stability scores lie well inside (0, 1)."""
    from gensim.corpora import Dictionary

    rng = np.random.default_rng(seed)
    zipf = 1.0 / np.arange(1, n_terms + 1)
    themes = [rng.permutation(zipf) for _ in range(6)]
    texts = []
    for _ in range(n_docs):
        shares = rng.dirichlet(np.full(6, 0.3))
        p = sum(s * t for s, t in zip(shares, themes))
        texts.append([f"w{i}" for i in rng.choice(n_terms, size=int(rng.integers(20, 400)), p=p / p.sum())])
    texts.append([])  # an empty document: gensim gives it the prior
    dictionary = Dictionary(texts)
    return [dictionary.doc2bow(t) for t in texts], dictionary


@pytest.fixture(scope="module")
def corpus():
    return _corpus()


@pytest.mark.parametrize("iterations", [3, 100])
def test_one_estep_gives_gensims_gamma_and_sufficient_statistics(corpus, iterations):
    """From the same starting gamma, the blocked E-step ends where gensim's document-by-document loop ends:
    documents that stop early (the threshold) and those that run out of rounds alike."""
    from gensim.models import LdaModel

    from nlp.topics.infer import bows_matrix

    bows, dictionary = corpus
    lda = LdaModel(bows, id2word=dictionary, num_topics=6, passes=2, random_state=1, alpha="auto", eval_every=None,
                   iterations=iterations)
    state = lda.random_state.get_state()
    gamma, sstats = lda.inference(bows, collect_sstats=True)
    lda.random_state.set_state(state)
    start = lda.random_state.gamma(100., 1. / 100., (len(bows), 6)).astype(lda.dtype)
    for block_cells in (1, 512, 16_384):  # one document per block, several, all
        got, got_sstats = blocked_estep(bows_matrix(bows, len(dictionary)), lda.expElogbeta, lda.alpha, start,
                                        iterations, lda.gamma_threshold, block_cells=block_cells)
        assert got.dtype == gamma.dtype == np.float32 and got_sstats.shape == sstats.shape
        np.testing.assert_allclose(got, gamma, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(got_sstats, sstats, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(got[-1], lda.alpha, rtol=1e-6)  # the empty document


@pytest.mark.parametrize("alpha, guided", [("auto", False), ("symmetric", True)])
def test_blocked_lda_is_gensims_lda_with_the_same_seed(corpus, alpha, guided):
    from gensim.models import LdaModel

    from nlp.topics.infer import bows_matrix
    from nlp.topics.model import seed_eta

    bows, dictionary = corpus
    eta = seed_eta({"first": ["w1", "w2"]}, dictionary, 6)[0] if guided else None
    params = dict(id2word=dictionary, num_topics=6, passes=5, iterations=100, alpha=alpha, eta=eta,
                  random_state=7, eval_every=None, chunksize=30)  # three chunks a pass: online updates
    plain = LdaModel(bows, **params)
    blocked = BlockedLdaModel(bows_matrix(bows, len(dictionary)), **params)
    np.testing.assert_allclose(blocked.get_topics(), plain.get_topics(), rtol=1e-3, atol=1e-6)
    np.testing.assert_allclose(blocked.alpha, plain.alpha, rtol=1e-4)
    assert blocked._rows is None  # the fitted model does not carry its corpus
    # gensim's own callers still work: shares of a new document
    assert abs(sum(p for _, p in blocked.get_document_topics(bows[0], minimum_probability=0)) - 1) < 1e-5


def test_stability_from_blocked_seeds_is_that_of_gensims_seeds(corpus):
    """The scores the stage reports (seeds fitted with the blocked E-step) against the full-cost computation
    (each seed a plain gensim LdaModel): the same per topic to 1e-4, on topics that are far from all stable."""
    bows, dictionary = corpus
    reference = fit_seeds(bows, dictionary, 6, [0], passes=8, estep="gensim")[0].phi
    full = fit_seeds(bows, dictionary, 6, [1, 2], passes=8, estep="gensim")
    blocked = fit_seeds(bows, dictionary, 6, [1, 2], passes=8)
    for a, b in zip(full, blocked):
        assert [t["terms"] for t in a.topics] == [t["terms"] for t in b.topics]
    scores = np.array(topic_stability([reference] + [f.phi for f in full]))
    assert scores.min() < 0.9 and scores.max() > scores.min() + 0.05  # not a corpus where everything agrees
    np.testing.assert_allclose(topic_stability([reference] + [f.phi for f in blocked]), scores, atol=1e-4)


def test_fit_refuses_an_unknown_estep_and_multicore(corpus):
    from nlp.errors import InvalidParameterError
    from nlp.topics.model import TopicModel

    bows, dictionary = corpus
    with pytest.raises(InvalidParameterError, match="estep"):
        TopicModel(k=3, passes=1).fit(bows, dictionary, estep="fast")
    with pytest.raises(InvalidParameterError, match="one process"):
        TopicModel(k=3, passes=1, workers=2).fit(bows, dictionary, estep="blocked")
