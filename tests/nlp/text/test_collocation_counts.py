"""Collocations counted on the way in are those fitted from the cache, and score as gensim's Phrases do."""
from __future__ import annotations

import math
from dataclasses import replace

import pytest

from corpus import CorpusStore
from nlp.text.preprocess import (Collocations, Preprocessor, _CachedTerms, current_fingerprint, npmi_score,
                                 original_score, preprocess_corpus)

from tests.nlp.conftest import synthetic_articles


@pytest.mark.parametrize("args", [(30, 40, 20, 500, 10, 10_000), (5, 5, 5, 50, 2, 100), (100, 3, 3, 9, 10, 999),
                                  (4, 4, 2, 10, 1, 50), (7, 9, 1, 20, 1, 60)])
def test_scores_match_gensim(args):
    from gensim.models.phrases import npmi_scorer, original_scorer

    for ours, theirs in ((npmi_score, npmi_scorer), (original_score, original_scorer)):
        expected = theirs(*args)
        got = ours(*args)
        assert got == pytest.approx(expected) or (math.isinf(got) and math.isinf(expected))


def test_counts_gathered_while_preprocessing_give_the_cached_fit(tmp_path):
    store = CorpusStore(tmp_path / "c.db")
    extra = (" A fiscal rule again.", " The fiscal rule binds. Green investment grows.")
    # repeated pairs to find among the random words
    store.add_many(replace(a, text=a.text + extra[i % 2]) for i, a in enumerate(synthetic_articles(n=40)))
    pre = Preprocessor()
    assert preprocess_corpus(store, pre, collocation_min_count=3)["collocations"] > 0
    stored = Collocations.from_store(store)  # fitted from the counts gathered on the way in
    reread = Collocations.fit(_CachedTerms(store, current_fingerprint(store)), min_count=3,
                              exclude=pre.vocabulary.entries)
    assert ("fiscal", "rule") in stored.pairs and stored.pairs == reread.pairs
    store.close()
