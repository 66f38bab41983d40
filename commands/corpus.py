"""The `corpus` commands: import, export, stats, search, duplicates, labels, copy."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from commands.common import Settings, emit_json, json_option, pass_settings, selection_options, writable
from corpus import CorpusError


@click.group()
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
    """Import texts collected elsewhere (JSON lines, a JSON array, CSV or Parquet), or the web pages of a
    WARC file (.warc, .warc.gz).

    Only the text is required. Bad records are reported by line number and skipped (--strict: abort,
    importing nothing). Texts already in the corpus are counted as duplicates, not imported twice; a
    duplicate whose label differs from the stored one is named. See docs/import-export.md.

    A WARC file's HTML responses are each parsed like a scraped page (the outlet's scraper by domain, else
    the generic extractor), keeping the record's URL and date; the field options do not apply to it.

    \b
    Example:
      python cli.py corpus import speeches.jsonl --label-field party --author-field speaker
      python cli.py corpus import crawl.warc.gz
    """
    from corpus.io import FieldMap, import_file
    from scrapers.warc import is_warc

    path = Path(file)
    if is_warc(path):
        return _import_warc(s, path, as_json)
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


def _import_warc(s: Settings, path: Path, as_json: bool) -> None:
    """``corpus import FILE.warc[.gz]``: the WARC's HTML pages, parsed as scraped pages (scrapers.warc)."""
    from scrapers.errors import ScraperError
    from scrapers.warc import import_warc

    if not path.is_file():
        raise click.ClickException(f"{path} does not exist or is not a file")
    created = s.db != ":memory:" and not Path(s.db).exists()
    store = s.store(create=True)
    try:
        with s.progress(length=path.stat().st_size, label=f"Importing {path.name}", show_pos=False) as bar:
            done = [0]

            def advance(position: int) -> None:
                bar.update(max(0, position - done[0]))
                done[0] = max(done[0], position)

            report = import_warc(store, path, progress=advance)
    except BaseException as exc:
        if created and store.count() == 0:
            s.close()  # the corpus file was made for this import and holds nothing: leave no trace
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(s.db + suffix).unlink(missing_ok=True)
        if isinstance(exc, ScraperError):
            raise click.ClickException(str(exc)) from None
        raise
    for url, why in report.problems[:None if s.verbose else 20]:
        s.info(f"{url}: {why} (skipped)")
    s.info(f"Imported {report.imported} articles from {path.name} ({report.pages} HTML pages in "
           f"{report.records} responses); {report.duplicates} duplicates, {report.skipped} skipped.")
    if as_json:
        emit_json(report.summary())


@corpus.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write ('-': standard output, JSON lines unless --format says otherwise).",
              callback=writable)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), help="Default: from the extension.")
@selection_options
@pass_settings
def corpus_export(s: Settings, output: str, fmt, selection) -> None:
    """Export every article with its metadata and resolved tendency label.

    The file is written whole or not at all; `-o -` streams it to standard output. CSV cells that a
    spreadsheet would run as formulas start with a ', which `corpus import` takes off again (see
    docs/import-export.md).

    \b
    Example:
      python cli.py corpus export -o corpus.parquet
    """
    from corpus.io import export_file
    from corpus.output import is_stream

    store = s.store()
    filters = s.filters(selection)
    to_stdout = output == "-"
    with s.progress(length=store.count(**filters), label="Exporting") as bar:
        n = export_file(store, sys.stdout.buffer if to_stdout else output,
                        fmt=fmt or ("jsonl" if to_stdout else None), progress=bar.update, **filters)
    s.info(f"Wrote {n} articles to {'standard output' if to_stdout else output}")
    if not to_stdout and not is_stream(output):  # -o /dev/stdout: the path would corrupt the export
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
    """Full-text search: ranked, stemmed, with snippets.

    QUERY, the same on SQLite and PostgreSQL (the same articles match): words (all must match), "exact
    phrases", OR, NOT or -word, prefix*, (groups), title:/authors:/text: before a word, and on SQLite
    NEAR(a b, 10). A query that does not parse is an error saying what to write (see docs/corpus.md).

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


@corpus.command("duplicates")
@click.option("--threshold", type=click.FloatRange(0.4, 1.0), default=0.5, show_default=True,
              help="Jaccard similarity of 5-word shingles from which two articles are copies (0.4 to 1).")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="Clusters listed in the text output (0: all); --json lists all.")
@json_option
@pass_settings
def corpus_duplicates(s: Settings, threshold: float, limit: int, as_json: bool) -> None:
    """Near-duplicate clusters: print and online editions, syndicated or lightly edited copies.

    Articles whose texts share at least THRESHOLD of their 5-word shingles (exact Jaccard similarity,
    candidates found by MinHash LSH) are copies; copies of copies form one cluster. Articles not compared
    yet are compared first (incrementally). The analyses count each cluster once (see docs/corpus.md).

    \b
    Example:
      python cli.py corpus duplicates --threshold 0.8 --json
    """
    from corpus.duplicates import count_unsketched, near_duplicate_clusters, update_near_duplicates

    store = s.store()
    with s.progress(length=count_unsketched(store), label="Comparing articles") as bar:
        update_near_duplicates(store, progress=bar.update)
    result = near_duplicate_clusters(store, threshold)
    if as_json:
        emit_json(result.to_dict())
        return
    s.info(f"{result.n_articles} of {result.articles_checked} articles are in {len(result.clusters)} clusters of "
           f"near-duplicates (Jaccard similarity of 5-word shingles >= {threshold:g})")
    for n, cluster in enumerate(result.clusters[:limit or None], 1):
        click.echo(f"{n:>3}. {len(cluster.ids)} articles, similarity >= {cluster.similarity:.2f}")
        for id_ in cluster.ids:
            a = store.get(id_)
            if a is not None:
                date = (a.published or "undated")[:10]
                click.echo(f"     {id_}  [{a.outlet}, {date}]  {a.title or '(untitled)'}")
    if limit and len(result.clusters) > limit:
        s.info(f"... and {len(result.clusters) - limit} more clusters (--limit 0 lists them all, --json too)")


@corpus.command("labels")
@click.option("--load", "load_file", type=click.Path(exists=True, dir_okay=False),
              help="Store the labels of this TOML file in the corpus (they then apply to every command).")
@click.option("--replace", is_flag=True, help="With --load: drop the labels stored before.")
@json_option
@pass_settings
def corpus_labels(s: Settings, load_file: str | None, replace: bool, as_json: bool) -> None:
    """Show the labels in force (outlet, author, article) and how many articles each resolves.

    Labels resolve most specific first: the coders' label (`code import`), article label, then author label,
    then outlet default.

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
    if usage["coded_labels"]:
        click.echo(f"Coded by people (level coded, above every list; `code agreement`): "
                   f"{sum(usage['coded_labels'].values())} articles, "
                   + ", ".join(f"{k} {v}" for k, v in usage["coded_labels"].items()))
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
    if result.cleaned:
        s.info(f"Removed NUL characters, which PostgreSQL cannot store, from {sum(result.cleaned.values())} rows ("
               + ", ".join(f"{n} in {t}" for t, n in result.cleaned.items()) + ")")
