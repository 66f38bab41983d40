#!/usr/bin/env python3
"""softleft: collect, store and analyse the writing of Labour's soft left, hard left and soft right.

The command line is a thin layer: each command parses its options and calls one library function in
corpus/, scrapers/ or nlp/. Results go to stdout, progress and summaries to stderr.
"""
from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator

import click

from corpus import CorpusError, CorpusStore, __version__

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
            if not create and self.db != ":memory:" and not Path(self.db).exists():
                raise click.ClickException(
                    f"no corpus at {self.db}; create one with `corpus import FILE` or `scrape OUTLET`, "
                    f"or point --db (or $SOFTLEFT_DB) at an existing one")
            self._store = CorpusStore(self.db, labels_file=self.labels_file)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    @contextlib.contextmanager
    def progress(self, iterable: Iterable | None = None, length: int | None = None, label: str = "",
                 show_pos: bool = True) -> Iterator[Any]:
        """A click progress bar on stderr; hidden with --quiet or when stderr is not a terminal."""
        hidden = self.quiet or not sys.stderr.isatty()
        with click.progressbar(iterable, length=length, label=label, file=sys.stderr, hidden=hidden,
                               show_pos=show_pos, show_eta=True, width=30) as bar:
            yield bar

    def info(self, message: str) -> None:
        """A summary line on stderr (not suppressed by --quiet: summaries are not progress)."""
        click.echo(message, err=True)


pass_settings = click.make_pass_decorator(Settings)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document to stdout.")(f)


def seed_option(f):
    return click.option("--seed", type=int, default=0, show_default=True,
                        help="Seed for every random step (same seed, same result).")(f)


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions a user can cause: turned into one-line `Error: ...` messages, exit 1."""
    errors: list[type[BaseException]] = [CorpusError]
    for module, name in (("nlp.errors", "NlpError"), ("scrapers.errors", "ScrapeError")):
        with contextlib.suppress(ImportError, AttributeError):
            errors.append(getattr(importlib.import_module(module), name))
    return tuple(errors)


class SoftleftGroup(click.Group):
    """The root group: converts library errors into click errors at the boundary."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.Exit:
            raise
        except _user_errors() as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise click.ClickException(
                    f"the corpus {ctx.obj.db} is locked by another softleft process; wait for it to finish and retry"
                ) from None
            raise
        except BrokenPipeError:
            sys.stderr.close()
            raise click.exceptions.Exit(0) from None


@click.group(cls=SoftleftGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--db", envvar="SOFTLEFT_DB", default="softleft.db", show_default=True,
              type=click.Path(dir_okay=False), help="The corpus (SQLite file); env SOFTLEFT_DB.")
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


@corpus.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), help="Default: from the extension.")
@click.option("--outlet", help="Outlet of every record (else the record's 'outlet' field, else 'imported').")
@click.option("--tendency", help="Tendency label of every record (article label).")
@click.option("--text-field", help="Field holding the text [default: text, body or content].")
@click.option("--title-field", help="Field holding the title [default: title].")
@click.option("--date-field", help="Field holding the date [default: published, date or year].")
@click.option("--author-field", help="Field holding the author(s) [default: authors or author].")
@click.option("--url-field", help="Field holding the URL [default: url].")
@click.option("--label-field", help="Field holding each record's tendency label.")
@click.option("--encoding", default="utf-8", show_default=True, help="The file's text encoding.")
@click.option("--strict", is_flag=True, help="Abort on the first bad record and import nothing.")
@json_option
@pass_settings
def corpus_import(s: Settings, file: str, fmt, outlet, tendency, text_field, title_field, date_field,
                  author_field, url_field, label_field, encoding, strict, as_json) -> None:
    """Import texts collected elsewhere (JSON lines or CSV).

    Only the text is required. Bad records are reported by line number and skipped (--strict: abort,
    importing nothing). Texts already in the corpus are counted as duplicates, not imported twice.

    \b
    Example:
      python cli.py corpus import speeches.jsonl --label-field party --author-field speaker
    """
    from corpus.io import FieldMap, import_file

    path = Path(file)
    fields = FieldMap(text=text_field, title=title_field, date=date_field, author=author_field, url=url_field,
                      label=label_field)
    if not path.is_file():
        raise click.ClickException(f"{path} does not exist or is not a file")
    store = s.store(create=True)
    size = path.stat().st_size if path.is_file() else 0
    with s.progress(length=size, label=f"Importing {path.name}", show_pos=False) as bar:
        report = import_file(store, path, fmt=fmt, fields=fields, outlet=outlet, tendency=tendency,
                             strict=strict, encoding=encoding, progress=bar.update)
    for line, problem in report.problems[:20]:
        s.info(f"line {line}: {problem} (skipped)")
    if len(report.problems) > 20:
        s.info(f"... and {len(report.problems) - 20} more skipped lines (see -v)")
    if report.imported == 0 and report.duplicates and not report.skipped:
        s.info(f"Nothing new: all {report.duplicates} records of {path.name} are already in the corpus.")
    else:
        s.info(f"Imported {report.imported} articles from {path.name}; {report.duplicates} duplicates, "
               f"{report.skipped} skipped.")
    if as_json:
        emit_json(report.summary())


@corpus.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), help="Default: from the extension.")
@click.option("--outlet", multiple=True, help="Only these outlets (repeatable).")
@click.option("--tendency", multiple=True, help="Only these resolved tendencies (repeatable).")
@pass_settings
def corpus_export(s: Settings, output: str, fmt, outlet, tendency) -> None:
    """Export every article with its metadata and resolved tendency label.

    \b
    Example:
      python cli.py corpus export -o corpus.parquet
    """
    from corpus.io import export_file

    store = s.store()
    filters = {"outlet": list(outlet) or None, "tendency": list(tendency) or None}
    with s.progress(length=store.count(**filters), label="Exporting") as bar:
        n = export_file(store, output, fmt=fmt, progress=bar.update, **filters)
    s.info(f"Wrote {n} articles to {output}")
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
    click.echo(f"{stats['articles']} articles, {stats['words']:,} words in {s.db}")
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

    QUERY uses SQLite FTS5 syntax: words (all must match), "exact phrases", OR, NOT, prefix*.

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
        s.info(f"Stored {n} labels from {load_file} in {s.db}")
    usage = label_usage(store)
    if as_json:
        emit_json(usage)
        return
    for row in usage["labels"]:
        flag = " (contested)" if row["contested"] else ""
        click.echo(f"{row['kind']:<8} {row['key']:<36} {row['tendency']:<12} {row['articles']:>6} articles{flag}")
    click.echo(f"\nArticle labels stored with articles: {usage['stored_article_labels']}")
    click.echo("Resolved: " + ", ".join(f"{k} {v}" for k, v in usage["by_tendency"].items()))


# --- scrape ----------------------------------------------------------------------------------


# --- nlp, topics, terms ----------------------------------------------------------------------


# --- classify, contrast, kwic, mentions ------------------------------------------------------


# --- the whole pipeline: demo, run, report ---------------------------------------------------
@cli.command("demo")
@click.option("-o", "--output", default="demo-output", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the demo corpus, the analysis and report.html.")
@seed_option
@pass_settings
def demo(s: Settings, output: str, seed: int) -> None:
    """Build a corpus from the bundled (synthetic) demo articles and run the whole analysis on it.

    Writes OUTPUT/softleft.db, the analysis and OUTPUT/report.html; prints the report's path. No network.

    \b
    Example:
      python cli.py demo -o demo-output
    """
    from nlp.pipeline import run_demo

    report = run_demo(Path(output), seed=seed, settings=s)
    click.echo(str(report))


def main() -> None:
    cli(prog_name="cli.py")


if __name__ == "__main__":
    main()
