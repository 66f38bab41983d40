"""What every command shares: the global settings and the store, shared options, JSON output."""
from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from commands.terminal import Terminal
from corpus import CorpusStore, Selection
from corpus.backend import is_url, redact


class Settings:
    """Global options, and the store opened on first use (closed when the command ends)."""

    def __init__(self, db: str, labels_file: str | None, verbose: int, quiet: bool):
        self.db, self.labels_file, self.verbose, self.quiet = db, labels_file, verbose, quiet
        self._store: CorpusStore | None = None

    def store(self, create: bool = False) -> CorpusStore:
        """The corpus at --db; only commands that add articles (``create=True``) may start a new one."""
        if self._store is None:
            if not create and self.db != ":memory:" and not is_url(self.db) and not Path(self.db).exists():
                raise click.ClickException(
                    f"no corpus at {self.db}; create one with `corpus import FILE` or `scrape OUTLET`, "
                    f"or point --db (or $SOFTLEFT_DB) at an existing one")
            self._store = CorpusStore(self.db, labels_file=self.labels_file)
        return self._store

    @property
    def where(self) -> str:
        """The corpus as messages name it (a PostgreSQL URL without its password)."""
        return redact(self.db) if is_url(self.db) else self.db

    def has_corpus(self) -> bool:
        """Whether --db names a corpus to read (a PostgreSQL database is taken to be one)."""
        return is_url(self.db) or Path(self.db).exists()

    def filters(self, selection: Selection) -> dict[str, Any]:
        """The article filters of ``selection``, once every value is checked against the corpus."""
        return selection.check(self.store()).filters()

    def documents(self, selection: Selection, raw: bool = False) -> Any:
        """The selection's documents and terms (``nlp.load_documents``), read once for the command."""
        from nlp.documents import load_documents

        return load_documents(self.store(), raw=raw, **self.filters(selection))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    @functools.cached_property
    def terminal(self) -> "Terminal":
        """The one place that draws progress on the terminal."""
        return Terminal(quiet=self.quiet)

    def progress(self, length: int | None = None, label: str = "", show_pos: bool = True) -> Any:
        """A progress bar on stderr (see :meth:`Terminal.bar`)."""
        return self.terminal.bar(length=length, label=label, show_pos=show_pos)

    def info(self, message: str) -> None:
        """A summary line on stderr (not suppressed by --quiet: summaries are not progress)."""
        click.echo(message, err=True)


pass_settings = click.make_pass_decorator(Settings)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document to stdout.")(f)


def selection_options(f):
    """The selection options every analysis shares (--outlet, --tendency, --author, --since, --until),
    handed to the command as one ``selection`` (a :class:`corpus.Selection`)."""
    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        values = {k: kwargs.pop(k) for k in ("outlet", "tendency", "author", "since", "until")}
        return f(*args, selection=Selection.build(**values), **kwargs)

    for option in reversed((
        click.option("--outlet", multiple=True, help="Only these outlets (repeatable)."),
        click.option("--tendency", multiple=True, help="Only these resolved tendencies (repeatable)."),
        click.option("--author", multiple=True, help="Only articles by these authors (repeatable)."),
        click.option("--since", help="Only articles published on or after this ISO date (2024, 2024-03 or 2024-03-31)."),
        click.option("--until", help="Only articles published on or before this ISO date."),
    )):
        command = option(command)
    return command


def writable(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An output path checked before any work: a missing folder is an error now, not after an hour."""
    if value is not None and value != "-":
        from corpus.output import OutputError, check_writable

        try:
            check_writable(value)
        except OutputError as exc:
            raise click.ClickException(str(exc)) from None
    return value


def trust_options(f):
    """--bootstrap and --min-support: the intervals behind every figure and the support a finding needs."""
    from nlp.defaults import BOOTSTRAP, MIN_SUPPORT  # not nlp.uncertainty: --help imports no numpy

    f = click.option("--min-support", type=click.IntRange(min=1), default=MIN_SUPPORT, show_default=True,
                     help="Articles a finding must rest on before the report states it.")(f)
    return click.option("--bootstrap", type=click.IntRange(min=0), default=BOOTSTRAP, show_default=True,
                        help="Bootstrap replicates (articles resampled by author) behind every interval; 0: none.")(f)


def cluster_options(f):
    """--workers and --scheduler: per-document work as Dask tasks, handed to the command as one ``cluster``
    (``{"workers", "scheduler"}``, the arguments of :func:`nlp.parallel.executor` and :class:`RunConfig`)."""
    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        cluster = {"workers": kwargs.pop("workers"), "scheduler": kwargs.pop("scheduler")}
        if cluster["workers"] is not None and cluster["scheduler"] is not None:
            raise click.UsageError("--workers starts Dask workers here and --scheduler uses a running cluster: "
                                   "give one of them")
        return f(*args, cluster=cluster, **kwargs)

    command = click.option("--scheduler", metavar="tcp://HOST:8786",
                           help="Run per-document work on the workers of this running Dask scheduler "
                                "(docs/scale.md).")(command)
    return click.option("--workers", type=click.IntRange(min=1),
                        help="Run per-document work on this many local Dask worker processes "
                             "[default: in this process].")(command)


def seed_option(f):
    return click.option("--seed", type=int, default=0, show_default=True,
                        help="Seed for every random step (same seed, same result).")(f)


def read_stdin_text(what: str = "the text") -> str:
    """Standard input as UTF-8 text (``--text -``); bytes that are not UTF-8 are a one-line error naming the
    first one, never a traceback later when the text is used."""
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise click.ClickException(f"{what} on standard input is not valid UTF-8 (byte 0x{data[exc.start]:02x} on line "
                                   f"{line}); re-save it as UTF-8, e.g. iconv -f cp1252 -t utf-8") from None


def not_utf8_argument(args: list[str]) -> str | None:
    """The first command-line argument that is not valid UTF-8 text, said as an error, or None.

    Python gives such bytes as lone surrogates (``\\udcff``), which fail later, far from the command line.
    An argument naming a file that exists is left alone (a file name may be in another encoding).
    """
    import os

    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as exc:
            if os.path.exists(arg):
                continue
            raw = arg.encode("utf-8", "surrogateescape")
            byte = arg[exc.start].encode("utf-8", "surrogateescape")
            return (f"the argument {raw.decode('utf-8', 'backslashreplace')!r} is not valid UTF-8 (byte "
                    f"0x{byte[0]:02x}); write it in UTF-8 (set your terminal to UTF-8, or re-save the script that "
                    f"passes it)")
    return None


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def renamed_option(old: str, new: str, dest: str, **option: Any) -> Callable[[Callable], Callable]:
    """An option's old spelling, kept working but hidden: its value goes to ``dest`` (the new option's
    parameter), with a hint on stderr naming the new spelling.

    ``option`` are the old option's click settings (its type, say); its default must be None.
    """
    hidden_dest = "_old_" + old.lstrip("-").replace("-", "_")

    def decorator(f: Callable) -> Callable:
        @functools.wraps(f)
        def command(*args: Any, **kwargs: Any) -> Any:
            value = kwargs.pop(hidden_dest)
            if value is not None and value != ():
                click.echo(f"Hint: {old} is now {new} ({old} still works).", err=True)
                kwargs[dest] = value
            return f(*args, **kwargs)

        return click.option(old, hidden_dest, hidden=True, **option)(command)
    return decorator


def jobs_option(help: str = "Processes for the parallel work") -> Callable[[Callable], Callable]:
    """``--jobs N``: how many processes the command's parallel work uses; the old spellings ``--n-process``
    and ``--n-jobs`` still work. None when not given: every core (:func:`default_jobs`), or the library's own
    choice where it has one (cross-validation keeps a small selection in one process)."""
    def decorator(f: Callable) -> Callable:
        f = renamed_option("--n-jobs", "--jobs", "jobs", type=click.IntRange(min=1))(f)
        f = renamed_option("--n-process", "--jobs", "jobs", type=click.IntRange(min=1))(f)
        return click.option("--jobs", type=click.IntRange(min=1), show_default="all cores",
                            help=f"{help}.")(f)
    return decorator


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def keep_markers_option(f):
    """``--keep-markers``: keep the outlet markers (nlp.text.markers) that analyses of tendencies leave out."""
    return click.option("--keep-markers", is_flag=True,
                        help="Keep the outlet markers (terms that nearly identify one outlet: header codes, "
                             "sign-offs) among the features; by default they are left out and listed.")(f)


def names_option(f):
    """``--names FILE``: a names file of one's own for the self-names (nlp/tendencies/self_names.toml)."""
    return click.option("--names", "names_file", type=click.Path(exists=True, dir_okay=False),
                        help="Your own self-names file (TOML: names = [...], [aliases] LABEL = [...]); "
                             "adds to nlp/tendencies/self_names.toml.")(f)


def markers_line(markers: dict[str, Any] | None, limit: int = 12) -> str | None:
    """One summary line about an analysis' outlet markers (None when there are none)."""
    if not markers or not markers.get("terms"):
        return None
    terms = markers["terms"]
    shown = ", ".join(terms[:limit]) + (f" and {len(terms) - limit} more" if len(terms) > limit else "")
    how = "left out" if markers.get("excluded", True) else "kept (--keep-markers)"
    return f"Outlet markers {how} ({len(terms)}): {shown}"
