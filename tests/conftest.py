"""Shared fixtures: a temporary store, a CLI runner, small JSONL files."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cli import cli  # noqa: E402
from corpus import Article, CorpusStore  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--live``: also run the smoke tests against the real outlets (needs the network)."""
    parser.addoption("--live", action="store_true", default=False,
                     help="run scraper smoke tests against the live outlets (needs the network)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test reading the shared whole run (``demo_run``) is ``slow``: ``-m "not slow"`` leaves it out."""
    for item in items:
        if "demo_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True, scope="session")
def _own_cache_home(tmp_path_factory):
    """Nothing the suite does writes to the user's ~/.cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    yield
    mp.undo()


@dataclass(frozen=True)
class DemoRun:
    """The demo, run once for the whole session (``demo -o DIR`` with its default settings)."""

    out: Path
    manifest: dict
    stderr: str

    @property
    def db(self) -> Path:
        return self.out / "softleft.db"

    def copy(self, dest: Path) -> Path:
        """A copy of the demo's folder (its corpus, stored results and run files) for a test that changes it;
        returns the copy's corpus."""
        shutil.copytree(self.out, dest)
        runs = Path(str(self.db) + ".runs")
        if runs.is_dir():
            shutil.copytree(runs, Path(str(dest / "softleft.db") + ".runs"))
        return dest / "softleft.db"


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    """The one whole-pipeline run the suite shares: tests that read a run's report, CSVs, manifest, model or
    stored results use it (and copy it before changing anything)."""
    out = tmp_path_factory.mktemp("demo-session") / "demo-output"
    result = CliRunner().invoke(cli, ["demo", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return DemoRun(out, json.loads((out / "manifest.json").read_text()), result.stderr)


@pytest.fixture
def store(tmp_path):
    s = CorpusStore(tmp_path / "test.db")
    yield s
    s.close()


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for the session: ``$SOFTLEFT_TEST_PG``, or a throwaway one (initdb, 127.0.0.1 only);
    tests using it skip where there is neither (or no psycopg)."""
    from tests.pgserver import server_from_env, start_server

    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install 'psycopg[binary]')")
    server = server_from_env()
    if server is None:
        try:
            server = start_server()
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            pytest.skip(f"no PostgreSQL server for the tests: {exc}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server):
    """The URL of a fresh, empty PostgreSQL database (dropped after the test)."""
    url = pg_server.fresh_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture
def pg_store(pg_url):
    s = CorpusStore(pg_url)
    yield s
    s.close()


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture
def run_cli(db):
    """Invoke the CLI against a temporary corpus: ``run_cli("corpus", "stats", "--json")``."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, ["--db", str(db), *args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def write_jsonl(tmp_path):
    def write(name: str, records: list, raw_lines: list[str] | None = None) -> Path:
        path = tmp_path / name
        lines = [json.dumps(r) for r in records] + (raw_lines or [])
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


def make_article(text: str, outlet: str = "renewal", **kw) -> Article:
    return Article(outlet=outlet, text=text, source=kw.pop("source", "imported"), **kw)


SPEECHES = [
    {"speaker": "Ann Example", "party": "Lab", "date": "2019-03-01", "text": "We will nationalise the railways and build council homes."},
    {"speaker": "Ben Example", "party": "Con", "date": "2019-03-02", "text": "Fiscal responsibility means lower taxes for families."},
    {"speaker": "Ann Example", "party": "Lab", "date": "2019-03-05", "text": "Public ownership of water is popular with voters."},
    {"speaker": "Cat Example", "party": "LD", "date": "05/03/2019", "text": "Proportional representation would renew our democracy."},
]
