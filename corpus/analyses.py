"""The tables the analyses keep in the corpus: the term cache, analysis state, topic runs and shares, and
classifier predictions.

Only :mod:`corpus` runs SQL; the analyses in :mod:`nlp` read and write these tables through the functions
here, so a notebook can also read them without writing a query. Each function takes the
:class:`~corpus.store.CorpusStore`; writers that must be atomic with other writes are called inside
``store.transaction()``.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Sequence

from .backend import POSTGRESQL, close_cursor, dialect, json_each
from .store import CorpusStore

_BATCH = 900


def _batches(ids: Sequence[str], size: int = _BATCH) -> Iterator[list[str]]:
    for i in range(0, len(ids), size):
        yield list(ids[i:i + size])


# ----------------------------------------------------------------------------- term cache
def term_cache_status(store: CorpusStore, ids: Sequence[str]) -> dict[str, tuple[str, str | None, str | None]]:
    """``{article_id: (content_hash, cached_fingerprint, cached_content_hash)}`` for ``ids``."""
    out: dict[str, tuple[str, str | None, str | None]] = {}
    sql = ("SELECT a.id, a.content_hash, t.fingerprint, t.content_hash FROM articles a LEFT JOIN article_terms t "
           f"ON t.article_id = a.id WHERE a.id IN (SELECT value FROM {json_each(store.conn, '?')})")
    for batch in _batches(ids):
        for id_, chash, fp, cached in store.conn.execute(sql, (json.dumps(batch),)):
            out[id_] = (chash, fp, cached)
    return out


def write_terms(store: CorpusStore, rows: Iterable[tuple[str, str, str, list[str]]]) -> None:
    """Cache ``(article_id, fingerprint, content_hash, terms)`` rows, in one transaction."""
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO article_terms (article_id, fingerprint, content_hash, terms, n_terms) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(article_id) DO UPDATE SET fingerprint = excluded.fingerprint, content_hash = "
            "excluded.content_hash, terms = excluded.terms, n_terms = excluded.n_terms",
            [(id_, fp, chash, json.dumps(terms, ensure_ascii=False), len(terms)) for id_, fp, chash, terms in rows])


def cached_hashes(store: CorpusStore, fingerprint: str) -> Iterator[tuple[str, str]]:
    """``(article_id, content_hash)`` of every article cached under ``fingerprint``, by id."""
    yield from store.conn.execute("SELECT article_id, content_hash FROM article_terms WHERE fingerprint = ? "
                                  "ORDER BY article_id", (fingerprint,))


def iter_cached_terms(store: CorpusStore, fingerprint: str) -> Iterator[list[str]]:
    """Every cached term list of ``fingerprint`` (streamed, by article id)."""
    cur = store.conn.cursor()
    cur.execute("SELECT terms FROM article_terms WHERE fingerprint = ? ORDER BY article_id", (fingerprint,))
    try:
        while batch := cur.fetchmany(1000):
            for (terms,) in batch:
                yield json.loads(terms)
    finally:
        close_cursor(cur)


def has_terms(store: CorpusStore, fingerprint: str) -> bool:
    """Whether any article is cached under ``fingerprint``."""
    return store.conn.execute("SELECT 1 FROM article_terms WHERE fingerprint = ? LIMIT 1",
                              (fingerprint,)).fetchone() is not None


def terms_for(store: CorpusStore, fingerprint: str, ids: Sequence[str]) -> dict[str, list[str]]:
    """The current cached terms of ``ids`` (cached under ``fingerprint`` for the article's current text).

    Looked up by primary key (the ``|| ''`` keeps the planner off the fingerprint index, which would scan
    every cached row for each batch).
    """
    out: dict[str, list[str]] = {}
    sql = ("SELECT t.article_id, t.terms FROM article_terms t JOIN articles a ON a.id = t.article_id "
           "WHERE t.fingerprint || '' = ? AND t.content_hash = a.content_hash AND t.article_id IN "
           f"(SELECT value FROM {json_each(store.conn, '?')})")
    for batch in _batches(ids):
        for id_, raw in store.conn.execute(sql, (fingerprint, json.dumps(batch))):
            out[id_] = json.loads(raw)
    return out


def count_unprocessed(store: CorpusStore, fingerprint: str | None) -> int:
    """Articles without current terms under ``fingerprint`` (new, changed, or never preprocessed)."""
    return store.conn.execute(
        "SELECT COUNT(*) FROM articles a LEFT JOIN article_terms t ON t.article_id = a.id "
        "AND t.fingerprint = ? AND t.content_hash = a.content_hash WHERE t.article_id IS NULL",
        (fingerprint or "",)).fetchone()[0]


# ----------------------------------------------------------------------------- analysis state
def get_state(store: CorpusStore, key: str) -> dict[str, Any] | None:
    """A JSON value the analyses keep under ``key`` (the preprocessor's settings, the collocations)."""
    row = store.conn.execute("SELECT value FROM nlp_state WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else None


def set_state(store: CorpusStore, key: str, value: dict[str, Any]) -> None:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with store.transaction() as conn:
        conn.execute("INSERT INTO nlp_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO "
                     "UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                     (key, json.dumps(value, ensure_ascii=False), now))


# ----------------------------------------------------------------------------- topic runs
def begin_topic_run(store: CorpusStore, name: str, k: int, seed: int, path: str) -> None:
    """The row a run's document shares refer to (completed by :func:`save_topic_run`); clears old shares."""
    store.conn.execute("INSERT INTO topic_runs (name, k, seed, created_at, path) VALUES (?, ?, ?, '', ?) "
                       "ON CONFLICT(name) DO NOTHING", (name, k, seed, path))
    store.conn.execute("DELETE FROM document_topics WHERE run = ?", (name,))


def write_document_topics(store: CorpusStore, rows: Sequence[tuple[str, str, int, float]]) -> None:
    """``(run, article_id, topic, share)`` rows (inside the run's transaction); a row already stored (another
    process placed the same article meanwhile) takes the new share instead of failing."""
    store.conn.executemany("INSERT INTO document_topics (run, article_id, topic, share) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT (run, article_id, topic) DO UPDATE SET share = excluded.share", rows)


def save_topic_run(store: CorpusStore, name: str, k: int, seed: int, path: str, manifest: dict[str, Any],
                   topics: Sequence[dict[str, Any]]) -> None:
    """Store a fitted run's row and its topics."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM topic_run_topics WHERE run = ?", (name,))
        conn.execute("INSERT INTO topic_runs (name, k, seed, created_at, path, corpus_fingerprint, coherence_c_v, "
                     "coherence_npmi, manifest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                     "k = excluded.k, seed = excluded.seed, created_at = excluded.created_at, path = excluded.path, "
                     "corpus_fingerprint = excluded.corpus_fingerprint, coherence_c_v = excluded.coherence_c_v, "
                     "coherence_npmi = excluded.coherence_npmi, manifest = excluded.manifest",
                     (name, k, seed, manifest["created_at"], path, manifest["corpus_fingerprint"],
                      manifest["coherence"]["c_v"], manifest["coherence"]["c_npmi"],
                      json.dumps(manifest, ensure_ascii=False)))
        conn.executemany(
            "INSERT INTO topic_run_topics (run, topic, label, terms, frex, coherence_c_v, coherence_npmi, prevalence, "
            "seeded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(name, t["id"], t["label"], json.dumps(t["terms"]), json.dumps(t["frex"]), t["coherence_c_v"],
              t["coherence_npmi"], t["prevalence"], t["seeded"]) for t in topics])


def update_topic_run_manifest(store: CorpusStore, name: str, updates: dict[str, Any]) -> None:
    """Merge ``updates`` into a stored run's manifest (figures computed after the fit, e.g. its stability)."""
    row = store.conn.execute("SELECT manifest FROM topic_runs WHERE name = ?", (name,)).fetchone()
    if row is None:
        return
    manifest = {**json.loads(row[0] or "{}"), **updates}
    with store.transaction() as conn:
        conn.execute("UPDATE topic_runs SET manifest = ? WHERE name = ?", (json.dumps(manifest, ensure_ascii=False), name))


def relocate_topic_run(store: CorpusStore, name: str, path: str) -> None:
    """Record that a run's folder moved (a run directory written beside its final place, then swapped in)."""
    row = store.conn.execute("SELECT manifest FROM topic_runs WHERE name = ?", (name,)).fetchone()
    if row is None:
        return
    manifest = json.loads(row[0] or "{}")
    manifest["path"] = path
    with store.transaction() as conn:
        conn.execute("UPDATE topic_runs SET path = ?, manifest = ? WHERE name = ?",
                     (path, json.dumps(manifest, ensure_ascii=False), name))


def list_topic_runs(store: CorpusStore) -> list[dict[str, Any]]:
    """Fitted runs, newest first: ``[{"name", "k", "seed", "created_at", "coherence_c_v", ...}]``."""
    # Runs made in the same second come newest first by their place in the table (SQLite's rowid; on
    # PostgreSQL the row's physical place, which the run's final save moves to the end).
    order = "ctid" if dialect(store.conn) == POSTGRESQL else "rowid"
    rows = store.conn.execute("SELECT name, k, seed, created_at, coherence_c_v, coherence_npmi, path FROM topic_runs "
                              f"ORDER BY created_at DESC, {order} DESC").fetchall()
    keys = ("name", "k", "seed", "created_at", "coherence_c_v", "coherence_npmi", "path")
    return [dict(zip(keys, r)) for r in rows]


def get_topic_run(store: CorpusStore, name: str) -> dict[str, Any] | None:
    """``{"name", "k", "path", "manifest", "topics": [...]}`` of a stored run, or None."""
    row = store.conn.execute("SELECT name, k, path, manifest FROM topic_runs WHERE name = ?", (name,)).fetchone()
    if row is None:
        return None
    topics = []
    for tid, label, terms, frex, cv, npmi, prev, seeded in store.conn.execute(
            "SELECT topic, label, terms, frex, coherence_c_v, coherence_npmi, prevalence, seeded "
            "FROM topic_run_topics WHERE run = ? ORDER BY topic", (name,)):
        topics.append({"id": tid, "label": label, "terms": json.loads(terms), "frex": json.loads(frex),
                       "coherence_c_v": cv, "coherence_npmi": npmi, "prevalence": prev, "seeded": seeded})
    return {"name": row[0], "k": row[1], "path": row[2], "manifest": json.loads(row[3] or "{}"), "topics": topics}


def document_topics(store: CorpusStore, run: str, ids: Sequence[str]) -> dict[str, dict[int, float]]:
    """``{article_id: {topic: share}}`` of ``ids`` in a run (articles the run did not model are absent)."""
    out: dict[str, dict[int, float]] = {}
    sql = ("SELECT article_id, topic, share FROM document_topics WHERE run = ? AND article_id IN "
           f"(SELECT value FROM {json_each(store.conn, '?')})")
    for batch in _batches(ids):
        for article_id, topic, share in store.conn.execute(sql, (run, json.dumps(batch))):
            out.setdefault(article_id, {})[topic] = share
    return out


# ----------------------------------------------------------------------------- predictions
def save_predictions(store: CorpusStore, model: str, rows: Sequence[dict[str, Any]], predicted_at: str) -> None:
    """Replace a model's stored predictions with ``rows`` (``{"id", "label", "probabilities"}``)."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM predictions WHERE model = ?", (model,))
        conn.executemany(
            "INSERT INTO predictions (article_id, model, label, probabilities, predicted_at) VALUES (?, ?, ?, ?, ?)",
            [(r["id"], model, r["label"], json.dumps(r["probabilities"]), predicted_at) for r in rows])


def latest_prediction_model(store: CorpusStore) -> str | None:
    row = store.conn.execute("SELECT model FROM predictions ORDER BY predicted_at DESC LIMIT 1").fetchone()
    return row[0] if row else None


def iter_predictions(store: CorpusStore, model: str) -> Iterator[tuple[str, list[str], dict[str, float]]]:
    """``(outlet, authors, probabilities)`` of every article a model predicted."""
    sql = ("SELECT a.outlet, a.authors, p.probabilities FROM predictions p JOIN articles a ON a.id = p.article_id "
           "WHERE p.model = ?")
    for outlet, authors, probs in store.conn.execute(sql, (model,)):
        yield outlet, json.loads(authors), json.loads(probs)
