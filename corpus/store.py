"""The corpus store: SQLite (WAL) with an FTS5 index kept in sync by triggers, or PostgreSQL.

The SQLite layout is the one sqlite-utils writes and Datasette detects, so ``datasette softleft.db`` browses
and searches the corpus with no extra code. A ``postgresql://`` URL opens the same corpus (same tables,
same migrations) in a PostgreSQL database, for a group sharing one corpus (see :mod:`corpus.backend`).
"""
from __future__ import annotations

import copy
import json
import logging
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from . import backend
from .backend import POSTGRESQL, PgConnection
from .dates import now_utc
from .errors import SearchQueryError, StoreError
from .labels import LabelSet
from .migrations import apply_migrations
from .models import Article, dumps

log = logging.getLogger(__name__)

_COLUMNS = (
    "id", "outlet", "url", "canonical_url", "title", "authors", "published", "year", "section", "tags",
    "text", "word_count", "paywalled", "label", "source", "fetched_at", "content_hash",
    "scraper_version", "metadata", "added_at", "updated_at",
)
_INSERT = (
    f"INSERT INTO articles ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)}) "
    "ON CONFLICT DO NOTHING"
)
_SELECT = "SELECT id, outlet, url, canonical_url, title, authors, published, section, tags, text, " \
          "paywalled, label, source, fetched_at, scraper_version, metadata FROM articles"


@dataclass(frozen=True)
class CorpusState:
    """The corpus at one moment: its article count and its fingerprint (:meth:`CorpusStore.state`)."""

    articles: int
    fingerprint: str

    def to_dict(self) -> dict[str, Any]:
        return {"articles": self.articles, "hash": self.fingerprint}


@dataclass
class AddResult:
    """What :meth:`CorpusStore.add_many` did."""

    inserted: int = 0
    duplicates: int = 0
    duplicate_ids: list[str] = field(default_factory=list)


class CorpusStore:
    """A corpus on disk.

    Parameters
    ----------
    path : str or Path
        The SQLite file; created (with its schema) if missing. ``":memory:"`` for tests. Or a PostgreSQL
        URL (``postgresql://user@host:5432/dbname``) of an existing database: its schema is created on
        first use.
    labels_file : str or Path, optional
        A labels file that overrides, for this session only, the labels stored in the corpus.
    timeout : float
        Seconds to wait for another writer's lock before giving up.

    Examples
    --------
    >>> store = CorpusStore(":memory:")
    >>> store.add(Article(outlet="demo", text="The soft left and devolution.", source="demo"))
    True
    >>> [a.outlet for a in store.articles()]
    ['demo']
    """

    def __init__(self, path: str | Path, labels_file: str | Path | None = None, timeout: float = 30.0):
        self.path = str(path)
        self._labels_file = labels_file
        self._labels: LabelSet | None = None
        if backend.is_url(self.path):
            self.path = backend.redact(self.path)
            self.conn: Any = PgConnection(str(path), timeout=timeout)
            try:
                self._open()
            except backend.import_psycopg().Error as exc:
                self.conn.close()
                raise StoreError(f"cannot open the corpus {self.path}: {' '.join(str(exc).split())}") from None
            return
        if self.path != ":memory:":
            parent = Path(self.path).resolve().parent
            if not parent.is_dir():
                raise StoreError(f"cannot create the corpus {self.path}: folder {parent} does not exist")
        try:
            self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self._open(new_file=not backend.tables(self.conn))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the corpus {self.path}: {exc} (is it a softleft database?)") from None

    @property
    def files_base(self) -> str:
        """Where files that belong with the corpus go: see :func:`corpus.backend.files_base`."""
        return backend.files_base(self.path)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return backend.dialect(self.conn)

    def _open(self, new_file: bool = False) -> None:
        """Refuse a foreign database, then bring the schema up to date.

        A new SQLite corpus is made in WAL mode (readers never wait for a writer). The journal mode of an
        existing file is never changed: it is persistent, and a command that only reads must leave a file
        as it found it (whosever it is)."""
        self._refuse_foreign_database()
        if new_file:
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.migrations_applied = apply_migrations(self.conn)

    def _refuse_foreign_database(self) -> None:
        """A database with tables of its own but no softleft schema is some other program's database:
        never migrate it (that would add our tables to it)."""
        tables = backend.tables(self.conn)
        if tables and "schema_migrations" not in tables:
            self.conn.close()
            kind, target = ("a PostgreSQL", "an empty database") if self.dialect == POSTGRESQL else \
                ("an SQLite", "a new file")
            raise StoreError(f"{self.path} is {kind} database but not a softleft corpus (it has tables "
                             f"{', '.join(sorted(tables)[:5])}); point --db at a softleft corpus or {target}")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Read one consistent state of the corpus (a read transaction: writers elsewhere go on, unseen)."""
        if self.conn.in_transaction:
            yield
            return
        backend.begin_snapshot(self.conn)
        try:
            yield
        finally:
            self.conn.execute("COMMIT")

    def state(self) -> "CorpusState":
        """How many articles the corpus holds and its :meth:`fingerprint`, read in one snapshot: a manifest
        that records both never pairs the count of one state with the fingerprint of another, however
        busy an import is meanwhile."""
        with self.snapshot():
            count = self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            return CorpusState(articles=count, fingerprint=self.fingerprint())

    @contextmanager
    def exclusive(self, job: str) -> Iterator[None]:
        """Run a job that must run alone on this corpus (``with store.exclusive("update"): ...``): a second
        one, in any process, is refused at once with :class:`~corpus.errors.CorpusBusy` naming the first.

        Other commands are not held up: writers still take turns through the write lock as ever."""
        shown = self.path
        with backend.job_lock(self.conn, self.files_base, job, shown):
            yield

    # -- lifecycle ----------------------------------------------------------------------------
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "CorpusStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """All or nothing: commit at the end, roll back on any exception (Ctrl-C included).

        Holds the write lock throughout (one writer at a time; another waits up to the timeout)."""
        if self.conn.in_transaction:
            yield self.conn
            return
        backend.begin_write(self.conn)
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- writing ------------------------------------------------------------------------------
    def add(self, article: Article) -> bool:
        """Insert one article; False if it is a duplicate (same id, canonical URL or text)."""
        with self.transaction():
            return self.insert_row(article)

    def add_many(self, articles: Iterable[Article], batch_size: int = 2000) -> AddResult:
        """Insert articles in one transaction; duplicates are counted, not inserted.

        The full-text index is filled once per batch of ``batch_size`` new rows (see :meth:`bulk_writer`),
        which is about twice as fast as the per-row trigger and gives the same index.
        """
        result = AddResult()
        with self.transaction(), self.bulk_writer(batch_size) as writer:
            batch: list[Article] = []
            for article in articles:
                batch.append(article)
                if len(batch) >= batch_size:
                    writer.insert_many(batch, result)
                    batch = []
            writer.insert_many(batch, result)
        return result

    @contextmanager
    def bulk_writer(self, batch_size: int = 2000) -> Iterator["BulkWriter"]:
        """A writer for many inserts inside a transaction the caller holds, indexing them per batch.

        The ``articles_ai`` trigger (one FTS5 insert per row) is set aside for the transaction and the new
        rows are added to ``articles_fts`` with one ``INSERT ... SELECT`` per batch, so the index is the
        one the trigger would have built (same rows, same external-content layout Datasette reads). The
        trigger is restored before the writer returns; schema changes are transactional, so a rollback or
        a crash restores it too. Do not update or delete rows inserted through the writer before it
        returns (their index entries are written at the next flush).
        """
        if not self.conn.in_transaction:
            raise RuntimeError("bulk_writer needs a transaction: use `with store.transaction():` around it")
        writer = BulkWriter(self.conn, batch_size)
        try:
            yield writer
            writer.flush()
        finally:
            writer.restore_trigger()

    def insert_row(self, article: Article) -> bool:
        """Insert inside a transaction the caller holds; False for a duplicate."""
        return self.conn.execute(_INSERT, _row(article)).rowcount == 1

    def duplicate_of(self, article: Article) -> tuple[str, str | None] | None:
        """``(id, label)`` of the stored article that ``article`` duplicates (same id, canonical URL or,
        for texts not scraped, the same normalised text); ``None`` if there is none."""
        row = self.conn.execute(
            "SELECT id, label FROM articles WHERE id = ? OR (canonical_url IS NOT NULL AND canonical_url = ?) "
            "OR (content_hash = ? AND source != 'scraped' AND ? != 'scraped') LIMIT 1",
            (article.id, article.canonical_url, article.content_hash, article.source),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def upsert(self, article: Article) -> str:
        """Insert or update an article by id; returns ``"new"``, ``"updated"`` or ``"unchanged"``.

        Scrapers use this so a re-parse after a selector fix replaces the stored fields.
        """
        with self.transaction() as conn:
            old = self.get(article.id)
            if old is None:
                return "new" if self.insert_row(article) else "unchanged"
            if old == article and old.metadata == article.metadata:
                return "unchanged"
            row = dict(zip(_COLUMNS, _row(article)))
            del row["added_at"], row["id"]
            sets = ", ".join(f"{k} = ?" for k in row)
            conn.execute(f"UPDATE articles SET {sets} WHERE id = ?", (*row.values(), article.id))
            return "updated"

    def update(self, article_id: str, **fields: Any) -> bool:
        """Change stored fields of one article (title, text, label, ...); False if no such article."""
        allowed = {"title", "text", "label", "authors", "published", "section", "tags", "paywalled", "metadata", "outlet"}
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"cannot update {', '.join(sorted(bad))}")
        values = {k: dumps(list(v)) if k in ("authors", "tags") else dumps(v) if k == "metadata" else v
                  for k, v in fields.items()}
        if "text" in fields:
            from .models import count_words, text_hash
            values["word_count"] = count_words(fields["text"])
            values["content_hash"] = text_hash(fields["text"])
        if "published" in fields:
            p = fields["published"]
            values["year"] = int(p[:4]) if p and p[:4].isdigit() else None
        values["updated_at"] = now_utc()
        sets = ", ".join(f"{k} = ?" for k in values)
        with self.transaction() as conn:
            return conn.execute(f"UPDATE articles SET {sets} WHERE id = ?", (*values.values(), article_id)).rowcount == 1

    def delete(self, article_id: str) -> bool:
        with self.transaction() as conn:
            return conn.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount == 1

    # -- reading ------------------------------------------------------------------------------
    def get(self, article_id: str) -> Article | None:
        row = self.conn.execute(_SELECT + " WHERE id = ?", (article_id,)).fetchone()
        return _article(row) if row else None

    def articles(self, **filters: Any) -> "ArticleQuery":
        """A re-iterable, lazily streamed selection of articles; see :class:`ArticleQuery`."""
        return ArticleQuery(self, **filters)

    def count(self, **filters: Any) -> int:
        return self.articles(**filters).count()

    # -- labels -------------------------------------------------------------------------------
    @property
    def labels(self) -> LabelSet:
        """Shipped defaults, overridden by labels loaded into this corpus, overridden by ``labels_file``; the
        coded labels (:func:`corpus.coding.coded_labels`) outrank them all."""
        if self._labels is None:
            from .coding import coded_labels  # (coding builds on the store)

            labels = LabelSet.default().merged(self.stored_labels())
            if self._labels_file:
                labels = labels.merged(LabelSet.from_toml(self._labels_file))
            self._labels = labels.with_coded(coded_labels(self))
        return self._labels

    def refresh_labels(self) -> None:
        """Read the labels again on next use (after labels or codes were stored)."""
        self._labels = None

    def stored_labels(self) -> LabelSet:
        data: dict[str, dict] = {"outlets": {}, "authors": {}, "articles": {}}
        for kind, key, tendency, contested, note, name in self.conn.execute(
            "SELECT kind, key, tendency, contested, note, name FROM labels"
        ):
            data[kind + "s"][key] = {"tendency": tendency, "contested": bool(contested), "note": note, "name": name}
        return LabelSet.from_mapping(data, origin="stored labels")

    def load_labels(self, labels: LabelSet, replace: bool = False) -> int:
        """Store labels in the corpus (so every later command uses them); returns how many."""
        with self.transaction() as conn:
            if replace:
                conn.execute("DELETE FROM labels")
            n = 0
            for kind, key, label in labels.rows():
                conn.execute(
                    "INSERT INTO labels (kind, key, tendency, contested, note, name) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(kind, key) DO UPDATE SET tendency = excluded.tendency, "
                    "contested = excluded.contested, note = excluded.note, name = excluded.name",
                    (kind, key, label.tendency, int(label.contested), label.note, label.name),
                )
                n += 1
        self._labels = None
        return n

    def resolve(self, article: Article) -> tuple[str, str]:
        """``(tendency, level)`` of an article under the labels in force."""
        return self.labels.resolve(
            article.outlet, article.authors, article.label, keys=(article.id, article.canonical_url, article.url)
        )

    def tendency(self, article: Article) -> str:
        return self.resolve(article)[0]

    # -- summaries ----------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Counts by outlet, resolved tendency and year (``{"articles", "by_outlet", ...}``)."""
        by_outlet = dict(self.conn.execute(
            "SELECT outlet, COUNT(*) FROM articles GROUP BY outlet ORDER BY COUNT(*) DESC, outlet"))
        by_year = {str(y) if y is not None else "undated": n for y, n in self.conn.execute(
            "SELECT year, COUNT(*) FROM articles GROUP BY year ORDER BY year")}
        by_source = dict(self.conn.execute("SELECT source, COUNT(*) FROM articles GROUP BY source"))
        by_tendency: dict[str, int] = {}
        by_level: dict[str, int] = {}
        for article in self.articles(with_text=False):
            tendency, level = self.resolve(article)
            by_tendency[tendency] = by_tendency.get(tendency, 0) + 1
            by_level[level] = by_level.get(level, 0) + 1
        words = self.conn.execute("SELECT COALESCE(SUM(word_count), 0), COUNT(*) FROM articles").fetchone()
        return {
            "articles": words[1],
            "words": words[0],
            "by_outlet": by_outlet,
            "by_tendency": dict(sorted(by_tendency.items(), key=lambda kv: (-kv[1], kv[0]))),
            "by_year": by_year,
            "by_source": by_source,
            "label_levels": by_level,
        }

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Ranked, stemmed full-text search with snippets, in one query syntax on both stores.

        ``query``: words (all must match), ``"phrases"``, ``OR``, ``NOT`` / ``-word``, ``prefix*``,
        ``( )``, ``title:`` / ``authors:`` / ``text:``, and on SQLite ``NEAR(a b, N)`` (see
        :mod:`corpus.search_query`). Both stores match the same articles; SQLite ranks by BM25,
        PostgreSQL by ``ts_rank_cd`` (:mod:`corpus.pgsearch`).

        Raises
        ------
        SearchQueryError
            The query does not parse, or asks for what this store cannot do (``NEAR`` on PostgreSQL); the
            message says what to write.
        """
        from .search_query import parse

        try:
            node = parse(query)
            if self.dialect == POSTGRESQL:
                from .pgsearch import search_rows
                rows = search_rows(self.conn, node, limit)
            else:
                rows = self._search_rows(node, limit)
        except SearchQueryError as exc:
            raise SearchQueryError(f"cannot search {query!r}: {exc}") from None
        out = []
        for id_, title, outlet, published, authors, label, url, snippet in rows:
            authors = json.loads(authors)
            tendency, _ = self.labels.resolve(outlet, authors, label, keys=(id_, url))
            out.append({"id": id_, "title": title, "outlet": outlet, "published": published,
                        "tendency": tendency, "authors": authors, "snippet": " ".join(snippet.split())})
        return out

    def _search_rows(self, node: Any, limit: int) -> list[tuple]:
        from .search_query import to_fts5

        sql = (
            "SELECT a.id, a.title, a.outlet, a.published, a.authors, a.label, a.url, "
            "snippet(articles_fts, 2, '«', '»', ' … ', 16) AS snippet "
            "FROM articles_fts JOIN articles a ON a.pk = articles_fts.rowid "
            "WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 4.0, 2.0, 1.0) LIMIT ?"
        )
        try:
            return self.conn.execute(sql, (to_fts5(node), limit)).fetchall()
        except sqlite3.OperationalError as exc:  # the expression is ours: FTS5 should read every one
            if "fts5" not in str(exc) and "no such column" not in str(exc):
                raise
            raise SearchQueryError(f"SQLite's full-text index refused it ({exc})") from None

    def outlet_counts(self) -> dict[str, int]:
        """Articles per outlet."""
        return dict(self.conn.execute("SELECT outlet, COUNT(*) FROM articles GROUP BY outlet"))

    def author_counts(self) -> dict[str, int]:
        """Articles per author (a co-authored article counts for each of its authors)."""
        return dict(self.conn.execute(
            f"SELECT j.value, COUNT(*) FROM articles, {backend.json_each(self.conn, 'articles.authors')} AS j "
            "GROUP BY j.value"))

    def match_ids(self, fts_query: str) -> list[str]:
        """Ids of the articles matching an FTS5 query, oldest first (every id if the query cannot run,
        e.g. a bare prefix the tokenizer cannot use: callers then check each text themselves).

        On PostgreSQL the query's phrases are searched in the ``tsvector`` index (see
        :func:`corpus.pgsearch.match_ids`), with the same fallback."""
        if self.dialect == POSTGRESQL:
            from .pgsearch import match_ids
            return match_ids(self.conn, fts_query)
        sql = ("SELECT a.id FROM articles_fts JOIN articles a ON a.pk = articles_fts.rowid "
               "WHERE articles_fts MATCH ? ORDER BY a.published, a.id")
        try:
            return [row[0] for row in self.conn.execute(sql, (fts_query,))]
        except sqlite3.OperationalError as exc:
            log.debug("FTS query failed (%s); every article is a candidate", exc)
            return [row[0] for row in self.conn.execute("SELECT id FROM articles ORDER BY published, id")]

    def fingerprint(self) -> str:
        """A hash of the corpus contents (ids and text hashes), for run manifests."""
        import hashlib
        h = hashlib.sha256()
        for id_, content_hash in self.conn.execute("SELECT id, content_hash FROM articles ORDER BY id"):
            h.update(f"{id_}:{content_hash}\n".encode())
        return h.hexdigest()[:16]


class BulkWriter:
    """Inserts articles and indexes them in batches; made by :meth:`CorpusStore.bulk_writer`."""

    def __init__(self, conn: Any, batch_size: int):
        self.conn, self.batch_size = conn, max(1, batch_size)
        # PostgreSQL's index is a generated column: nothing to set aside or flush.
        row = None if backend.dialect(conn) == POSTGRESQL else conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'articles_ai'").fetchone()
        self._trigger_sql = row[0] if row else None
        if self._trigger_sql:
            conn.execute("DROP TRIGGER articles_ai")
        self._indexed_to = conn.execute("SELECT COALESCE(MAX(pk), 0) FROM articles").fetchone()[0]
        self._pending = 0
        self._now = now_utc()
        #: Rows indexed with one ``INSERT ... SELECT`` at a time (FTS5 keeps its own memory bounded).
        self.index_every = max(self.batch_size, 50_000)

    def insert(self, article: Article) -> bool:
        """Insert one article; False for a duplicate (same id, canonical URL or text)."""
        if self.conn.execute(_INSERT, _row(article, self._now)).rowcount != 1:
            return False
        self._pending += 1
        if self._pending >= self.batch_size:
            self.flush()
        return True

    def insert_many(self, articles: list[Article], result: "AddResult") -> None:
        """Insert a batch with one ``executemany`` and index it; duplicates are counted in ``result``."""
        if not articles:
            return
        before = self.conn.execute("SELECT COALESCE(MAX(pk), 0) FROM articles").fetchone()[0]
        inserted = self.conn.executemany(_INSERT, [_row(a, self._now) for a in articles]).rowcount
        self._pending += len(articles)
        if inserted == len(articles):  # the usual case: no duplicate, nothing to look up
            result.inserted += inserted
            if self._pending >= self.index_every:
                self.flush()
            return
        new = {r[0] for r in self.conn.execute("SELECT id FROM articles WHERE pk > ?", (before,))}
        for article in articles:
            if article.id in new:
                new.discard(article.id)  # a second copy within the batch is a duplicate
                result.inserted += 1
            else:
                result.duplicates += 1
                result.duplicate_ids.append(article.id)
        if self._pending >= self.index_every:
            self.flush()

    def flush(self) -> None:
        """Add the rows inserted since the last flush to the full-text index."""
        if self._pending and self._trigger_sql:
            # Rows inserted in this transaction have the largest pks (INTEGER PRIMARY KEY is max + 1).
            self.conn.execute(
                "INSERT INTO articles_fts (rowid, title, authors, text) "
                "SELECT pk, title, authors, text FROM articles WHERE pk > ? ORDER BY pk", (self._indexed_to,))
            self._indexed_to = self.conn.execute("SELECT MAX(pk) FROM articles").fetchone()[0]
        self._pending = 0

    def restore_trigger(self) -> None:
        if self._trigger_sql and self.conn.in_transaction and not self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'articles_ai'").fetchone():
            self.conn.execute(self._trigger_sql)


class ArticleQuery:
    """A re-iterable selection of articles, streamed from the store (never held in a list).

    Parameters
    ----------
    store : CorpusStore
    outlet : str or list of str, optional
    author : str or list of str, optional
        Articles by any of these authors.
    tendency : str or list of str, optional
        Resolved tendency (article, author or outlet label).
    since, until : str, optional
        ISO dates, inclusive.
    source : str, optional
    ids : iterable of str, optional
    limit : int, optional
    with_text : bool
        False skips the text column (fast summaries).
    batch_size : int
        Rows fetched from the database at a time.
    """

    def __init__(self, store: CorpusStore, outlet=None, tendency=None, since=None, until=None, source=None,
                 ids=None, limit: int | None = None, with_text: bool = True, batch_size: int = 500, author=None):
        self.store = store
        self.outlet = [outlet] if isinstance(outlet, str) else outlet
        self.author = [author] if isinstance(author, str) else author
        self.tendency = {tendency} if isinstance(tendency, str) else set(tendency) if tendency else None
        self.since, self.until, self.source = since, until, source
        self.ids = list(ids) if ids is not None else None
        self.limit, self.with_text, self.batch_size = limit, with_text, batch_size

    def _where(self) -> tuple[str, list]:
        clauses, params = [], []
        if self.outlet:
            clauses.append(f"outlet IN ({', '.join('?' for _ in self.outlet)})")
            params += self.outlet
        if self.author:
            clauses.append(f"EXISTS (SELECT 1 FROM {backend.json_each(self.store.conn, 'articles.authors')} AS j "
                           f"WHERE j.value IN ({', '.join('?' for _ in self.author)}))")
            params += self.author
        if self.since:
            clauses.append("published >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("substr(published, 1, 10) <= ?")
            params.append(self.until)
        if self.source:
            clauses.append("source = ?")
            params.append(self.source)
        if self.ids is not None:
            clauses.append(f"id IN (SELECT value FROM {backend.json_each(self.store.conn, '?')})")
            params.append(json.dumps(self.ids))
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def __iter__(self) -> Iterator[Article]:
        where, params = self._where()
        select = _SELECT if self.with_text else _SELECT.replace(" text,", " '' AS text,")
        sql = f"{select}{where} ORDER BY published, id"
        if self.limit is not None and self.tendency is None:
            sql += f" LIMIT {int(self.limit)}"
        # A cursor of its own, so writes on the store's connection (e.g. caching terms) can interleave; closed
        # even when the reader stops early (PostgreSQL keeps a streamed result on the server until then).
        cur = self.store.conn.cursor()
        cur.execute(sql, params)
        emitted = 0
        try:
            while rows := cur.fetchmany(self.batch_size):
                for row in rows:
                    article = _article(row)
                    if self.tendency is not None and self.store.tendency(article) not in self.tendency:
                        continue
                    yield article
                    emitted += 1
                    if self.limit is not None and emitted >= self.limit:
                        return
        finally:
            backend.close_cursor(cur)

    def count(self) -> int:
        if self.tendency is None:
            where, params = self._where()
            n = self.store.conn.execute(f"SELECT COUNT(*) FROM articles{where}", params).fetchone()[0]
            return min(n, self.limit) if self.limit is not None else n
        light = copy.copy(self)
        light.with_text = False
        return sum(1 for _ in light)

    def __len__(self) -> int:
        return self.count()


def _names(values: tuple[str, ...]) -> str:
    """``dumps(list(values))`` for a tuple of names, without the encoder when no name needs escaping."""
    if not values:
        return "[]"
    if len(values) == 1:  # the usual case, without a generator
        v = values[0]
        if v.isprintable() and '"' not in v and "\\" not in v:
            return '["' + v + '"]'
        return dumps([v])
    if all(v.isprintable() and '"' not in v and "\\" not in v for v in values):
        return '["' + '","'.join(values) + '"]'
    return dumps(list(values))


def _refuse_nul(a: Article) -> None:
    """A NUL character cannot be stored in PostgreSQL text; neither store takes one in a text or title, so
    both hold the same. (Imports check every field first; a NUL in a scraper's other fields, which never
    carry one, would be refused by PostgreSQL in one line and cleaned by ``corpus copy``.) Two searches of a
    string: the write path stays as fast."""
    if "\x00" in a.text or (a.title and "\x00" in a.title):
        field = "text" if "\x00" in a.text else "title"
        raise ValueError(f"the article's {field} holds a NUL character (\\x00), which the corpus cannot store; "
                         "remove it")


def _row(a: Article, now: str | None = None) -> tuple:
    now = now or now_utc()
    _refuse_nul(a)
    id_, content_hash, word_count = a.identity()
    # Empty lists and metadata are common and need no encoder ("[]" and "{}" are what dumps gives).
    return (
        id_, a.outlet, a.url, a.canonical_url,
        a.title, _names(a.authors), a.published, a.year, a.section,
        _names(a.tags), a.text,
        word_count, int(a.paywalled), a.label, a.source, a.fetched_at, content_hash,
        a.scraper_version, dumps(a.metadata) if a.metadata else "{}", now, now,
    )


def _article(row: tuple) -> Article:
    (id_, outlet, url, canonical_url, title, authors, published, section, tags, text, paywalled, label,
     source, fetched_at, scraper_version, metadata) = row
    return Article(
        outlet=outlet, text=text, title=title, url=url, canonical_url=canonical_url,
        authors=tuple(json.loads(authors)), published=published, section=section, tags=tuple(json.loads(tags)),
        paywalled=bool(paywalled), label=label, source=source, fetched_at=fetched_at,
        scraper_version=scraper_version, metadata=json.loads(metadata), stored_id=id_,
    )
