"""Topic-model runs: where a fit is saved, how it is stored in the corpus, and how it is read back.

A run is a folder ``<db>.runs/topics/<name>/`` (model files and ``manifest.json``) plus rows in the store:
``topic_runs`` (one per run), ``topic_run_topics`` (labels, terms, coherence) and ``document_topics`` (each
document's topic shares). :mod:`nlp.topics` fits runs; trends and the report read them from here.
"""
from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corpus.analyses import document_topics, get_topic_run, list_topic_runs, save_topic_run
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
                "stability_seeds": (self.manifest.get("trust") or {}).get("seeds"),
                "fit_sample": {k: v for k, v in (self.manifest.get("fit_sample") or {}).items() if k != "strata"} or None,
                "path": str(self.path), "topics": self._with_phrases()}

    def _with_phrases(self) -> list[dict[str, Any]]:
        """The topics, each with its ``phrases`` (kept in the manifest: the store's topic rows have no column)."""
        phrases = self.manifest.get("topic_phrases") or []
        return [{**t, "phrases": t.get("phrases") or (phrases[t["id"]] if t["id"] < len(phrases) else [])}
                for t in self.topics]


def runs_root(store: CorpusStore, runs_dir: str | Path | None = None) -> Path:
    """``<db>.runs`` next to the corpus (a temporary folder for an in-memory store; ``DBNAME@HOST.runs`` in
    the working folder for a PostgreSQL corpus)."""
    if runs_dir is not None:
        return Path(runs_dir)
    if store.path == ":memory:":
        return Path(tempfile.gettempdir()) / "softleft-memory.runs"
    return Path(store.files_base + ".runs")


def store_run(store: CorpusStore, name: str, k: int, seed: int, manifest: dict, path: Path,
              topics: list[dict[str, Any]]) -> None:
    """Store a fitted run's row and topics."""
    save_topic_run(store, name, k, seed, str(path), manifest, topics)


# ----------------------------------------------------------------------------- reading runs back
def list_runs(store: CorpusStore) -> list[dict[str, Any]]:
    """Fitted runs, newest first: ``[{"name", "k", "seed", "created_at", "coherence_c_v", ...}]``."""
    return list_topic_runs(store)


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
    row = get_topic_run(store, name)
    if row is None:
        known = ", ".join(sorted(r["name"] for r in runs))
        raise UnknownModelError(f"unknown topic model {name!r}; known: {known}")
    trust = row["manifest"].get("trust") or {}
    for t in row["topics"]:  # stability (0-1) and era (bool) once assessed (nlp.topics.trust)
        if trust:
            t["stability"] = trust["stability"][t["id"]]
            t["era"] = trust["era"][t["id"]]
    return TopicRun(name=row["name"], k=row["k"], path=Path(row["path"]), manifest=row["manifest"],
                    topics=row["topics"])


def show_topics(store: CorpusStore, name: str | None = None) -> dict[str, Any]:
    """``topics show``: the run's topics, labels, coherence and manifest summary."""
    run = load_run(store, name)
    return {**run.to_dict(), "runs": [r["name"] for r in list_runs(store)]}


def load_gensim_model(run: TopicRun) -> tuple[Any, Any]:
    """The run's gensim ``(LdaModel, Dictionary)``, verified against the checksums the corpus recorded (to infer
    the topics of new documents); no pickle is ever loaded."""
    from nlp.topics.model_files import load_lda

    return load_lda(run.path, run.manifest.get("model"))


@dataclass
class TopicSummary:
    """One topic as the report shows it."""

    id: int
    label: str
    terms: list[str]
    share: float
    examples: list[dict[str, Any]]
    #: Mean similarity to its matches in refits with other seeds (0-1); None when not assessed.
    stability: float | None = None
    #: Whether its prevalence follows the date rather than the tendency (nlp.topics.effects.era_topics).
    era: bool = False


@dataclass
class TopicsOverview:
    """A stored run's topics with their share of the corpus and the articles most about each."""

    run: TopicRun
    topics: list[TopicSummary]

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.run.to_dict(), "topics": [asdict(t) for t in self.topics]}


def topics_overview(run: TopicRun, docs: Any, theta: np.ndarray, names: list[str], examples: int = 3
                    ) -> TopicsOverview:
    """The run's topics over the selection ``docs``: each one's mean share, its ``examples`` most typical
    articles, its stability and era flag; ``names`` are the topics' display names (by topic id)."""
    modelled = ~np.isnan(theta[:, 0]) if len(theta) else np.zeros(0, bool)
    shares = np.nanmean(theta[modelled], axis=0) if modelled.any() else np.zeros(run.k)
    out = []
    for t in sorted(run.topics, key=lambda t: -shares[t["id"]]):
        col = np.where(modelled, np.nan_to_num(theta[:, t["id"]]), -1.0)
        top = [int(i) for i in np.argsort(-col, kind="stable")[:examples] if col[i] >= 0]
        out.append(TopicSummary(id=t["id"], label=names[t["id"]], terms=list(t["terms"]), share=float(shares[t["id"]]),
                                examples=[{"id": docs.ids[i], "title": docs.titles[i], "outlet": docs.outlets[i],
                                           "year": (docs.published[i] or "")[:4] or None, "url": docs.urls[i]}
                                          for i in top],
                                stability=t.get("stability"), era=bool(t.get("era"))))
    return TopicsOverview(run=run, topics=out)


def document_topic_matrix(store: CorpusStore, run: TopicRun, docs: Any) -> np.ndarray:
    """The stored topic shares of ``docs`` in ``run``: an array (n_docs, K), NaN rows for the documents the
    run did not model."""
    theta = np.full((len(docs), run.k), np.nan)
    shares = document_topics(store, run.name, docs.ids)
    for i, id_ in enumerate(docs.ids):
        row = shares.get(id_)
        if row:
            theta[i] = 0.0
            for topic, share in row.items():
                theta[i, topic] = share
    return theta


def stored_topic_prevalence(store: CorpusStore, name: str | None = None, by: str = "tendency",
                            period: str = "year", **filters: Any) -> list[dict[str, Any]]:
    """Topic prevalence of a stored run over a selection: the run's shares, the selection's documents,
    :func:`nlp.topics.trends.topic_prevalence` (what ``topics trends`` prints)."""
    from nlp.documents import load_documents
    from nlp.topics.trends import topic_prevalence

    run = load_run(store, name)
    docs = load_documents(store, preprocess=False, **filters)
    labels = [t["label"] for t in sorted(run.topics, key=lambda t: t["id"])]
    return topic_prevalence(docs, document_topic_matrix(store, run, docs), labels, by=by, period=period)
