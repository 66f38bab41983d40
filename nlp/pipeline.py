"""The one-command pipeline behind ``run`` and ``demo``: every analysis into a run directory.

A run directory holds ``manifest.json`` (seed, package versions, corpus hash, configuration, metrics and
timings), ``data/*.csv`` (the data behind every chart) and ``report.html``.
"""
from __future__ import annotations

import csv
import json
import logging
import platform
import shutil
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from corpus import CorpusStore
from corpus.dates import now_utc

from .report import Section, corpus_section, method_section, render_report

log = logging.getLogger(__name__)

PACKAGES = ("spacy", "spacy-lookups-data", "gensim", "scikit-learn", "numpy", "scipy", "matplotlib", "click")


@dataclass
class RunConfig:
    """What ``run`` does; every field lands in the manifest."""

    seed: int = 0
    k: int | None = None
    title: str = "softleft report"
    notice: str | None = None


@dataclass
class RunContext:
    store: CorpusStore
    out_dir: Path
    config: RunConfig
    sections: list[Section] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    method: dict[str, str] = field(default_factory=dict)


Stage = tuple[str, Callable[[RunContext], None]]


def stage_corpus(ctx: RunContext) -> None:
    section = corpus_section(ctx.store)
    ctx.sections.append(section)
    ctx.metrics["articles"] = ctx.store.count()
    ctx.method["Corpus"] = ("Articles are stored in SQLite with a full-text index; each article's tendency is "
                            "resolved from its own label, else its author's, else its outlet's default.")


STAGES: list[Stage] = [
    ("corpus summary", stage_corpus),
]


def run_analysis(store: CorpusStore, out_dir: str | Path, config: RunConfig | None = None,
                 on_stage: Callable[[str, int, int], None] | None = None) -> Path:
    """Run every stage on ``store``, write the run directory and return the report's path.

    Parameters
    ----------
    store : CorpusStore
    out_dir : path
        Created if missing; files of an earlier run there are replaced.
    config : RunConfig
    on_stage : callable, optional
        Called as ``on_stage(name, index, total)`` before each stage (progress display).
    """
    config = config or RunConfig()
    out_dir = Path(out_dir)
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    ctx = RunContext(store, out_dir, config)
    started = time.perf_counter()
    for i, (name, stage) in enumerate(STAGES):
        if on_stage:
            on_stage(name, i, len(STAGES))
        t0 = time.perf_counter()
        stage(ctx)
        ctx.timings[name] = round(time.perf_counter() - t0, 3)
        log.info("stage %s took %.1fs", name, ctx.timings[name])
    for section in ctx.sections:
        for name, rows in section.data.items():
            write_csv(out_dir / "data" / f"{name}.csv", rows)
    sections = ctx.sections + [method_section(ctx.method)]
    report = out_dir / "report.html"
    _write_atomic(report, render_report(
        sections, config.title, subtitle=f"{ctx.metrics.get('articles', 0)} articles in {Path(store.path).name}",
        notice=config.notice, footer="Charts' data: data/*.csv beside this file; run details: manifest.json."))
    ctx.timings["total"] = round(time.perf_counter() - started, 3)
    manifest = {
        "created": now_utc(),
        "seed": config.seed,
        "config": {k: v for k, v in vars(config).items()},
        "corpus": {"path": str(store.path), "hash": store.fingerprint(), "articles": ctx.metrics.get("articles")},
        "metrics": ctx.metrics,
        "timings_seconds": ctx.timings,
        "versions": package_versions(),
        "files": sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*") if p.is_file()),
    }
    _write_atomic(out_dir / "manifest.json", json.dumps(manifest, indent=2, default=str))
    return report


def run_demo(out_dir: str | Path, seed: int = 0, settings: Any = None) -> Path:
    """Build the demo corpus in ``out_dir/softleft.db`` (afresh) and run the whole analysis on it."""
    from corpus.demo import NOTICE, demo_labels, iter_demo_articles

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "softleft.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    with CorpusStore(db) as store:
        store.load_labels(demo_labels())
        added = store.add_many(iter_demo_articles())
        log.info("demo corpus: %d articles", added.inserted)
        config = RunConfig(seed=seed, title="softleft demo report", notice=NOTICE + " Nothing here describes real writing.")
        return run_with_progress(store, out_dir, config, settings)


def run_with_progress(store: CorpusStore, out_dir: Path, config: RunConfig, settings: Any = None) -> Path:
    """:func:`run_analysis` with a line per stage on stderr and the total time at the end."""
    quiet = bool(getattr(settings, "quiet", False))
    t0 = time.perf_counter()

    def on_stage(name: str, i: int, total: int) -> None:
        if not quiet:
            print(f"[{i + 1}/{total}] {name} ({time.perf_counter() - t0:.1f}s)", file=sys.stderr, flush=True)

    report = run_analysis(store, out_dir, config, on_stage=on_stage)
    print(f"Done in {time.perf_counter() - t0:.1f}s: {report}", file=sys.stderr)
    return report


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
