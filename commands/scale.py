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
      python cli.py scale wordscores --reference refs.csv --rescale lbg
      echo "An interview text" | python cli.py scale place --text -
    """


def _scale_options(f):
    f = keep_markers_option(f)
    f = click.option("--plot", type=click.Path(dir_okay=False), callback=writable,
                     help="Also draw the map: mean position by period, one line and band per group (PNG).")(f)
    f = click.option("--period", type=click.Choice(["month", "quarter", "year"]), default="year", show_default=True,
                     help="Periods of the map and of the group positions.")(f)
    f = click.option("--by", type=click.Choice(["tendency", "outlet", "author"]), default="tendency",
                     show_default=True, help="Groups whose positions are aggregated.")(f)
    return click.option("--features", type=click.Choice(["terms", "words"]), default="terms", show_default=True,
                        help="terms: the preprocessed terms; words: lower-cased words, punctuation removed, nothing "
                             "else dropped (as the published references were computed).")(f)


def _scale_inputs(s: Settings, selection: Selection, features: str, keep_markers: bool = False
                  ) -> tuple[Any, Any, list[str]]:
    """The selection's documents and its count matrix (texts read only for --features words), without the
    outlet markers unless ``keep_markers``."""
    from nlp.scaling.positions import feature_matrix

    docs = s.documents(selection)
    texts = None
    if features == "words":
        by_id = {a.id: a.text for a in s.store().articles(ids=docs.ids)}
        texts = [by_id[i] for i in docs.ids]
    X, names = feature_matrix(docs, features, texts, keep_markers=keep_markers)
    return docs, X, names


def _scale_output(s: Settings, model: Any, method: str, features: str, docs: Any, result: Any, by: str, period: str,
                  plot: str | None, bootstrap: int, min_support: int, seed: int, as_json: bool,
                  affine: tuple[float, float] = (1.0, 0.0), keep_markers: bool = False) -> None:
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
    markers = docs.outlet_markers.kept() if keep_markers else docs.outlet_markers
    out = {**result.to_dict(), "documents": document_rows(docs, result), "groups": group_rows(groups),
           "features": features, "outlet_markers": markers.to_dict()}
    if as_json:
        emit_json(out)
        return
    line = markers_line(out["outlet_markers"])
    if line:
        s.info(line)
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
def scale_wordfish_cmd(s: Settings, high, low, features, by, period, plot, keep_markers, bootstrap, min_support,
                       selection, seed, as_json) -> None:
    """Wordfish (Slapin & Proksch 2008, as quanteda fits it): unsupervised positions from word counts.

    Each document gets θ with an analytic standard error (and a parametric-bootstrap interval with
    --bootstrap); words get a weight β (which end they pull towards) and a fixed effect ψ.

    \b
    Example:
      python cli.py scale wordfish --high "Lenihan, Brian (FF)" --low "Bruton, Richard (FG)" --features words --json
    """
    from nlp.scaling.positions import scale_wordfish

    docs, X, names = _scale_inputs(s, selection, features, keep_markers)
    model, result = scale_wordfish(docs, X, names, high=high, low=low, bootstrap=0, seed=seed)
    _scale_output(s, model, "wordfish", features, docs, result, by, period, plot, bootstrap, min_support, seed,
                  as_json, keep_markers=keep_markers)


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
def scale_wordscores_cmd(s: Settings, reference_file, reference_labels, rescale, features, by, period, plot,
                         keep_markers, bootstrap, min_support, selection, seed, as_json) -> None:
    """Wordscores (Laver, Benoit & Garry 2003): every other selected document scored from reference texts.

    \b
    Example:
      python cli.py scale wordscores --reference refs.csv --rescale lbg --features words --since 1992 --until 1997
      python cli.py scale wordscores --reference-label hard_left=-1 --reference-label soft_right=1 --by outlet
    """
    import numpy as np

    from nlp.scaling.positions import parse_label_scores, read_reference, scale_wordscores, scale_wordscores_by_labels

    if (reference_file is None) == (not reference_labels):
        raise click.UsageError("give the references as --reference FILE or as --reference-label LABEL=SCORE ...")
    # The references are read (and checked) before the corpus, so a bad file fails at once.
    label_scores = parse_label_scores(reference_labels) if reference_labels else None
    rows = _reference_rows(reference_file) if reference_file else None
    docs, X, names = _scale_inputs(s, selection, features, keep_markers)
    if label_scores is not None:
        model, result = scale_wordscores_by_labels(docs, X, names, label_scores, rescale=rescale)
    else:
        model, result = scale_wordscores(docs, X, names, read_reference(rows, docs), rescale=rescale)
    # The rescaling is affine in the raw score: keep it, so `scale place` puts a new text on the same scale.
    virgin = [d for d in result.documents if not d.reference]
    a, b = (np.polyfit([d.raw for d in virgin], [d.score for d in virgin], 1) if len(virgin) > 1 and rescale != "none"
            else (1.0, 0.0))
    _scale_output(s, model, "wordscores", features, docs, result, by, period, plot, bootstrap, min_support, seed,
                  as_json, affine=(float(a), float(b)), keep_markers=keep_markers)


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
    from corpus.analyses import get_state
    from nlp.scaling import Wordfish, Wordscores
    from nlp.scaling.features import terms_matrix, word_matrix

    if text == "-":
        text = read_stdin_text()
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
