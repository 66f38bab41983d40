"""Topic-model runs: where a fit is saved, how it is stored in the corpus, and how it is read back.

A run is a folder ``<db>.runs/topics/<name>/`` (model files and ``manifest.json``) plus rows in the store:
``topic_runs`` (one per run), ``topic_run_topics`` (labels, terms, coherence) and ``document_topics`` (each
document's topic shares). :mod:`nlp.topics` fits runs; trends and the report read them from here.
"""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.store import CorpusStore

from nlp.errors import TopicModelError, UnknownModelError

@dataclass
class TopicRun:
    """A fitted and saved topic model: what ``topics fit`` and ``topics show`` print."""

    name: str
    k: int
    path: Path
    manifest: dict[str, Any]
    topics: list[dict[str, Any]] = field(default_factory=list)

    @property
    def coherence_c_v(self) -> float | None:
        return self.manifest.get("coherence", {}).get("c_v")

    @property
    def coherence_npmi(self) -> float | None:
        return self.manifest.get("coherence", {}).get("c_npmi")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "k": self.k, "coherence_c_v": self.coherence_c_v,
                "coherence_npmi": self.coherence_npmi, "reproducible": self.manifest.get("reproducible"),
                "seed": self.manifest.get("seed"), "n_docs": self.manifest.get("n_docs"),
                "path": str(self.path), "topics": self.topics}


def runs_root(store: CorpusStore, runs_dir: str | Path | None = None) -> Path:
    """``<db>.runs`` next to the corpus (a temporary folder for an in-memory store)."""
    if runs_dir is not None:
        return Path(runs_dir)
    if store.path == ":memory:":
        return Path(tempfile.gettempdir()) / "softleft-memory.runs"
    return Path(store.path + ".runs")


def store_run(store: CorpusStore, name: str, model: Any, manifest: dict, path: Path) -> None:
    """Store a fitted run's row and topics (call inside the transaction that wrote its shares)."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM topic_run_topics WHERE run = ?", (name,))
        conn.execute("INSERT INTO topic_runs (name, k, seed, created_at, path, corpus_fingerprint, coherence_c_v, "
                     "coherence_npmi, manifest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                     "k = excluded.k, seed = excluded.seed, created_at = excluded.created_at, path = excluded.path, "
                     "corpus_fingerprint = excluded.corpus_fingerprint, coherence_c_v = excluded.coherence_c_v, "
                     "coherence_npmi = excluded.coherence_npmi, manifest = excluded.manifest",
                     (name, model.k, model.random_state, manifest["created_at"], str(path),
                      manifest["corpus_fingerprint"], manifest["coherence"]["c_v"], manifest["coherence"]["c_npmi"],
                      json.dumps(manifest, ensure_ascii=False)))
        conn.executemany(
            "INSERT INTO topic_run_topics (run, topic, label, terms, frex, coherence_c_v, coherence_npmi, prevalence, "
            "seeded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(name, t["id"], t["label"], json.dumps(t["terms"]), json.dumps(t["frex"]), t["coherence_c_v"],
              t["coherence_npmi"], t["prevalence"], t["seeded"]) for t in model.topics_])


# ----------------------------------------------------------------------------- reading runs back
def list_runs(store: CorpusStore) -> list[dict[str, Any]]:
    """Fitted runs, newest first: ``[{"name", "k", "seed", "created_at", "coherence_c_v", ...}]``."""
    rows = store.conn.execute("SELECT name, k, seed, created_at, coherence_c_v, coherence_npmi, path FROM topic_runs "
                              "ORDER BY created_at DESC, rowid DESC").fetchall()
    keys = ("name", "k", "seed", "created_at", "coherence_c_v", "coherence_npmi", "path")
    return [dict(zip(keys, r)) for r in rows]


def load_run(store: CorpusStore, name: str | None = None) -> TopicRun:
    """A stored run by name (default: the newest).

    Raises
    ------
    TopicModelError
        When no run has been fitted.
    UnknownModelError
        When ``name`` is not a fitted run; the message lists the known ones.
    """
    runs = list_runs(store)
    if not runs:
        raise TopicModelError("no topic model fitted yet: run `python cli.py topics fit --k K` first")
    if name is None:
        name = runs[0]["name"]
    row = store.conn.execute("SELECT name, k, path, manifest FROM topic_runs WHERE name = ?", (name,)).fetchone()
    if row is None:
        known = ", ".join(sorted(r["name"] for r in runs))
        raise UnknownModelError(f"unknown topic model {name!r}; known: {known}")
    topics = []
    for tid, label, terms, frex, cv, npmi, prev, seeded in store.conn.execute(
            "SELECT topic, label, terms, frex, coherence_c_v, coherence_npmi, prevalence, seeded "
            "FROM topic_run_topics WHERE run = ? ORDER BY topic", (name,)):
        topics.append({"id": tid, "label": label, "terms": json.loads(terms), "frex": json.loads(frex),
                       "coherence_c_v": cv, "coherence_npmi": npmi, "prevalence": prev, "seeded": seeded})
    return TopicRun(name=row[0], k=row[1], path=Path(row[2]), manifest=json.loads(row[3]), topics=topics)


def show_topics(store: CorpusStore, name: str | None = None) -> dict[str, Any]:
    """``topics show``: the run's topics, labels, coherence and manifest summary."""
    run = load_run(store, name)
    return {**run.to_dict(), "runs": [r["name"] for r in list_runs(store)]}


def load_gensim_model(run: TopicRun):
    """The saved gensim model of a run (to score new documents)."""
    from gensim.models import LdaModel
    path = run.path / "lda.model"
    if not path.exists():
        raise TopicModelError(f"the model files of {run.name!r} are missing from {run.path}: fit it again")
    return LdaModel.load(str(path))
