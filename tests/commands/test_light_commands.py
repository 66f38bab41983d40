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


def imported(args: list[str], tmp_path: Path, stdin: str = "") -> dict:
    report = tmp_path / "imported.json"
    subprocess.run([sys.executable, "-c", _PROBE.format(root=str(ROOT), heavy=HEAVY), *args, str(report)],
                   input=stdin, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    return json.loads(report.read_text())


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
    assert got == {"code": 0, "heavy": []}


@pytest.fixture(scope="module")
def placed(demo_db, tmp_path_factory) -> dict:
    return imported(["--db", demo_db, "scale", "place", "--text", "-"], tmp_path_factory.mktemp("place"),
                    stdin="public ownership of rail")


def test_placing_a_text_on_a_stored_scale_imports_no_spacy_or_gensim(placed):
    assert placed["code"] == 0 and not {"spacy", "gensim"} & set(placed["heavy"])


def test_placing_a_text_on_a_stored_scale_imports_no_sklearn(placed):
    assert placed == {"code": 0, "heavy": []}
