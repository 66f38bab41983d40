"""What a PostgreSQL corpus does when things go wrong: secrets in the URL, a bad port, a lost connection,
NUL characters, a database name that climbs out of the folder. Never a traceback, never a secret printed."""
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from corpus import CorpusStore, StoreError
from corpus.backend import files_base, redact
from corpus.transfer import copy_corpus
from tests.conftest import make_article


def test_redact_masks_the_password_wherever_the_url_carries_it():
    assert redact("postgresql://u:pw@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert redact("postgresql://u@h/db?password=s3cret") == "postgresql://u@h/db?password=***"
    assert redact("postgresql://u@h/db?sslmode=require&PASSWORD=s3cret&x=1") == \
        "postgresql://u@h/db?sslmode=require&PASSWORD=***&x=1"
    assert redact("postgresql://u@h/db?sslpassword=k&options=-csearch_path%3Dx") == \
        "postgresql://u@h/db?sslpassword=***&options=-csearch_path%3Dx"
    assert redact("postgresql://u@h/db") == "postgresql://u@h/db"


def test_a_password_in_the_query_string_is_never_printed(pg_url):
    with_password = pg_url + "&password=s3cret"  # trust authentication ignores it
    runner = CliRunner()
    stats = runner.invoke(cli, ["--db", with_password, "corpus", "stats"])
    assert stats.exit_code == 0, stats.output
    assert "password=***" in stats.output and "s3cret" not in stats.output
    with CorpusStore(with_password) as store:
        assert "s3cret" not in store.path and "s3cret" not in store.files_base
    unreachable = runner.invoke(cli, ["--db", "postgresql://me@127.0.0.1:1/x?password=s3cret", "corpus", "stats"])
    assert unreachable.exit_code == 1 and "s3cret" not in unreachable.output


def test_a_port_that_is_not_a_number_is_one_line_before_connecting():
    from corpus.backend import check_url

    with pytest.raises(StoreError, match=r"the port 'abc' is not a number from 1 to 65535"):
        check_url("postgresql://u@h:abc/db")
    check_url("postgresql://u@h1:5432,h2:5433/db")
    r = CliRunner().invoke(cli, ["--db", "postgresql://u:pw@127.0.0.1:abc/db", "corpus", "stats"])
    assert r.exit_code == 1
    assert r.output == ("Error: --db postgresql://u:***@127.0.0.1:abc/db: the port 'abc' is not a number from 1 to "
                        "65535; write the URL as postgresql://USER@HOST:5432/DBNAME\n")


def _cut_connections(url: str) -> None:
    """Stop the server's backend of every other session on the test database (the command's), as a crash or
    an administrator would (``pg_terminate_backend``)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                      "AND pid <> pg_backend_pid()")


def _cut_at_call(monkeypatch, module, name: str, url: str, call: int) -> None:
    """Make ``module.name`` cut the command's connection when it is called the ``call``-th time."""
    original, calls = getattr(module, name), []

    def cutting(*args):
        calls.append(args)
        if len(calls) == call:
            _cut_connections(url)
        return original(*args)

    monkeypatch.setattr(module, name, cutting)


def test_a_connection_lost_mid_import_is_one_line_and_keeps_nothing(pg_url, write_jsonl, monkeypatch):
    import corpus.io

    records = [{"text": f"Synthetic speech number {i} about devolution."} for i in range(6)]
    path = write_jsonl("s.jsonl", records)
    _cut_at_call(monkeypatch, corpus.io, "check_record", pg_url, 3)
    r = CliRunner().invoke(cli, ["--db", pg_url, "corpus", "import", str(path)])
    assert r.exit_code == 1, r.output
    assert r.output.startswith("Error: lost the connection to PostgreSQL at 127.0.0.1:")
    assert r.output.endswith("the server rolled back any unfinished change: check the server and run the command "
                             "again\n") and r.output.count("\n") == 1
    monkeypatch.undo()
    with CorpusStore(pg_url) as store:
        assert store.count() == 0


def test_a_connection_lost_mid_read_is_one_line_and_writes_no_file(pg_url, tmp_path, monkeypatch):
    import corpus.store

    with CorpusStore(pg_url) as store:
        store.add_many([make_article(f"Synthetic article {i} on ownership.") for i in range(1200)])
    _cut_at_call(monkeypatch, corpus.store, "_article", pg_url, 1)
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(cli, ["--db", pg_url, "corpus", "export", "-o", str(out)])
    assert r.exit_code == 1 and r.output.startswith("Error: lost the connection to PostgreSQL"), r.output
    assert "Traceback" not in r.output and not out.exists() and list(tmp_path.iterdir()) == []


def test_nul_characters_in_an_old_sqlite_corpus_are_cleaned_on_the_way_into_postgresql(tmp_path, pg_url):
    source = tmp_path / "old.db"
    with CorpusStore(source) as store:
        store.add(make_article("A text with a stray NUL here.", title="t"))
        store.add(make_article("A clean text."))
    # An SQLite corpus from before NULs were refused: the character is written behind the store's back.
    raw = sqlite3.connect(source)
    raw.execute("UPDATE articles SET text = 'A text with a stray ' || char(0) || 'NUL here.', title = 't' || char(0) "
                "WHERE title = 't'")
    raw.commit()
    raw.close()
    result = copy_corpus(source, pg_url)
    assert result.copied["articles"] == 2 and result.cleaned == {"articles": 1}
    with CorpusStore(pg_url) as dest:
        texts = sorted(a.text for a in dest.articles())
        assert texts == ["A clean text.", "A text with a stray NUL here."]
        # its duplicate key follows the cleaned text: the same text imported again is a duplicate
        assert dest.add(make_article("A text with a stray NUL here.")) is False


def test_a_database_named_to_climb_folders_keeps_its_files_in_the_working_folder():
    base = files_base("postgresql://u@h/../../x")
    assert "/" not in base and base == "_.._.._x@h"
    assert Path(base + ".runs").resolve().parent == Path.cwd()
    assert files_base("postgresql://u@h/%2E%2E%2F%2E%2E%2Fy") == "_.._.._y@h"
    assert files_base("postgresql://u@h/softleft") == "softleft@h"


def test_a_nul_in_another_field_is_refused_by_postgresql_in_one_line(pg_store):
    with pytest.raises(StoreError, match=r"a value holds a NUL character \(\\x00\), which PostgreSQL cannot store"):
        pg_store.add(make_article("A synthetic text.", section="News\x00"))
    assert pg_store.count() == 0
