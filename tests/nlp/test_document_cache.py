"""The terms of a selection are kept on disk once read and reused while nothing they depend on changes."""
from __future__ import annotations

import numpy as np
import pytest

from corpus import Article, CorpusStore
from corpus.demo import demo_labels, fill_demo
from nlp import document_cache
from nlp.documents import load_documents


@pytest.fixture
def demo(tmp_path, monkeypatch):
    monkeypatch.setattr(document_cache, "MIN_DOCUMENTS", 10)  # the demo's 130 articles are cached
    store = CorpusStore(tmp_path / "demo.db")
    fill_demo(store)
    yield store
    store.close()


def _same(a, b):
    assert a.ids == b.ids and a.labels == b.labels and a.titles == b.titles and a.vocabulary == b.vocabulary
    for name in document_cache.ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None and y is None) or np.array_equal(x, y), name
    assert (a.matrix != b.matrix).nnz == 0


def test_a_second_read_comes_from_the_cache_and_equals_the_first(demo, monkeypatch, caplog):
    first = load_documents(demo, raw=True)
    folders = list(document_cache.cache_dir(demo).iterdir())
    assert len(folders) == 1 and (folders[0] / "manifest.json").is_file()
    from nlp.text import terms

    def no_terms(*a, **k):
        raise AssertionError("the terms were read again")

    monkeypatch.setattr(terms, "iter_terms", no_terms)
    second = load_documents(demo, raw=True)
    _same(first, second)


def test_labels_come_from_the_store_and_a_changed_corpus_is_read_afresh(demo):
    from dataclasses import replace

    first = load_documents(demo, raw=True)
    outlet = first.outlets[0]
    labels = demo_labels()
    labels.outlets[outlet] = replace(labels.outlets[outlet], tendency="hard_left" if first.labels[0] != "hard_left"
                                     else "soft_right")
    demo.load_labels(labels)  # relabelling changes no term: the cached arrays serve, the labels are new
    relabelled = load_documents(demo, raw=True)
    assert len(list(document_cache.cache_dir(demo).iterdir())) == 1
    changed = [i for i, o in enumerate(first.outlets) if o == outlet and first.label_levels[i] == "outlet"]
    assert changed and all(relabelled.labels[i] == labels.outlets[outlet].tendency for i in changed)
    demo.add(Article(outlet="renewal", title="New", published="2024-05-01", text="Devolution and pluralism. " * 30))
    again = load_documents(demo, raw=True)  # a new article: a new key, read afresh
    assert len(again) == len(first) + 1 and "New" in again.titles
    assert len(list(document_cache.cache_dir(demo).iterdir())) == 2


def test_a_damaged_cache_is_rebuilt_not_trusted(demo):
    first = load_documents(demo, raw=True)
    folder = next(document_cache.cache_dir(demo).iterdir())
    tokens = np.load(folder / "tokens.npy")
    np.save(folder / "tokens.npy", tokens[::-1].copy())  # same shape, other values: the checksum catches it
    again = load_documents(demo, raw=True)
    _same(first, again)
    assert np.array_equal(np.load(folder / "tokens.npy"), first.tokens)  # written afresh


def test_small_selections_and_memory_stores_are_not_cached(tmp_path, monkeypatch):
    store = CorpusStore(tmp_path / "small.db")
    store.add(Article(outlet="renewal", title="One", published="2020-01-02", text="Devolution and pluralism. " * 20))
    load_documents(store)
    assert not (tmp_path / "small.db.runs" / "documents").exists()
    assert document_cache.cache_dir(CorpusStore(":memory:")) is None


@pytest.mark.parametrize("block", [1, 7, 100_000])
def test_count_matrix_built_in_blocks_counts_every_term(demo, monkeypatch, block):
    """The count matrix, built a block of documents at a time, holds each document's term counts."""
    from collections import Counter

    import nlp.documents as documents
    monkeypatch.setattr(documents, "MATRIX_BLOCK", block)
    docs = load_documents(demo)
    m = docs.matrix
    assert m.shape == (len(docs), len(docs.vocabulary)) and m.has_sorted_indices
    for i in range(0, len(docs), 9):
        row = m.getrow(i)
        counted = Counter(docs.tokens[docs.offsets[i]:docs.offsets[i + 1]].tolist())
        assert dict(zip(row.indices.tolist(), row.data.tolist())) == counted


def test_the_count_matrix_is_built_again_after_it_is_released(demo):
    docs = load_documents(demo)
    first = docs.matrix
    assert docs.matrix is first  # kept while in use
    docs.release_derived()
    again = docs.matrix
    assert again is not first and (again != first).nnz == 0
