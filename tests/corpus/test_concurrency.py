"""Two writers on one corpus wait or refuse with a clear message, never an IntegrityError traceback; a count
and a fingerprint recorded together come from one state of the corpus."""
import sqlite3

import pytest
from click.testing import CliRunner

from cli import cli
from corpus import CorpusBusy, CorpusStore
from corpus.analyses import begin_topic_run, document_topics, write_document_topics
from tests.conftest import make_article


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "c.db")
    return request.getfixturevalue("pg_url")


def test_a_second_update_is_refused_at_once_naming_the_first(target, tmp_path):
    with CorpusStore(target) as store:
        store.add(make_article("A synthetic article for the update."))
        with store.exclusive("update"):
            r = CliRunner().invoke(cli, ["--db", target, "update", "-o", str(tmp_path / "r.html")])
            with pytest.raises(CorpusBusy, match="another `update` is running"):
                with CorpusStore(target) as other, other.exclusive("update"):
                    pass
        assert r.exit_code == 1, r.output
        assert r.output.startswith(f"Error: another `update` is running on the corpus {store.path}")
        assert r.output.endswith("; wait for it to finish, then run this again\n") and r.output.count("\n") == 1
        with store.exclusive("update"):  # released: the next one runs
            pass


def test_placing_the_same_articles_twice_takes_the_new_shares(target):
    with CorpusStore(target) as store:
        article = make_article("A synthetic article placed by two updates at once.")
        store.add(article)
        with store.transaction():
            begin_topic_run(store, "run-k2", 2, 0, "")
            write_document_topics(store, [("run-k2", article.id, 0, 0.25), ("run-k2", article.id, 1, 0.75)])
        with store.transaction():  # the second process, a moment later: no IntegrityError
            write_document_topics(store, [("run-k2", article.id, 0, 0.5), ("run-k2", article.id, 1, 0.5)])
        assert document_topics(store, "run-k2", [article.id]) == {article.id: {0: 0.5, 1: 0.5}}


def test_the_count_and_the_fingerprint_come_from_one_state_while_an_import_lands(target):
    with CorpusStore(target) as store, CorpusStore(target) as importer:
        store.add_many([make_article(f"Synthetic article {i} before the import.") for i in range(3)])
        before = store.fingerprint()
        execute = store.conn.execute

        def import_meanwhile(sql, *args):
            result = execute(sql, *args)
            if sql.startswith("SELECT COUNT(*) FROM articles"):  # between the count and the fingerprint
                importer.add_many([make_article(f"Synthetic article {i} of the import.") for i in range(4)])
            return result

        store.conn = _Spy(store.conn, import_meanwhile)
        state = store.state()
        store.conn = store.conn.inner
        assert (state.articles, state.fingerprint) == (3, before)
        assert store.state().articles == 7 and store.state().to_dict()["hash"] == store.fingerprint() != before


class _Spy:
    """A connection whose ``execute`` is replaced (sqlite3's and psycopg's cannot be patched in place)."""

    def __init__(self, inner, execute):
        self.inner, self.execute = inner, execute

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_an_integrity_error_at_the_boundary_is_one_line(run_cli, write_jsonl, monkeypatch):
    run_cli("corpus", "import", str(write_jsonl("a.jsonl", [{"text": "A synthetic text."}])))

    def clash(self):
        raise sqlite3.IntegrityError("UNIQUE constraint failed: document_topics.run, document_topics.article_id")

    monkeypatch.setattr(CorpusStore, "stats", clash)
    r = run_cli("corpus", "stats")
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: another process wrote the same rows to the corpus ")
    assert r.stderr.endswith("(UNIQUE constraint failed: document_topics.run, document_topics.article_id); this "
                             "command's unfinished change was rolled back: run it again\n")
