"""Coherence counted in numpy is gensim's CoherenceModel to the last digit, and its budget samples passages."""
from __future__ import annotations

import random
import warnings

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models.coherencemodel import CoherenceModel

from nlp.documents import DocumentTerms
from nlp.topics.coherence import PASSAGE, CoherenceTexts, coherence, coherence_texts, window_counts


def _gensim(topics, texts, dictionary, measure):
    cm = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary, coherence=measure, processes=1,
                        topn=max(len(t) for t in topics))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a word in no window: gensim divides by zero
        return [float(v) if np.isfinite(v) else None for v in cm.get_coherence_per_topic()]


def test_same_figures_as_gensim_on_texts_built_to_catch_every_edge():
    """Texts shorter than, as long as and one longer than each window, empty texts, words repeated within a
    window (gensim's walk drops such a word when its first occurrence leaves), terms outside the dictionary and
    topic words that never occur."""
    rnd = random.Random(7)
    for _ in range(40):
        vocab = [f"w{i}" for i in range(rnd.choice([6, 15, 40]))]
        texts = [[vocab[min(int(rnd.expovariate(0.3)), len(vocab) - 1)] if rnd.random() < 0.8 else "outside"
                  for _ in range(rnd.choice([0, 1, 9, 10, 11, 60, 109, 110, 111, 250]))]
                 for _ in range(rnd.randint(1, 8))]
        dictionary = Dictionary([vocab + ["never"]])
        topics = [rnd.sample(vocab + ["never"], 5) for _ in range(3)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = coherence(topics, texts, dictionary)
        for measure in ("c_v", "c_npmi"):
            assert ours[measure][1] == _gensim(topics, texts, dictionary, measure), (measure, texts, topics)


def test_window_counts_follow_gensims_walk_by_hand():
    # window 3 over "a a b a": windows [a a b], [a b a]; gensim's set: {a, b}, then a leaves (dropped though
    # another a is inside) and a enters again: {a, b}. So a: 2, b: 2, (a, b): 2. Over "a x a x x": windows
    # [a x a] {a}; [x a x]: the first a left, so a is dropped though the second is inside; [a x x]: no a
    # entered. So a is in 1 window of the 3 it is inside.
    texts = CoherenceTexts.from_lists([["a", "a", "b", "a"], ["a", "x", "a", "x", "x"], []])
    occurrences, pairs, windows = window_counts(texts, ["a", "b"], [(0, 1)], 3)
    assert windows == 2 + 3 + 1  # the empty text counts one window, as in gensim
    assert occurrences.tolist() == [2 + 1, 2] and pairs[(0, 1)] == 2


def _docs(lengths, seed=0):
    rnd = random.Random(seed)
    return DocumentTerms.from_terms([[f"t{rnd.randrange(50)}" for _ in range(n)] for n in lengths])


def test_a_corpus_within_the_budget_is_counted_whole():
    docs = _docs([30, 0, 5000, 200])
    texts = coherence_texts(docs, budget=10_000)
    assert texts.whole and texts.n_tokens == 5230 and len(texts.starts) == 4
    assert texts.describe()["whole"] is True


def test_a_larger_corpus_is_a_seeded_sample_of_passages_within_the_budget():
    docs = _docs([12_000, 300, 4_500, 700, 9_000, 50, 2_500] * 3)
    texts = coherence_texts(docs, budget=20_000, seed=1)
    lengths = texts.stops - texts.starts
    assert not texts.whole and 20_000 <= texts.n_tokens < 20_000 + PASSAGE
    assert lengths.max() <= PASSAGE and (np.diff(texts.starts) >= lengths[:-1]).all()  # in order, apart
    doc_of = np.searchsorted(docs.offsets, texts.starts, side="right") - 1
    assert (texts.stops <= docs.offsets[doc_of + 1]).all()  # a passage never straddles two documents
    again, other = coherence_texts(docs, budget=20_000, seed=1), coherence_texts(docs, budget=20_000, seed=2)
    assert np.array_equal(again.starts, texts.starts) and not np.array_equal(other.starts, texts.starts)
    # what was counted is said: the tokens, of how many, under which budget
    assert texts.describe() == {"tokens": texts.n_tokens, "of_tokens": 87_150, "texts": len(texts.starts),
                                "budget": 20_000, "whole": False, "passage_terms": PASSAGE}


def test_a_budget_below_one_token_is_refused():
    from nlp.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="at least 1 token"):
        coherence_texts(_docs([10]), budget=0)
