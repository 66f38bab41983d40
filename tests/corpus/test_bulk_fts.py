"""Batched full-text indexing gives the index the per-row trigger gives, and always restores the trigger."""
import random

import pytest

from corpus import CorpusStore
from tests.conftest import make_article

WORDS = ("soft left hard left devolution ownership railways water council homes green deal reform members "
         "conference selection pluralism nationalisation strike union wages").split()
QUERIES = ["devolution", "nationalis*", '"green deal"', "ownership NOT railways", "union OR strike", "title:speech",
           "authors:ann"]


def articles(n=120, seed=3):
    rng = random.Random(seed)
    return [make_article(" ".join(rng.choice(WORDS) for _ in range(40)) + f" item {i}", title=f"Speech {i}",
                         authors=(rng.choice(["Ann Example", "Ben Example"]),)) for i in range(n)]


def schema(store):
    return store.conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def results(store):
    return {q: store.conn.execute("SELECT rowid, round(bm25(articles_fts), 9) FROM articles_fts "
                                  "WHERE articles_fts MATCH ? ORDER BY rowid", (q,)).fetchall() for q in QUERIES}


def test_batched_index_matches_the_trigger_index(tmp_path):
    docs = articles()
    with CorpusStore(tmp_path / "trigger.db") as by_trigger, CorpusStore(tmp_path / "batch.db") as by_batch:
        before = schema(by_batch)
        with by_trigger.transaction():
            for a in docs:
                by_trigger.insert_row(a)
        result = by_batch.add_many(docs + docs[:5], batch_size=7)  # batches that do not divide n
        assert (result.inserted, result.duplicates) == (120, 5)
        assert schema(by_batch) == before  # the trigger is back, exactly as the migration made it
        expected = results(by_trigger)
        assert all(expected.values())
        assert results(by_batch) == expected
        for store in (by_trigger, by_batch):
            store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        assert [h["id"] for h in by_batch.search("devolution", limit=50)] == \
            [h["id"] for h in by_trigger.search("devolution", limit=50)]


def test_rows_added_later_one_by_one_are_still_indexed(store):
    store.add_many(articles(10))
    store.add(make_article("A lone later text about devolution and pluralism."))
    assert [h["snippet"] for h in store.search("lone")] == ["A «lone» later text about devolution and pluralism."]
    if store.dialect == "sqlite":
        store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


def test_a_failed_batch_rolls_back_and_restores_the_trigger(sqlite_store):
    store = sqlite_store
    before = schema(store)

    def failing():
        yield from articles(30)
        raise RuntimeError("the source broke")

    with pytest.raises(RuntimeError):
        store.add_many(failing(), batch_size=8)
    assert store.count() == 0 and schema(store) == before
    store.add(make_article("After the failure, devolution."))
    assert [h["title"] for h in store.search("devolution")] == [None]


def test_bulk_writer_needs_a_transaction(store):
    with pytest.raises(RuntimeError, match="needs a transaction"):
        with store.bulk_writer():
            pass
