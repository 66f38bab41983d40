"""A throwaway PostgreSQL server for the test session (or the one ``$SOFTLEFT_TEST_PG`` names).

:func:`start_server` runs ``initdb`` into a temporary folder and starts ``postgres`` listening on 127.0.0.1
only, on a free port, with its unix socket in the same folder, fsync off and trust authentication; as root
(initdb refuses to run as root) both run as the ``postgres`` system user. :meth:`PgServer.fresh_database`
gives each test an empty schema of its own, which it sees as a database of its own.
"""
from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def find_binary(name: str) -> str | None:
    """``initdb`` / ``pg_ctl`` on PATH or in Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which(name)
    if found:
        return found
    for folder in PG_BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    """As root, run ``cmd`` as the postgres system user (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--", *cmd] if runuser else ["su", "postgres", "-c", shlex.join(cmd)]


@dataclass
class PgServer:
    """A running server: ``url`` connects to its maintenance database ``postgres``."""

    url: str
    folder: Path | None = None
    pg_ctl: str | None = None
    _database: str | None = None

    def fresh_database(self) -> str:
        """The URL of a new, empty schema of the session's test database (the URL sets its search_path, so
        it looks like a database of its own: a schema is much quicker to make and drop than a database)."""
        import psycopg

        if self._database is None:
            self._database = "softleft_tests_" + uuid.uuid4().hex[:8]
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {self._database} TEMPLATE template0")
        schema = "t_" + uuid.uuid4().hex[:12]
        base = self.url.rsplit("/", 1)[0] + "/" + self._database
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        return f"{base}?options=-csearch_path%3D{schema}"

    def drop_database(self, url: str) -> None:
        """Drop what :meth:`fresh_database` made."""
        import psycopg

        base, _, options = url.partition("?")
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {options.rsplit('%3D', 1)[1]} CASCADE")

    def stop(self) -> None:
        """Stop and remove a server :func:`start_server` made (a server from the environment loses only the
        test database)."""
        if self._database and not self.pg_ctl:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {self._database} WITH (FORCE)")
        if self.pg_ctl and self.folder:
            subprocess.run(_as_server_user([self.pg_ctl, "-D", str(self.folder / "data"), "-m", "immediate",
                                            "stop"]), capture_output=True, timeout=30)
            shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> PgServer:
    """Start a throwaway server; raises RuntimeError (with the reason) when it cannot."""
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if not (initdb and pg_ctl):
        raise RuntimeError("PostgreSQL is not installed (no initdb/pg_ctl); set $SOFTLEFT_TEST_PG to a server URL")
    folder = Path(tempfile.mkdtemp(prefix="softleft-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", _free_port()
    steps = [
        [initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C"],
        [pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "30", "-o",
         f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={folder} -c fsync=off "
         "-c synchronous_commit=off -c full_page_writes=off", "start"],
    ]
    for cmd in steps:
        done = subprocess.run(_as_server_user(cmd), capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            raise RuntimeError(f"{Path(cmd[0]).name} failed: {(done.stderr or done.stdout).strip()[-300:]}")
    return PgServer(f"postgresql://postgres@127.0.0.1:{port}/postgres", folder, pg_ctl)


def server_from_env() -> PgServer | None:
    """The server ``$SOFTLEFT_TEST_PG`` names (a URL to a database we may create databases from)."""
    url = os.environ.get("SOFTLEFT_TEST_PG")
    return PgServer(url) if url else None
