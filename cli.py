#!/usr/bin/env python3
"""softleft: collect, store and analyse the writing of Labour's soft left, hard left and soft right.

The command line is a thin layer: each command parses its options and calls one library function in
corpus/, scrapers/ or nlp/. Results go to stdout, progress and summaries to stderr.
"""
from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import click

from corpus import CorpusError, CorpusStore, Selection, SelectionError, SoftleftError, __version__
from corpus.backend import files_base, is_url, redact

log = logging.getLogger("softleft")
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# --- shared plumbing -------------------------------------------------------------------------
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


class Terminal:
    """Every drawing on the terminal: progress bars, live status lines, stage lines and heartbeats.

    Library code reports progress through callbacks only; this is where they are drawn. On a terminal,
    live lines are redrawn in place; when stderr is not a terminal (a log file, CI), long work prints a
    heartbeat line every :attr:`HEARTBEAT` seconds instead, so a log shows the run is alive. ``--quiet``
    hides progress (summaries and errors still print).
    """

    HEARTBEAT = 30.0

    def __init__(self, quiet: bool = False, stream: Any = None, heartbeat: float | None = None):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = not quiet and self.stream.isatty()
        self.heartbeat = self.HEARTBEAT if heartbeat is None else heartbeat
        self._status = ""
        self._last_beat = time.monotonic()
        self._counts: dict[str, int] = {}
        self._timer: threading.Timer | None = None
        self._started = time.monotonic()

    # -- raw output ---------------------------------------------------------------------------
    def line(self, text: str) -> None:
        """A finished line (clears a live status line first)."""
        if self.live and self._status:
            click.echo("\r\033[K", err=True, nl=False)
            self._status = ""
        click.echo(text, err=True)

    def status(self, text: str) -> None:
        """A live status line: redrawn in place on a terminal; a heartbeat line at most every 30 s otherwise."""
        if self.quiet:
            return
        if self.live:
            self._status = text
            click.echo(f"\r{text}\033[K", err=True, nl=False)
        elif time.monotonic() - self._last_beat >= self.heartbeat:
            self._last_beat = time.monotonic()
            click.echo(f"... {text.strip()}", err=True)

    def clear(self) -> None:
        if self.live and self._status:
            click.echo("\r\033[K", err=True, nl=False)
            self._status = ""

    # -- callbacks for the library --------------------------------------------------------------
    def progress(self, step: str, done: int, total: int) -> None:
        """``progress(step, done, total)``: a bar when the total is known, a counter of increments otherwise."""
        if not total:
            self._counts[step] = done = self._counts.get(step, 0) + done
            self.status(f"      {step} {done or ''}")
            return
        filled = int(30 * min(done, total) / total)
        self.status(f"      {step} [{'#' * filled}{'-' * (30 - filled)}] {done}/{total}")

    def counter(self, step: str, total: int = 0) -> Callable[[int], None]:
        """An ``update(n)`` callback counting towards ``total`` under ``step``."""
        done = [0]

        def update(n: int = 1) -> None:
            done[0] += n
            self.progress(step, done[0], total)
        return update

    def steps(self) -> Callable[[str, int, int], None]:
        """Multi-step library calls: one line per new step (and live counts within a step)."""
        seen: set[str] = set()

        def report(step: str, done: int, total: int) -> None:
            if step not in seen:
                seen.add(step)
                if not self.quiet:
                    self.line(f"{step} ...")
            else:
                self.progress(step, done, total)
        return report

    def folds(self, label: str = "cross-validation: fold") -> Callable[[int, int], None]:
        def update(done: int, total: int) -> None:
            self.status(f"{label} {done}/{total}")
            if done == total:
                self.clear()
        return update

    def stage(self, name: str, index: int, total: int, seconds: float | None) -> None:
        """``on_stage``: a stage line with the time the stage took; a heartbeat while it runs."""
        self._stop_beat()
        if seconds is None:
            self.status(f"[{index + 1}/{total}] {name} ...")
            self._start_beat(f"[{index + 1}/{total}] {name}")
        elif not self.quiet:
            self.line(f"[{index + 1}/{total}] {name} ({seconds:.1f}s)")

    def _start_beat(self, what: str) -> None:
        """When stderr is not a terminal, say every heartbeat period that the stage is still running."""
        if self.live or self.quiet:
            return
        started = time.monotonic()

        def beat() -> None:
            click.echo(f"... {what} still running ({time.monotonic() - started:.0f}s)", err=True)
            self._timer = threading.Timer(self.heartbeat, beat)
            self._timer.daemon = True
            self._timer.start()

        self._timer = threading.Timer(self.heartbeat, beat)
        self._timer.daemon = True
        self._timer.start()

    def _stop_beat(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def close(self) -> None:
        self._stop_beat()
        self.clear()

    @contextlib.contextmanager
    def bar(self, length: int | None = None, label: str = "", show_pos: bool = True) -> Iterator[Any]:
        """A click progress bar on stderr; hidden with --quiet or off a terminal (heartbeats instead)."""
        with click.progressbar(length=length, label=label, file=self.stream, hidden=not self.live,
                               show_pos=show_pos, show_eta=True, width=30) as bar:
            if self.live:
                yield bar
                return
            done = [0]

            class _Beating:
                def update(inner, n: int) -> None:  # noqa: N805
                    done[0] += n
                    self.status(f"{label}: {done[0]}" + (f"/{length}" if length else ""))
            yield _Beating()


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


def _writable(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An output path checked before any work: a missing folder is an error now, not after an hour."""
    if value is not None:
        from corpus.output import OutputError, check_writable

        try:
            check_writable(value)
        except OutputError as exc:
            raise click.ClickException(str(exc)) from None
    return value


def trust_options(f):
    """--bootstrap and --min-support: the intervals behind every figure and the support a finding needs."""
    from nlp.uncertainty import BOOTSTRAP, MIN_SUPPORT

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


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


class SoftleftGroup(click.Group):
    """The root group: converts library errors into click errors at the boundary."""

    #: Commands in the order data flows through them (help lists them so).
    ORDER = ("demo", "run", "report", "update", "scrape", "corpus", "nlp", "topics", "terms", "classify", "contrast",
             "kwic", "mentions", "scale", "meaning")

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: (self.ORDER.index(n) if n in self.ORDER else len(self.ORDER), n))

    #: Options of the root group: given after a command they are unknown there; say where they go.
    GLOBAL_OPTIONS = ("--db", "--labels", "-v", "--verbose", "-q", "--quiet")

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.NoSuchOption as exc:
            if exc.option_name in self.GLOBAL_OPTIONS:
                command = " ".join(exc.ctx.command_path.split()[1:]) if exc.ctx else "COMMAND"
                exc.message = (exc.message.rstrip(".") + f". {exc.option_name} is a global option: put it before "
                               f"the command, e.g. `{ctx.info_name} {exc.option_name} ... {command} ...`")
            raise
        except click.exceptions.Exit:
            raise
        except SelectionError as exc:  # a filter value that matches nothing: a usage error
            raise click.UsageError(str(exc), ctx) from None
        except SoftleftError as exc:  # every library error a user can cause: one line, exit 1
            raise click.ClickException(str(exc)) from None
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise click.ClickException(
                    f"the corpus {ctx.obj.where} is locked by another softleft process; wait for it to finish and retry"
                ) from None
            raise
        except BrokenPipeError:
            sys.stderr.close()
            raise click.exceptions.Exit(0) from None


@click.group(cls=SoftleftGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--db", envvar="SOFTLEFT_DB", default="softleft.db", show_default=True,
              type=click.Path(dir_okay=False),
              help="The corpus: an SQLite file or a postgresql://user@host/dbname URL; env SOFTLEFT_DB.")
@click.option("--labels", "labels_file", type=click.Path(exists=True, dir_okay=False),
              help="A labels TOML file overriding the stored labels for this command.")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@click.version_option(__version__, "--version", prog_name="softleft")
@click.pass_context
def cli(ctx: click.Context, db: str, labels_file: str | None, verbose: int, quiet: bool) -> None:
    """softleft: how Labour's soft left defines itself against the hard left and the soft right.

    Collect articles (scrape), keep them in a searchable corpus (corpus), preprocess them (nlp), model
    their topics and trends (topics, terms), classify and contrast tendencies (classify, contrast,
    mentions), and write a report editors can open (report, run, demo).

    \b
    Example:
      python cli.py demo -o demo-output
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True)
    settings = Settings(db, labels_file, verbose, quiet)
    ctx.obj = settings
    ctx.call_on_close(settings.close)


# --- corpus ----------------------------------------------------------------------------------
@cli.group()
def corpus() -> None:
    """Import, export, search and summarise the corpus.

    \b
    Example:
      python cli.py corpus stats
    """


def _text_encoding(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from corpus.io import check_encoding

    try:
        check_encoding(value)
        return value
    except CorpusError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def _echo_problems(s: Settings, report: Any, shown: int | None) -> None:
    """Each skipped line once: the first 20 (all with -v)."""
    for line, problem in report.problems[:shown]:
        s.info(f"{report.unit} {line}: {problem} (skipped)")
    if shown is not None and len(report.problems) > shown:
        s.info(f"... and {len(report.problems) - shown} more skipped {report.unit}s (pass -v to list them all)")


@corpus.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "csv", "parquet"]),
              help="Default: from the extension (.json: one JSON array, or JSON lines).")
@click.option("--outlet", help="Outlet of every record (else the record's 'outlet' field, else 'imported').")
@click.option("--tendency", help="Tendency label of every record (article label).")
@click.option("--text-field", help="Field holding the text [default: text, body or content].")
@click.option("--title-field", help="Field holding the title [default: title].")
@click.option("--date-field", help="Field holding the date [default: published, date or year].")
@click.option("--author-field", help="Field holding the author(s) [default: authors or author].")
@click.option("--url-field", help="Field holding the URL [default: url].")
@click.option("--label-field", help="Field holding each record's tendency label.")
@click.option("--encoding", default="utf-8", show_default=True, callback=_text_encoding,
              help="The file's text encoding (utf-8, cp1252, latin-1, utf-16, ...).")
@click.option("--html", type=click.Choice(["auto", "yes", "no"]), default="auto", show_default=True,
              help="Turn HTML text (e.g. a WordPress export) into plain paragraphs: auto-detected, always, never.")
@click.option("--strict", is_flag=True, help="Abort on the first bad record and import nothing.")
@json_option
@pass_settings
def corpus_import(s: Settings, file: str, fmt, outlet, tendency, text_field, title_field, date_field,
                  author_field, url_field, label_field, encoding, html, strict, as_json) -> None:
    """Import texts collected elsewhere (JSON lines, a JSON array, CSV or Parquet).

    Only the text is required. Bad records are reported by line number and skipped (--strict: abort,
    importing nothing). Texts already in the corpus are counted as duplicates, not imported twice; a
    duplicate whose label differs from the stored one is named. See docs/import-export.md.

    \b
    Example:
      python cli.py corpus import speeches.jsonl --label-field party --author-field speaker
    """
    from corpus.io import FieldMap, import_file

    path = Path(file)
    fields = FieldMap(text=text_field, title=title_field, date=date_field, author=author_field, url=url_field,
                      label=label_field, html=html)
    if not path.is_file():
        raise click.ClickException(f"{path} does not exist or is not a file")
    created = s.db != ":memory:" and not Path(s.db).exists()
    store = s.store(create=True)
    shown = None if s.verbose else 20
    try:
        with s.progress(length=path.stat().st_size, label=f"Importing {path.name}", show_pos=False) as bar:
            report = import_file(store, path, fmt=fmt, fields=fields, outlet=outlet, tendency=tendency,
                                 strict=strict, encoding=encoding, progress=bar.update)
    except BaseException as exc:
        failed = getattr(exc, "report", None)
        if failed is not None:
            _echo_problems(s, failed, shown)
        if created and store.count() == 0:
            s.close()  # the corpus file was made for this import and holds nothing: leave no trace
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(s.db + suffix).unlink(missing_ok=True)
        raise
    _echo_problems(s, report, shown)
    for c in report.conflicts[:shown]:
        stored = f"labelled {c['stored_label']!r}" if c["stored_label"] is not None else "unlabelled"
        s.info(f"{report.unit} {c['line']}: same text as {c['id']}, {stored} in the corpus and labelled "
               f"{c['new_label']!r} here; kept the stored label")
    if shown is not None and len(report.conflicts) > shown:
        s.info(f"... and {len(report.conflicts) - shown} more label conflicts (pass -v to list them all, "
               f"--json for the list)")
    if report.imported == 0 and report.duplicates and not report.skipped:
        s.info(f"Nothing new: all {report.duplicates} records of {path.name} are already in the corpus.")
    else:
        s.info(f"Imported {report.imported} articles from {path.name}; {report.duplicates} duplicates, "
               f"{report.skipped} skipped.")
    if report.conflicts:
        s.info(f"{len(report.conflicts)} duplicates carry a label that differs from the stored one.")
    if as_json:
        emit_json(report.summary())


@corpus.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write.",
              callback=_writable)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), help="Default: from the extension.")
@selection_options
@pass_settings
def corpus_export(s: Settings, output: str, fmt, selection) -> None:
    """Export every article with its metadata and resolved tendency label.

    The file is written whole or not at all; `-o /dev/stdout` streams it. CSV cells that a spreadsheet
    would run as formulas start with a ' (see docs/import-export.md).

    \b
    Example:
      python cli.py corpus export -o corpus.parquet
    """
    from corpus.io import export_file
    from corpus.output import is_stream

    store = s.store()
    filters = s.filters(selection)
    with s.progress(length=store.count(**filters), label="Exporting") as bar:
        n = export_file(store, output, fmt=fmt, progress=bar.update, **filters)
    s.info(f"Wrote {n} articles to {output}")
    if not is_stream(output):  # -o /dev/stdout: the path would corrupt the export
        click.echo(output)


@corpus.command("stats")
@json_option
@pass_settings
def corpus_stats(s: Settings, as_json: bool) -> None:
    """Count articles by outlet, resolved tendency and year.

    \b
    Example:
      python cli.py corpus stats --json
    """
    stats = s.store().stats()
    if as_json:
        emit_json(stats)
        return
    click.echo(f"{stats['articles']} articles, {stats['words']:,} words in {s.where}")
    for title, key in (("outlet", "by_outlet"), ("tendency", "by_tendency"), ("year", "by_year"),
                       ("label resolved at", "label_levels")):
        click.echo(f"\nBy {title}:")
        for name, n in stats[key].items():
            click.echo(f"  {name:<28} {n:>7}")


@corpus.command("search")
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@json_option
@pass_settings
def corpus_search(s: Settings, query: str, limit: int, as_json: bool) -> None:
    """Full-text search: ranked (BM25), stemmed, with snippets.

    QUERY uses SQLite FTS5 syntax: words (all must match), "exact phrases", OR, NOT, prefix*. On a
    PostgreSQL corpus the same forms (and -word) are read by websearch_to_tsquery and ranked by
    ts_rank_cd (see docs/corpus.md).

    \b
    Example:
      python cli.py corpus search '"green new deal" devolution'
    """
    results = s.store().search(query, limit=limit)
    if as_json:
        emit_json([{k: r[k] for k in ("id", "title", "outlet", "published", "tendency", "snippet")} for r in results])
        return
    if not results:
        s.info(f"No article matches {query!r}.")
    for i, r in enumerate(results, 1):
        date = (r["published"] or "undated")[:10]
        click.echo(f"{i:>3}. {r['title'] or '(untitled)'}  [{r['outlet']}, {r['tendency']}, {date}]  {r['id']}")
        click.echo(f"     {r['snippet']}")


@corpus.command("labels")
@click.option("--load", "load_file", type=click.Path(exists=True, dir_okay=False),
              help="Store the labels of this TOML file in the corpus (they then apply to every command).")
@click.option("--replace", is_flag=True, help="With --load: drop the labels stored before.")
@json_option
@pass_settings
def corpus_labels(s: Settings, load_file: str | None, replace: bool, as_json: bool) -> None:
    """Show the labels in force (outlet, author, article) and how many articles each resolves.

    Labels resolve most specific first: article label, then author label, then outlet default.

    \b
    Example:
      python cli.py corpus labels --load my_labels.toml
    """
    from corpus.labels import LabelSet
    from corpus.summary import label_usage

    store = s.store(create=bool(load_file))
    if load_file:
        n = store.load_labels(LabelSet.from_toml(load_file), replace=replace)
        s.info(f"Stored {n} labels from {load_file} in {s.where}")
    usage = label_usage(store)
    if as_json:
        emit_json(usage)
        return
    for row in usage["labels"]:
        flag = " (contested)" if row["contested"] else ""
        click.echo(f"{row['kind']:<8} {row['key']:<36} {row['tendency']:<12} {row['articles']:>6} articles{flag}")
    click.echo(f"\nArticle labels stored with articles: {usage['stored_article_labels']}")
    click.echo("Resolved: " + ", ".join(f"{k} {v}" for k, v in usage["by_tendency"].items()))


@corpus.command("copy")
@click.argument("source")
@click.argument("dest")
@click.option("--append", is_flag=True, help="Add to a DEST that already holds articles (rows it has are skipped).")
@click.option("--batch-size", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Rows read and written at a time.")
@json_option
@pass_settings
def corpus_copy(s: Settings, source: str, dest: str, append: bool, batch_size: int, as_json: bool) -> None:
    """Copy a whole corpus between SQLite and PostgreSQL, every table, in one transaction.

    SOURCE and DEST are SQLite files or postgresql:// URLs. Articles, labels, the term cache, topic runs,
    predictions, crawl state and raw pages all travel; a DEST already holding articles is refused unless
    --append. On failure nothing is left in DEST.

    \b
    Example:
      python cli.py corpus copy softleft.db postgresql://me@db.example.org/softleft
    """
    from corpus.transfer import copy_corpus

    result = copy_corpus(source, dest, append=append, batch_size=batch_size, progress=s.terminal.progress)
    s.terminal.clear()
    if as_json:
        emit_json(result.to_dict())
        return
    skipped = sum(result.skipped.values())
    s.info(f"Copied {result.copied['articles']} articles and {sum(result.copied.values())} rows in "
           f"{len(result.copied)} tables from {result.source} to {result.dest}"
           + (f" ({skipped} rows DEST already had were skipped)" if skipped else ""))


# --- scrape ----------------------------------------------------------------------------------
class _ScrapeGroup(click.Group):
    """`scrape OUTLET...` collects; `scrape list` and `scrape reparse OUTLET` are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["collect", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "OUTLET... [OPTIONS]  |  list  |  reparse OUTLET")


def _outlets_option(f):
    return click.option("--outlets", "outlets_file", envvar="SOFTLEFT_OUTLETS", type=click.Path(dir_okay=False),
                        help="A TOML file of extra (or corrected) outlets; env SOFTLEFT_OUTLETS.")(f)


def _known_outlets(names: Iterable[str], config: str | None) -> list[str]:
    import scrapers
    try:
        return scrapers.check_outlets(list(names), config)
    except scrapers.UnknownOutletError as exc:
        raise click.BadParameter(str(exc), param_hint="OUTLET") from None


@cli.group(cls=_ScrapeGroup)
def scrape() -> None:
    """Collect articles from the outlets into the corpus (polite, resumable).

    `scrape OUTLET... [OPTIONS]` crawls (see `scrape collect --help` for the options); re-running
    collects only what is new. `scrape list` shows the known outlets; `scrape reparse OUTLET` re-reads
    stored pages after a selector fix, without fetching.

    \b
    Example:
      python cli.py scrape tribune chartist --since 2024-01-01 --max-articles 50
    """


@scrape.command("collect")
@click.argument("outlets", nargs=-1, required=True, metavar="OUTLET...")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only articles published on or after this date.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Only articles published on or before this date.")
@click.option("--max-articles", type=click.IntRange(min=1), help="Stop each outlet after N articles.")
@click.option("--base-url", "base_urls", multiple=True, metavar="[OUTLET=]URL",
              help="Fetch an outlet from another host (a mirror, an archive, a test server); with several "
                   "outlets, name each: --base-url tribune=http://... (repeatable).")
@click.option("--delay", type=click.FloatRange(min=0), default=3.0, show_default=True,
              help="Minimum seconds between two requests to one host (robots.txt Crawl-delay may raise it).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True, help="Seconds per request.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Retries on 429, 5xx and connection errors (exponential backoff, Retry-After honoured).")
@click.option("--max-bytes", type=click.IntRange(min=1000), default=8_000_000, show_default=True,
              help="Largest page accepted, after decompression.")
@click.option("--contact", envvar="SOFTLEFT_CONTACT",
              help="Contact (email or URL) put in the User-Agent; env SOFTLEFT_CONTACT.")
@_outlets_option
@json_option
@pass_settings
def scrape_collect(s: Settings, outlets: tuple[str, ...], since, until, max_articles, base_urls, delay, timeout,
                   retries, max_bytes, contact, outlets_file, as_json: bool) -> None:
    """Collect articles from one or more outlets into the corpus.

    \b
    Example:
      python cli.py scrape tribune --base-url http://127.0.0.1:8000 --delay 0 --json
    """
    import scrapers
    names = _known_outlets(outlets, outlets_file)
    base_url: str | dict[str, str] | None = None
    if len(base_urls) == 1 and "=" not in base_urls[0].split("://", 1)[0]:
        base_url = base_urls[0]
    elif base_urls:
        pairs = [b.split("=", 1) for b in base_urls]
        if any(len(p) != 2 or "://" in p[0] for p in pairs):
            raise click.UsageError("with several --base-url options, name each outlet: --base-url OUTLET=URL")
        base_url = {k: v for k, v in pairs}
    try:
        options = scrapers.CrawlOptions(
            since=since.date().isoformat() if since else None, until=until.date().isoformat() if until else None,
            max_articles=max_articles, max_attempts=3,
            fetch=scrapers.FetchConfig(user_agent=scrapers.http.default_user_agent(contact), delay=delay,
                                       timeout=timeout, max_retries=retries, max_bytes=max_bytes))
        scrapers.check_base_urls(names, base_url)
    except scrapers.ScraperError as exc:
        raise click.UsageError(str(exc)) from None
    seen: dict[str, Any] = {}

    def progress(outlet: str, summary) -> None:
        """One status line on stderr with every outlet's counts, redrawn as pages arrive."""
        seen[outlet] = summary
        line = " | ".join(f"{n}: {x.fetched} fetched, {x.new} new, {x.failed} failed" for n, x in seen.items())
        s.terminal.status(line[-160:])

    result = scrapers.scrape_outlets(s.store(create=True), names, base_url=base_url, options=options,
                                     config=outlets_file, progress=progress)
    s.terminal.close()
    for name, summary in result.outlets.items():
        d = summary.to_dict()
        s.info(f"{name}: {d['discovered']} discovered, {d['fetched']} fetched, {d['new']} new, "
               f"{d['updated']} updated, {d['failed']} failed, {d['skipped_robots']} refused by robots.txt"
               + (f" ({summary.error})" if summary.error else ""))
    if as_json:
        emit_json(result.to_dict())
    if not result.ok:
        raise click.ClickException(result.failure_message())


@scrape.command("list")
@_outlets_option
@json_option
def scrape_list(outlets_file: str | None, as_json: bool) -> None:
    """The outlets the toolkit knows, with their default tendency.

    \b
    Example:
      python cli.py scrape list --json
    """
    import scrapers
    rows = scrapers.list_outlets(outlets_file)
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(f"{r['name']:<20} {r['tendency']:<11} {r['domain']:<28} {r['defined_in']}")


@scrape.command("reparse")
@click.argument("outlet", metavar="OUTLET")
@_outlets_option
@json_option
@pass_settings
def scrape_reparse(s: Settings, outlet: str, outlets_file: str | None, as_json: bool) -> None:
    """Re-parse an outlet's stored raw pages (after a selector fix) without fetching them again.

    \b
    Example:
      python cli.py scrape reparse chartist --json
    """
    import scrapers
    name = _known_outlets([outlet], outlets_file)[0]
    counts = scrapers.reparse_outlet(s.store(), name, config=outlets_file)
    if as_json:
        emit_json(counts)
    else:
        s.info(f"{name}: {counts['pages']} pages re-parsed: {counts['new']} new, {counts['updated']} updated, "
               f"{counts['unchanged']} unchanged, {counts['skipped']} skipped, {counts['failed']} failed")


# --- nlp, topics, terms ----------------------------------------------------------------------
def _topic_options(f):
    for opt in reversed([
        click.option("--passes", type=click.IntRange(min=1), default=10, show_default=True, help="Passes over the corpus."),
        click.option("--iterations", type=click.IntRange(min=1), default=100, show_default=True, help="Inference iterations per document."),
        click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
                     help="More than 1 uses LdaMulticore: faster, NOT reproducible."),
        click.option("--no-below", type=click.IntRange(min=1), help="Keep terms in at least N documents [default: 2 under 200 documents, else 5]."),
        click.option("--no-above", type=click.FloatRange(0, 1, min_open=True),
                     help="Drop terms in more than this share of documents [default: 0.5; 0.9 for long documents]."),
        click.option("--keep-n", type=click.IntRange(min=1), default=50_000, show_default=True, help="Keep at most N terms."),
        click.option("--chunk-terms", type=click.IntRange(min=0),
                     help="Model long documents as passages of about N terms; 0 never [default: 1000 when "
                          "documents average over 2,000 terms, else 0]."),
        click.option("--stop-words", type=click.Path(dir_okay=False),
                     help="More words to leave out of the model (a file, one or more per line)."),
    ]):
        f = opt(f)
    return f


def _fit_sample_value(ctx, param, value: str | None) -> int | str | None:
    if value is None or value.strip().casefold() == "auto":
        return value and "auto"
    if not value.strip().isdigit() or int(value) < 1:
        raise click.BadParameter(f"{value!r} is not a number of documents or 'auto': e.g. --fit-sample 20000")
    return int(value)


#: ``--fit-sample N|auto`` (topics fit, topics sweep, run): see nlp/topics/sampling.py.
fit_sample_option = click.option(
    "--fit-sample", metavar="N|auto", callback=_fit_sample_value,
    help="Fit on a stratified sample of N documents (by tendency, year and outlet) and infer every document's "
         "topic shares from that model; 'auto': 20000 when the selection is larger [default: fit on every document].")


def _said_sample(s: "Settings", manifest: dict[str, Any]) -> None:
    """Say on stderr when a model was fitted on a sample."""
    fitted = manifest.get("fit_sample")
    if fitted:
        s.info(f"Fitted on a stratified sample of {fitted['used']:,} of {fitted['of']:,} documents "
               f"({fitted['strata_in_sample']} of {fitted['n_strata']} strata); every document's shares inferred")


def _print_topics(run: dict[str, Any]) -> None:
    click.echo(f"{run['name']}: K={run['k']}  c_v={run['coherence_c_v']:.3f}  NPMI={run['coherence_npmi']:.3f}"
               if run["coherence_c_v"] is not None else f"{run['name']}: K={run['k']}")
    for t in run["topics"]:
        click.echo(f"{t['id']:>3}  {t['label']}\n     {', '.join(t['terms'])}")


@contextlib.contextmanager
def _bad_parameters() -> Iterator[None]:
    """One bad value (K out of range, a bad name) is a usage error (exit 2)."""
    from nlp.errors import InvalidParameterError
    try:
        yield
    except InvalidParameterError as exc:
        raise click.BadParameter(str(exc), param_hint=f"'{exc.param}'" if exc.param else None) from None


@cli.group("nlp")
def nlp_group() -> None:
    """Preprocess articles into terms (spaCy, domain phrases, collocations).

    \b
    Example:
      python cli.py nlp preprocess
    """


@nlp_group.command("preprocess")
@click.option("--model", help="An installed spaCy pipeline (default: blank English with lookup lemmas).")
@click.option("--phrases", type=click.Path(dir_okay=False), help="Your phrase vocabulary (TOML) extending nlp/text/vocabulary.toml.")
@click.option("--n-process", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="all cores",
              help="Processes for spaCy.")
@click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True, help="Texts per spaCy batch.")
@cluster_options
@selection_options
@json_option
@pass_settings
def nlp_preprocess(s: Settings, model, phrases, n_process, batch_size, cluster, selection, as_json) -> None:
    """Tokenise, lemmatise and phrase-join every article not yet processed.

    Re-running processes only new or changed articles; the corpus collocations are refitted at the end.
    With --workers or --scheduler, batches of articles are tokenised by Dask workers and written here.

    \b
    Example:
      python cli.py nlp preprocess --n-process 2
      python cli.py nlp preprocess --scheduler tcp://10.0.0.5:8786
    """
    from nlp.parallel import executor
    from nlp.text.preprocess import Preprocessor, preprocess_corpus

    store, filters = s.store(), s.filters(selection)
    pre = Preprocessor(model=model, phrases_file=phrases, n_process=n_process, batch_size=batch_size)
    with executor(**cluster) as ex, s.progress(length=store.count(**filters), label="Preprocessing") as bar:
        summary = preprocess_corpus(store, pre, progress=bar.update, executor=ex, **filters)
    s.info(f"Preprocessed {summary['processed']} articles ({summary['cached']} already done, "
           f"{summary['failed']} failed); {summary['collocations']} collocations.")
    if as_json:
        emit_json(summary)


@nlp_group.command("tokens")
@click.argument("text")
@click.option("--model", help="An installed spaCy pipeline (default: blank English with lookup lemmas).")
@click.option("--phrases", type=click.Path(dir_okay=False), help="Your phrase vocabulary (TOML).")
@json_option
@pass_settings
def nlp_tokens(s: Settings, text: str, model, phrases, as_json) -> None:
    """Show the terms the pipeline makes of TEXT (with the corpus collocations, if --db has them).

    \b
    Example:
      python cli.py nlp tokens "The soft left and the hard left disagree about Labour First" --json
    """
    from nlp.text.preprocess import tokens

    terms = tokens(text, store=s.store() if s.has_corpus() else None, model=model, phrases_file=phrases)
    if as_json:
        emit_json(terms)
    else:
        click.echo(" ".join(terms))


@cli.group()
def topics() -> None:
    """Fit, compare and show topic models, and their trends over time.

    \b
    Example:
      python cli.py topics fit --k 10
    """


@topics.command("name")
@click.argument("run_name", metavar="RUN")
@click.option("--set", "assignments", multiple=True, metavar='TOPIC="NAME"',
              help='Name a topic for the report, e.g. --set 3="Rail and energy ownership" (repeatable).')
@pass_settings
def topics_name(s: Settings, run_name: str, assignments: tuple[str, ...]) -> None:
    """Name topics for the report; the names survive refits of the same model (same run name).

    Writes <db>.runs/topic_names/RUN.toml (topic number = "name"); without --set, prints the names.

    \b
    Example:
      python cli.py topics name run-k8-s0 --set 3="Rail and energy ownership"
    """
    from nlp.report.names import load_topic_names, names_path, parse_assignments, save_topic_names, topic_name
    from nlp.topics.fit import load_run
    from nlp.topics.runs import runs_root

    with _bad_parameters():
        run = load_run(s.store(), run_name)
        path = names_path(runs_root(s.store()), run.name)
        names = {**load_topic_names(path), **parse_assignments(assignments, run.k)}
    if assignments:
        save_topic_names(path, names)
        s.info(f"Saved {len(names)} topic names in {path}")
    for t in sorted(run.topics, key=lambda t: t["id"]):
        click.echo(f"{t['id']:>3}  {topic_name(t, names)}")


@topics.command("fit")
@click.option("--k", "k", type=int, required=True, help="Number of topics (2 to the number of documents).")
@click.option("--name", help="Run name [default: lda-k{K}-s{seed}]; a run of the same name is replaced.")
@seed_option
@_topic_options
@click.option("--seed-words", type=click.Path(dir_okay=False), help="Guided topics: TOML of name = [words].")
@click.option("--stability-seeds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Seeds fitted in all to score each topic's stability (1: no stability scores).")
@fit_sample_option
@selection_options
@json_option
@pass_settings
def topics_fit(s: Settings, k, name, seed, passes, iterations, workers, no_below, no_above, keep_n, chunk_terms,
               stop_words, seed_words, stability_seeds, fit_sample, selection, as_json) -> None:
    """Fit a topic model (LDA) on the preprocessed corpus and store it as a run.

    \b
    Example:
      python cli.py topics fit --k 10 --seed 0 --seed-words seeds.toml
    """
    from nlp.topics.fit import fit_topics
    from nlp.topics.trust import assess_run

    with _bad_parameters():
        filters = s.filters(selection)
        run = fit_topics(s.store(), k, seed=seed, name=name, passes=passes, iterations=iterations, workers=workers,
                         no_below=no_below, no_above=no_above, keep_n=keep_n, chunk_terms=chunk_terms,
                         stop_words=stop_words, seed_words=seed_words, fit_sample=fit_sample,
                         progress=s.terminal.steps(), **filters)
        from nlp.documents import load_documents

        run = assess_run(s.store(), run, load_documents(s.store(), preprocess=False, **filters),
                         seeds=stability_seeds if workers <= 1 else 1)
    _said_sample(s, run.manifest)
    s.info(f"Saved {run.name} in {run.path}" + ("" if run.manifest["reproducible"] else " (not reproducible)"))
    emit_json(run.to_dict()) if as_json else _print_topics(run.to_dict())


@topics.command("sweep")
@click.option("--k", "ks", required=True, help="Values of K, comma-separated: 5,10,20.")
@seed_option
@_topic_options
@click.option("--plot", type=click.Path(dir_okay=False), help="Also draw the coherence plot here (PNG).",
              callback=_writable)
@click.option("--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="all cores",
              help="Ks fitted at once, each in its own process (same topics as one at a time).")
@fit_sample_option
@selection_options
@json_option
@pass_settings
def topics_sweep(s: Settings, ks, seed, passes, iterations, workers, no_below, no_above, keep_n, chunk_terms,
                 stop_words, plot, jobs, fit_sample, selection, as_json) -> None:
    """Coherence (c_v and NPMI) for each K: which number of topics reads best.

    \b
    Example:
      python cli.py topics sweep --k 5,10,20 --plot sweep.png
    """
    from nlp.topics.fit import sweep_topics

    try:
        values = [int(v) for v in ks.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"{ks!r} is not a comma-separated list of numbers", param_hint="'--k'") from None
    with _bad_parameters():
        result = sweep_topics(s.store(), values, seed=seed, passes=passes, iterations=iterations, workers=workers,
                              no_below=no_below, no_above=no_above, keep_n=keep_n, chunk_terms=chunk_terms,
                              stop_words=stop_words, progress=s.terminal.steps(), n_jobs=jobs,
                              fit_sample=fit_sample, **s.filters(selection))
    if plot:
        from nlp.report.plots import plot_sweep

        plot_sweep(result["rows"], plot)
    s.info(f"Table in {Path(result['csv']).parent}; best K by c_v: {result['best_k']}")
    if as_json:
        emit_json(result)
        return
    click.echo(f"{'K':>4}  {'c_v':>7}  {'NPMI':>7}  {'seconds':>8}")
    for r in result["rows"]:
        fmt = lambda v: f"{v:7.3f}" if v is not None else "      -"  # noqa: E731
        click.echo(f"{r['k']:>4}  {fmt(r['coherence_c_v'])}  {fmt(r['coherence_npmi'])}  {r['seconds']:8.1f}")


@topics.command("show")
@click.option("--name", help="A fitted run [default: the newest].")
@json_option
@pass_settings
def topics_show(s: Settings, name, as_json) -> None:
    """Show a fitted run's topics (FREX labels, top terms, coherence) and the runs there are.

    \b
    Example:
      python cli.py topics show --name lda-k10-s0 --json
    """
    from nlp.topics.fit import show_topics

    run = show_topics(s.store(), name)
    emit_json(run) if as_json else _print_topics(run)


def _trend_options(f):
    """The options shared by `topics trends` and `terms trends`."""
    f = selection_options(f)
    f = click.option("--plot", type=click.Path(dir_okay=False), help="Also draw a PNG: one panel per group.",
                     callback=_writable)(f)
    f = click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)(f)
    f = click.option("--period", type=click.Choice(["month", "quarter", "year"]), default="year",
                     show_default=True)(f)
    return click.option("--by", type=click.Choice(["tendency", "outlet", "none"]), default="tendency",
                        show_default=True)(f)


@topics.command("trends")
@click.option("--name", help="A fitted run [default: the newest].")
@_trend_options
@pass_settings
def topics_trends(s: Settings, name, by, period, fmt, plot, selection) -> None:
    """Topic prevalence by period and group: mean shares (summing to 1 per cell) with n_docs per cell.

    \b
    Example:
      python cli.py topics trends --by tendency --period quarter --plot trends.png
    """
    from nlp.topics.runs import stored_topic_prevalence

    with _bad_parameters():
        rows = stored_topic_prevalence(s.store(), name, by=by, period=period, **s.filters(selection))
        _emit_trends(rows, fmt, plot, title=f"Topic prevalence by {period} and {by}")


def _emit_trends(rows: list[dict[str, Any]], fmt: str, plot: str | None, title: str, **plot_options: Any) -> None:
    """Trend rows to stdout as CSV or JSON, and to a PNG with ``--plot``."""
    from nlp.report.plots import plot_trends
    from nlp.topics.trends import format_rows

    text = format_rows(rows, fmt)
    if plot:
        plot_trends(rows, plot, title=title, **plot_options)
    click.echo(text if text.endswith("\n") else text + "\n", nl=False)


@cli.group()
def terms() -> None:
    """How often words and phrases are used.

    \b
    Example:
      python cli.py terms trends "soft left" devolution
    """


@terms.command("trends")
@click.argument("words", nargs=-1, required=True)
@click.option("--case-sensitive", is_flag=True,
              help="Map names with their case: nhs is then the word nhs, not the NHS.")
@_trend_options
@pass_settings
def terms_trends(s: Settings, words, case_sensitive, by, period, fmt, plot, selection) -> None:
    """Frequency of WORDs (or phrases: "green new deal") per 10,000 terms, by period and group.

    A WORD that names a vocabulary entry counts that term, in any case (nhs, NHS and "National Health
    Service" all count the NHS); a WORD the selection never uses is an error naming the nearest terms.

    \b
    Example:
      python cli.py terms trends "soft left" "community wealth building" --by outlet --plot terms.png
    """
    from nlp.text.preprocess import Preprocessor
    from nlp.topics.trends import term_trends

    with _bad_parameters():
        pre = Preprocessor.from_store(s.store(), collocations=None)
        rows = term_trends(s.documents(selection, raw=True), words, pre, by=by, period=period,
                           case_sensitive=case_sensitive)
        _emit_trends(rows, fmt, plot, title=f"Terms by {period} and {by}", series="term", value="per_10k",
                     ylabel="per 10,000 terms")


@topics.command("list")
@json_option
@pass_settings
def topics_list(s: Settings, as_json) -> None:
    """List the fitted runs, newest first.

    \b
    Example:
      python cli.py topics list
    """
    from nlp.topics.fit import list_runs

    runs = list_runs(s.store())
    if as_json:
        emit_json(runs)
    for r in [] if as_json else runs:
        click.echo(f"{r['name']}  K={r['k']}  seed={r['seed']}  c_v={r['coherence_c_v']}  {r['created_at']}")



# --- classify, contrast, kwic, mentions ------------------------------------------------------
def _default_model_dir(s: Settings) -> str:
    return (files_base(s.db) if is_url(s.db) else str(Path(s.db).with_suffix(""))) + "-model"


@cli.group("classify")
def classify_group() -> None:
    """Tendency classifiers: cross-validated evaluation, training, prediction.

    TF-IDF over the preprocessed terms and class-balanced logistic regression. Articles whose tendency
    resolves to "unlabelled" (and "mixed", unless --include-mixed) are not trained on.

    \b
    Example:
      python cli.py classify evaluate --group-by author --json
    """


@classify_group.command("evaluate")
@click.option("--label-field", type=click.Choice(["tendency", "outlet", "year"]), default="tendency",
              show_default=True, help="What to predict.")
@click.option("--group-by", type=click.Choice(["outlet", "author", "period", "none"]), default="outlet",
              show_default=True, help="No fold splits a group of this field (leave-one-group-out when groups are "
              "few); period: train on earlier periods, test on later ones.")
@click.option("--period-years", type=click.IntRange(min=1), default=1, show_default=True,
              help="With --group-by period: years per period.")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True)
@click.option("--include-mixed", is_flag=True, help="Keep articles resolved as 'mixed' as a class.")
@click.option("--mask-names/--no-mask-names", default=True, show_default=True,
              help="Also score with party, faction, outlet and label names masked (docs/classifier.md).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Top features shown per class.")
@click.option("--n-jobs", type=int, help="Folds fitted in parallel (-1: every core) [default: every core for a "
              "large selection]; the numbers do not change.")
@selection_options
@seed_option
@json_option
@pass_settings
def classify_evaluate(s: Settings, label_field, group_by, period_years, folds, include_mixed, mask_names, top,
                      n_jobs, selection, seed, as_json) -> None:
    """Cross-validated macro-F1 (with interval), beside a baseline and a score with self-names masked.

    \b
    Example:
      python cli.py classify evaluate --group-by author --folds 5 --seed 0 --json
      python cli.py classify evaluate --label-field outlet --group-by period --period-years 4
    """
    from nlp.tendencies.classify import evaluate
    from nlp.tendencies.masking import corpus_vocabulary

    docs = s.documents(selection)
    result = evaluate(docs, label_field=label_field, group_by=group_by, folds=folds, seed=seed,
                      include_mixed=include_mixed, progress=s.terminal.folds("cross-validation: model"),
                      mask_names=mask_names,
                      vocabulary=corpus_vocabulary(s.store()) if mask_names else None, labels=s.store().labels,
                      period_years=period_years, n_jobs=n_jobs, top=top)
    if as_json:
        emit_json(result)
        return
    base = result["baseline"]
    click.echo(f"{result['n_documents']} articles, {result['folds']} folds ({result['splitter']}, "
               f"grouped by {group_by}), seed {seed}")
    interval = (f" ({result['interval']['level']:.0%} interval {result['macro_f1_lo']:.3f} to "
                f"{result['macro_f1_hi']:.3f})" if "macro_f1_lo" in result else "")
    click.echo(f"macro-F1 {result['macro_f1']:.3f}{interval}  accuracy {result['accuracy']:.3f}   "
               f"baseline (majority class): macro-F1 {base['macro_f1']:.3f}  accuracy {base['accuracy']:.3f}")
    if "masked_macro_f1" in result:
        click.echo(f"with {len(result['masked_terms'])} self-names masked: macro-F1 {result['masked_macro_f1']:.3f}  "
                   f"accuracy {result['masked_accuracy']:.3f}")
    click.echo(f"\n{'class':<20} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for label, m in result["per_class"].items():
        click.echo(f"{label:<20} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {m['support']:>8}")
    labels = result["confusion"]["labels"]
    click.echo("\nconfusion (rows: true, columns: predicted)")
    click.echo(" " * 20 + "".join(f"{lab[:10]:>11}" for lab in labels))
    for label, row in zip(labels, result["confusion"]["matrix"]):
        click.echo(f"{label:<20}" + "".join(f"{n:>11}" for n in row))
    flagged = result.get("self_names_in_top_features", {})
    click.echo("\ntop features (* a self-name)")
    for label, feats in result["top_features"].items():
        click.echo(f"{label}: " + ", ".join(f["term"] + ("*" if f["term"] in flagged.get(label, ()) else "")
                                            for f in feats))
    for caveat in result["caveats"]:
        s.info(f"Caveat: {caveat}")


@classify_group.command("train")
@click.option("-o", "--output", type=click.Path(file_okay=False),
              help="Model directory to write [default: beside the corpus, DB-model].")
@click.option("--label-field", type=click.Choice(["tendency", "outlet", "year"]), default="tendency",
              show_default=True, help="What to predict.")
@click.option("--include-mixed", is_flag=True, help="Keep articles resolved as 'mixed' as a class.")
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True, help="Top features shown per class.")
@selection_options
@seed_option
@json_option
@pass_settings
def classify_train(s: Settings, output, label_field, include_mixed, top, selection, seed, as_json) -> None:
    """Train on every labelled article and save a model directory (manifest + SHA-256 checksums).

    \b
    Example:
      python cli.py classify train -o models/tendency
    """
    from nlp.tendencies.classify import train

    output = output or _default_model_dir(s)
    from nlp.tendencies.masking import corpus_vocabulary

    info = train(s.documents(selection), output, label_field=label_field, seed=seed, include_mixed=include_mixed,
                 top=top, vocabulary=corpus_vocabulary(s.store()), labels=s.store().labels)
    if as_json:
        emit_json(info)
        return
    s.info(f"Trained on {info['n_documents']} articles ({', '.join(info['classes'])}); model {info['model_id']}")
    for label, feats in info["top_features"].items():
        flagged = info["self_names_in_top_features"].get(label, ())
        click.echo(f"{label}: " + ", ".join(f["term"] + ("*" if f["term"] in flagged else "") for f in feats))
    if any(info["self_names_in_top_features"].values()):
        s.info("Caveat: * marks self-names (party, faction, outlet or label names) among the top features; "
               "see `classify evaluate` for the score without them")
    click.echo(info["model_dir"])


@classify_group.command("predict")
@click.option("--model", "model_dir", type=click.Path(file_okay=False),
              help="Model directory from `classify train` [default: beside the corpus, DB-model].")
@click.option("--text", help="Classify this text ('-' reads it from standard input).")
@click.option("--unlabelled", is_flag=True,
              help="Classify every article resolved as 'unlabelled' or 'mixed' and store the probabilities.")
@json_option
@pass_settings
def classify_predict(s: Settings, model_dir, text, unlabelled, as_json) -> None:
    """Predict the tendency of a text, or of every article without a usable label.

    \b
    Example:
      python cli.py classify predict --text "Power belongs in towns and regions" --json
      python cli.py classify predict --unlabelled
    """
    from corpus.analyses import save_predictions
    from corpus.dates import now_utc
    from nlp.tendencies.classify import predict_text, predict_unlabelled

    if (text is None) == (not unlabelled):
        raise click.UsageError("Give exactly one of --text TEXT or --unlabelled.")
    model_dir = model_dir or _default_model_dir(s)
    if text is not None:
        if text == "-":
            text = sys.stdin.read()
        from nlp.text.preprocess import Preprocessor

        pre = Preprocessor.from_store(s.store()) if s.has_corpus() else None
        result = predict_text(model_dir, text, preprocessor=pre)
        if as_json:
            emit_json(result)
            return
        probs = ", ".join(f"{k} {v:.2f}" for k, v in sorted(result["probabilities"].items(), key=lambda kv: -kv[1]))
        click.echo(f"{result['label']}  ({probs})")
        return
    result = predict_unlabelled(s.documents(Selection()), model_dir)
    save_predictions(s.store(), result["model_id"], result["articles"], now_utc())
    if as_json:
        emit_json(result)
        return
    for a in result["articles"]:
        p = a["probabilities"][a["label"]]
        click.echo(f"{a['label']:<14} {p:.2f}  {a['outlet']:<16} {'; '.join(a['authors'])[:30]:<30} {a['title'] or a['id']}")
    s.info(f"Stored predictions for {result['predicted']} articles (model {result['model_id']}): "
           + ", ".join(f"{k} {v}" for k, v in result["by_label"].items()))


@cli.command("contrast")
@click.argument("a")
@click.argument("b")
@click.option("--field", type=click.Choice(["tendency", "outlet", "author", "year"]), default="tendency",
              show_default=True, help="The field whose groups are contrasted (year: A and B may be ranges, 2016-2019).")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="Terms per side.")
@click.option("--min-count", type=click.IntRange(min=1), default=3, show_default=True,
              help="Only terms used at least this often in A and B together.")
@click.option("--ngrams", type=click.IntRange(1, 2), default=1, show_default=True,
              help="2 adds pairs of adjacent terms as phrases.")
@click.option("--min-docs", type=click.IntRange(min=1), default=3, show_default=True,
              help="Only terms used by at least this many documents of the side they favour.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=50, show_default=True,
              help="Resamples of each side's documents for each term's stability (0: none).")
@click.option("--mask-names", is_flag=True,
              help="Leave out party, faction, outlet and label names (as `classify evaluate` masks them).")
@click.option("--plot", type=click.Path(dir_okay=False), help="Also write a PNG chart here.", callback=_writable)
@selection_options
@seed_option
@json_option
@pass_settings
def contrast_cmd(s: Settings, a, b, field, top, min_count, ngrams, min_docs, bootstrap, mask_names, plot, selection,
                 seed, as_json) -> None:
    """The terms that most set group A apart from group B (B = "rest": every other article).

    Weighted log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008); z > 0
    favours A. Each side's list is sorted by |z|, strongest first; a term's stability is the share of
    bootstrap resamples in which it stays in its side's list.

    \b
    Example:
      python cli.py contrast soft_left hard_left --top 15 --plot soft-vs-hard.png
      python cli.py contrast labourlist rest --field outlet --json
    """
    from nlp.report.plots import plot_contrast
    from nlp.tendencies.contrast import contrast
    from nlp.tendencies.masking import corpus_vocabulary, self_names

    docs = s.documents(selection)
    mask = self_names(docs, corpus_vocabulary(s.store()), s.store().labels) if mask_names else None
    result = contrast(docs, a, b, field=field, top=top, min_count=min_count, ngrams=ngrams, min_docs=min_docs,
                      bootstrap=bootstrap, seed=seed, mask=mask)
    if plot:
        from nlp.report.styles import Styles

        plot_contrast(result, plot, styles=Styles.from_labels(s.store().labels))
        s.info(f"Wrote {plot}")
    if as_json:
        emit_json(result.to_dict())
        return
    click.echo(f"{field}: {result.a} ({result.docs_a} articles) vs {result.b} ({result.docs_b} articles)")
    for name, side in ((result.a, result.terms_a), (result.b, result.terms_b)):
        click.echo(f"\nmore {name}:")
        for t in side:
            stable = f"   stability {t.stability:.2f}" if t.stability is not None else ""
            click.echo(f"  {t.term:<32} z {t.z:>7.2f}   {t.count_a:>6} vs {t.count_b:<6} in {t.n_docs:>4} docs{stable}")


@cli.command("kwic")
@click.argument("term")
@click.option("--window", type=click.IntRange(min=0), default=8, show_default=True, help="Words on each side.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most this many lines.")
@click.option("--case-sensitive", is_flag=True, help="Match TERM with its case: nhs is then not the NHS.")
@selection_options
@json_option
@pass_settings
def kwic_cmd(s: Settings, term, window, limit, case_sensitive, selection, as_json) -> None:
    """Keyword in context: each use of a word or phrase with the words around it, oldest first.

    TERM is a word, a phrase ("soft left" also finds soft-left), a pipeline term (soft_left) or a prefix
    (nationalis*). A name of the phrase vocabulary, in any case, shows every spelling its term counts
    (nhs: "NHS" and "National Health Service").

    \b
    Example:
      python cli.py kwic "soft left" --window 10 --limit 20
    """
    from nlp.text.kwic import format_kwic, kwic, kwic_dicts, nearest_corpus_terms

    lines = kwic(s.store(), term, window=window, limit=limit, case_sensitive=case_sensitive,
                 **s.filters(selection))
    if as_json:
        emit_json(kwic_dicts(lines))
        return
    if not lines:
        near = nearest_corpus_terms(s.store(), term)
        s.info(f"No article uses {term!r}" + (f"; nearest corpus terms: {', '.join(near)}." if near else "."))
    for line in format_kwic(lines):
        click.echo(line)


@cli.command("mentions")
@click.option("--window", type=click.IntRange(min=1), default=10, show_default=True,
              help="Terms on each side of a mention.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Associated terms per faction and tendency.")
@click.option("--faction", multiple=True,
              help="Only this faction (repeatable): its term or any name, in any case, e.g. soft_left, \"SCG\".")
@click.option("--affiliations", type=click.Path(exists=True, dir_okay=False),
              help="Faction -> tendency file [default: nlp/tendencies/faction_tendencies.toml].")
@selection_options
@json_option
@pass_settings
def mentions_cmd(s: Settings, window, top, faction, affiliations, selection, as_json) -> None:
    """How each faction is talked about: who mentions it, how often, in which words.

    For every faction of the phrase vocabulary: mentions by each writing tendency (self-mentions against
    mentions by others), outlets, and the terms around the mentions that are most typical of each
    tendency's talk about it (against its overall usage).

    \b
    Example:
      python cli.py mentions --faction soft_left --faction hard_left
    """
    from nlp.tendencies.mentions import format_mentions, mentions

    result = mentions(s.documents(selection, raw=True), window=window, top=top, factions=list(faction) or None,
                      affiliations_file=affiliations)
    if as_json:
        emit_json(result)
        return
    for line in format_mentions(result):
        click.echo(line)


@cli.command("meaning")
@click.argument("terms", nargs=-1, required=True, metavar="TERM...")
@click.option("--by", type=click.Choice(["tendency", "outlet", "author"]), default="tendency", show_default=True,
              help="What makes a group.")
@click.option("--group", "groups", multiple=True, help="Only this group (repeatable), e.g. --group Lab --group Con.")
@click.option("--period", type=click.Choice(["year", "decade"]), help="Split each group by period.")
@click.option("--min-support", type=click.IntRange(min=2), default=5, show_default=True,
              help="Documents using the term a group needs before anything is claimed about it.")
@click.option("--background", type=click.Path(exists=True, file_okay=False),
              help="Word vectors + transform trained on a larger corpus (a model folder) instead of training here.")
@click.option("--seeds", "n_models", type=click.IntRange(min=1), default=1, show_default=True,
              help="Word-vector models (seeds SEED, SEED+1, ...) over which neighbour lists are tallied.")
@click.option("--bootstraps", type=click.IntRange(min=10), default=100, show_default=True,
              help="Bootstrap replicates over documents (intervals, neighbour stability).")
@click.option("--permutations", type=click.IntRange(min=19), default=1000, show_default=True,
              help="Shuffles of documents between two groups for p.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Words per list.")
@click.option("--senses", type=click.IntRange(min=0), default=3, show_default=True,
              help="Senses found by k-means on the occurrences (0: none).")
@seed_option
@selection_options
@json_option
@pass_settings
def meaning_cmd(s: Settings, terms, by, groups, period, min_support, background, n_models, bootstraps, permutations,
                top, senses, seed, selection, as_json) -> None:
    """What a contested word means to each group (à-la-carte embeddings, as in conText).

    Each occurrence of TERM is embedded from the words around it; the embeddings are averaged per group
    and compared: cosine with a bootstrap interval and a permutation test over documents, nearest
    neighbours (plain and distinctive), Fightin' Words on the contexts, examples and senses. Word vectors
    are trained on the whole corpus once and cached in <db>.runs/meaning/ (a corpus under 400,000 terms
    needs --background). See docs/meaning.md.

    \b
    Example:
      python cli.py meaning ownership democracy --by tendency --group Lab --group Con
    """
    from nlp.meaning import format_meaning, meaning

    docs = s.documents(selection, raw=True)
    training = None if selection.is_empty() or background else s.documents(Selection(), raw=True)
    results = meaning(docs, list(terms), store=s.store(), by=by, training=training, background=background,
                      seed=seed, n_models=n_models, progress=s.terminal.steps(), period=period,
                      groups=list(groups) or None, min_support=min_support, n_boot=bootstraps,
                      n_perm=permutations, top=top, senses=senses)
    if as_json:
        emit_json(results[0].to_dict() if len(results) == 1 else [r.to_dict() for r in results])
        return
    for result in results:
        for line in format_meaning(result):
            click.echo(line)



# --- scale: where each one stands ------------------------------------------------------------
@cli.group("scale")
def scale_group() -> None:
    """Text scaling: where each document, author, outlet and tendency stands (Wordfish, Wordscores).

    \b
    Example:
      python cli.py scale wordfish --high "A moderate's case" --low "The socialist answer" --json
      python cli.py scale wordscores --reference refs.csv --rescale lbg
      echo "An interview text" | python cli.py scale place --text -
    """


def _scale_options(f):
    f = click.option("--plot", type=click.Path(dir_okay=False), callback=_writable,
                     help="Also draw the map: mean position by period, one line and band per group (PNG).")(f)
    f = click.option("--period", type=click.Choice(["month", "quarter", "year"]), default="year", show_default=True,
                     help="Periods of the map and of the group positions.")(f)
    f = click.option("--by", type=click.Choice(["tendency", "outlet", "author"]), default="tendency",
                     show_default=True, help="Groups whose positions are aggregated.")(f)
    return click.option("--features", type=click.Choice(["terms", "words"]), default="terms", show_default=True,
                        help="terms: the preprocessed terms; words: lower-cased words, punctuation removed, nothing "
                             "else dropped (as the published references were computed).")(f)


def _scale_inputs(s: Settings, selection: Selection, features: str) -> tuple[Any, Any, list[str]]:
    """The selection's documents and its count matrix (texts read only for --features words)."""
    from nlp.scaling.positions import feature_matrix

    docs = s.documents(selection)
    texts = None
    if features == "words":
        by_id = {a.id: a.text for a in s.store().articles(ids=docs.ids)}
        texts = [by_id[i] for i in docs.ids]
    X, names = feature_matrix(docs, features, texts)
    return docs, X, names


def _scale_output(s: Settings, model: Any, method: str, features: str, docs: Any, result: Any, by: str, period: str,
                  plot: str | None, bootstrap: int, min_support: int, seed: int, as_json: bool,
                  affine: tuple[float, float] = (1.0, 0.0)) -> None:
    """Store the scale (for `scale place`), aggregate per group, print or emit JSON, draw the map."""
    from corpus.analyses import set_state
    from corpus.dates import now_utc
    from corpus.output import atomic_directory
    from nlp.scaling.positions import document_rows, group_positions, group_rows
    from nlp.topics.runs import runs_root

    target = runs_root(s.store()) / "scales" / "last"
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_directory(target) as work:
        model.save(work)
    set_state(s.store(), "last_scale", {"path": str(target), "method": method, "features": features,
                                        "created": now_utc(), "preprocessor": docs.meta.get("preprocessor"),
                                        "affine": list(affine)})
    groups = group_positions(docs, result, by=by, period=period, bootstrap=bootstrap, seed=seed,
                             min_support=min_support)
    if plot:
        from nlp.report.plots import plot_positions

        plot_positions(groups, plot, title=f"{method}: mean position by {period} and {by}")
    out = {**result.to_dict(), "documents": document_rows(docs, result), "groups": group_rows(groups),
           "features": features}
    if as_json:
        emit_json(out)
        return
    key = "theta" if method == "wordfish" else "score"
    for row in sorted(out["documents"], key=lambda r: -r[key]):
        click.echo(f"{row[key]:>8.3f}  [{row['lo']:.2f}, {row['hi']:.2f}]  {row.get('tendency', ''):<12} "
                   f"{(row.get('title') or row['id'])[:60]}" + ("  (reference)" if row.get("reference") else ""))
    s.info(f"{len(out['documents'])} documents placed; the scale is stored for `scale place` ({target}).")


@scale_group.command("wordfish")
@click.option("--high", help="Title of the document that gets the larger position (sets the direction).")
@click.option("--low", help="Title of the document that gets the smaller position.")
@_scale_options
@trust_options
@selection_options
@seed_option
@json_option
@pass_settings
def scale_wordfish_cmd(s: Settings, high, low, features, by, period, plot, bootstrap, min_support, selection, seed,
                       as_json) -> None:
    """Wordfish (Slapin & Proksch 2008, as quanteda fits it): unsupervised positions from word counts.

    Each document gets θ with an analytic standard error (and a parametric-bootstrap interval with
    --bootstrap); words get a weight β (which end they pull towards) and a fixed effect ψ.

    \b
    Example:
      python cli.py scale wordfish --high "Lenihan, Brian (FF)" --low "Bruton, Richard (FG)" --features words --json
    """
    from nlp.scaling.positions import scale_wordfish

    docs, X, names = _scale_inputs(s, selection, features)
    model, result = scale_wordfish(docs, X, names, high=high, low=low, bootstrap=0, seed=seed)
    _scale_output(s, model, "wordfish", features, docs, result, by, period, plot, bootstrap, min_support, seed,
                  as_json)


@scale_group.command("wordscores")
@click.option("--reference", "reference_file", type=click.Path(exists=True, dir_okay=False),
              help="A CSV `title,score` naming the reference documents (by title) and their scores.")
@click.option("--reference-label", "reference_labels", multiple=True, metavar="LABEL=SCORE",
              help="Instead of --reference: a whole tendency (label) as one reference text, e.g. "
                   "--reference-label hard_left=-1 --reference-label soft_right=1 (repeatable).")
@click.option("--rescale", type=click.Choice(["lbg", "mv", "none"]), default="lbg", show_default=True,
              help="LBG (Laver, Benoit & Garry), Martin–Vanberg, or the raw scores.")
@_scale_options
@trust_options
@selection_options
@seed_option
@json_option
@pass_settings
def scale_wordscores_cmd(s: Settings, reference_file, reference_labels, rescale, features, by, period, plot, bootstrap,
                         min_support, selection, seed, as_json) -> None:
    """Wordscores (Laver, Benoit & Garry 2003): every other selected document scored from reference texts.

    \b
    Example:
      python cli.py scale wordscores --reference refs.csv --rescale lbg --features words --since 1992 --until 1997
      python cli.py scale wordscores --reference-label hard_left=-1 --reference-label soft_right=1 --by outlet
    """
    import csv as csv_module

    import numpy as np

    from nlp.scaling.positions import (parse_label_scores, read_reference, scale_wordscores,
                                       scale_wordscores_by_labels)

    if (reference_file is None) == (not reference_labels):
        raise click.UsageError("give the references as --reference FILE or as --reference-label LABEL=SCORE ...")
    docs, X, names = _scale_inputs(s, selection, features)
    if reference_labels:
        model, result = scale_wordscores_by_labels(docs, X, names, parse_label_scores(reference_labels),
                                                   rescale=rescale)
    else:
        with open(reference_file, encoding="utf-8-sig", newline="") as fh:
            reference = read_reference(list(csv_module.DictReader(fh)), docs)
        model, result = scale_wordscores(docs, X, names, reference, rescale=rescale)
    # The rescaling is affine in the raw score: keep it, so `scale place` puts a new text on the same scale.
    virgin = [d for d in result.documents if not d.reference]
    a, b = (np.polyfit([d.raw for d in virgin], [d.score for d in virgin], 1) if len(virgin) > 1 and rescale != "none"
            else (1.0, 0.0))
    _scale_output(s, model, "wordscores", features, docs, result, by, period, plot, bootstrap, min_support, seed,
                  as_json, affine=(float(a), float(b)))


@scale_group.command("place")
@click.option("--text", required=True, help="The text to place ('-' reads it from standard input).")
@json_option
@pass_settings
def scale_place(s: Settings, text: str, as_json: bool) -> None:
    """Place a new text (an interview, a speech) on the last stored scale, with its interval, without refitting.

    \b
    Example:
      python cli.py scale place --text - < interview.txt
    """
    from corpus.analyses import get_state
    from nlp.scaling import Wordfish, Wordscores
    from nlp.scaling.features import terms_matrix, word_matrix

    if text == "-":
        text = sys.stdin.read()
    state = get_state(s.store(), "last_scale")
    if not state:
        raise click.ClickException("no stored scale: run `scale wordfish` or `scale wordscores` first")
    model = (Wordfish if state["method"] == "wordfish" else Wordscores).load(state["path"])
    if state["features"] == "words":
        X, _ = word_matrix([text], vocabulary=model.terms_)
    else:
        from nlp.text.preprocess import Preprocessor

        X, _ = terms_matrix([Preprocessor.from_store(s.store()).terms(text)], vocabulary=model.terms_)
    if X.sum() == 0:
        raise click.ClickException("the text shares no word with the scale's vocabulary; give a longer text "
                                   "on the same subject")
    if state["method"] == "wordfish":
        row = model.predict(X, ids=["text"]).document_rows()[0]
        position, se, lo, hi = row["theta"], row["se"], row["lo"], row["hi"]
    else:  # the raw score, then the rescaling the scale was made with
        row = model.predict(X, rescale="none", ids=["text"]).document_rows()[0]
        a, b = state.get("affine", [1.0, 0.0])
        position, se = a * row["raw"] + b, abs(a) * row["se"]
        lo, hi = sorted((a * row["lo"] + b, a * row["hi"] + b))
    out = {"method": state["method"], "features": state["features"], "scale": state["path"], "position": position,
           "se": se, "lo": lo, "hi": hi, "known_words": int((X > 0).sum())}
    if as_json:
        emit_json(out)
        return
    click.echo(f"{out['position']:.3f}  [{out['lo']:.3f}, {out['hi']:.3f}]  on the {state['method']} scale "
               f"({out['known_words']} known words)")


# --- the whole pipeline: demo, run, report ---------------------------------------------------
def editor_options(f):
    """The report's editor options: --title, --recent, --topic-names."""
    for option in reversed((
        click.option("--title", help="The report's title [default: from the data, e.g. \"Labour's soft left and "
                                     "hard left: articles 2016–2025\"]."),
        click.option("--recent", type=click.Choice(["3m", "6m", "12m"]), default="6m", show_default=True,
                     help="The 'now against before' window, compared with the year before it."),
        click.option("--topic-names", type=click.Path(exists=True, dir_okay=False),
                     help="TOML of topic number = \"name\" [default: the names set with `topics name`]."),
        click.option("--watch", help="Words to chart over time: \"green new deal,devolution\", or a file with one "
                                     "word or phrase a line."),
    )):
        f = option(f)
    return f


def meaning_options(f):
    """--contested and --meaning-background: the words whose meaning to each tendency the report reads."""
    f = click.option("--meaning-background", type=click.Path(exists=True, file_okay=False),
                     help="Word vectors trained on a larger corpus (a `meaning` model folder), for a corpus too "
                          "small to train its own.")(f)
    return click.option("--contested", help="The contested words the report reads, comma-separated [default: "
                                            "pluralism, socialism, ownership, community, democracy, power].")(f)


def _meaning_settings(contested: str | None, background: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"meaning_background": background}
    if contested:
        out["contested"] = tuple(w.strip() for w in contested.split(",") if w.strip())
    return out


def _watch_list(value: str | None) -> tuple[str, ...]:
    """``--watch``: comma-separated words, or a file of one word or phrase a line (# starts a comment)."""
    if not value:
        return ()
    path = Path(value)
    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
        return tuple(w.strip() for w in lines if w.strip() and not w.lstrip().startswith("#"))
    return tuple(w.strip() for w in value.split(",") if w.strip())


def _editor_settings(s: Settings, selection: Selection | None, title, recent, topic_names,
                     watch: str | None = None) -> dict[str, Any]:
    selection = selection or Selection()
    return {"filters": s.filters(selection), "selection_text": "" if selection.is_empty() else selection.describe(),
            "title": title, "recent": recent, "topic_names": topic_names, "watch": _watch_list(watch)}


@cli.command("demo")
@click.option("-o", "--output", default="demo-output", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the demo corpus, the analysis and report.html.")
@trust_options
@seed_option
@click.option("--n-process", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="all cores",
              help="Processes for preprocessing and for the Ks of a sweep.")
@cluster_options
@pass_settings
def demo(s: Settings, output: str, bootstrap: int, min_support: int, seed: int, n_process: int, cluster) -> None:
    """Build a corpus from the bundled (synthetic) demo articles and run the whole analysis on it.

    Writes OUTPUT/softleft.db, the analysis and OUTPUT/report.html; prints the report's path. No network.

    \b
    Example:
      python cli.py demo -o demo-output
    """
    from nlp.pipeline import run_demo

    _run_drawn(s, lambda t: run_demo(Path(output), seed=seed, on_stage=t.stage, progress=t.progress,
                                     bootstrap=bootstrap, min_support=min_support, n_process=n_process,
                                     **cluster))


@cli.command("run")
@click.option("-o", "--output", default="softleft-run", show_default=True, type=click.Path(file_okay=False),
              help="Run directory: report.html, manifest.json, data/*.csv, topics/, model/.")
@click.option("--k", type=click.IntRange(min=2), help="Number of topics [default: swept over 6, 8, 10, 12 by coherence].")
@click.option("--passes", type=click.IntRange(min=1), help="LDA passes [default: 10, fewer on a corpus of over "
              "10,000 articles, down to 2 at 50,000: about 50 online updates in all].")
@click.option("--period", type=click.Choice(["month", "quarter", "year"]), default="year", show_default=True)
@click.option("--model", help="An installed spaCy pipeline (default: blank English with lookup lemmas).")
@editor_options
@selection_options
@trust_options
@seed_option
@click.option("--n-process", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="all cores",
              help="Processes for preprocessing and for the Ks of a sweep.")
@cluster_options
@meaning_options
@click.option("--stability-seeds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Seeds fitted in all to score each topic's stability (1: none, and one fit only).")
@fit_sample_option
@click.option("--recompute", is_flag=True,
              help="Compute every stage afresh: no stored topic model or stage results are reused (a second run "
                   "on an unchanged corpus otherwise replays them).")
@pass_settings
def run(s: Settings, output: str, k: int | None, passes: int, period: str, model: str | None, title, recent,
        topic_names, watch, selection, bootstrap: int, min_support: int, seed: int, n_process: int, cluster,
        contested, meaning_background, stability_seeds: int, fit_sample, recompute: bool) -> None:
    """Run the whole analysis on the corpus at --db and write a report.

    Preprocessing, a topic model (given or swept K), topic trends, the tendency classifier (evaluation,
    training, prediction), contrasts and faction mentions, into a run directory with a manifest.

    \b
    Example:
      python cli.py --db labour.db run -o runs/2025 --k 12 --seed 1
    """
    from nlp.pipeline import RunConfig, run_analysis

    store = s.store()
    if store.count() == 0:
        raise click.ClickException(f"the corpus {s.where} is empty; add articles with `corpus import` or `scrape` first")
    config = RunConfig(seed=seed, k=k, passes=passes, period=period, model=model, bootstrap=bootstrap,
                       min_support=min_support, n_process=n_process, stability_seeds=stability_seeds,
                       fit_sample=fit_sample, reuse_topics=not recompute, reuse_results=not recompute,
                       **cluster, **_editor_settings(s, selection, title, recent, topic_names, watch),
                       **_meaning_settings(contested, meaning_background))
    _run_drawn(s, lambda t: run_analysis(store, Path(output), config, on_stage=t.stage, progress=t.progress))
    metrics = json.loads((Path(output) / "manifest.json").read_text(encoding="utf-8"))["metrics"]
    reused = (["topic model"] if metrics.get("topics_reused") else []) + metrics.get("stages_reused", [])
    if reused:
        s.info(f"Reused from an earlier run on the same articles and settings: {', '.join(reused)} "
               "(--recompute computes them afresh)")
    if fit_sample:
        _said_sample(s, {"fit_sample": metrics.get("topics_fit_sample")})


@cli.command("report")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file to write.",
              callback=_writable)
@click.option("--topics", "topics_name", help="A stored topic model [default: the newest].")
@editor_options
@selection_options
@trust_options
@seed_option
@meaning_options
@pass_settings
def report(s: Settings, output: str, topics_name: str | None, title, recent, topic_names, watch, selection,
           bootstrap: int, min_support: int, seed: int, contested, meaning_background) -> None:
    """Write one self-contained HTML report an editor can open or email.

    Uses a topic model fitted before (`topics fit`); the other analyses are computed from the corpus.

    \b
    Example:
      python cli.py report -o report.html --topics k12 --since 2024-01-01 --outlet tribune
    """
    from nlp.pipeline import write_report

    settings = {**_editor_settings(s, selection, title, recent, topic_names, watch),
                **_meaning_settings(contested, meaning_background)}
    _run_drawn(s, lambda t: write_report(s.store(), output, topics=topics_name, seed=seed, on_stage=t.stage,
                                         progress=t.progress, bootstrap=bootstrap, min_support=min_support,
                                         **settings))


@cli.command("update")
@click.argument("outlets", nargs=-1, metavar="[OUTLET...]")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML report to write.",
              callback=_writable)
@click.option("--topics", "topics_name", help="The stored topic model to place new articles in [default: the newest].")
@click.option("--refit", is_flag=True, help="Refit the topic model (same name) instead of placing new articles in it.")
@click.option("--outlet", "outlet_options", multiple=True, help="An outlet to scrape (repeatable; same as OUTLET).")
@click.option("--base-url", "base_urls", multiple=True, metavar="[OUTLET=]URL",
              help="Fetch an outlet from another host (a mirror, a test server); repeatable as OUTLET=URL.")
@click.option("--delay", type=click.FloatRange(min=0), default=3.0, show_default=True,
              help="Minimum seconds between two requests to one host.")
@click.option("--max-articles", type=click.IntRange(min=1), help="Stop each outlet after N new articles.")
@click.option("--contact", envvar="SOFTLEFT_CONTACT", help="Contact put in the User-Agent; env SOFTLEFT_CONTACT.")
@_outlets_option
@editor_options
@trust_options
@seed_option
@json_option
@pass_settings
def update(s: Settings, outlets, output, topics_name, refit, outlet_options, base_urls, delay, max_articles, contact, outlets_file,
           title, recent, topic_names, watch, bootstrap, min_support, seed, as_json) -> None:
    """The editor's routine: collect what is new, place it in the topic model, write a fresh report.

    Scrapes OUTLETs (none: no scraping, e.g. after `corpus import`), preprocesses the new articles, places
    them in the existing topic model (no refit, the model keeps its name; a refit only with --refit or when
    the new articles' share of words unknown to the model exceeds the fitted articles' by over 15 points)
    and writes the report with a "since the last report" section. See docs/editors.md for a cron and a
    systemd timer.

    \b
    Example:
      python cli.py --db labour.db update tribune labourlist -o reports/latest.html
    """
    from nlp.update import update_report

    outlets = tuple(dict.fromkeys(outlets + outlet_options))
    if outlets:
        import scrapers

        names = _known_outlets(outlets, outlets_file)
        base_url: Any = None
        if len(base_urls) == 1 and "=" not in base_urls[0].split("://", 1)[0]:
            base_url = base_urls[0]
        elif base_urls:
            base_url = dict(b.split("=", 1) for b in base_urls)
        try:
            options = scrapers.CrawlOptions(max_articles=max_articles, max_attempts=3, fetch=scrapers.FetchConfig(
                user_agent=scrapers.http.default_user_agent(contact), delay=delay))
            result = scrapers.scrape_outlets(s.store(create=True), names, base_url=base_url, options=options,
                                             config=outlets_file)
        except scrapers.ScraperError as exc:
            raise click.UsageError(str(exc)) from None
        for name, summary in result.outlets.items():
            s.info(f"{name}: {summary.new} new" + (f" ({summary.error})" if summary.error else ""))
    elif base_urls:
        raise click.UsageError("--base-url needs the OUTLETs to scrape")
    settings = {"title": title, "recent": recent, "topic_names": topic_names, "watch": _watch_list(watch)}
    done: dict[str, Any] = {}

    def job(t: Terminal) -> Path:
        done.update(update_report(s.store(), output, topics=topics_name, refit=refit, seed=seed, on_stage=t.stage,
                                  progress=t.progress, bootstrap=bootstrap, min_support=min_support, **settings))
        return Path(done["report"])

    _run_drawn(s, job, echo=not as_json)
    s.info(f"{done['new_articles']} new articles; topic model {done['run']}"
           + (f" refitted: {done['refit_reason']}" if done["refitted"] else " unchanged"))
    if as_json:
        emit_json(done)


def _run_drawn(s: Settings, job: Callable[[Terminal], Path], echo: bool = True) -> None:
    """Run a whole-pipeline job with its stage lines and the total time on stderr; print the report's path
    (unless ``echo`` is False: the command prints JSON instead)."""
    started = time.perf_counter()
    try:
        report = job(s.terminal)
    finally:
        s.terminal.close()
    s.info(f"Done in {time.perf_counter() - started:.1f}s: {report}")
    if echo:
        click.echo(str(report))


def main() -> None:
    cli(prog_name=Path(sys.argv[0]).name or "softleft")


if __name__ == "__main__":
    main()
