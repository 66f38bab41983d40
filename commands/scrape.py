"""The `scrape` commands: collect articles from the outlets, list them, reparse stored pages."""
from __future__ import annotations

from typing import Any, Iterable

import click

from commands.common import Settings, emit_json, json_option, pass_settings


class _ScrapeGroup(click.Group):
    """`scrape OUTLET...` collects; `scrape list`, `reparse`, `parse` and `check` are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["collect", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "OUTLET... [OPTIONS]  |  list  |  reparse OUTLET  |  "
                                                "parse FILE --url URL  |  check OUTLET")


def outlets_option(f):
    return click.option("--outlets", "outlets_file", envvar="SOFTLEFT_OUTLETS", type=click.Path(dir_okay=False),
                        help="A TOML file of extra (or corrected) outlets; env SOFTLEFT_OUTLETS.")(f)


def polite_options(f):
    """--delay, --retries and --contact: how politely and patiently to fetch (`scrape check`, `update`)."""
    f = click.option("--contact", envvar="SOFTLEFT_CONTACT",
                     help="Contact put in the User-Agent; env SOFTLEFT_CONTACT.")(f)
    f = click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
                     help="Retries on 429, 5xx and connection errors.")(f)
    return click.option("--delay", type=click.FloatRange(min=0), default=3.0, show_default=True,
                        help="Minimum seconds between two requests to one host.")(f)


def known_outlets(names: Iterable[str], config: str | None) -> list[str]:
    import scrapers
    try:
        return scrapers.check_outlets(list(names), config)
    except scrapers.UnknownOutletError as exc:
        raise click.BadParameter(str(exc), param_hint="OUTLET") from None


@click.group(cls=_ScrapeGroup)
def scrape() -> None:
    """Collect articles from the outlets into the corpus (polite, resumable).

    `scrape OUTLET... [OPTIONS]` crawls (see `scrape collect --help` for the options); re-running
    collects only what is new; `--from-archive` backfills from a web archive instead. `scrape list` shows
    the known outlets; `scrape reparse OUTLET` re-reads stored pages after a selector fix, without
    fetching; `scrape parse FILE --url URL` reads one saved page; `scrape check OUTLET` shows what each
    layer finds on a few recent pages.

    \b
    Example:
      python cli.py scrape tribune chartist --since 2024-01-01 --max-articles 50
      python cli.py scrape labourlist --from-archive --since 2015-01-01 --until 2015-12-31
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
@click.option("--from-archive", is_flag=True,
              help="Backfill from a web archive (its CDX listing and raw captures) instead of the live site; "
                   "--delay defaults to 5 here.")
@click.option("--archive", metavar="URL", help="The Wayback-compatible archive for --from-archive "
                                               "[default: https://web.archive.org].")
@outlets_option
@json_option
@pass_settings
def scrape_collect(s: Settings, outlets: tuple[str, ...], since, until, max_articles, base_urls, delay, timeout,
                   retries, max_bytes, contact, from_archive, archive, outlets_file, as_json: bool) -> None:
    """Collect articles from one or more outlets into the corpus.

    With --from-archive, the outlets' article URLs come from the archive's CDX listing (tag and category
    pages left out) and each is read from its raw capture; the original URL is stored as the article's
    URL, with the capture's URL and time in its metadata. Articles already collected (live or from the
    archive) are never stored twice; a killed backfill resumes where it stopped.

    \b
    Example:
      python cli.py scrape tribune --base-url http://127.0.0.1:8000 --delay 0 --json
      python cli.py scrape renewal --from-archive --since 2010-01-01 --until 2014-12-31
    """
    import scrapers
    names = known_outlets(outlets, outlets_file)
    if archive and not from_archive:
        raise click.UsageError("--archive names the archive for --from-archive; add --from-archive")
    if from_archive and base_urls:
        raise click.UsageError("--base-url fetches from a mirror of the live site and --from-archive from an "
                               "archive: give one of them (--archive URL names another archive)")
    if from_archive and click.get_current_context().get_parameter_source("delay") is \
            click.core.ParameterSource.DEFAULT:
        from scrapers.archive import ARCHIVE_DELAY
        delay = ARCHIVE_DELAY
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
        if from_archive:
            from scrapers.archive import check_archive
            archive = check_archive(archive)
    except scrapers.ScraperError as exc:
        raise click.UsageError(str(exc)) from None
    seen: dict[str, Any] = {}

    def progress(outlet: str, summary) -> None:
        """One status line on stderr with every outlet's counts, redrawn as pages arrive."""
        seen[outlet] = summary
        line = " | ".join(f"{n}: {x.fetched} fetched, {x.new} new, {x.failed} failed" for n, x in seen.items())
        s.terminal.status(line[-160:])

    if from_archive:
        from scrapers.archive import scrape_archive
        result = scrape_archive(s.store(create=True), names, archive=archive, options=options,
                                config=outlets_file, progress=progress)
    else:
        result = scrapers.scrape_outlets(s.store(create=True), names, base_url=base_url, options=options,
                                         config=outlets_file, progress=progress)
    s.terminal.close()
    report_result(s, result, detail=True)
    if as_json:
        emit_json(result.to_dict())
    if not result.ok:
        raise click.ClickException(result.failure_message())


def report_result(s: Settings, result: Any, detail: bool) -> None:
    """Each outlet's summary line and drift warnings on stderr, then how many outlets were reached."""
    for name, summary in result.outlets.items():
        d = summary.to_dict()
        if detail:
            line = (f"{name}: {d['discovered']} discovered, {d['fetched']} fetched, {d['new']} new, "
                    f"{d['updated']} updated, {d['failed']} failed, {d['skipped_robots']} refused by robots.txt")
        else:
            line = f"{name}: {summary.new} new"
        s.info(line + (f" ({summary.error})" if summary.error else ""))
        for warning in summary.warnings:
            s.info(f"Warning: {warning}")
    s.info(result.reached_line())


@scrape.command("list")
@outlets_option
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
@outlets_option
@json_option
@pass_settings
def scrape_reparse(s: Settings, outlet: str, outlets_file: str | None, as_json: bool) -> None:
    """Re-parse an outlet's stored raw pages (after a selector fix) without fetching them again.

    \b
    Example:
      python cli.py scrape reparse chartist --json
    """
    import scrapers
    name = known_outlets([outlet], outlets_file)[0]
    counts = scrapers.reparse_outlet(s.store(), name, config=outlets_file)
    if as_json:
        emit_json(counts)
    else:
        s.info(f"{name}: {counts['pages']} pages re-parsed: {counts['new']} new, {counts['updated']} updated, "
               f"{counts['unchanged']} unchanged, {counts['skipped']} skipped, {counts['failed']} failed")


@scrape.command("parse")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--url", required=True, help="The page's address: it names the outlet (by domain) and the article.")
@click.option("--outlet", help="Read the page as this outlet's (when the URL is not on its domain).")
@outlets_option
@json_option
def scrape_parse(file: str, url: str, outlet: str | None, outlets_file: str | None, as_json: bool) -> None:
    """Extract one saved page as the crawler would (no network, no corpus).

    The outlet's scraper reads it (named, or found by the URL's domain), else the generic path: metadata,
    selectors and the generic extractor, the body chosen by how far they agree. Prints the fields, the
    layer behind each and the body; --json prints the article with its metadata.

    \b
    Example:
      python cli.py scrape parse saved.html --url https://labourlist.org/2024/05/a-slug/ --json
    """
    from pathlib import Path

    from scrapers.http import decode_html
    from scrapers.page import parse_page

    if not url.startswith(("http://", "https://")):
        raise click.BadParameter(f"must start with http:// or https://, not {url!r}", param_hint="--url")
    if outlet:
        outlet = known_outlets([outlet], outlets_file)[0]
    if file == "-":
        content = click.get_binary_stream("stdin").read()
    else:
        path = Path(file)
        if not path.is_file():
            raise click.ClickException(f"{path} does not exist or is not a file")
        content = path.read_bytes()
    html, _ = decode_html(content)
    article = parse_page(html, url, outlet=outlet, config=outlets_file)
    if as_json:
        emit_json(article.to_dict())
        return
    how = article.metadata.get("extracted_by", {})
    body = article.metadata.get("body", {})
    click.echo(f"outlet:     {article.outlet}")
    click.echo(f"url:        {article.canonical_url or article.url}")
    click.echo(f"title:      {article.title or ''}  [{how.get('title', 'none')}]")
    click.echo(f"authors:    {', '.join(article.authors)}  [{how.get('authors', 'none')}]")
    click.echo(f"published:  {article.published or ''}  [{how.get('date', 'none')}]")
    click.echo(f"body:       {article.word_count} words  [{how.get('text', 'none')}: {body.get('reason', '')}]")
    if article.metadata.get("drift"):
        click.echo(f"drift:      the outlet's selectors disagreed on {', '.join(article.metadata['drift'])}")
    click.echo("")
    click.echo(article.text)


@scrape.command("check")
@click.argument("outlet", metavar="OUTLET")
@click.option("--sample", type=click.IntRange(min=1, max=50), default=5, show_default=True,
              help="How many recent article pages to fetch.")
@click.option("--base-url", help="Fetch from another host (a mirror, a test server).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True, help="Seconds per request.")
@polite_options
@outlets_option
@json_option
@pass_settings
def scrape_check(s: Settings, outlet: str, sample: int, base_url: str | None, delay: float, timeout: float,
                 retries: int, contact: str | None, outlets_file: str | None, as_json: bool) -> None:
    """Fetch a few recent pages of an outlet and show, per field, what each layer found.

    Layers: metadata (JSON-LD, OpenGraph, meta tags), the outlet's selectors, and the generic extractor.
    Run it when a crawl warns that an outlet's markup may have changed, and again after correcting its
    selectors in an outlets file. Nothing is stored.

    \b
    Example:
      python cli.py scrape check labourlist --sample 3
    """
    import scrapers
    from scrapers.check import check_outlet

    name = known_outlets([outlet], outlets_file)[0]
    fetch = scrapers.FetchConfig(user_agent=scrapers.http.default_user_agent(contact), delay=delay, timeout=timeout,
                                 max_retries=retries)
    if base_url and not base_url.startswith(("http://", "https://")):
        raise click.BadParameter(f"must start with http:// or https://, not {base_url!r}", param_hint="--base-url")
    report = check_outlet(name, sample=sample, base_url=base_url, fetch=fetch, config=outlets_file,
                          progress=lambda url: s.terminal.status(f"checking {url}"[-160:]))
    s.terminal.close()
    if as_json:
        emit_json(report.to_dict())
    else:
        for page in report.pages:
            click.echo(page.url)
            if page.error:
                click.echo(f"  could not be read: {page.error}")
                continue
            for field, values in page.layers.items():
                shown = "   ".join(f"{layer}: {_short(value)}" for layer, value in values.items()
                                   if layer not in ("chosen", "agreement"))
                extra = f"   agreement {values['agreement']:.2f}" if values.get("agreement") is not None else ""
                chosen = page.chosen.get("text" if field == "body" else field, "none")
                flag = "  DRIFT" if field in page.drift else ""
                click.echo(f"  {field:<8} {shown}{extra}  -> {chosen}{flag}")
    for warning in report.warnings:
        s.info(f"Warning: {warning}")
    checked = sum(not p.error for p in report.pages)
    s.info(f"{name}: {checked} of {len(report.pages)} pages read; drift: "
           + (", ".join(f"{k} on {v}" for k, v in report.drift.items()) or "none"))


def _short(value: Any, width: int = 60) -> str:
    if value is None or value == [] or value == "":
        return "-"
    text = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    return text if len(text) <= width else text[:width - 1] + "…"
