"""The `scale` commands: Wordfish, Wordscores, and placing a new text on a stored scale."""
from __future__ import annotations

from typing import Any

import click

from commands.common import (
    Settings,
    emit_json,
    json_option,
    keep_markers_option,
    markers_line,
    pass_settings,
    read_stdin_text,
    seed_option,
    selection_options,
    trust_options,
    writable,
)
from corpus import Selection


@click.group("scale")
def scale_group() -> None:
    """Text scaling: where each document, author, outlet and tendency stands (Wordfish, Wordscores).

    \b
    Example:
      python cli.py scale wordfish --high "A moderate's case" --low "The socialist answer" --json
      python cli.py scale wordfish --features words --within decade
      python cli.py scale wordscores --reference refs.csv --rescale lbg
      echo "An interview text" | python cli.py scale place --text -
    """


def _scale_options(f):
    f = keep_markers_option(f)
    f = click.option("--highlight", multiple=True, metavar="GROUP",
                     help="A group that keeps its own colour in --plot however many groups there are (repeatable; "
                          "beyond ten groups the others are grey).")(f)
    f = click.option("--plot", type=click.Path(dir_okay=False), callback=writable,
                     help="Also draw the map: mean position by period, one line and band per group, and each "
                          "period's order (PNG).")(f)
    f = click.option("--within", type=click.Choice(["year", "decade"]),
                     help="Read each position against its own time: Wordfish is refitted within each period, "
                          "Wordscores positions are taken relative to their period's mean.")(f)
    f = click.option("--period", type=click.Choice(["month", "quarter", "year"]), default="year", show_default=True,
                     help="Periods of the map and of the group positions.")(f)
    f = click.option("--by", type=click.Choice(["tendency", "outlet", "author"]), default="tendency",
                     show_default=True, help="Groups whose positions are aggregated.")(f)
    return click.option("--features", type=click.Choice(["terms", "words"]), default="terms", show_default=True,
                        help="terms: the preprocessed terms; words: lower-cased words, punctuation removed, nothing "
                             "else dropped (as the published references were computed; needs no preprocessing).")(f)


def _scale_inputs(s: Settings, selection: Selection, features: str, keep_markers: bool = False
                  ) -> tuple[Any, Any, list[str]]:
    """The selection's documents and its count matrix, without the outlet markers unless ``keep_markers``.
    ``--features words`` reads and tokenises only the selected articles (no spaCy, no preprocessing of the
    corpus)."""
    from nlp.scaling.positions import feature_matrix, load_word_documents

    if features == "words":
        docs = load_word_documents(s.store(), **s.filters(selection))
    else:
        docs = s.documents(selection)
    X, names = feature_matrix(docs, features, keep_markers=keep_markers)
    return docs, X, names


def _scale_output(s: Settings, analysis: Any, docs: Any, plot: str | None, highlight: tuple[str, ...],
                  period: str, as_json: bool, keep_markers: bool = False) -> None:
    """Store the scale (for `scale place`), print it or emit JSON, draw the map."""
    from nlp.scaling.place import keep_scale

    target = keep_scale(s.store(), analysis, docs)
    if plot:
        from nlp.report.plots import plot_positions

        within = analysis.result.info.get("within")
        plot_positions(analysis.groups, plot, title=f"{analysis.method}: mean position by {period} and {analysis.by}"
                       + (f", within each {within}" if within else ""), highlight=highlight)
    markers = docs.outlet_markers.kept() if keep_markers else docs.outlet_markers
    out = {**analysis.to_dict(docs), "outlet_markers": markers.to_dict()}
    if as_json:
        emit_json(out)
        return
    line = markers_line(out["outlet_markers"])
    if line:
        s.info(line)
    for line in scale_text(out):
        click.echo(line)
    s.info(f"{len(out['documents'])} documents placed; the scale is stored for `scale place` ({target}).")


def scale_text(out: dict[str, Any], max_documents: int = 40) -> list[str]:
    """The text output of a scale: caveats first, the words at each end, group means, time, then documents."""
    key = "theta" if out["method"] == "wordfish" else "score"
    diag = out["diagnostics"]
    lines = [f"Caveat: {c}" for c in out["caveats"]]
    poles = diag["poles"]
    lines += [f"Low end words:  {', '.join(poles['low']) or '(none)'}",
              f"High end words: {', '.join(poles['high']) or '(none)'}"]
    rho = diag.get("time_correlation")
    lines.append("Rank correlation with the date: " + (f"{rho:+.2f} ({diag['dated_documents']} dated documents)"
                                                       if rho is not None else "not computed (fewer than three dated documents, or one date)"))
    if out["method"] == "wordscores" and diag.get("corroboration"):
        c = diag["corroboration"]
        lines.append("References left out one at a time: rank correlation "
                     + (f"{c['rho']:+.2f}" if c["rho"] is not None else "n/a")
                     + f" over {c['n_references']} references ({'corroborated' if c['corroborated'] else 'not corroborated'})")
    overall = sorted((g for g in out["groups"] if g["period"] == "all"), key=lambda g: g["position"])
    corroborated = out["method"] == "wordfish" or (diag.get("corroboration") or {}).get("corroborated")
    thin = "  (not a finding: too few documents)" if corroborated else "  (not a finding: not corroborated)"
    if overall:
        lines.append(f"Mean position by {out['by']} (95% interval, documents):")
        for g in overall:
            span = f"[{g['lo']:.2f}, {g['hi']:.2f}]" if g["lo"] is not None else "[n/a]"
            lines.append(f"  {g['position']:>8.3f}  {span:<16} {g['n']:>5}  {g['group']}"
                         + ("" if g["supported"] else thin))
    for o in diag.get("period_orders", []):
        lines.append(f"Within a period: {o['low']} below {o['high']} in {o['below']} of {o['periods']} periods.")
    lines.append("Documents (highest first):")
    docs = sorted(out["documents"], key=lambda r: -r[key])
    shown = docs if len(docs) <= max_documents else docs[:max_documents // 2] + [None] + docs[-max_documents // 2:]
    for row in shown:
        if row is None:
            lines.append(f"  ... {len(docs) - max_documents} more (--json lists them all)")
            continue
        lines.append(f"  {row[key]:>8.3f}  [{row['lo']:.2f}, {row['hi']:.2f}]  {row.get('tendency', ''):<12} "
                     f"{(row.get('title') or row['id'])[:60]}" + ("  (reference)" if row.get("reference") else ""))
    return lines


@scale_group.command("wordfish")
@click.option("--high", help="Title of the document that gets the larger position (sets the direction).")
@click.option("--low", help="Title of the document that gets the smaller position.")
@_scale_options
@trust_options
@selection_options
@seed_option
@json_option
@pass_settings
def scale_wordfish_cmd(s: Settings, high, low, features, by, period, within, plot, highlight, keep_markers,
                       bootstrap, min_support,
                       selection, seed, as_json) -> None:
    """Wordfish (Slapin & Proksch 2008, as quanteda fits it): unsupervised positions from word counts.

    Each document gets θ with an analytic standard error; words get a weight β (which end they pull
    towards) and a fixed effect ψ. The output starts with the caveats (an axis that tracks time, an end held
    by a fringe), the words at each end and the groups' means: read them before the positions.

    \b
    Example:
      python cli.py scale wordfish --high "Lenihan, Brian (FF)" --low "Bruton, Richard (FG)" --features words --json
      python cli.py scale wordfish --features words --within decade --plot map.png
    """
    from nlp.scaling.analysis import analyse_wordfish

    docs, X, names = _scale_inputs(s, selection, features, keep_markers)
    analysis = analyse_wordfish(docs, X, names, features=features, high=high, low=low, within=within, by=by,
                                period=period, bootstrap=bootstrap, seed=seed, min_support=min_support)
    _scale_output(s, analysis, docs, plot, highlight, period, as_json, keep_markers=keep_markers)


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
def scale_wordscores_cmd(s: Settings, reference_file, reference_labels, rescale, features, by, period, within, plot,
                         highlight, keep_markers, bootstrap, min_support, selection, seed, as_json) -> None:
    """Wordscores (Laver, Benoit & Garry 2003): every other selected document scored from reference texts.

    The references are checked against one another (each left out in turn and scored by the others); with
    fewer than three, or when they disagree, a caveat says the scale cannot be corroborated and no group
    position is stated as a finding. References drawn from several periods make the scale less tied to one era.

    \b
    Example:
      python cli.py scale wordscores --reference refs.csv --rescale lbg --features words --since 1983 --until 1997
      python cli.py scale wordscores --reference-label hard_left=-1 --reference-label soft_right=1 --by outlet
    """
    from nlp.scaling.analysis import analyse_wordscores
    from nlp.scaling.positions import parse_label_scores, read_reference

    if (reference_file is None) == (not reference_labels):
        raise click.UsageError("give the references as --reference FILE or as --reference-label LABEL=SCORE ...")
    # The references are read (and checked) before the corpus, so a bad file fails at once.
    label_scores = parse_label_scores(reference_labels) if reference_labels else None
    rows = _reference_rows(reference_file) if reference_file else None
    docs, X, names = _scale_inputs(s, selection, features, keep_markers)
    reference = read_reference(rows, docs) if rows is not None else None
    analysis = analyse_wordscores(docs, X, names, reference=reference, label_scores=label_scores, features=features,
                                  rescale=rescale, within=within, by=by, period=period, bootstrap=bootstrap,
                                  seed=seed, min_support=min_support)
    _scale_output(s, analysis, docs, plot, highlight, period, as_json, keep_markers=keep_markers)


def _reference_rows(path: str) -> list[dict[str, str]]:
    """The rows of a `title,score` CSV file, decoded as UTF-8 (a clear error naming the line otherwise)."""
    import csv
    import io
    from pathlib import Path

    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise click.ClickException(f"{path} line {line} is not valid UTF-8 (byte 0x{data[exc.start]:02x}); re-save "
                                   "it as UTF-8 (e.g. iconv -f cp1252 -t utf-8)") from None
    try:
        return list(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise click.ClickException(f"{path} is not a readable CSV file ({exc}); write it as title,score lines") from None


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
    from nlp.scaling.place import last_scale, place_text

    if text == "-":
        text = read_stdin_text()
    scale = last_scale(s.store())
    preprocessor = None
    if scale.features != "words":
        from nlp.text.preprocess import Preprocessor

        preprocessor = Preprocessor.from_store(s.store())
    out = place_text(scale, text, preprocessor).to_dict()
    if as_json:
        emit_json(out)
        return
    click.echo(f"{out['position']:.3f}  [{out['lo']:.3f}, {out['hi']:.3f}]  on the {out['method']} scale "
               f"({out['known_words']} known words)")
