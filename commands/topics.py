"""The `nlp`, `topics` and `terms` commands: preprocessing, topic models and their trends, term trends."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Iterator

import click

from commands.common import (
    Settings,
    cluster_options,
    default_jobs,
    emit_json,
    jobs_option,
    json_option,
    pass_settings,
    renamed_option,
    seed_option,
    selection_options,
    writable,
)


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


def said_sample(s: "Settings", manifest: dict[str, Any]) -> None:
    """Say on stderr when a model was fitted on a sample."""
    fitted = manifest.get("fit_sample")
    if fitted:
        s.info(f"Fitted on a stratified sample of {fitted['used']:,} of {fitted['of']:,} documents "
               f"({fitted['strata_in_sample']} of {fitted['n_strata']} strata); every document's shares inferred")


def _print_topics(run: dict[str, Any]) -> None:
    click.echo(f"{run['name']}: K={run['k']}  c_v={run['coherence_c_v']:.3f}  NPMI={run['coherence_npmi']:.3f}"
               if run["coherence_c_v"] is not None else f"{run['name']}: K={run['k']}")
    from nlp.topics.names import topic_name

    for t in run["topics"]:
        name = topic_name(t)
        frex = f"   (FREX: {t['label']})" if t.get("phrases") and name != t["label"] else ""
        click.echo(f"{t['id']:>3}  {name}{frex}\n     {', '.join(t['terms'])}")


@contextlib.contextmanager
def _bad_parameters() -> Iterator[None]:
    """One bad value (K out of range, a bad name) is a usage error (exit 2)."""
    from nlp.errors import InvalidParameterError
    try:
        yield
    except InvalidParameterError as exc:
        raise click.BadParameter(str(exc), param_hint=f"'{exc.param}'" if exc.param else None) from None


@click.group("nlp")
def nlp_group() -> None:
    """Preprocess articles into terms (spaCy, domain phrases, collocations).

    \b
    Example:
      python cli.py nlp preprocess
    """


@nlp_group.command("preprocess")
@click.option("--model", help="An installed spaCy pipeline (default: blank English with lookup lemmas).")
@click.option("--phrases", type=click.Path(dir_okay=False), help="Your phrase vocabulary (TOML) extending nlp/text/vocabulary.toml.")
@jobs_option("Processes for spaCy")
@click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True, help="Texts per spaCy batch.")
@cluster_options
@selection_options
@json_option
@pass_settings
def nlp_preprocess(s: Settings, model, phrases, jobs, batch_size, cluster, selection, as_json) -> None:
    """Tokenise, lemmatise and phrase-join every article not yet processed.

    Re-running processes only new or changed articles; the corpus collocations are refitted at the end.
    With --workers or --scheduler, batches of articles are tokenised by Dask workers and written here.

    \b
    Example:
      python cli.py nlp preprocess --jobs 2
      python cli.py nlp preprocess --scheduler tcp://10.0.0.5:8786
    """
    from nlp.parallel import executor
    from nlp.text.preprocess import Preprocessor, preprocess_corpus

    store, filters = s.store(), s.filters(selection)
    pre = Preprocessor(model=model, phrases_file=phrases, n_process=jobs or default_jobs(), batch_size=batch_size)
    with executor(**cluster) as ex, s.progress(length=store.count(**filters), label="Preprocessing") as bar:
        summary = preprocess_corpus(store, pre, progress=bar.update, executor=ex, **filters)
    lines = summary["boilerplate"]
    s.info(f"Preprocessed {summary['processed']} articles ({summary['cached']} already done, "
           f"{summary['failed']} failed); {summary['collocations']} collocations; {lines['lines']} boilerplate "
           f"lines in {lines['outlets']} outlets ({lines['dropped']} uses left out of the terms).")
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


@click.group()
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
    from nlp.topics.names import load_topic_names, names_path, parse_assignments, save_topic_names, topic_name
    from nlp.topics.fit import load_run
    from nlp.topics.runs import runs_root

    with _bad_parameters():
        run = load_run(s.store(), run_name)
        path = names_path(runs_root(s.store()), run.name)
        names = {**load_topic_names(path), **parse_assignments(assignments, run.k)}
    if assignments:
        save_topic_names(path, names)
        s.info(f"Saved {len(names)} topic names in {path}")
    phrases = run.manifest.get("topic_phrases") or []
    for t in sorted(run.topics, key=lambda t: t["id"]):
        click.echo(f"{t['id']:>3}  {topic_name(t, names, phrases=phrases[t['id']] if t['id'] < len(phrases) else None)}")


@topics.command("fit")
@click.option("--k", "k", type=int, required=True, help="Number of topics (2 to the number of documents).")
@click.option("--name", help="Run name [default: lda-k{K}-s{seed}]; a run of the same name is replaced.")
@seed_option
@_topic_options
@click.option("--seed-words", type=click.Path(dir_okay=False), help="Guided topics: TOML of name = [words].")
@click.option("--stability-seeds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Seeds fitted in all to score each topic's stability (1: no stability scores).")
@jobs_option("Processes fitting the stability seeds side by side")
@fit_sample_option
@selection_options
@json_option
@pass_settings
def topics_fit(s: Settings, k, name, seed, passes, iterations, workers, no_below, no_above, keep_n, chunk_terms,
               stop_words, seed_words, stability_seeds, jobs, fit_sample, selection, as_json) -> None:
    """Fit a topic model (LDA) on the preprocessed corpus and store it as a run.

    \b
    Example:
      python cli.py topics fit --k 10 --seed 0 --seed-words seeds.toml
    """
    from nlp.topics.fit import fit_topics

    with _bad_parameters():
        run = fit_topics(s.store(), k, seed=seed, name=name, passes=passes, iterations=iterations, workers=workers,
                         no_below=no_below, no_above=no_above, keep_n=keep_n, chunk_terms=chunk_terms,
                         stop_words=stop_words, seed_words=seed_words, fit_sample=fit_sample,
                         stability_seeds=stability_seeds if workers <= 1 else 1, jobs=jobs or default_jobs(),
                         progress=s.terminal.steps(), **s.filters(selection))
    said_sample(s, run.manifest)
    s.info(f"Saved {run.name} in {run.path}" + ("" if run.manifest["reproducible"] else " (not reproducible)"))
    emit_json(run.to_dict()) if as_json else _print_topics(run.to_dict())


@topics.command("sweep")
@click.option("--k", "ks", required=True, help="Values of K, comma-separated: 5,10,20.")
@seed_option
@_topic_options
@click.option("--plot", type=click.Path(dir_okay=False), help="Also draw the coherence plot here (PNG).",
              callback=writable)
@jobs_option("Processes fitting the Ks side by side")
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
                              stop_words=stop_words, progress=s.terminal.steps(), n_jobs=jobs or default_jobs(),
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
    from nlp.topics.runs import show_topics  # not nlp.topics.fit: reading a stored run needs no gensim or sklearn

    run = show_topics(s.store(), name)
    emit_json(run) if as_json else _print_topics(run)


def _trend_options(f):
    """The options shared by `topics trends` and `terms trends`."""
    f = selection_options(f)
    f = click.option("--plot", type=click.Path(dir_okay=False), help="Also draw a PNG: one panel per group.",
                     callback=writable)(f)
    f = json_option(f)
    f = renamed_option("--format", "--json", "fmt", type=click.Choice(["csv", "json"]))(f)
    f = click.option("--period", type=click.Choice(["month", "quarter", "year"]), default="year",
                     show_default=True)(f)
    return click.option("--by", type=click.Choice(["tendency", "outlet", "none"]), default="tendency",
                        show_default=True)(f)


@topics.command("trends")
@click.option("--name", help="A fitted run [default: the newest].")
@_trend_options
@pass_settings
def topics_trends(s: Settings, name, by, period, as_json, plot, selection, fmt=None) -> None:
    """Topic prevalence by period and group: mean shares (summing to 1 per cell) with n_docs per cell.

    \b
    Example:
      python cli.py topics trends --by tendency --period quarter --plot trends.png
    """
    from nlp.topics.runs import stored_topic_prevalence

    with _bad_parameters():
        rows = stored_topic_prevalence(s.store(), name, by=by, period=period, **s.filters(selection))
        _emit_trends(rows, fmt or ("json" if as_json else "csv"), plot, title=f"Topic prevalence by {period} and {by}")


def _emit_trends(rows: list[dict[str, Any]], fmt: str, plot: str | None, title: str, **plot_options: Any) -> None:
    """Trend rows to stdout as CSV or JSON, and to a PNG with ``--plot``."""
    from nlp.report.plots import plot_trends
    from nlp.topics.trends import format_rows

    text = format_rows(rows, fmt)
    if plot:
        plot_trends(rows, plot, title=title, **plot_options)
    click.echo(text if text.endswith("\n") else text + "\n", nl=False)


@click.group()
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
def terms_trends(s: Settings, words, case_sensitive, by, period, as_json, plot, selection, fmt=None) -> None:
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
        _emit_trends(rows, fmt or ("json" if as_json else "csv"), plot, title=f"Terms by {period} and {by}", series="term", value="per_10k",
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
