"""The whole run on the demo (run once for the session): the same results as before the engine was rebuilt,
stored results reused by a second run and by ``report``, and recomputed exactly when an input changes."""
from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from corpus import CorpusStore
from corpus.labels import LabelSet

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden" / "demo"
#: Numbers in the run's CSVs may differ from the recorded ones by this much (relative), for floating-point
#: sums taken in another order; every other cell must be identical (docs/architecture.md, "Recorded results").
RELATIVE_TOLERANCE = 1e-6


def _cells_match(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return math.isclose(x, y, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-9)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def test_the_demo_gives_the_results_recorded_before_the_engine_was_rebuilt(demo_run):
    """Every data table of the demo against a copy recorded with the pipeline before the run engine (the same
    seed): the topics, trends, effects, positions, classifier and contrasts did not move. A later change may
    add a column (the classifier's permutation p); every recorded column must still hold what it held."""
    recorded = sorted(p.name for p in GOLDEN.glob("*.csv"))
    assert recorded and sorted(p.name for p in (demo_run.out / "data").glob("*.csv")) == recorded
    for name in recorded:
        want, got = _rows(GOLDEN / name), _rows(demo_run.out / "data" / name)
        assert len(got) == len(want), name
        assert set(want[0]) <= set(got[0]), name  # columns may be added, never lost or changed
        for i, (w, g) in enumerate(zip(want, got)):
            bad = [k for k in w if not _cells_match(w[k], g[k])]
            assert not bad, f"{name} row {i}: {[(k, w[k], g[k]) for k in bad]}"


def test_the_demo_run_directory_is_complete(demo_run):
    out, manifest = demo_run.out, demo_run.manifest
    # the synthetic demo is far too small to train word vectors: the meaning stage says so and how to fix it
    assert set(manifest["metrics"].get("stages_not_run") or {}) == {"meaning"}
    assert "--background DIR" in manifest["metrics"]["stages_not_run"]["meaning"]
    html = (out / "report.html").read_text()
    assert "Findings at a glance" in html
    assert "Soft left writing, compared with everyone else&#39;s, is most distinctive in its use of" in html
    assert re.findall(r'<section id="([a-z]+)"', html)[:2] == ["now", "findings"]  # the editor's view leads
    findings = html[html.index('<section id="findings"'):html.index('<section id="corpus"')]
    for jargon in ("|z|", "FREX", "c_v", "NPMI", "macro-F1"):  # statistics live in the method note
        assert jargon not in findings and jargon not in html[:html.index('<section id="findings"')]
    assert "softleft.db" not in html[:html.index("</h1>")]  # a human title, not the file name
    assert manifest["versions"]["gensim"] != "not installed"
    memory = manifest["memory_mb"]  # resident memory at each step's end, and the peak so far
    assert set(memory) == set(manifest["timings_seconds"]) - {"total"} | {"stages done", "report written"}
    assert all(0 < m["rss"] <= m["peak"] for m in memory.values())
    peaks = [memory[name]["peak"] for name in memory]
    assert peaks == sorted(peaks)  # a peak so far never falls
    metrics = manifest["metrics"]
    assert metrics["topics_k"] >= 2
    assert metrics["classifier_macro_f1_by_author"] > metrics["classifier_baseline_macro_f1_by_author"]
    assert (out / metrics["topics_run"] / "lambda.npy").is_file() and (out / "model" / "manifest.json").is_file()
    for name in ("topics", "topic_trends_by_tendency", "topic_trends_by_outlet", "contrasts", "faction_mentions",
                 "classifier_evaluation", "corpus_by_year_tendency", "now_against_before_articles", "watched_words"):
        assert _rows(out / "data" / f"{name}.csv"), name
    shares: dict = {}
    for row in _rows(out / "data" / "topic_trends_by_tendency.csv"):
        shares[(row["period"], row["group"])] = shares.get((row["period"], row["group"]), 0) + float(row["share"])
    assert all(abs(v - 1) < 1e-3 for v in shares.values())
    with CorpusStore(demo_run.db) as store:  # the classifier's predictions were stored after its stage
        assert store.conn.execute("SELECT COUNT(*) FROM predictions").fetchone()[0] > 0
        # the corpus the run read: its size and fingerprint from one snapshot (an import meanwhile cannot pair
        # the count of one state with the fingerprint of another)
        state = store.state()
    assert (manifest["corpus"]["articles"], manifest["corpus"]["hash"]) == (state.articles, state.fingerprint)
    assert manifest["corpus"]["selected"] == 142 and "changed_during_run" not in manifest["corpus"]


def test_report_renders_the_stored_results_and_says_so(demo_run, tmp_path):
    db = str(demo_run.copy(tmp_path / "demo"))
    r = _invoke("-q", "--db", db, "report", "-o", str(tmp_path / "again.html"))
    assert r.exit_code == 0, r.output
    reused = re.search(r"Reused: (.*); computed: (.*)", r.stderr)
    assert reused and reused.group(2) == "nothing", r.stderr
    assert "topic model" in reused.group(1) and "classifier, contrasts and mentions" in reused.group(1)
    html = (tmp_path / "again.html").read_text()
    assert "The topics" in html and "Findings at a glance" in html
    # an unknown stored model and a selection that matches nothing are errors, and write nothing
    r = _invoke("-q", "--db", db, "report", "-o", str(tmp_path / "r2.html"), "--topics", "nope")
    assert r.exit_code == 1 and r.stderr.startswith("Error: unknown topic model 'nope'; known: run-k")
    r = _invoke("-q", "--db", db, "report", "-o", str(tmp_path / "r3.html"), "--since", "2031")
    assert r.exit_code == 1 and "no article matches this selection" in r.stderr
    assert not (tmp_path / "r2.html").exists() and not (tmp_path / "r3.html").exists()


def test_a_second_run_reuses_the_stages_into_new_folders(demo_run, tmp_path):
    db = str(demo_run.copy(tmp_path / "demo"))
    out = tmp_path / "new" / "sub" / "run"  # folders made as needed
    r = _invoke("--db", db, "run", "-o", str(out), "--watch", "green new deal,devolution")
    assert r.exit_code == 0, r.output
    metrics = _manifest(out)["metrics"]
    assert metrics["topics_reused"] and len(metrics["stages_reused"]) >= 3 and metrics["stages_computed"] == []
    assert "Reused from an earlier run" in r.stderr
    for path in (demo_run.out / "data").glob("*.csv"):
        assert path.read_bytes() == (out / "data" / path.name).read_bytes(), path.name
    for path in (demo_run.out / "model").iterdir():
        assert path.read_bytes() == (out / "model" / path.name).read_bytes(), path.name
    assert (out / metrics["topics_run"] / "lambda.npy").is_file()  # the run directory is whole


@pytest.mark.slow
def test_what_changes_is_computed_again_and_nothing_else(demo_run, tmp_path):
    db = demo_run.copy(tmp_path / "demo")
    r = _invoke("-q", "--db", str(db), "run", "-o", str(tmp_path / "b"), "--bootstrap", "21",
                "--watch", "green new deal,devolution")
    metrics = _manifest(tmp_path / "b")["metrics"]
    assert r.exit_code == 0 and metrics["topics_reused"]  # the topic model does not read --bootstrap
    assert "classifier, contrasts and mentions" in metrics["stages_reused"]
    assert {"topic trends", "positions", "now against before"} <= set(metrics["stages_computed"])
    with CorpusStore(db) as store:
        store.load_labels(LabelSet.from_mapping({"authors": {"Rosa Quayle": "hard_left"}}))
    # the documents' resolved tendencies changed: every stage's key with them (a cheap topic model here: its
    # own key would differ anyway, the other stages run with the demo's settings)
    r = _invoke("-q", "--db", str(db), "run", "-o", str(tmp_path / "relabelled"), "--k", "4", "--passes", "2",
                "--stability-seeds", "1")
    assert r.exit_code == 0
    metrics = _manifest(tmp_path / "relabelled")["metrics"]
    assert metrics["stages_reused"] == [] and len(metrics["stages_computed"]) >= 6


def test_damaged_results_are_not_used(demo_run, tmp_path, caplog):
    from nlp.engine import ResultCache
    from nlp.stages import stage_named

    db = demo_run.copy(tmp_path / "demo")
    keys = demo_run.manifest["metrics"]["stage_keys"]
    with CorpusStore(db) as store:
        cache = ResultCache(store)
        assert cache.get(stage_named("positions"), keys["positions"]) is not None
        assert cache.get(stage_named("topics"), keys["topics"]) is not None
        with store.transaction() as conn:  # a number in a record changed; a bit of an array file flipped
            conn.execute("UPDATE stage_results SET record = replace(record, '0.', '1.') WHERE stage = 'positions'")
            conn.execute("UPDATE stage_result_files SET data = CAST(SUBSTR(data, 1, LENGTH(data) - 1) || "
                         "X'FF' AS BLOB) WHERE key = ?", (keys["topics"],))
        assert cache.get(stage_named("positions"), keys["positions"]) is None
        assert cache.get(stage_named("topics"), keys["topics"]) is None
    assert caplog.text.count("does not match its checksum") == 2


def test_no_pickle_and_no_signing_key(demo_run):
    root = Path(__file__).resolve().parents[2]
    for package in ("corpus", "nlp", "scrapers", "commands"):
        for path in (root / package).rglob("*.py"):
            assert not re.search(r"^\s*(import c?pickle|from c?pickle)", path.read_text(), re.M), path
    assert not re.search(r"^\s*(import c?pickle|from c?pickle)", (root / "cli.py").read_text(), re.M)
    assert not list(Path(str(demo_run.db) + ".runs").rglob("*.key"))


@pytest.mark.parametrize("kind", ["sqlite"])
def test_stored_results_are_plain_json_and_npy(demo_run, kind):
    with CorpusStore(demo_run.db) as store:
        rows = store.conn.execute("SELECT stage, record FROM stage_results").fetchall()
        assert {stage for stage, _ in rows} >= {"topics", "trends", "positions", "tendencies"}
        for _, record in rows:
            assert json.loads(record)["format"] == "softleft-result-1"
        names = [n for (n,) in store.conn.execute("SELECT name FROM stage_result_files")]
        assert names and all(n.endswith(".npy") for n in names)
