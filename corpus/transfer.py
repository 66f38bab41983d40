"""Copy a whole corpus between stores: SQLite to PostgreSQL, PostgreSQL to SQLite (or like to like).

Every table is copied row by row and value for value (articles with their ids and primary keys, labels,
the term cache, near-duplicate sketches and pairs, analysis state, topic runs and shares, predictions, crawl state and raw pages), in
batches, inside one transaction on the destination: a failure leaves nothing of the copy behind.

One exception: PostgreSQL cannot hold a NUL character in text, which an SQLite corpus made before NULs were
refused may hold. Copied into PostgreSQL, such a value loses its NULs (an article's duplicate key and word
count follow its cleaned text), and the result counts the rows so cleaned (``cleaned``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import backend
from .backend import POSTGRESQL
from .errors import StoreError
from .store import CorpusStore

log = logging.getLogger(__name__)

#: Every table of the corpus, parents before the tables that refer to them.
TABLES = ("articles", "labels", "article_terms", "article_minhash", "near_duplicates", "nlp_state", "topic_runs",
          "topic_run_topics", "document_topics", "predictions", "crawl_urls", "crawl_runs", "raw_pages", "http_cache",
          "stage_results", "stage_result_files", "codes", "code_decisions", "codebooks")
#: Tables whose integer key the database assigns: kept in a plain copy, assigned afresh with ``append``.
IDENTITY = {"articles": "pk", "crawl_runs": "id"}

Progress = Callable[[str, int, int], None]


@dataclass
class CopyResult:
    """What :func:`copy_corpus` wrote: rows per table, and rows the destination already had."""

    source: str
    dest: str
    copied: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    #: Rows whose text values lost NUL characters on the way into PostgreSQL, per table (tables with any).
    cleaned: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "dest": self.dest, "copied": self.copied, "skipped": self.skipped,
                "articles": self.copied.get("articles", 0), "rows": sum(self.copied.values()),
                "cleaned": self.cleaned}


def copy_corpus(source: str | Path, dest: str | Path, append: bool = False, batch_size: int = 2000,
                progress: Progress | None = None) -> CopyResult:
    """Copy every table of the corpus at ``source`` into the corpus at ``dest``.

    Parameters
    ----------
    source, dest : str or Path
        SQLite files or ``postgresql://`` URLs. ``dest`` is created (with its schema) if needed.
    append : bool
        Add to a destination that already holds articles (rows it already has are skipped, keys are
        assigned afresh); without it such a destination is refused.
    batch_size : int
        Rows read and written at a time.
    progress : callable, optional
        ``progress(table, done, total)`` after each batch.

    Raises
    ------
    StoreError
        When ``dest`` is ``source``, already holds articles (without ``append``), or the copy fails (then
        nothing was written to ``dest``).
    """
    if str(source) == str(dest) or (not backend.is_url(source) and not backend.is_url(dest)
                                    and Path(source).resolve() == Path(dest).resolve()):
        raise StoreError(f"cannot copy the corpus {_shown(source)} onto itself; name another destination")
    if not backend.is_url(source) and not Path(source).exists():
        raise StoreError(f"no corpus at {source}; name an existing SQLite file or a postgresql:// URL")
    new_file = not backend.is_url(dest) and not Path(dest).exists()
    with CorpusStore(source) as src:
        try:
            with CorpusStore(dest) as dst:
                return _copy(src, dst, append, max(1, batch_size), progress or (lambda *_: None))
        except BaseException:
            if new_file:  # the copy made this file: leave no empty corpus behind
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{dest}{suffix}").unlink(missing_ok=True)
            raise


def _shown(target: str | Path) -> str:
    """A corpus as messages name it (a PostgreSQL URL without its secrets)."""
    return backend.redact(str(target)) if backend.is_url(target) else str(target)


def _copy(src: CorpusStore, dst: CorpusStore, append: bool, batch_size: int, progress: Progress) -> CopyResult:
    held = dst.count()
    if held and not append:
        raise StoreError(f"{dst.path} already holds {held} articles; copy into an empty corpus, or pass "
                         "--append to add to it")
    result = CopyResult(src.path, dst.path)
    table = ""
    try:
        with src.snapshot(), dst.transaction():
            for table in TABLES:
                copied, skipped, cleaned = _copy_table(src, dst, table, append, batch_size, progress)
                result.copied[table], result.skipped[table] = copied, skipped
                if cleaned:
                    result.cleaned[table] = cleaned
            if dst.dialect == POSTGRESQL:
                for name, key in IDENTITY.items():  # the next key the database assigns follows the copied ones
                    dst.conn.execute(f"SELECT setval(pg_get_serial_sequence('{name}', '{key}'), "
                                     f"(SELECT COALESCE(MAX({key}), 0) + 1 FROM {name}), false)")
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"copying table {table} into {dst.path} failed, nothing was written there: "
                         f"{' '.join(str(exc).split())}") from exc
    log.info("copied %s into %s: %s", src.path, dst.path, result.copied)
    return result


def _copy_table(src: CorpusStore, dst: CorpusStore, table: str, append: bool, batch_size: int,
                progress: Progress) -> tuple[int, int, int]:
    """Copy one table; ``(rows written, rows the destination already had, rows cleaned of NULs)``."""
    wanted = set(backend.columns(dst.conn, table))
    cols = [c for c in backend.columns(src.conn, table) if c in wanted and not (append and IDENTITY.get(table) == c)]
    names = ", ".join(cols)
    count = f"SELECT COUNT(*) FROM {table}"
    total = src.conn.execute(count).fetchone()[0]
    before = dst.conn.execute(count).fetchone()[0]
    insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in cols)}) ON CONFLICT DO NOTHING"
    order = f" ORDER BY {IDENTITY[table]}" if table in IDENTITY else ""
    cur = src.conn.cursor()
    cur.execute(f"SELECT {names} FROM {table}{order}")
    done = cleaned = 0
    to_postgres = dst.dialect == POSTGRESQL
    try:
        while rows := cur.fetchmany(batch_size):
            if to_postgres:
                rows, n = _without_nul(rows, cols)
                cleaned += n
            dst.conn.executemany(insert, rows)
            done += len(rows)
            progress(table, done, total)
    finally:
        backend.close_cursor(cur)
    written = dst.conn.execute(count).fetchone()[0] - before
    if cleaned:
        log.info("%s: removed NUL characters (which PostgreSQL cannot store) from %d rows", table, cleaned)
    return written, total - written, cleaned


def _without_nul(rows: list[tuple], cols: list[str]) -> tuple[list[tuple], int]:
    """``rows`` with NUL characters removed from their text values (an article's ``content_hash`` and
    ``word_count`` recomputed from its cleaned text), and how many rows changed."""
    from .models import count_words, text_hash

    out, changed = [], 0
    for row in rows:
        if not any(type(v) is str and "\x00" in v for v in row):
            out.append(row)
            continue
        changed += 1
        values = dict(zip(cols, (v.replace("\x00", "") if type(v) is str else v for v in row)))
        if "text" in values and "content_hash" in values:
            values["content_hash"] = text_hash(values["text"])
            if "word_count" in values:
                values["word_count"] = count_words(values["text"])
        out.append(tuple(values[c] for c in cols))
    return out, changed
