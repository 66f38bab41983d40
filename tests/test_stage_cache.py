"""A second run on an unchanged corpus replays the slow stages' stored results, and only then."""
from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import pytest

from corpus import CorpusStore
from corpus.demo import fill_demo
from corpus.labels import LabelSet
from nlp import document_cache, stage_cache
from nlp.pipeline import RunConfig, run_analysis

SLOW = ["positions", "classifier, contrasts and mentions", "meaning"]  # in the order they run
#: The report sections those stages make (the demo is too small for the meaning stage: it has none).
SECTIONS = ("positions", "classifier", "contrasts", "mentions", "findings")


def _config(**changes):
    return RunConfig(**{"seed": 0, "k": 6, "bootstrap": 20, "n_process": 1, "stability_seeds": 1, **changes})


@pytest.fixture(scope="module")
def primed(tmp_path_factory):
    """The demo corpus after one run (its stage records stored), with this module's signing key."""
    base = tmp_path_factory.mktemp("primed")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(base / "xdg"))
        mp.setattr(document_cache, "MIN_DOCUMENTS", 10)  # the demo's 130 articles have a key
        with CorpusStore(base / "demo.db") as store:
            fill_demo(store)
            run_analysis(store, base / "first", _config())
        yield base


@pytest.fixture
def demo(primed, tmp_path):
    """A copy of the primed corpus (with its .runs folder) and its first run, open."""
    for name in ("demo.db", "demo.db.runs", "first"):
        src = primed / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp_path / name)
    with CorpusStore(tmp_path / "demo.db") as store:
        yield store


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def _sections(out: Path) -> dict[str, str]:
    html = (out / "report.html").read_text()
    return dict(re.findall(r'<section id="([a-z_-]+)"(.*?)</section>', html, re.S))


def _predictions(store):
    return sorted(store.conn.execute("SELECT article_id, model, label, probabilities FROM predictions"))


def _records(store) -> list[Path]:
    return sorted(stage_cache.stages_dir(store).glob(f"*/{stage_cache.PAYLOAD}"))


def test_a_second_run_replays_the_slow_stages_and_writes_the_same_report(demo, tmp_path, monkeypatch):
    from nlp.scaling import positions
    from nlp.tendencies import analysis

    first = tmp_path / "first"
    assert _manifest(first)["metrics"]["stages_reused"] == []
    before = _predictions(demo)
    assert before
    demo.conn.execute("DELETE FROM predictions")  # the replay stores them again

    def computed(*a, **k):
        raise AssertionError("a stage was computed again")

    monkeypatch.setattr(analysis, "analyse_tendencies", computed)
    monkeypatch.setattr(positions, "corpus_scale", computed)
    run_analysis(demo, tmp_path / "second", _config())
    second = tmp_path / "second"
    metrics = _manifest(second)["metrics"]
    assert metrics["stages_reused"] == SLOW
    assert metrics["classifier_macro_f1_by_author"] == _manifest(first)["metrics"]["classifier_macro_f1_by_author"]
    assert set(metrics["stages_not_run"]) == {"meaning"}  # the demo's meaning stage stopped, and still does
    assert sorted(p.name for p in (second / "data").iterdir()) == sorted(p.name for p in (first / "data").iterdir())
    for path in (first / "data").iterdir():
        assert path.read_bytes() == (second / "data" / path.name).read_bytes(), path.name
    for path in (first / "model").iterdir():
        assert path.read_bytes() == (second / "model" / path.name).read_bytes(), path.name
    a, b = _sections(first), _sections(second)
    for name in SECTIONS:
        assert a[name] and a[name] == b[name], name
    assert _predictions(demo) == before


def test_relabelling_an_author_or_changing_a_setting_recomputes(demo, tmp_path):
    run_analysis(demo, tmp_path / "bootstrap", _config(bootstrap=21))  # only positions read it
    assert _manifest(tmp_path / "bootstrap")["metrics"]["stages_reused"] == SLOW[1:]
    demo.load_labels(LabelSet.from_mapping({"authors": {"Rosa Quayle": "hard_left"}}))
    run_analysis(demo, tmp_path / "relabelled", _config())
    assert _manifest(tmp_path / "relabelled")["metrics"]["stages_reused"] == []


def test_no_reuse_recomputes_and_stores_afresh(demo, tmp_path):
    stamps = {p: p.stat().st_mtime_ns for p in _records(demo)}
    run_analysis(demo, tmp_path / "fresh", _config(reuse_results=False))
    assert _manifest(tmp_path / "fresh")["metrics"]["stages_reused"] == []
    assert all(p.stat().st_mtime_ns != t for p, t in stamps.items())


def test_records_that_do_not_verify_are_ignored(demo, tmp_path, caplog):
    records = {p.parent.name.rsplit("-", 1)[0]: p for p in _records(demo)}  # by stage
    positions, classifier, meaning = (records[name] for name in ("positions", "classifier-contrasts-and-mentions",
                                                                 "meaning"))
    data = positions.read_bytes()
    positions.write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])  # one bit changed
    classifier.write_bytes(classifier.read_bytes()[:1000])  # cut short
    body = meaning.read_bytes()[len(stage_cache.HEADER) + 32:]  # the same record, signed with another key
    meaning.write_bytes(stage_cache.HEADER + stage_cache._signature(b"k" * 32, meaning.parent.name, body) + body)
    with caplog.at_level(logging.WARNING, logger="nlp.stage_cache"):
        report = run_analysis(demo, tmp_path / "after", _config())
    assert report.is_file() and _manifest(tmp_path / "after")["metrics"]["stages_reused"] == []
    assert sum("signature does not verify" in r.getMessage() for r in caplog.records) == 3
    for path in (positions, classifier, meaning):  # stored afresh, signed with this user's key
        assert stage_cache._load(path.parent, path.parent.name) is not None


def test_the_signing_key_is_private_and_made_once(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    key = stage_cache.secret_key()
    path = tmp_path / "xdg" / "softleft" / "cache.key"
    assert key is not None and len(key) == 32 and path.read_bytes() == key
    assert path.stat().st_mode & 0o777 == 0o600
    assert stage_cache.secret_key() == key
    path.chmod(0o644)  # readable by others: not trusted for signing
    assert stage_cache.secret_key() is None


def test_small_selections_have_no_key(demo, monkeypatch):
    from types import SimpleNamespace

    from nlp.documents import load_documents
    from nlp.pipeline import stage_positions

    ctx = SimpleNamespace(docs=load_documents(demo), store=demo, config=_config())
    assert stage_cache.stage_key(ctx, "positions", stage_positions.cache).startswith("positions-")
    monkeypatch.setattr(document_cache, "MIN_DOCUMENTS", len(ctx.docs) + 1)
    assert stage_cache.stage_key(ctx, "positions", stage_positions.cache) is None
