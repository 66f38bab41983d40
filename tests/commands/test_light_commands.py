"""Light commands start light: they import no spaCy, gensim or scikit-learn (each costs a second or more of
CPU to import), so that reading what is stored answers at once. Each command runs in its own interpreter."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("spacy", "gensim", "sklearn")

#: Runs softleft's command line with the arguments given, then writes what it imported to the file named last.
_PROBE = """
import json, sys
sys.path.insert(0, {root!r})
args, report = sys.argv[1:-1], sys.argv[-1]
sys.argv = ["softleft", *args]
import cli
code = 0
try:
    cli.main()
except SystemExit as exc:
    code = exc.code or 0
with open(report, "w") as fh:
    json.dump({{"code": code, "heavy": sorted(m for m in {heavy!r} if m in sys.modules)}}, fh)
"""


def imported(args: list[str], tmp_path: Path, stdin: str = "", heavy: tuple[str, ...] = HEAVY) -> dict:
    """What the command imported of ``heavy``, with its exit code (and its stderr as ``"stderr"``)."""
    report = tmp_path / "imported.json"
    done = subprocess.run([sys.executable, "-c", _PROBE.format(root=str(ROOT), heavy=heavy), *args, str(report)],
                          input=stdin, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    return {**json.loads(report.read_text()), "stderr": done.stderr}


@pytest.fixture(scope="module")
def demo_db(demo_run, tmp_path_factory) -> str:
    """A copy of the demo run's corpus with a stored scale (plain words) to place texts on."""
    db = demo_run.copy(tmp_path_factory.mktemp("light") / "demo")
    result = CliRunner().invoke(cli, ["--db", str(db), "scale", "wordfish", "--features", "words", "--json"])
    assert result.exit_code == 0, result.output
    return str(db)


@pytest.mark.parametrize("args", [
    ["--help"],
    ["topics", "show"],
    ["topics", "show", "--json"],
    ["corpus", "stats", "--json"],
    ["corpus", "search", "community wealth", "--limit", "3"],
    ["scale", "--help"],
], ids=" ".join)
def test_light_commands_import_no_spacy_gensim_or_sklearn(args, demo_db, tmp_path):
    got = imported(["--db", demo_db, *args], tmp_path)
    assert (got["code"], got["heavy"]) == (0, [])


@pytest.fixture(scope="module")
def placed(demo_db, tmp_path_factory) -> dict:
    got = imported(["--db", demo_db, "scale", "place", "--text", "-"], tmp_path_factory.mktemp("place"),
                   stdin="public ownership of rail")
    return {"code": got["code"], "heavy": got["heavy"]}


def test_placing_a_text_on_a_stored_scale_imports_no_spacy_or_gensim(placed):
    assert placed["code"] == 0 and not {"spacy", "gensim"} & set(placed["heavy"])


def test_placing_a_text_on_a_stored_scale_imports_no_sklearn(placed):
    assert placed == {"code": 0, "heavy": []}


def test_a_report_drawn_from_stored_results_imports_no_fitting_library(demo_db, tmp_path):
    """After a run, ``report`` reuses every stage: it reads the topic model's arrays and the stored results and
    draws them, with none of the libraries that fit them (nor scipy.stats or pandas)."""
    got = imported(["--db", demo_db, "report", "-o", str(tmp_path / "again.html")], tmp_path,
                   heavy=HEAVY + ("scipy.stats", "pandas", "datasketch"))
    assert "computed: nothing" in got["stderr"], got["stderr"]
    assert (got["code"], got["heavy"]) == (0, [])
