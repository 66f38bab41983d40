"""Topic stability: Hungarian matching of topics across seeds and each topic's mean similarity."""
from __future__ import annotations

import random

import numpy as np
import pytest

from nlp.errors import InvalidParameterError
from nlp.topics.stability import (SeedFit, assess_stability, fit_seeds, match_topics, similarity_matrix,
                                  topic_stability)
from tests.nlp.conftest import THEMES


def _phi(k: int = 6, v: int = 120, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.full(v, 0.1), size=k)


def test_similarity_is_one_minus_jensen_shannon_divergence():
    from scipy.spatial.distance import jensenshannon

    a, b = _phi(3, 40, 1), _phi(4, 40, 2)
    a[0, :10] = 0  # zero weights are allowed
    expected = [[1 - jensenshannon(p / p.sum(), q, base=2) ** 2 for q in b] for p in a]
    assert np.allclose(similarity_matrix(a, b), expected, atol=1e-12)
    assert np.allclose(np.diag(similarity_matrix(a, a)), 1.0)


def test_hungarian_matching_recovers_a_permutation():
    phi = _phi()
    perm = np.array([3, 0, 5, 1, 4, 2])
    noisy = phi[perm] + np.random.default_rng(9).uniform(0, 1e-4, phi.shape)
    matches, sims = match_topics(phi, noisy)
    # topic i of phi is row j of noisy where perm[j] == i
    assert matches.tolist() == np.argsort(perm).tolist()
    assert sims.min() > 0.99


def test_matching_is_one_to_one_even_when_greedy_would_not_be():
    # Both topics of A are closest to topic 0 of B; the assignment must still use each topic of B once.
    a = np.array([[0.6, 0.4, 0.0], [0.5, 0.5, 0.0]])
    b = np.array([[0.55, 0.45, 0.0], [0.0, 0.2, 0.8]])
    matches, _ = match_topics(a, b)
    assert sorted(matches.tolist()) == [0, 1]


def test_stability_is_one_for_identical_fits_and_lower_for_different_ones():
    phi = _phi()
    assert topic_stability([phi, phi.copy(), phi[::-1]]) == pytest.approx([1.0] * 6, abs=1e-9)
    unrelated = topic_stability([phi, _phi(seed=5), _phi(seed=6)])
    assert len(unrelated) == 6 and max(unrelated) < 0.8
    # half the topics kept, half replaced: the kept ones stay at 1, the others drop
    mixed = np.vstack([phi[:3], _phi(3, 120, 7)])
    scores = topic_stability([phi, mixed])
    assert min(scores[:3]) > 0.999 and max(scores[3:]) < 0.8
    assert assess_stability([phi, phi]).baseline < 0.8 < assess_stability([phi, phi]).mean


def test_bad_inputs_are_refused_with_a_clear_message():
    phi = _phi()
    with pytest.raises(InvalidParameterError, match="at least two fits"):
        topic_stability([phi])
    with pytest.raises(InvalidParameterError, match="different vocabularies"):
        match_topics(phi, _phi(6, 50))
    with pytest.raises(InvalidParameterError, match="different numbers of topics"):
        match_topics(phi, _phi(5))
    with pytest.raises(InvalidParameterError, match="no weight"):
        match_topics(np.zeros((2, 3)), np.ones((2, 3)))


@pytest.fixture(scope="module")
def small_corpus():
    from gensim.corpora import Dictionary

    rnd = random.Random(0)
    names = list(THEMES)
    texts = [[rnd.choice(THEMES[names[i % 3]] * 5 + THEMES[names[(i + 1) % 3]]) for _ in range(40)]
             for i in range(60)]
    dictionary = Dictionary(texts)
    return [dictionary.doc2bow(t) for t in texts], dictionary


def test_fit_seeds_same_seeds_same_numbers(small_corpus):
    corpus, dictionary = small_corpus
    first = fit_seeds(corpus, dictionary, 3, [0, 1, 2], passes=5)
    again = fit_seeds(corpus, dictionary, 3, [0, 1, 2], passes=5)
    assert [f.seed for f in first] == [0, 1, 2]
    assert all(np.array_equal(a.phi, b.phi) for a, b in zip(first, again))
    result, repeat = assess_stability(first), assess_stability(again)
    assert result.to_dict() == repeat.to_dict()
    # three well-separated themes come back whatever the seed
    assert result.k == 3 and min(result.stability) > 0.9 and result.mean == pytest.approx(np.mean(result.stability))
    assert result.baseline < 0.5  # different themes are far apart
    assert len(result.labels) == 3 and sorted(result.matches[0]) == [0, 1, 2]
    frame = result.to_frame()
    assert list(frame.columns[:3]) == ["topic", "label", "stability"] and len(frame) == 3


def test_fit_seeds_in_parallel_gives_the_serial_results(small_corpus):
    corpus, dictionary = small_corpus
    serial = fit_seeds(corpus, dictionary, 3, 3, passes=3)
    parallel = fit_seeds(corpus, dictionary, 3, 3, passes=3, n_jobs=2)
    assert [f.seed for f in parallel] == [0, 1, 2]
    assert all(np.array_equal(a.phi, b.phi) for a, b in zip(serial, parallel))
    assert all(isinstance(f, SeedFit) and f.model is not None for f in parallel)


def test_fit_seeds_refuses_multicore_and_repeated_seeds(small_corpus):
    corpus, dictionary = small_corpus
    with pytest.raises(InvalidParameterError, match="single-process"):
        fit_seeds(corpus, dictionary, 3, [0, 1], workers=2)
    with pytest.raises(InvalidParameterError, match="seeds must differ"):
        fit_seeds(corpus, dictionary, 3, [1, 1])


def _themed_documents():
    from nlp.documents import DocumentTerms

    rnd = random.Random(3)
    names = list(THEMES)
    texts = [[rnd.choice(THEMES[names[i % 3]] * 4 + THEMES[names[(i + 1) % 3]] * 2) for _ in range(40)]
             for i in range(45)]
    return DocumentTerms.from_terms(texts, labels=[("soft_left", "hard_left")[i % 2] for i in range(45)],
                                    published=[f"{2018 + i % 5}-06-01" for i in range(45)])


def test_seeds_fitted_beside_the_model_give_the_stability_of_seeds_fitted_after_it(monkeypatch):
    """The run's stability seeds start as soon as the corpus is prepared (beside the model's own fit, on a spare
    core): the scores are those of fitting them afterwards, in process or on two processes."""
    from nlp.parallel import ProcessExecutor
    from nlp.topics import stability
    from nlp.topics.fit import assess_fit, fit_model

    docs = _themed_documents()
    after = assess_fit(fit_model(docs, 4, passes=3), docs, seeds=3)
    scores = after.manifest["trust"]["stability"]
    assert len(scores) == 4 and all(0 < s <= 1 for s in scores)

    def refit(*args, **kwargs):
        raise AssertionError("the seeds fitted beside the model were fitted again")

    monkeypatch.setattr(stability, "fit_seeds", refit)
    beside = assess_fit(fit_model(docs, 4, passes=3, stability_seeds=3), docs, seeds=3)
    with ProcessExecutor(2) as ex:
        fitted = fit_model(docs, 4, passes=3, stability_seeds=3, executor=ex)
    assert fitted.manifest["stability_beside"]["seeds"] == [1, 2]
    parallel = assess_fit(fitted, docs, seeds=3)
    for fit in (beside, parallel):
        assert fit.manifest["trust"]["stability"] == scores
        assert [t["stability"] for t in fit.topics] == [t["stability"] for t in after.topics]
        assert "stability_beside" not in fit.manifest  # consumed: the stored manifest is the one it was
    assert np.array_equal(parallel.theta, after.theta, equal_nan=True)
