"""The vectorised bag-of-words corpus is the one gensim's ``Dictionary`` / ``doc2bow`` / ``MmCorpus`` build."""
from __future__ import annotations

import random

import pytest

from nlp.documents import DocumentTerms
from nlp.topics.fit import _passages, prepare_corpus


def _reference(term_lists, no_below, no_above, chunk_terms):
    """What prepare_corpus built before: one gensim call per document."""
    from gensim.corpora import Dictionary

    d = Dictionary()
    for terms in term_lists:
        d.add_documents([terms])
    d.filter_extremes(no_below=no_below, no_above=no_above, keep_n=50_000)
    bows, ids = [], []
    for i, terms in enumerate(term_lists):
        for piece in _passages(terms, chunk_terms):
            bow = d.doc2bow(piece)
            if bow:
                bows.append([(t, float(n)) for t, n in bow])
                ids.append((f"d{i}", sum(n for _, n in bow)))
    return d, bows, ids


@pytest.mark.parametrize("block", [None, 1, 45])  # built whole, a document at a time, and in uneven blocks
@pytest.mark.parametrize("chunk_terms", [0, 7])
def test_same_dictionary_and_bags_as_gensim(tmp_path, chunk_terms, block, monkeypatch):
    from nlp.topics import bags as fit

    if block:  # the bags and the Matrix Market file are built a block of documents / entries at a time
        monkeypatch.setattr(fit, "_BLOCK_TOKENS", block)
        monkeypatch.setattr(fit, "_BLOCK_ENTRIES", block)
    rnd = random.Random(4)
    words = [f"w{i}" for i in range(60)] + ["zeta", "alpha", "mid"]
    term_lists = [[rnd.choice(words) for _ in range(rnd.randint(0, 30))] for _ in range(80)]
    docs = DocumentTerms.from_terms(term_lists, raw_terms=[t + ["rawonly"] for t in term_lists])
    prepared = prepare_corpus(docs, tmp_path, no_below=2, no_above=0.6, chunk_terms=chunk_terms, stop_words=[])
    ref, bows, ids = _reference(term_lists, 2, 0.6, chunk_terms)
    assert prepared.dictionary.token2id == ref.token2id
    assert prepared.dictionary.dfs == ref.dfs and prepared.dictionary.num_docs == ref.num_docs
    assert [list(b) for b in prepared.corpus()] == bows
    assert list(prepared.ids()) == ids
    assert prepared.n_units == len(bows) and prepared.n_docs == len({i for i, _ in ids})
