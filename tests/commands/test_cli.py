"""CLI contract: exit codes, exact error messages, JSON on stdout only."""
import json

import pytest

from corpus import CorpusStore
from tests.conftest import SPEECHES


def test_import_stats_search_and_reimport(run_cli, write_jsonl):
    path = write_jsonl("speeches.jsonl", SPEECHES)
    r = run_cli("corpus", "import", str(path), "--label-field", "party", "--author-field", "speaker", "--json")
    assert r.exit_code == 0
    assert json.loads(r.stdout) == {"imported": 4, "duplicates": 0, "skipped": 0}
    stats = json.loads(run_cli("corpus", "stats", "--json").stdout)
    assert stats["articles"] == 4 and stats["by_tendency"] == {"Lab": 2, "Con": 1, "LD": 1}
    assert set(stats) >= {"articles", "by_outlet", "by_tendency", "by_year"}
    again = run_cli("corpus", "import", str(path), "--label-field", "party", "--author-field", "speaker", "--json")
    assert json.loads(again.stdout) == {"imported": 0, "duplicates": 4, "skipped": 0}
    assert "Nothing new: all 4 records of speeches.jsonl are already in the corpus." in again.stderr
    hits = json.loads(run_cli("corpus", "search", "nationalisation", "--json").stdout)
    assert [h["tendency"] for h in hits] == ["Lab"]
    assert set(hits[0]) == {"id", "title", "outlet", "published", "tendency", "snippet"}


def test_missing_import_file_is_exit_1_with_one_line(run_cli, tmp_path):
    r = run_cli("corpus", "import", str(tmp_path / "nope.jsonl"))
    assert r.exit_code == 1
    assert r.stderr == f"Error: {tmp_path / 'nope.jsonl'} does not exist or is not a file\n"


def test_strict_import_error_text(run_cli, write_jsonl):
    path = write_jsonl("bad.jsonl", [{"text": "ok"}], raw_lines=["not json"])
    r = run_cli("corpus", "import", str(path), "--strict")
    assert r.exit_code == 1
    assert r.stderr.strip() == "Error: bad.jsonl line 2: invalid JSON (Expecting value at column 1) (--strict: nothing imported)"


def test_bad_option_value_is_a_usage_error(run_cli, write_jsonl):
    r = run_cli("corpus", "import", str(write_jsonl("a.jsonl", [{"text": "x"}])), "--format", "xml")
    assert r.exit_code == 2
    assert "Invalid value for '--format'" in r.stderr


def test_labels_load_and_show(run_cli, write_jsonl, tmp_path):
    run_cli("corpus", "import", str(write_jsonl("a.jsonl", [{"text": "x", "author": "Rosa Quayle", "outlet": "labourlist"}])))
    labels = tmp_path / "l.toml"
    labels.write_text('[authors]\n"Rosa Quayle" = "soft_left"\n')
    r = run_cli("corpus", "labels", "--load", str(labels), "--json")
    usage = json.loads(r.stdout)
    assert usage["by_tendency"] == {"soft_left": 1}
    assert {"kind": "author", "key": "rosa quayle", "tendency": "soft_left", "contested": False, "note": None,
            "articles": 1} in usage["labels"]


def test_export_creates_missing_folders(run_cli, write_jsonl, tmp_path):
    run_cli("corpus", "import", str(write_jsonl("a.jsonl", [{"text": "x"}])))
    r = run_cli("corpus", "export", "-o", str(tmp_path / "no" / "sub" / "x.jsonl"))
    assert r.exit_code == 0, r.stderr
    assert json.loads((tmp_path / "no" / "sub" / "x.jsonl").read_text())["text"] == "x"


def test_export_under_a_file_is_an_error(run_cli, write_jsonl, tmp_path):
    run_cli("corpus", "import", str(write_jsonl("a.jsonl", [{"text": "x"}])))
    (tmp_path / "notes.txt").write_text("a file")
    r = run_cli("corpus", "export", "-o", str(tmp_path / "notes.txt" / "x.jsonl"))
    assert r.exit_code == 1 and r.stderr == (f"Error: cannot write {tmp_path / 'notes.txt' / 'x.jsonl'}: "
                                             f"{tmp_path / 'notes.txt'} is not a folder\n")


def test_every_command_has_help_with_an_example(run_cli):
    from cli import cli

    def walk(group, path):
        for name, cmd in group.commands.items():
            yield path + [name], cmd
            if hasattr(cmd, "commands"):
                yield from walk(cmd, path + [name])

    for path, cmd in walk(cli, []):
        r = run_cli(*path, "--help")
        assert r.exit_code == 0, path
        assert "Example:" in r.stdout, f"{' '.join(path)} --help has no example"


def test_version(run_cli):
    r = run_cli("--version")
    assert r.exit_code == 0 and r.stdout.startswith("softleft, version ")


def test_scraper_errors_become_one_line_errors(run_cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[outlets.x\n")
    r = run_cli("scrape", "list", "--outlets", str(bad))
    assert r.exit_code == 1
    assert r.stderr.startswith(f"Error: outlets file {bad} is not valid TOML")
    assert "Traceback" not in r.output


def test_read_commands_do_not_create_a_corpus(run_cli, db):
    r = run_cli("corpus", "stats")
    assert r.exit_code == 1
    assert r.stderr == (f"Error: no corpus at {db}; create one with `corpus import FILE` or `scrape OUTLET`, "
                        "or point --db (or $SOFTLEFT_DB) at an existing one\n")
    assert not db.exists()


def test_a_file_that_is_not_a_corpus_is_a_clear_error(tmp_path):
    from click.testing import CliRunner

    from cli import cli

    bogus = tmp_path / "notes.txt"
    bogus.write_text("just some notes, not SQLite " * 100)
    r = CliRunner().invoke(cli, ["--db", str(bogus), "corpus", "stats"])
    assert r.exit_code == 1
    assert r.stderr.startswith(f"Error: cannot open the corpus {bogus}: file is not a database")
    assert bogus.read_text().startswith("just some notes")


def test_import_of_html_and_a_duplicate_reports_on_stderr(run_cli, write_jsonl):
    path = write_jsonl("wp.jsonl", [{"text": "<p>One paragraph.</p><p>Two.</p>"}, {"text": "One paragraph.\n\nTwo."}])
    r = run_cli("corpus", "import", str(path), "--json")
    assert json.loads(r.stdout) == {"imported": 1, "duplicates": 1, "skipped": 0}
    assert "Imported 1 articles from wp.jsonl; 1 duplicates, 0 skipped." in r.stderr


@pytest.mark.parametrize("command", [("run",), ("demo",), ("topics", "sweep"), ("classify", "evaluate"),
                                     ("nlp", "preprocess")])
def test_parallel_commands_take_jobs(run_cli, command):
    """One option name for parallel work; the old spellings stay working but hidden."""
    r = run_cli(*command, "--help")
    assert "--jobs" in r.stdout and "--n-process" not in r.stdout and "--n-jobs" not in r.stdout


def test_old_option_spellings_still_work_with_a_hint(run_cli, db):
    from corpus.demo import fill_demo

    with CorpusStore(db) as store:
        fill_demo(store)
    new = run_cli("classify", "evaluate", "--by", "author", "--folds", "2", "--jobs", "1", "--json")
    old = run_cli("classify", "evaluate", "--group-by", "author", "--folds", "2", "--n-jobs", "1", "--json")
    assert new.exit_code == old.exit_code == 0, old.stderr
    assert json.loads(new.stdout)["macro_f1"] == json.loads(old.stdout)["macro_f1"]
    assert json.loads(old.stdout)["group_by"] == "author"
    assert "Hint: --group-by is now --by" in old.stderr and "Hint: --n-jobs is now --jobs" in old.stderr
    assert "Hint" not in new.stderr
    assert "--group-by" not in run_cli("classify", "evaluate", "--help").stdout
