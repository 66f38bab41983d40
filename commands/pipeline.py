"""The whole pipeline: `demo`, `run`, `report` and `update`."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

import click

from commands.common import (
    Settings,
    cluster_options,
    default_jobs,
    emit_json,
    jobs_option,
    json_option,
    pass_settings,
    seed_option,
    selection_options,
    trust_options,
    writable,
)
from commands.scrape import known_outlets, outlets_option, polite_options, report_result
from commands.terminal import Terminal
from commands.topics import fit_sample_option, said_sample
from corpus import Selection


def editor_options(f):
    """The report's editor options: --title, --recent, --topic-names, --watch, --top-groups."""
    for option in reversed((
        click.option("--title", help="The report's title [default: from the data, e.g. \"Labour's soft left and "
                                     "hard left: articles 2016–2025\"]."),
        click.option("--recent", type=click.Choice(["3m", "6m", "12m"]), default="6m", show_default=True,
                     help="The 'now against before' window, compared with the year before it."),
        click.option("--topic-names", type=click.Path(exists=True, dir_okay=False),
                     help="TOML of topic number = \"name\" [default: the names set with `topics name`]."),
        click.option("--watch", help="Words to chart over time: \"green new deal,devolution\", or a file with one "
                                     "word or phrase a line."),
        click.option("--top-groups", type=click.IntRange(min=1), metavar="N",
                     help="Name the N largest groups in the report's charts and lists; the others are counted "
                          "together as 'other' [default: every group with --min-support articles, at most 10]."),
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
                     watch: str | None = None, top_groups: int | None = None) -> dict[str, Any]:
    selection = selection or Selection()
    return {"filters": s.filters(selection), "selection_text": "" if selection.is_empty() else selection.describe(),
            "title": title, "recent": recent, "topic_names": topic_names, "watch": _watch_list(watch),
            "top_groups": top_groups}


@click.command("demo")
@click.option("-o", "--output", default="demo-output", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the demo corpus, the analysis and report.html.")
@trust_options
@seed_option
@jobs_option("Processes for preprocessing and for the Ks of a sweep")
@cluster_options
@pass_settings
def demo(s: Settings, output: str, bootstrap: int, min_support: int, seed: int, jobs: int, cluster) -> None:
    """Build a corpus from the bundled (synthetic) demo articles and run the whole analysis on it.

    Writes OUTPUT/softleft.db, the analysis and OUTPUT/report.html; prints the report's path. No network.

    \b
    Example:
      python cli.py demo -o demo-output
    """
    from nlp.pipeline import run_demo

    _run_drawn(s, lambda t: run_demo(Path(output), seed=seed, on_stage=t.stage, progress=t.progress,
                                     bootstrap=bootstrap, min_support=min_support, n_process=jobs or default_jobs(),
                                     **cluster))


@click.command("run")
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
@jobs_option("Processes for preprocessing and for the Ks of a sweep")
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
        topic_names, watch, top_groups, selection, bootstrap: int, min_support: int, seed: int, jobs: int, cluster,
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
                       min_support=min_support, n_process=jobs or default_jobs(), stability_seeds=stability_seeds,
                       fit_sample=fit_sample, reuse_topics=not recompute, reuse_results=not recompute,
                       **cluster, **_editor_settings(s, selection, title, recent, topic_names, watch, top_groups),
                       **_meaning_settings(contested, meaning_background))
    _run_drawn(s, lambda t: run_analysis(store, Path(output), config, on_stage=t.stage, progress=t.progress))
    metrics = json.loads((Path(output) / "manifest.json").read_text(encoding="utf-8"))["metrics"]
    reused = (["topic model"] if metrics.get("topics_reused") else []) + metrics.get("stages_reused", [])
    if reused:
        s.info(f"Reused from an earlier run on the same articles and settings: {', '.join(reused)} "
               "(--recompute computes them afresh)")
    if fit_sample:
        said_sample(s, {"fit_sample": metrics.get("topics_fit_sample")})


@click.command("report")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file to write.",
              callback=writable)
@click.option("--topics", "topics_name", help="A stored topic model [default: the newest].")
@editor_options
@selection_options
@trust_options
@seed_option
@meaning_options
@pass_settings
def report(s: Settings, output: str, topics_name: str | None, title, recent, topic_names, watch, top_groups,
           selection,
           bootstrap: int, min_support: int, seed: int, contested, meaning_background) -> None:
    """Write one self-contained HTML report an editor can open or email, from the stored results.

    Uses a stored topic model (the newest, or --topics); every analysis stored for the same articles and
    settings (by `run`, `demo` or an earlier `report`) is reused, and only what is missing is computed.

    \b
    Example:
      python cli.py report -o report.html --topics k12 --since 2024-01-01 --outlet tribune
    """
    from nlp.pipeline import write_report

    settings = {**_editor_settings(s, selection, title, recent, topic_names, watch, top_groups),
                **_meaning_settings(contested, meaning_background)}
    written: list[Any] = []

    def job(t: Terminal) -> Path:
        written.append(write_report(s.store(), output, topics=topics_name, seed=seed, on_stage=t.stage,
                                    progress=t.progress, bootstrap=bootstrap, min_support=min_support, **settings))
        return written[0].path

    _run_drawn(s, job)
    reused, computed = written[0].reused, written[0].computed
    s.info(f"Reused: {', '.join(reused) or 'nothing'}; computed: {', '.join(computed) or 'nothing'}")


@click.command("update")
@click.argument("outlets", nargs=-1, metavar="[OUTLET...]")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML report to write.",
              callback=writable)
@click.option("--topics", "topics_name", help="The stored topic model to place new articles in [default: the newest].")
@click.option("--refit", is_flag=True, help="Refit the topic model (same name) instead of placing new articles in it.")
@click.option("--outlet", "outlet_options", multiple=True, help="An outlet to scrape (repeatable; same as OUTLET).")
@click.option("--base-url", "base_urls", multiple=True, metavar="[OUTLET=]URL",
              help="Fetch an outlet from another host (a mirror, a test server); repeatable as OUTLET=URL.")
@click.option("--max-articles", type=click.IntRange(min=1), help="Stop each outlet after N new articles.")
@polite_options
@outlets_option
@editor_options
@trust_options
@seed_option
@json_option
@pass_settings
def update(s: Settings, outlets, output, topics_name, refit, outlet_options, base_urls, max_articles, delay, retries,
           contact, outlets_file, title, recent, topic_names, watch, top_groups, bootstrap, min_support, seed,
           as_json) -> None:
    """The editor's routine: collect what is new, place it in the topic model, write a fresh report.

    Scrapes OUTLETs (none: no scraping, e.g. after `corpus import`), preprocesses the new articles, places
    them in the existing topic model (no refit, the model keeps its name; a refit only with --refit or when
    the new articles' share of words unknown to the model exceeds the fitted articles' by over 15 points,
    measured on at least 10 new articles) and writes the report with a "since the last report" section. When
    no outlet could be reached it says so and exits 1 without writing the report, so a scheduled job shows the
    failure. See docs/editors.md for a cron and a
    systemd timer.

    \b
    Example:
      python cli.py --db labour.db update tribune labourlist -o reports/latest.html
    """
    outlets = tuple(dict.fromkeys(outlets + outlet_options))
    # One update at a time per corpus: a second (a cron job overtaking a slow first) is refused at once.
    with s.store(create=bool(outlets)).exclusive("update"):
        _update(s, outlets, output, topics_name, refit, base_urls, delay, retries, max_articles, contact, outlets_file,
                title, recent, topic_names, watch, top_groups, bootstrap, min_support, seed, as_json)


def _update(s: Settings, outlets, output, topics_name, refit, base_urls, delay, retries, max_articles, contact,
            outlets_file, title, recent, topic_names, watch, top_groups, bootstrap, min_support, seed, as_json) -> None:
    from nlp.update import update_report

    if outlets:
        import scrapers

        names = known_outlets(outlets, outlets_file)
        base_url: Any = None
        if len(base_urls) == 1 and "=" not in base_urls[0].split("://", 1)[0]:
            base_url = base_urls[0]
        elif base_urls:
            base_url = dict(b.split("=", 1) for b in base_urls)
        try:
            options = scrapers.CrawlOptions(max_articles=max_articles, max_attempts=3, fetch=scrapers.FetchConfig(
                user_agent=scrapers.http.default_user_agent(contact), delay=delay, max_retries=retries))
            result = scrapers.scrape_outlets(s.store(create=True), names, base_url=base_url, options=options,
                                             config=outlets_file)
        except scrapers.ScraperError as exc:
            raise click.UsageError(str(exc)) from None
        report_result(s, result, detail=False)
        if not result.ok:  # a weekly cron job must see the failure: no report from a corpus that was not refreshed
            raise click.ClickException(result.failure_message() + "; no report was written")
    elif base_urls:
        raise click.UsageError("--base-url needs the OUTLETs to scrape")
    settings = {"title": title, "recent": recent, "topic_names": topic_names, "watch": _watch_list(watch),
                "top_groups": top_groups}
    done: dict[str, Any] = {}

    def job(t: Terminal) -> Path:
        done.update(update_report(s.store(), output, topics=topics_name, refit=refit, seed=seed, on_stage=t.stage,
                                  progress=t.progress, bootstrap=bootstrap, min_support=min_support, **settings))
        return Path(done["report"])

    _run_drawn(s, job, echo=not as_json)
    s.info(f"{done['new_articles']} new articles; topic model {done['run']}"
           + (f" refitted: {done['refit_reason']}" if done["refitted"] else " unchanged")
           + (f" ({done['drift_note']})" if done.get("drift_note") else ""))
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
