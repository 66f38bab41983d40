"""The `code` commands: samples for people to code, their codes, agreement, decisions and validation."""
from __future__ import annotations

from pathlib import Path

import click

from commands.common import Settings, emit_json, json_option, pass_settings, seed_option, selection_options, writable
from corpus import Selection

_CODEBOOK = click.option("--codebook", "codebook_file", type=click.Path(exists=True, dir_okay=False),
                         help="The codebook (TOML) [default: the one stored with the corpus' codes, else the shipped "
                              "tendency codebook].")
_BOOTSTRAP = click.option("--bootstrap", type=click.IntRange(min=0), default=1000, show_default=True,
                          help="Bootstrap replicates behind each interval (0: none).")


@click.group("code")
def code_group() -> None:
    """Human coding: draw a sample to code, import the coders' sheets, measure their agreement, settle ties,
    and check the machine against the people.

    Coded labels are labels: an article's coders' majority on the codebook's tendency variable is its label
    (level "coded"), above author and outlet labels. See docs/coding.md.

    \b
    Example:
      python cli.py code sample 100 --by tendency -o sheet.csv
      python cli.py code import sheet-ann.csv --coder ann
      python cli.py code agreement --json
    """


@code_group.command("sample")
@click.argument("n", type=click.IntRange(min=1))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), callback=writable,
              help="The sheet: FILE.csv (a spreadsheet) or FILE.json (Label Studio tasks, with "
                   "FILE.label_config.xml beside it).")
@click.option("--by", "by", multiple=True, type=click.Choice(["tendency", "outlet", "period", "none"]),
              help="Strata: the resolved tendency, the outlet and/or the year (repeatable) [default: tendency].")
@click.option("--allocation", type=click.Choice(["equal", "proportional"]), default="equal", show_default=True,
              help="equal: as many from each stratum as it can give; proportional: by the strata's sizes.")
@click.option("--uncertain", is_flag=True,
              help="Within each stratum, the articles the classifier is least sure of (active learning).")
@click.option("--model", "model_dir", type=click.Path(file_okay=False),
              help="With --uncertain: the classifier from `classify train` [default: beside the corpus, DB-model].")
@click.option("--exclude-coded", is_flag=True, help="Leave out articles any coder has coded.")
@click.option("--blind", is_flag=True, help="Leave the outlet and URL out of the sheet (coders judge the text alone).")
@click.option("--max-chars", type=click.IntRange(min=200), default=32000, show_default=True,
              help="Longer texts are cut to this many characters (a spreadsheet cell holds 32,767).")
@_CODEBOOK
@selection_options
@seed_option
@json_option
@pass_settings
def code_sample(s: Settings, n, output, by, allocation, uncertain, model_dir, exclude_coded, blind, max_chars,
                codebook_file, selection, seed, as_json) -> None:
    """Draw N articles for people to code, stratified and seeded, as a CSV sheet or Label Studio tasks.

    The sheet has one empty column per codebook variable (and notes); give each coder a copy. The order is
    shuffled, so coders do not meet the strata in blocks. A --codebook given here is kept with the corpus:
    `code import` reads the sheets with it.

    \b
    Example:
      python cli.py code sample 100 --by tendency --by period -o sheet.csv
      python cli.py code sample 40 --uncertain --exclude-coded -o round2.json
    """
    from corpus.coding import codebook_in_force, coded_ids, use_codebook
    from corpus.coding_sample import draw_sample
    from corpus.coding_sheets import sheet_format, write_csv_sheet, write_tasks

    fmt = sheet_format(output)
    store = s.store()
    codebook = codebook_in_force(store, codebook_file)
    if codebook_file:  # the coders' sheets will be read with it
        use_codebook(store, codebook)
    strata = [] if "none" in by else list(dict.fromkeys(by or ("tendency",)))
    priority = None
    if uncertain:
        from commands.classify import _default_model_dir
        from nlp.coding.study import classifier_margins

        model_dir = model_dir or _default_model_dir(s)
        if not Path(model_dir).is_dir():
            raise click.ClickException(f"no trained classifier at {model_dir}: train one with `classify train`, or "
                                       "give --model DIR (a run's DIR/model)")
        priority = classifier_margins(s.documents(selection), model_dir)
    elif model_dir:
        raise click.UsageError("--model is for --uncertain; add --uncertain or leave --model out")
    sample = draw_sample(store, n, by=strata, seed=seed, allocation=allocation,
                         exclude=coded_ids(store) if exclude_coded else (), priority=priority, **s.filters(selection))
    by_id = {a.id: a for a in store.articles(ids=sample.ids)}
    articles = [by_id[i] for i in sample.ids]
    if fmt == "csv":
        write_csv_sheet(output, articles, codebook, max_chars=max_chars, blind=blind)
        written = [output]
    else:
        _, config = write_tasks(output, articles, codebook, max_chars=max_chars, blind=blind)
        written = [output, str(config)]
    if as_json:
        emit_json({**sample.to_dict(), "written": written, "codebook": codebook.name})
        return
    short = len(sample.ids) < n
    s.info(f"Wrote {len(sample.ids)} articles to {' and '.join(written)}"
           + (f" (only {len(sample.ids)} could be drawn)" if short else "")
           + (f"; {sample.excluded_coded} already coded were left out" if sample.excluded_coded else ""))
    for key, counts in sample.strata.items():
        click.echo(f"{key or 'all':<40} {counts['drawn']:>5} of {counts['available']}")


@code_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--coder", required=True, help="Who coded this sheet (re-importing a coder replaces their codes).")
@click.option("--format", "fmt", type=click.Choice(["csv", "labelstudio"]),
              help="The sheet's format [default: from the name: .csv, or .json for a Label Studio export].")
@click.option("--annotator", help="Label Studio: only the annotations completed by this annotator (id or e-mail).")
@_CODEBOOK
@json_option
@pass_settings
def code_import(s: Settings, file, coder, fmt, annotator, codebook_file, as_json) -> None:
    """Import one coder's codes from a CSV sheet or a Label Studio JSON export.

    Every row is checked first: unknown article ids, unknown categories, numbers out of range and duplicate
    rows are reported by line, and a sheet with any problem imports nothing. Importing a coder again
    replaces all of that coder's codes.

    \b
    Example:
      python cli.py code import sheet-ann.csv --coder ann
      python cli.py code import project-3-export.json --coder ben
    """
    from corpus.coding import codebook_in_force, replace_coder_codes
    from corpus.coding_sheets import known_ids, read_sheet

    store = s.store()
    codebook = codebook_in_force(store, codebook_file)
    sheet = read_sheet(file, codebook, known_ids(store), fmt=fmt, annotator=annotator)
    counts = replace_coder_codes(store, coder, sheet.codes, codebook, source=Path(file).name)
    result = {"coder": " ".join(coder.split()), **sheet.to_dict(), **counts}
    if as_json:
        emit_json(result)
        return
    s.info(f"Imported {counts['imported']} codes on {sheet.articles} articles for coder {result['coder']}"
           + (f" (replacing {counts['replaced']})" if counts["replaced"] else "")
           + (f"; {sheet.blank} rows were not coded" if sheet.blank else "")
           + (f"; columns ignored: {', '.join(sheet.ignored_columns)}" if sheet.ignored_columns else ""))


@code_group.command("agreement")
@click.option("--variable", "variables", multiple=True, help="Only this codebook variable (repeatable).")
@click.option("--disagreements", is_flag=True, help="Also list the articles whose coders disagree.")
@_BOOTSTRAP
@seed_option
@json_option
@pass_settings
def code_agreement(s: Settings, variables, disagreements, bootstrap, seed, as_json) -> None:
    """Krippendorff's alpha between the coders, per variable, with a bootstrap interval over articles.

    Nominal variables use the nominal distance, ordinal and interval ones theirs. Also: each pair of coders'
    agreement, and (--disagreements) the articles they disagree on. α ≥ 0.80: reliable; 0.667-0.80:
    tentative conclusions only.

    \b
    Example:
      python cli.py code agreement --disagreements
    """
    from nlp.coding.study import coding_agreement

    result = coding_agreement(s.store(), variables=list(variables) or None, replicates=bootstrap, seed=seed,
                              disagreements=disagreements)
    if as_json:
        emit_json(result)
        return
    click.echo(f"coders: {', '.join(result['coders'])}")
    for name, v in result["variables"].items():
        interval = f" ({v['lo']:.3f} to {v['hi']:.3f})" if v["lo"] is not None else ""
        alpha = f"{v['alpha']:.3f}{interval}" if v["alpha"] is not None else "undefined"
        click.echo(f"\n{name} ({v['level']}): alpha {alpha}, {v['reading']}; {v['n_units']} articles coded by two "
                   f"or more of {v['n_coders']} coders")
        if v.get("note"):
            click.echo(f"  {v['note']}")
        for p in v["pairwise"]:
            if p["n_units"]:
                a = f"{p['alpha']:.3f}" if p["alpha"] is not None else "undefined"
                click.echo(f"  {' & '.join(p['coders']):<30} {p['n_units']:>5} shared  agree {p['agreement']:.0%}  "
                           f"alpha {a}")
    for d in result.get("disagreements", []):
        codes = ", ".join(f"{c} {v}" for c, v in d["codes"].items())
        if "spread" in d:
            settled = f"mean {d['mean']:g}, spread {d['spread']:g}"
        else:
            settled = f"decided {d['decision']}" if d["decision"] else ("tie" if d["tie"] else f"majority {d['majority']}")
        click.echo(f"{d['id']}  {d['variable']}: {codes}  ({settled})  {(d['title'] or '')[:50]}")


@code_group.command("adjudicate")
@click.argument("article_id", required=False)
@click.argument("value", required=False)
@click.option("--variable", help="The variable decided [default: the codebook's tendency variable].")
@click.option("--note", help="Why (kept with the decision).")
@click.option("--overrule", is_flag=True, help="Decide an article whose coders do not tie (replaces their majority).")
@click.option("--clear", is_flag=True, help="Forget the decision on ARTICLE_ID.")
@json_option
@pass_settings
def code_adjudicate(s: Settings, article_id, value, variable, note, overrule, clear, as_json) -> None:
    """Decide an article whose coders tie; without arguments, list the ties.

    A decided value counts as the coders' majority: on the tendency variable it becomes the article's
    coded label.

    \b
    Example:
      python cli.py code adjudicate
      python cli.py code adjudicate h1a2b3c4d5e6f7a8b soft_left --note "argues for devolution throughout"
    """
    from nlp.coding.study import adjudicate, ties

    store = s.store()
    if clear:
        from corpus.coding import clear_decision, codebook_in_force

        if not article_id or value:
            raise click.UsageError("--clear takes the ARTICLE_ID alone")
        codebook = codebook_in_force(store)
        name = variable or (codebook.tendency_variable or codebook.variables[0]).name
        done = clear_decision(store, article_id, name)
        result = {"id": article_id, "variable": name, "cleared": done}
        if as_json:
            emit_json(result)
        else:
            s.info(f"Cleared the decision on {article_id}" if done else f"No decision on {article_id} to clear")
        return
    if article_id is None:
        rows = ties(store, variable)
        if as_json:
            emit_json(rows)
            return
        if not rows:
            s.info("No ties: every coded article has a majority.")
        for r in rows:
            codes = ", ".join(f"{c} {v}" for c, v in r["codes"].items())
            decided = f"  decided {r['decision']}" if r["decision"] else ""
            click.echo(f"{r['id']}  {r['variable']}: {codes}{decided}  {(r['title'] or '')[:50]}")
        return
    if value is None:
        raise click.UsageError("give the decided VALUE after the ARTICLE_ID, e.g. `code adjudicate ID soft_left`")
    result = adjudicate(store, article_id, value, variable=variable, note=note, overrule=overrule)
    if as_json:
        emit_json(result)
        return
    s.info(f"Decided {result['variable']} = {result['decision']} for {article_id}; its label is now {result['label']}")


@code_group.command("validate")
@click.option("--model", "model_dir", type=click.Path(file_okay=False),
              help="Score this saved classifier [default: train one on every labelled article that is not coded].")
@click.option("--positions", type=click.Path(exists=True, dir_okay=False),
              help="Scaling positions to check against the coders' scores: the JSON of `scale wordfish --json` "
                   "[default: the last stored Wordfish scale].")
@_BOOTSTRAP
@seed_option
@json_option
@pass_settings
def code_validate(s: Settings, model_dir, positions, bootstrap, seed, as_json) -> None:
    """The machine against the people: the classifier on the coded articles, beside the label lists.

    The classifier is trained without the coded articles and asked about them: macro-F1 (with interval),
    Krippendorff's alpha with the coders' majority, and the confusion; the outlet and author lists are
    scored the same way. Numeric variables (positions the coders scored) get the rank correlation with the
    scaling positions.

    \b
    Example:
      python cli.py code validate --json
    """
    from nlp.coding.study import coding_validation, read_positions, require_codes

    require_codes(s.store())  # before the corpus is read (and perhaps preprocessed)
    result = coding_validation(s.store(), s.documents(Selection()), model_dir=model_dir,
                               positions=read_positions(positions) if positions else None, replicates=bootstrap,
                               seed=seed)
    if as_json:
        emit_json(result)
        return
    if result.get("macro_f1") is not None:
        interval = f" ({result['macro_f1_lo']:.3f} to {result['macro_f1_hi']:.3f})" if "macro_f1_lo" in result else ""
        alpha = f"{result['alpha']:.3f}" if result["alpha"] is not None else "undefined"
        click.echo(f"{result['n_coded']} coded articles ({', '.join(f'{k} {v}' for k, v in result['coders_classes'].items())}) "
                   f"by {len(result['coders'])} coders")
        click.echo(f"classifier: macro-F1 {result['macro_f1']:.3f}{interval}, accuracy {result['accuracy']:.3f}, "
                   f"alpha with the coders {alpha}")
        lists = result.get("lists")
        if lists:
            la = f"{lists['alpha']:.3f}" if lists["alpha"] is not None else "undefined"
            click.echo(f"label lists: macro-F1 {lists['macro_f1']:.3f}, accuracy {lists['accuracy']:.3f}, alpha {la} "
                       f"({lists['n']} articles)")
        labels = result["confusion"]["labels"]
        click.echo("\nconfusion (rows: coders' majority, columns: classifier)")
        click.echo(" " * 16 + "".join(f"{lab[:10]:>11}" for lab in labels))
        for label, row in zip(labels, result["confusion"]["matrix"]):
            click.echo(f"{label:<16}" + "".join(f"{n:>11}" for n in row))
    for p in result.get("positions", []):
        if p["spearman"] is None:
            click.echo(f"\n{p['variable']}: {p.get('note')}")
        else:
            interval = f" ({p['lo']:.3f} to {p['hi']:.3f})" if p.get("lo") is not None else ""
            click.echo(f"\n{p['variable']}: Spearman {p['spearman']:.3f}{interval} with the scale on {p['n']} articles")
    for caveat in result.get("caveats", []):
        s.info(f"Caveat: {caveat}")


@code_group.command("codebook")
@click.option("-o", "--output", type=click.Path(dir_okay=False), callback=writable,
              help="Write the codebook here (a TOML file to edit) instead of printing it.")
@_CODEBOOK
@json_option
@pass_settings
def code_codebook(s: Settings, output, codebook_file, as_json) -> None:
    """Show the codebook in force (stored with the corpus' codes, else the shipped one), or write it to edit.

    \b
    Example:
      python cli.py code codebook -o my_codebook.toml
    """
    from corpus.codebook import load_codebook
    from corpus.coding import codebook_in_force

    codebook = codebook_in_force(s.store(), codebook_file) if s.has_corpus() else load_codebook(codebook_file)
    if output:
        from corpus.output import write_text_atomic

        write_text_atomic(output, codebook.to_toml())
        s.info(f"Wrote the codebook {codebook.name!r} to {output}")
        return
    if as_json:
        emit_json({"name": codebook.name, "variables": [
            {"name": v.name, "question": v.question, "level": v.level, "tendency": v.tendency,
             "categories": [{"value": c.value, "name": c.name, "label": c.label} for c in v.categories],
             "min": v.minimum, "max": v.maximum} for v in codebook.variables]})
        return
    click.echo(codebook.to_toml(), nl=False)
