"""Files: SIGTERM cleans up as Ctrl-C does (no .tmp or .partial left, one line, exit 143), `-o -` is standard
output, and a command that only reads leaves a foreign SQLite file's journal mode alone."""
import json
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from corpus import CorpusStore
from tests.conftest import ROOT, make_article

TERMINATED = "Error: stopped by SIGTERM; the unfinished work was rolled back and no partial file was left (exit 143)"


def _run_and_terminate(tmp_path, setup: str, args: list[str]) -> subprocess.CompletedProcess:
    """Run ``cli.main()`` with ``args`` in a child process whose ``setup`` code sends it SIGTERM mid-way."""
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        def terminate():
            os.kill(os.getpid(), signal.SIGTERM)
        """) + textwrap.dedent(setup) + textwrap.dedent(f"""
        sys.argv = ["softleft", *{args!r}]
        import cli
        cli.main()
        """)
    return subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)


def test_sigterm_mid_export_leaves_no_temporary_file(tmp_path):
    db = tmp_path / "c.db"
    with CorpusStore(db) as store:
        store.add_many([make_article(f"Synthetic article {i}.") for i in range(5)])
    out = tmp_path / "out" / "export.jsonl"
    setup = """
        import corpus.io
        original = corpus.io.export_records
        def records(*args, **kwargs):
            for i, record in enumerate(original(*args, **kwargs)):
                if i == 2:
                    terminate()
                yield record
        corpus.io.export_records = records
        """
    done = _run_and_terminate(tmp_path, setup, ["--db", str(db), "corpus", "export", "-o", str(out)])
    assert done.returncode == 143, done.stderr
    assert done.stderr.strip().splitlines()[-1] == TERMINATED and "Traceback" not in done.stderr
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_sigterm_mid_import_into_a_new_corpus_leaves_no_corpus(tmp_path):
    records = tmp_path / "r.jsonl"
    records.write_text("".join(json.dumps({"text": f"Synthetic speech {i}."}) + "\n" for i in range(6)))
    setup = """
        import corpus.io
        original, seen = corpus.io.check_record, []
        def check(record):
            seen.append(record)
            if len(seen) == 3:
                terminate()
            return original(record)
        corpus.io.check_record = check
        """
    done = _run_and_terminate(tmp_path, setup, ["--db", "new.db", "corpus", "import", str(records)])
    assert done.returncode == 143 and done.stderr.strip().splitlines()[-1] == TERMINATED, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.jsonl"]


def test_sigterm_inside_a_folder_written_whole_leaves_no_partial_folder(tmp_path):
    setup = f"""
        import cli
        from corpus.output import atomic_directory
        cli._stop_on_sigterm()
        try:
            with atomic_directory({str(tmp_path / "run")!r}) as work:
                (work / "half.csv").write_text("a,b")
                terminate()
        except cli.Terminated:
            sys.exit(143)
        """
    done = _run_and_terminate(tmp_path, setup, ["--help"])
    assert done.returncode == 143, done.stderr
    assert list(tmp_path.iterdir()) == []


def test_export_dash_writes_to_standard_output(run_cli, write_jsonl, tmp_path, monkeypatch):
    run_cli("corpus", "import", str(write_jsonl("a.jsonl", [{"text": "Synthetic text one."}, {"text": "Two."}])))
    monkeypatch.chdir(tmp_path)
    r = run_cli("corpus", "export", "-o", "-")
    assert r.exit_code == 0, r.stderr
    assert [json.loads(line)["text"] for line in r.stdout.splitlines()] == ["Synthetic text one.", "Two."]
    assert r.stderr.strip().endswith("Wrote 2 articles to standard output")
    as_csv = run_cli("corpus", "export", "-o", "-", "--format", "csv")
    assert as_csv.stdout.splitlines()[0].startswith("id,outlet,tendency")
    assert not (tmp_path / "-").exists()


def _journal_mode(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def test_a_foreign_sqlite_file_keeps_its_journal_mode(run_cli, tmp_path):
    foreign = tmp_path / "notes.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    assert _journal_mode(foreign) == "delete"
    from click.testing import CliRunner

    from cli import cli
    r = CliRunner().invoke(cli, ["--db", str(foreign), "corpus", "stats"])
    assert r.exit_code == 1 and "is an SQLite database but not a softleft corpus" in r.output
    assert _journal_mode(foreign) == "delete"


def test_a_corpus_in_rollback_journal_mode_is_read_without_switching_it(tmp_path):
    path = tmp_path / "c.db"
    CorpusStore(path).close()
    assert _journal_mode(path) == "wal"  # a new corpus is made in WAL mode
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    from click.testing import CliRunner

    from cli import cli
    assert CliRunner().invoke(cli, ["--db", str(path), "corpus", "stats", "--json"]).exit_code == 0
    assert _journal_mode(path) == "delete"


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="no SIGTERM")
def test_terminated_is_not_an_exception_a_library_would_swallow():
    import cli

    assert not issubclass(cli.Terminated, Exception) and cli.EXIT_TERMINATED == 128 + signal.SIGTERM
