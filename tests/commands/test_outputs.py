"""Every output path is safe: whole or not at all, one clear error, no mix of two runs, no formulas in CSV."""
from __future__ import annotations

import csv
import json
import os

import pytest
from click.testing import CliRunner

from cli import cli
from corpus import Article, CorpusStore
from nlp.pipeline import RunConfig, run_analysis


def _corpus(path):
    store = CorpusStore(path)
    themes = ["=HYPERLINK(\"http://x\") devolution council mayor region", "strike union wage picket worker",
              "fiscal rule borrowing investment growth"]
    store.add_many(Article(outlet=["plural", "redcorner", "forwardbench"][i % 3], title=f"+piece {i}",
                           authors=(f"@writer{i % 4}",), published=f"{2018 + i % 5}-0{1 + i % 9}-10",
                           text=" ".join([themes[i % 3]] * 12) + f" number {i}.") for i in range(24))
    return store


@pytest.mark.slow
def test_a_killed_rerun_leaves_the_earlier_run_whole(tmp_path, monkeypatch):
    with _corpus(tmp_path / "c.db") as store:
        out = tmp_path / "run"
        run_analysis(store, out, RunConfig(seed=0, k=2, passes=1))
        before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

        def killed(*args, **kwargs):
            raise KeyboardInterrupt

        from dataclasses import replace

        from nlp.stages import GRAPH

        import nlp.pipeline

        graph = [replace(s, run=killed) if s.name == "trends" else s for s in GRAPH]
        monkeypatch.setattr(nlp.pipeline, "GRAPH", graph)
        with pytest.raises(KeyboardInterrupt):
            run_analysis(store, out, RunConfig(seed=1, k=2, passes=1))
        after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        assert after == before  # the earlier run, untouched: no file of the killed run mixed in
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".run.")] == []  # no leftovers
        # the stored topic run points at the run directory, not at the temporary folder it was written in
        monkeypatch.undo()
        run_analysis(store, out, RunConfig(seed=2, k=2, passes=1))
        manifest = json.loads((out / "manifest.json").read_text())
        from nlp.topics.runs import load_run
        assert load_run(store, "run-k2-s2").path == out / manifest["metrics"]["topics_run"]
        assert load_run(store, "run-k2-s2").path.is_dir()


def test_data_tables_neutralise_spreadsheet_formulas(tmp_path):
    with _corpus(tmp_path / "c.db") as store:
        run_analysis(store, tmp_path / "run", RunConfig(seed=0, k=2, passes=1))
    cells = [c for f in (tmp_path / "run" / "data").glob("*.csv") for row in csv.reader(f.open()) for c in row]
    assert cells and not [c for c in cells if c[:1] in ("=", "+", "-", "@") and not _number(c)]
    assert any(c.startswith("'") for c in cells)


def _number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


@pytest.mark.parametrize("args", [
    ["topics", "sweep", "--k", "2,3", "--passes", "1", "--plot", "{out}"],
    ["contrast", "soft_left", "hard_left", "--plot", "{out}"],
    ["report", "-o", "{out}"],
])
def test_unwritable_outputs_give_one_line_errors(tmp_path, args):
    from nlp.text.preprocess import preprocess_corpus
    from nlp.topics.fit import fit_topics

    db = tmp_path / "c.db"
    with _corpus(db) as store:
        store.load_labels(__import__("corpus").LabelSet.from_mapping(
            {"outlets": {"plural": "soft_left", "redcorner": "hard_left", "forwardbench": "soft_right"}}))
        preprocess_corpus(store)
        fit_topics(store, 2, passes=1)
    (tmp_path / "notes.txt").write_text("a file where the output's folder should be")
    missing = tmp_path / "notes.txt" / ("x.html" if args[0] == "report" else "x.png")
    r = CliRunner().invoke(cli, ["-q", "--db", str(db), *[a.format(out=missing) for a in args]])
    assert r.exit_code in (1, 2), r.output
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "notes.txt is not a folder" in errors[0] and "Traceback" not in r.output
    if os.path.exists("/dev/full") and args[0] != "report":
        r = CliRunner().invoke(cli, ["-q", "--db", str(db), *[a.format(out="/dev/full") for a in args]])
        assert r.exit_code == 1 and "no space left on device" in r.stderr, r.output
