"""The tendency commands: `classify`, `contrast`, `kwic`, `mentions` and `meaning`."""
from __future__ import annotations

from pathlib import Path

import click

from commands.common import (
    Settings,
    emit_json,
    jobs_option,
    json_option,
    keep_markers_option,
    markers_line,
    names_option,
    pass_settings,
    read_stdin_text,
    renamed_option,
    seed_option,
    selection_options,
    writable,
)
from corpus import Selection
from corpus.backend import files_base, is_url


def _default_model_dir(s: Settings) -> str:
    return (files_base(s.db) if is_url(s.db) else str(Path(s.db).with_suffix(""))) + "-model"


@click.group("classify")
def classify_group() -> None:
    """Tendency classifiers: cross-validated evaluation, training, prediction.

    TF-IDF over the preprocessed terms and class-balanced logistic regression. Articles whose tendency
    resolves to "unlabelled" (and "mixed", unless --include-mixed) are not trained on.

    \b
    Example:
      python cli.py classify evaluate --by author --json
    """


@classify_group.command("evaluate")
@click.option("--label-field", type=click.Choice(["tendency", "outlet", "year"]), default="tendency",
              show_default=True, help="What to predict.")
@click.option("--by", "group_by", type=click.Choice(["outlet", "author", "period", "none"]), default="outlet",
              show_default=True, help="No fold splits a group of this field (leave-one-group-out when groups are "
              "few); period: train on earlier periods, test on later ones.")
@click.option("--period-years", type=click.IntRange(min=1), default=1, show_default=True,
              help="With --by period: years per period.")
@renamed_option("--group-by", "--by", "group_by", type=click.Choice(["outlet", "author", "period", "none"]))
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True)
@click.option("--include-mixed", is_flag=True, help="Keep articles resolved as 'mixed' as a class.")
@click.option("--mask-names/--no-mask-names", default=True, show_default=True,
              help="Also score with party, faction, outlet and label names masked (docs/classifier.md).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Top features shown per class.")
@click.option("--permutations", type=click.IntRange(min=0), default=None,
              help="Label permutations under the same folds for the score's p-value (0: no test; it stops "
              "early when chance matches the score) [default: an exact test where the folds' groups admit at "
              "most 40 labellings, else none]. See docs/classifier.md.")
@names_option
@keep_markers_option
@click.option("--min-class", type=click.IntRange(min=2), default=2, show_default=True, metavar="N",
              help="Leave out classes with fewer than N articles (with a note) instead of failing.")
@jobs_option("Folds fitted in parallel; the numbers do not change")
@selection_options
@seed_option
@json_option
@pass_settings
def classify_evaluate(s: Settings, label_field, group_by, period_years, folds, include_mixed, mask_names, top,
                      permutations, names_file, keep_markers, min_class, jobs, selection, seed, as_json) -> None:
    """Cross-validated macro-F1 (with interval), beside a baseline and a score with self-names masked.

    \b
    Example:
      python cli.py classify evaluate --by author --folds 5 --seed 0 --json
      python cli.py classify evaluate --label-field outlet --by period --period-years 4
      python cli.py classify evaluate --by none --min-class 8
    """
    from nlp.tendencies.classify import evaluate
    from nlp.tendencies.masking import corpus_vocabulary

    docs = s.documents(selection)
    result = evaluate(docs, label_field=label_field, group_by=group_by, folds=folds, seed=seed,
                      include_mixed=include_mixed, progress=s.terminal.folds("cross-validation: model"),
                      mask_names=mask_names,
                      vocabulary=corpus_vocabulary(s.store()) if mask_names else None, labels=s.store().labels,
                      period_years=period_years, n_jobs=jobs, top=top, permutations=permutations,
                      keep_markers=keep_markers, names_file=names_file, min_class=min_class)
    if as_json:
        emit_json(result.to_dict())
        return
    base = result.baseline
    click.echo(f"{result.n_documents} articles, {result.folds} folds ({result.splitter}, "
               f"grouped by {group_by}), seed {seed}")
    if result.label_levels:
        click.echo("labels from: " + ", ".join(f"{k} {v}" for k, v in result.label_levels.items()))
    interval = (f" ({result.interval['level']:.0%} interval {result.macro_f1_lo:.3f} to "
                f"{result.macro_f1_hi:.3f})" if result.macro_f1_lo is not None else "")
    click.echo(f"macro-F1 {result.macro_f1:.3f}{interval}  accuracy {result.accuracy:.3f}   "
               f"baseline (majority class): macro-F1 {base['macro_f1']:.3f}  accuracy {base['accuracy']:.3f}")
    pt = result.permutation_test or {}
    if "p_value" in pt:
        click.echo(f"permutation test: p = {pt['p_value']:.3f} ({pt['at_least_observed']} of {pt['permutations']} "
                   f"{'labellings' if pt['exact'] else 'permutations'} of {pt['unit']} labels score as well)")
    if result.masked_macro_f1 is not None:
        click.echo(f"with {len(result.masked_terms)} self-names masked: macro-F1 {result.masked_macro_f1:.3f}  "
                   f"accuracy {result.masked_accuracy:.3f}")
    click.echo(f"\n{'class':<20} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for label, m in result.per_class.items():
        click.echo(f"{label:<20} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {m['support']:>8}")
    labels = result.confusion["labels"]
    click.echo("\nconfusion (rows: true, columns: predicted)")
    click.echo(" " * 20 + "".join(f"{lab[:10]:>11}" for lab in labels))
    for label, row in zip(labels, result.confusion["matrix"]):
        click.echo(f"{label:<20}" + "".join(f"{n:>11}" for n in row))
    flagged = result.self_names_in_top_features or {}
    click.echo("\ntop features (* a self-name)")
    for label, feats in result.top_features.items():
        click.echo(f"{label}: " + ", ".join(f["term"] + ("*" if f["term"] in flagged.get(label, ()) else "")
                                            for f in feats))
    line = markers_line(result.outlet_markers)
    if line:
        s.info(line)
    for caveat in result.caveats:
        s.info(f"Caveat: {caveat}")


@classify_group.command("train")
@click.option("-o", "--output", type=click.Path(file_okay=False),
              help="Model directory to write [default: beside the corpus, DB-model].")
@click.option("--label-field", type=click.Choice(["tendency", "outlet", "year"]), default="tendency",
              show_default=True, help="What to predict.")
@click.option("--include-mixed", is_flag=True, help="Keep articles resolved as 'mixed' as a class.")
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True, help="Top features shown per class.")
@names_option
@keep_markers_option
@selection_options
@seed_option
@json_option
@pass_settings
def classify_train(s: Settings, output, label_field, include_mixed, top, names_file, keep_markers, selection, seed,
                   as_json) -> None:
    """Train on every labelled article and save a model directory (manifest + SHA-256 checksums).

    \b
    Example:
      python cli.py classify train -o models/tendency
    """
    from nlp.tendencies.classify import train

    output = output or _default_model_dir(s)
    from nlp.tendencies.masking import corpus_vocabulary

    info = train(s.documents(selection), output, label_field=label_field, seed=seed, include_mixed=include_mixed,
                 top=top, vocabulary=corpus_vocabulary(s.store()), labels=s.store().labels,
                 keep_markers=keep_markers, names_file=names_file)
    if as_json:
        emit_json(info)
        return
    line = markers_line(info["outlet_markers"])
    if line:
        s.info(line)
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
            text = read_stdin_text()
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


@click.command("contrast")
@click.argument("a")
@click.argument("b")
@click.option("--by", "field", type=click.Choice(["tendency", "outlet", "author", "year"]), default="tendency",
              show_default=True, help="The field whose groups are contrasted (year: A and B may be ranges, 2016-2019).")
@renamed_option("--field", "--by", "field", type=click.Choice(["tendency", "outlet", "author", "year"]))
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
@click.option("--within", type=click.Choice(["auto", "outlet", "none"]), default="auto", show_default=True,
              help="outlet: compare A and B inside each outlet that publishes both, and pool; none: across "
              "outlets; auto: within outlets when those shared outlets hold most of the articles.")
@names_option
@keep_markers_option
@click.option("--plot", type=click.Path(dir_okay=False), help="Also write a PNG chart here.", callback=writable)
@selection_options
@seed_option
@json_option
@pass_settings
def contrast_cmd(s: Settings, a, b, field, top, min_count, ngrams, min_docs, bootstrap, mask_names, within,
                 names_file, keep_markers, plot, selection, seed, as_json) -> None:
    """The terms that most set group A apart from group B (B = "rest": every other article).

    Weighted log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008); z > 0
    favours A. Each side's list is sorted by |z|, strongest first; a term's stability is the share of
    bootstrap resamples in which it stays in its side's list. Where A and B share outlets the contrast is
    made within each outlet and pooled (inverse-variance weights; q: Cochran's Q); where each outlet carries
    one side, the outlets per side are given with a caveat (docs/methods.md, "The unit of analysis").

    \b
    Example:
      python cli.py contrast soft_left hard_left --top 15 --plot soft-vs-hard.png
      python cli.py contrast soft_left hard_left --within outlet --json
      python cli.py contrast labourlist rest --by outlet --json
    """
    from nlp.report.plots import plot_contrast
    from nlp.tendencies.contrast import contrast
    from nlp.tendencies.masking import corpus_vocabulary, self_names

    if field == "outlet" and within == "outlet":
        raise click.UsageError("Outlets cannot be compared within outlets: use --within none (or auto) with --by "
                               "outlet, or another --by")
    docs = s.documents(selection)
    if names_file and not mask_names:
        raise click.UsageError("--names adds self-names to mask: give it with --mask-names")
    mask = (self_names(docs, corpus_vocabulary(s.store()), s.store().labels, names_file=names_file)
            if mask_names else None)
    result = contrast(docs, a, b, field=field, top=top, min_count=min_count, ngrams=ngrams, min_docs=min_docs,
                      bootstrap=bootstrap, seed=seed, mask=mask, within=within, keep_markers=keep_markers)
    if plot:
        from nlp.report.styles import Styles

        plot_contrast(result, plot, styles=Styles.from_labels(s.store().labels))
        s.info(f"Wrote {plot}")
    if as_json:
        emit_json(result.to_dict())
        return
    line = markers_line(result.outlet_markers)
    if line:
        s.info(line)
    design = result.design
    sizes = ((f"{result.docs_a} articles, {design['n_outlets_a']} outlets", f"{result.docs_b} articles, "
              f"{design['n_outlets_b']} outlets") if design and design["within"] == "none"
             else (f"{result.docs_a} articles", f"{result.docs_b} articles"))
    click.echo(f"{field}: {result.a} ({sizes[0]}) vs {result.b} ({sizes[1]})"
               + (f"; compared {design['description']}" if design else ""))
    for name, side in ((result.a, result.terms_a), (result.b, result.terms_b)):
        click.echo(f"\nmore {name}:")
        for t in side:
            stable = f"   stability {t.stability:.2f}" if t.stability is not None else ""
            q = f"   Q {t.q:.1f}" if t.q is not None else ""
            click.echo(f"  {t.term:<32} z {t.z:>7.2f}   {t.count_a:>6} vs {t.count_b:<6} in {t.n_docs:>4} docs{stable}{q}")
    for caveat in result.caveats:
        s.info(f"Caveat: {caveat}")


@click.command("kwic")
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


@click.command("mentions")
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
        emit_json(result.to_dict())
        return
    for line in format_mentions(result):
        click.echo(line)


@click.command("meaning")
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
@keep_markers_option
@seed_option
@selection_options
@json_option
@pass_settings
def meaning_cmd(s: Settings, terms, by, groups, period, min_support, background, n_models, bootstraps, permutations,
                top, senses, keep_markers, seed, selection, as_json) -> None:
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
                      n_perm=permutations, top=top, senses=senses, keep_markers=keep_markers)
    if as_json:
        emit_json(results[0].to_dict() if len(results) == 1 else [r.to_dict() for r in results])
        return
    line = markers_line(results[0].outlet_markers if results else None)
    if line:
        s.info(line)
    for result in results:
        for line in format_meaning(result):
            click.echo(line)
