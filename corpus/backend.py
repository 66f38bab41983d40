"""The two databases a corpus can live in: an SQLite file, or a PostgreSQL database (``postgresql://...``).

The store's SQL is written once, in SQLite's spelling with ``?`` parameters. On SQLite the connection is the
stdlib :class:`sqlite3.Connection` itself; on PostgreSQL it is a :class:`PgConnection`, which has the few
methods of :class:`sqlite3.Connection` the store uses (``execute``, ``executemany``, ``cursor``,
``in_transaction``, ``close``) and translates ``?`` to psycopg's ``%s``. Only what the two engines spell
differently is branched, through :func:`dialect` and the small helpers here (the full-text search, the
schema lookups, ``json_each``).

Writers take the store's write lock first, as SQLite's ``BEGIN IMMEDIATE`` does: on PostgreSQL a
transaction-level advisory lock, waited for up to the store's timeout; readers never wait (MVCC).
"""
from __future__ import annotations

import functools
import itertools
import os
import re
import sqlite3
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import unquote, urlsplit

from .errors import CorpusBusy, StoreError

SQLITE, POSTGRESQL = "sqlite", "postgresql"
#: The key of the advisory lock every writer of a PostgreSQL corpus takes (one writer at a time, as in SQLite).
WRITE_LOCK_KEY = 0x50F7_1EF7


class LockTimeout(sqlite3.OperationalError):
    """Another writer held the corpus's write lock past the timeout (the same exception on both engines:
    callers that wait and retry on SQLite's "database is locked" do so on PostgreSQL too)."""


def is_url(target: str | Any) -> bool:
    """Whether ``--db`` names a PostgreSQL database rather than an SQLite file."""
    return str(target).startswith(("postgresql://", "postgres://"))


#: Query-string parameters of a PostgreSQL URL that hold a secret (libpq's names).
SECRET_PARAMETERS = frozenset({"password", "sslpassword"})


def redact(url: str) -> str:
    """``url`` without its secrets, for every message, log line, manifest and ``store.path``: the password
    in ``user:password@`` and the values of ``?password=`` / ``&sslpassword=`` become ``***``."""
    parts = urlsplit(url)
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if at and ":" in userinfo:
        netloc = f"{userinfo.split(':', 1)[0]}:***@{hostport}"
    query = "&".join(
        f"{key}=***" if sep and unquote(key).strip().lower() in SECRET_PARAMETERS else f"{key}{sep}{value}"
        for key, sep, value in (pair.partition("=") for pair in parts.query.split("&"))) if parts.query else ""
    if netloc == parts.netloc and query == parts.query:
        return url
    return parts._replace(netloc=netloc, query=query).geturl()


def host_port(url: str) -> tuple[str, str]:
    """``(host, port)`` of a PostgreSQL URL as written (never raises, unlike ``urlsplit(url).port``)."""
    hostport = urlsplit(url).netloc.rpartition("@")[2]
    if hostport.startswith("["):  # [IPv6]:port
        host, _, rest = hostport[1:].partition("]")
        return host or "localhost", rest.lstrip(":") or "5432"
    host, _, port = hostport.partition(":")
    return unquote(host) or "localhost", port or "5432"


def check_url(url: str) -> None:
    """Refuse a PostgreSQL URL that cannot name a server, before connecting: a port that is not a number."""
    host, port = host_port(url)
    for one in port.split(","):  # libpq takes host1:5432,host2:5433
        one = one.rpartition(":")[2]
        if not (one.isdigit() and 0 < int(one) < 65536):
            raise StoreError(f"--db {redact(url)}: the port {one!r} is not a number from 1 to 65535; write the URL "
                             f"as postgresql://USER@HOST:5432/DBNAME")


def files_base(target: str) -> str:
    """Where files that belong with a corpus go (``<base>.runs``, ``<base>-model``): an SQLite file's own path;
    for a PostgreSQL URL ``DBNAME@HOST`` in the working folder (files stay on the machine that wrote them).

    The database and host names become one file name: characters other than letters, digits, ``.``, ``_``,
    ``-`` and ``@`` become ``_`` and a leading dot ``_.``, so a database named ``../../x`` keeps its files in
    the working folder (``_.._.._x@host``), never above it.
    """
    if not is_url(target):
        return str(target)
    parts = urlsplit(target)
    name = f"{unquote(parts.path).strip('/') or parts.username or 'postgres'}@{host_port(target)[0]}"
    name = re.sub(r"[^\w.@-]", "_", name, flags=re.ASCII)
    return "_" + name if name.startswith(".") else name


def close_cursor(cur: Any) -> None:
    """Close a streaming cursor, quietly if its store was closed first (a reader dropped after ``close()``)."""
    try:
        cur.close()
    except Exception:  # noqa: BLE001 - sqlite3.ProgrammingError, psycopg.Error: gone with its connection
        pass


def dialect(conn: Any) -> str:
    """``"sqlite"`` or ``"postgresql"``: the engine behind a store's connection."""
    return getattr(conn, "dialect", SQLITE)


def begin_write(conn: Any) -> None:
    """Begin a transaction holding the corpus's write lock (SQLite's ``BEGIN IMMEDIATE``)."""
    if dialect(conn) == POSTGRESQL:
        conn.begin_write()
    else:
        conn.execute("BEGIN IMMEDIATE")


def begin_snapshot(conn: Any) -> None:
    """Begin a read transaction that sees one state of the corpus throughout."""
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ" if dialect(conn) == POSTGRESQL else "BEGIN")


@contextmanager
def job_lock(conn: Any, files_base: str, name: str, shown: str) -> Iterator[None]:
    """Hold the corpus's lock for the job ``name`` (``"update"``) while the block runs, or raise
    :class:`CorpusBusy` at once when another process holds it.

    PostgreSQL: a session-level advisory lock (released when the session ends, however it ends). SQLite:
    ``flock`` on ``<corpus>.<name>.lock`` beside the corpus file (released when the process ends, however
    it ends), which also records the holder's process id and start time for the message.
    """
    if dialect(conn) == POSTGRESQL:
        key = zlib.crc32(name.encode()) & 0x7FFF_FFFF
        if not conn.execute("SELECT pg_try_advisory_lock(?, ?)", (WRITE_LOCK_KEY, key)).fetchone()[0]:
            raise CorpusBusy(f"another `{name}` is running on the corpus {shown}; wait for it to finish, then run "
                             "this again")
        try:
            yield
        finally:
            if not conn._conn.broken:
                conn.execute("SELECT pg_advisory_unlock(?, ?)", (WRITE_LOCK_KEY, key))
        return
    if files_base == ":memory:":
        yield
        return
    import fcntl

    path = Path(f"{files_base}.{name}.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            raise CorpusBusy(f"another `{name}` is running on the corpus {shown}"
                             + (f" ({holder})" if holder else "") + "; wait for it to finish, then run this again"
                             ) from None
        from .dates import now_utc

        os.ftruncate(fd, 0)
        os.pwrite(fd, f"process {os.getpid()}, since {now_utc()}".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def json_each(conn: Any, expr: str) -> str:
    """A table of the elements (column ``value``) of the JSON array ``expr`` (an SQL expression)."""
    if dialect(conn) == POSTGRESQL:
        return f"json_array_elements_text(CAST({expr} AS json))"
    return f"json_each({expr})"


def tables(conn: Any) -> set[str]:
    """The names of the tables in the corpus's database (schema)."""
    if dialect(conn) == POSTGRESQL:
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {r[0] for r in conn.execute(sql)}


def columns(conn: Any, table: str) -> list[str]:
    """The columns of ``table`` one can write, in order (PostgreSQL's generated search column excluded)."""
    if dialect(conn) == POSTGRESQL:
        return [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? AND is_generated = 'NEVER' ORDER BY ordinal_position", (table,))]
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


@functools.lru_cache(maxsize=512)
def to_pyformat(sql: str) -> str:
    """SQLite's ``?`` placeholders as psycopg's ``%s`` (and a literal ``%`` as ``%%``), outside quotes."""
    out, quote = [], ""
    for ch in sql:
        if ch == "%":
            out.append("%%")
        elif quote:
            out.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        else:
            out.append("%s" if ch == "?" else ch)
    return "".join(out)


class PgConnection:
    """A psycopg 3 connection with the face of :class:`sqlite3.Connection` the store uses.

    Autocommit, like ``sqlite3.connect(..., isolation_level=None)``: statements outside ``BEGIN`` commit at
    once, and the store opens its own transactions.
    """

    dialect = POSTGRESQL

    def __init__(self, url: str, timeout: float = 30.0):
        psycopg = import_psycopg()
        check_url(url)
        self.url, self.timeout = url, timeout
        try:
            # Named, so a database's owner sees softleft's sessions in pg_stat_activity (unless the URL names it).
            named = {} if "application_name" in url else {"application_name": "softleft"}
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(min(timeout, 10))), **named)
        except psycopg.OperationalError as exc:
            raise StoreError(connect_error(url, exc)) from None
        self._names = itertools.count()

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self._conn.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; returns a psycopg cursor (``fetchone``, ``fetchall``, iteration, ``rowcount``)."""
        if sql == "ROLLBACK" and self._conn.broken:
            return None  # the server rolled the transaction back when the connection went
        with _server_errors(self):
            return self._conn.execute(to_pyformat(sql), tuple(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        cur = self._conn.cursor()
        with _server_errors(self):
            cur.executemany(to_pyformat(sql), [tuple(r) for r in rows])
        return cur

    def cursor(self) -> "PgStreamCursor":
        """A cursor that streams a large result from the server in batches (memory does not grow with it)."""
        return PgStreamCursor(self)

    def begin_write(self) -> None:
        """``BEGIN`` and wait (up to the timeout) for the corpus's write lock."""
        self.execute("BEGIN")
        try:
            self.execute(f"SET LOCAL lock_timeout = '{int(self.timeout * 1000)}ms'")
            self.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK_KEY,))
        except BaseException:
            self.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._conn.close()

    def _server_cursor(self) -> Any:
        # WITH HOLD: the cursor outlives the statement's implicit transaction in autocommit mode, and
        # other statements (writes included) may run on the connection while it is read.
        return self._conn.cursor(name=f"softleft_stream_{next(self._names)}", withhold=True)


class PgStreamCursor:
    """What ``conn.cursor()`` gives on PostgreSQL: ``execute`` then ``fetchmany`` / iteration / ``close``."""

    def __init__(self, conn: PgConnection):
        self._owner, self._cur = conn, None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> "PgStreamCursor":
        self._cur = self._owner._server_cursor()
        with _server_errors(self._owner):
            self._cur.execute(to_pyformat(sql), tuple(params))
        return self

    def fetchmany(self, size: int) -> list[tuple]:
        with _server_errors(self._owner):
            return self._cur.fetchmany(size)

    def __iter__(self) -> Iterator[tuple]:
        while rows := self.fetchmany(500):
            yield from rows

    def close(self) -> None:
        if self._cur is not None and not self._cur.closed and not self._owner._conn.closed:
            self._cur.close()


@contextmanager
def _server_errors(conn: "PgConnection") -> Iterator[None]:
    """PostgreSQL's lock timeout as :class:`LockTimeout`; a refused privilege or a lost connection as a
    one-line :class:`StoreError`."""
    try:
        yield
    except Exception as exc:
        kind = type(exc).__name__
        if kind == "LockNotAvailable":
            raise LockTimeout(f"database is locked: another writer held the corpus's write lock for more "
                              f"than {conn.timeout:.0f}s") from None
        if conn._conn.broken or kind in ("AdminShutdown", "CrashShutdown", "CannotConnectNow"):
            host, port = host_port(conn.url)
            reason = " ".join(str(exc).split()) or kind
            raise StoreError(f"lost the connection to PostgreSQL at {host}:{port} ({reason}); the server rolled "
                             "back any unfinished change: check the server and run the command again") from None
        if kind == "DataError" and "NUL (0x00)" in str(exc):
            raise StoreError("a value holds a NUL character (\\x00), which PostgreSQL cannot store in text; remove "
                             "it") from None
        if kind == "InsufficientPrivilege":
            raise StoreError(f"PostgreSQL refused: {str(exc).splitlines()[0]}; ask the database's owner to grant "
                             "your role write access (see docs/scale.md)") from None
        raise


def import_psycopg() -> Any:
    """psycopg 3, or a one-line :class:`StoreError` saying how to install it."""
    try:
        import psycopg
    except ImportError:
        raise StoreError("a postgresql:// corpus needs psycopg 3: install psycopg[binary] "
                         "(pip install 'psycopg[binary]>=3.1')") from None
    return psycopg


def connect_error(url: str, exc: Exception) -> str:
    """A one-line message for a failed connection: where, why, and what to do."""
    parts = urlsplit(url)
    host, port = host_port(url)
    where = f"{host if parts.netloc.rpartition('@')[2] else 'localhost (unix socket)'}:{port}"
    database = (parts.path or "/").lstrip("/") or parts.username or "?"
    text = " ".join(str(exc).split())
    if re.search(r"password authentication failed|no password supplied|authentication failed", text):
        return (f"PostgreSQL at {where} refused user {parts.username or '?'!r}: authentication failed; check the "
                "user and password (in the URL, ~/.pgpass or $PGPASSWORD)")
    if "does not exist" in text and "database" in text:
        return (f"PostgreSQL at {where} has no database {database!r}; create it with "
                f"`createdb -h {host} -p {port} {database}`")
    if re.search(r"Connection refused|could not connect|timeout expired|No such file|Name or service", text):
        return (f"cannot reach PostgreSQL at {where}: is the server running and listening there? "
                f"({text.rsplit(':', 1)[-1].strip()})")
    return f"cannot open the PostgreSQL corpus {redact(url)}: {text}"
