import sqlite3

import pytest
import subprocess
import sys
import textwrap

from corpus import Article, CorpusStore, SearchQueryError
from corpus.migrations import MIGRATIONS, apply_migrations
from tests.conftest import ROOT, make_article


def fts_ids(store, query):
    return {r["id"] for r in store.search(query)}


def test_add_and_read_back_round_trips_every_field(store):
    a = Article(outlet="tribune", text="Body of a piece on public ownership.", title="Own it", url="https://x/a?utm_source=y",
                canonical_url="https://x/a", authors=("Jo Bloggs", "Al Smith"), published="2021-03-04T10:00:00+00:00",
                section="Politics", tags=("ownership",), paywalled=True, label="hard_left", source="scraped",
                fetched_at="2024-01-01T00:00:00+00:00", scraper_version="tribune/1", metadata={"k": [1, 2]})
    assert store.add(a)
    back = store.get(a.id)
    assert back == a
    assert back.metadata == {"k": [1, 2]}
    assert back.id.startswith("u")


def test_duplicates_refused_by_canonical_url_for_scraped(store):
    a = make_article("one text", source="scraped", canonical_url="https://x/a")
    b = make_article("another text entirely", source="scraped", canonical_url="https://x/a")
    assert store.add(a)
    assert not store.add(b)
    assert store.count() == 1


def test_duplicates_refused_by_normalised_text_for_imported(store):
    assert store.add(make_article("Soft left\n\nand   DEVOLUTION"))
    result = store.add_many([make_article("soft left and devolution"), make_article("something else")])
    assert (result.inserted, result.duplicates) == (1, 1)


def test_fts_stays_in_sync_on_insert_update_and_delete(store):
    a = make_article("The railways should be nationalised.")
    store.add(a)
    assert fts_ids(store, "nationalise") == {a.id}  # stemmed: nationalised ~ nationalise
    store.update(a.id, text="Devolution to the regions.")
    assert fts_ids(store, "nationalise") == set()
    assert fts_ids(store, "devolution") == {a.id}
    store.delete(a.id)
    assert fts_ids(store, "devolution") == set()
    if store.dialect == "sqlite":  # the index itself agrees with its content table
        store.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")


def test_search_ranks_snippets_and_refuses_bad_syntax_with_the_fix(store):
    store.add(make_article("Co-operative ownership and community wealth building in Preston.", title="Preston"))
    store.add(make_article("A note on ownership.", title="Note"))
    hits = store.search("ownership preston")
    assert [h["title"] for h in hits] == ["Preston"]
    assert "«" in hits[0]["snippet"]
    assert store.search("co-operative")[0]["title"] == "Preston"
    with pytest.raises(SearchQueryError, match=r"""cannot search '"unbalanced': the quote opened at .* is never closed"""):
        store.search('"unbalanced')


def test_migrations_are_idempotent_and_named(tmp_path):
    path = tmp_path / "m.db"
    first = CorpusStore(path)
    assert first.migrations_applied == [name for name, _ in MIGRATIONS]
    first.close()
    again = CorpusStore(path)
    assert again.migrations_applied == []
    assert apply_migrations(again.conn) == []
    names = [r[0] for r in again.conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
    assert names == sorted(name for name, _ in MIGRATIONS)
    again.close()


def test_store_uses_wal_and_datasette_fts_layout(sqlite_store):
    store = sqlite_store
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    sql = store.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
    assert "content=[articles]" in sql
    triggers = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"articles_ai", "articles_ad", "articles_au"} <= triggers


def test_reader_is_reiterable_filtered_and_streamed(store):
    for i, year in enumerate((2016, 2019, 2024)):
        store.add(make_article(f"text {i}", outlet="renewal" if i else "tribune", published=f"{year}-05-01"))
    q = store.articles(outlet="renewal", since="2018-01-01")
    assert [a.year for a in q] == [2019, 2024]
    assert [a.year for a in q] == [2019, 2024]  # re-iterable
    assert len(q) == 2
    assert [a.outlet for a in store.articles(tendency="hard_left")] == ["tribune"]
    assert len(list(store.articles(limit=1))) == 1
    assert not isinstance(store.articles(), list)


def test_failed_transaction_leaves_store_untouched(store):
    store.add(make_article("kept"))
    try:
        with store.transaction():
            store.insert_row(make_article("half-written"))
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert [a.text for a in store.articles()] == ["kept"]


WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from corpus import Article, CorpusStore
    store = CorpusStore({db!r})
    for batch in range(10):
        store.add_many(Article(outlet="w", text=f"writer {{sys.argv[1]}} batch {{batch}} doc {{i}}") for i in range(50))
    store.close()
""")


def test_a_second_writer_does_not_corrupt_the_store(tmp_path):
    db = tmp_path / "shared.db"
    CorpusStore(db).close()
    code = WRITER.format(root=str(ROOT), db=str(db))
    procs = [subprocess.Popen([sys.executable, "-c", code, str(n)]) for n in (1, 2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1000
    assert conn.execute("SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH 'writer'").fetchone()[0] == 1000
    conn.close()


def test_upsert_updates_a_reparsed_article(store):
    a = make_article("first parse", source="scraped", canonical_url="https://x/p", title="Old")
    assert store.upsert(a) == "new"
    assert store.upsert(a) == "unchanged"
    assert store.upsert(a.replace(title="New", text="second parse")) == "updated"
    assert store.get(a.id).title == "New"
    assert fts_ids(store, "second") == {a.id}


def test_a_foreign_sqlite_database_is_refused_not_migrated(tmp_path):
    import sqlite3

    from corpus import CorpusStore, StoreError

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    with pytest.raises(StoreError, match="is an SQLite database but not a softleft corpus"):
        CorpusStore(path)
    with sqlite3.connect(path) as conn:  # untouched: no softleft table was added
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"invoices"}
