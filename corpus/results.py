"""Stored results of a run's stages: a JSON record and its array files under a key (see ``nlp.engine``).

The corpus keeps them, so they travel with an SQLite file and are shared by everyone working on a
PostgreSQL corpus. What a record means, and whether it is still valid, is for ``nlp`` to say: here they
are only kept, found by key, and pruned (the least recently used beyond a number per stage).
"""
from __future__ import annotations

from typing import Any, Mapping

from .dates import now_utc
from .store import CorpusStore


def get_result(store: CorpusStore, key: str) -> tuple[str, dict[str, bytes]] | None:
    """``(record, {name: bytes})`` stored under ``key``, or None."""
    row = store.conn.execute("SELECT record FROM stage_results WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    files = {name: bytes(data) for name, data in store.conn.execute(
        "SELECT name, data FROM stage_result_files WHERE key = ?", (key,))}
    return row[0], files


def put_result(store: CorpusStore, key: str, stage: str, record: str, files: Mapping[str, bytes]) -> None:
    """Store a record and its files under ``key`` (replacing what was there), all or nothing."""
    now = now_utc()
    with store.transaction() as conn:
        conn.execute("DELETE FROM stage_result_files WHERE key = ?", (key,))
        conn.execute("DELETE FROM stage_results WHERE key = ?", (key,))
        conn.execute("INSERT INTO stage_results (key, stage, record, created_at, used_at) VALUES (?, ?, ?, ?, ?)",
                     (key, stage, record, now, now))
        conn.executemany("INSERT INTO stage_result_files (key, name, data) VALUES (?, ?, ?)",
                         [(key, name, data) for name, data in files.items()])


def touch_result(store: CorpusStore, key: str) -> None:
    """Mark the result under ``key`` as just used (pruning keeps the most recently used)."""
    with store.transaction() as conn:
        conn.execute("UPDATE stage_results SET used_at = ? WHERE key = ?", (now_utc(), key))


def delete_result(store: CorpusStore, key: str) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM stage_result_files WHERE key = ?", (key,))
        conn.execute("DELETE FROM stage_results WHERE key = ?", (key,))


def prune_results(store: CorpusStore, stage: str, keep: int) -> int:
    """Remove all but the ``keep`` most recently used results of ``stage``; returns how many went."""
    keys = [k for (k,) in store.conn.execute(
        "SELECT key FROM stage_results WHERE stage = ? ORDER BY used_at DESC, created_at DESC, key", (stage,))]
    old = keys[keep:]
    if old:
        with store.transaction() as conn:
            for key in old:
                conn.execute("DELETE FROM stage_result_files WHERE key = ?", (key,))
                conn.execute("DELETE FROM stage_results WHERE key = ?", (key,))
    return len(old)


def list_results(store: CorpusStore) -> list[dict[str, Any]]:
    """Every stored result: key, stage, when made and last used, and its size in bytes."""
    sizes = dict(store.conn.execute("SELECT key, SUM(LENGTH(data)) FROM stage_result_files GROUP BY key"))
    return [{"key": k, "stage": s, "created_at": c, "used_at": u, "bytes": len(r) + int(sizes.get(k) or 0)}
            for k, s, c, u, r in store.conn.execute(
                "SELECT key, stage, created_at, used_at, record FROM stage_results ORDER BY stage, used_at DESC")]
