"""The `scrape` commands: collect articles from the outlets, list them, reparse stored pages."""
from __future__ import annotations

from typing import Any, Iterable

import click

from commands.common import Settings, emit_json, json_option, pass_settings


class _ScrapeGroup(click.Group):
    """`scrape OUTLET...` collects; `scrape list` and `scrape reparse OUTLET` are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["collect", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "OUTLET... [OPTIONS]  |  list  |  reparse OUTLET")


def outlets_option(f):
    return click.option("--outlets", "outlets_file", envvar="SOFTLEFT_OUTLETS", type=click.Path(dir_okay=False),
                        help="A TOML file of extra (or corrected) outlets; env SOFTLEFT_OUTLETS.")(f)


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
@outlets_option
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
    names = known_outlets(outlets, outlets_file)
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
