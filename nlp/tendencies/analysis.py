"""The tendency part of a run: classifier evaluation, contrasts and faction mentions, as report sections.

:func:`analyse_tendencies` runs every analysis of :mod:`nlp.classify`, :mod:`nlp.contrast` and
:mod:`nlp.mentions` that the corpus supports (one that cannot run, e.g. a single labelled tendency, is
recorded under ``skipped`` with its reason, never faked); :func:`tendency_sections` turns the results into
report sections with the data behind each table and chart; :func:`stage_tendencies` is both, as a stage
of :mod:`nlp.pipeline`.
"""
from __future__ import annotations

import logging
from itertools import combinations
from pathlib import Path
from typing import Any

from nlp.tendencies.classify import evaluate, predict_unlabelled, prediction_summary, train
from nlp.tendencies.contrast import ContrastResult, contrast, contrast_each_against_rest, contrast_figure
from nlp.errors import NlpError
from nlp.tendencies.mentions import mentions, mentions_table

log = logging.getLogger(__name__)

#: Tendencies with fewer articles are left out of the run's classifier and contrasts.
MIN_CLASS_ARTICLES = 8
#: Pairwise contrasts are drawn when there are at most this many labelled tendencies.
MAX_PAIRWISE_GROUPS = 4


def analyse_tendencies(store: Any, seed: int = 0, top: int = 15, folds: int = 5,
                       model_dir: str | Path | None = None) -> dict[str, Any]:
    """Run the classifier evaluation, contrasts and mention mining on a corpus.

    Parameters
    ----------
    store : corpus.store.CorpusStore
    seed, top, folds
        As for ``classify evaluate`` and ``contrast``.
    model_dir : path, optional
        Also train a classifier on every labelled article, save it here, and predict (and store) the
        tendency of every unlabelled or mixed-outlet article.

    Returns
    -------
    dict
        ``{"evaluation": {group_by: dict}, "against_rest": [ContrastResult], "pairwise": [ContrastResult],
        "mentions": dict or None, "model": dict or None, "predictions": list or None,
        "skipped": {analysis: reason}}``.
    """
    out: dict[str, Any] = {"evaluation": {}, "against_rest": [], "pairwise": [], "mentions": None,
                           "model": None, "predictions": None, "skipped": {}}
    # A tendency with a handful of articles can be neither cross-validated nor contrasted reliably: the
    # run leaves it out of the classifier and the contrasts, and says so (`classify evaluate` refuses it).
    counts = {t: n for t, n in store.stats()["by_tendency"].items() if t not in ("unlabelled", "mixed")}
    rare = sorted(t for t, n in counts.items() if n < MIN_CLASS_ARTICLES)
    kept = {"tendency": sorted(set(counts) - set(rare))} if rare else {}
    if rare:
        out["skipped"]["tendencies with fewer than %d articles" % MIN_CLASS_ARTICLES] = (
            f"left out of the classifier and contrasts: {', '.join(f'{t} ({counts[t]})' for t in rare)}")
    for group_by in ("outlet", "author"):
        try:
            out["evaluation"][group_by] = evaluate(store, group_by=group_by, folds=folds, seed=seed, **kept)
        except NlpError as exc:
            out["skipped"][f"classifier, folds by {group_by}"] = str(exc)
    if model_dir is not None:
        try:
            out["model"] = train(store, str(model_dir), seed=seed, top=top, **kept)
            predicted = predict_unlabelled(store, str(model_dir))
            out["predictions"] = prediction_summary(store, predicted["model_id"], by="author")
        except NlpError as exc:
            out["skipped"]["classifier predictions"] = str(exc)
    try:
        out["against_rest"] = contrast_each_against_rest(store, field="tendency", top=top,
                                                         exclude=("unlabelled", "mixed", *rare))
    except NlpError as exc:
        out["skipped"]["contrasts"] = str(exc)
    groups = [r.a for r in out["against_rest"]]
    if 2 <= len(groups) <= MAX_PAIRWISE_GROUPS:
        # the soft left first: it is the tendency the toolkit is about
        ordered = sorted(groups, key=lambda g: (g != "soft_left", g))
        for a, b in combinations(ordered, 2):
            try:
                out["pairwise"].append(contrast(store, a, b, top=top))
            except NlpError as exc:
                out["skipped"][f"contrast {a} vs {b}"] = str(exc)
    try:
        out["mentions"] = mentions(store, top=top)
    except NlpError as exc:
        out["skipped"]["mentions"] = str(exc)
    return out


def plain_words(e: dict[str, Any]) -> str:
    """One evaluation in a sentence an editor can read."""
    held = (f"Tested on each {e['group_by']}'s articles after training on other {e['group_by']}s' writing"
            if e["group_by"] in ("outlet", "author") else "Tested on articles it was not trained on")
    baseline = e["baseline"]
    verdict = ("clearly better than guessing" if e["macro_f1"] >= baseline["macro_f1"] + 0.3
               else "somewhat better than guessing" if e["macro_f1"] >= baseline["macro_f1"] + 0.1
               else "hardly better than guessing")
    return (f"{held}, the classifier names the right tendency for {e['accuracy']:.0%} of {e['n_documents']} "
            f"articles; always answering '{baseline['class']}' would be right for {baseline['accuracy']:.0%}. "
            f"Averaged over the tendencies (macro-F1 {e['macro_f1']:.2f} against {baseline['macro_f1']:.2f}), "
            f"that is {verdict}.")


def evaluation_rows(evaluation: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per grouping: scores beside the majority baseline."""
    return [{"group_by": g, "folds": e["folds"], "splitter": e["splitter"], "articles": e["n_documents"],
             "macro_f1": e["macro_f1"], "accuracy": e["accuracy"], "baseline_macro_f1": e["baseline"]["macro_f1"],
             "baseline_accuracy": e["baseline"]["accuracy"]} for g, e in evaluation.items()]


def contrast_rows(results: list[ContrastResult]) -> list[dict[str, Any]]:
    """One row per (contrast, side, term)."""
    rows = []
    for r in results:
        for side, name, terms in (("a", r.a, r.terms_a), ("b", r.b, r.terms_b)):
            for rank, t in enumerate(terms, 1):
                rows.append({"a": r.a, "b": r.b, "field": r.field, "favours": name, "rank": rank, "term": t.term,
                             "z": round(t.z, 3), "count_a": t.count_a, "count_b": t.count_b})
    return rows


def tendency_sections(analysis: dict[str, Any], terms: int = 8) -> list[Any]:
    """Report sections (:class:`nlp.report.Section`) for an :func:`analyse_tendencies` result."""
    from nlp.report.charts import figure_svg
    from nlp.report.render import Section, esc, figure, table

    sections = []
    skipped = analysis["skipped"]
    note = "".join(f"<p class=\"lead\">Not run: {esc(k)}: {esc(v)}</p>" for k, v in skipped.items())

    ev = analysis["evaluation"]
    if ev:
        rows = evaluation_rows(ev)
        html = "".join(f"<p>{esc(plain_words(e))}</p>" for e in ev.values())
        html += ("<p class=\"lead\">Cross-validated tendency classifier (TF-IDF + class-balanced logistic "
                 "regression). Folds never split an outlet (or an author), so the scores are for writing the "
                 "classifier has not seen; the baseline always predicts the most frequent tendency.</p>")
        html += table(["folds by", "folds", "articles", "macro-F1", "accuracy", "baseline macro-F1", "baseline accuracy"],
                      [(r["group_by"], r["folds"], r["articles"], r["macro_f1"], r["accuracy"], r["baseline_macro_f1"],
                        r["baseline_accuracy"]) for r in rows], numeric=(1, 2, 3, 4, 5, 6))
        first = ev.get("outlet") or next(iter(ev.values()))
        html += "<h3>Per tendency (folds by " + esc(first["group_by"]) + ")</h3>"
        html += table(["tendency", "precision", "recall", "F1", "articles"],
                      [(k, v["precision"], v["recall"], v["f1"], v["support"]) for k, v in first["per_class"].items()],
                      numeric=(1, 2, 3, 4))
        labels = first["confusion"]["labels"]
        html += "<h3>Confusion (rows: true tendency; columns: predicted)</h3>"
        html += table([""] + labels, [[lab] + row for lab, row in zip(labels, first["confusion"]["matrix"])],
                      numeric=tuple(range(1, len(labels) + 1)))
        model = analysis.get("model")
        if model:
            html += "<h3>The terms that weigh most for each tendency</h3>"
            html += table(["tendency", "terms"], [(k, ", ".join(f["term"] for f in v[:terms + 4]))
                                                  for k, v in model["top_features"].items()])
        predictions = analysis.get("predictions")
        if predictions:
            classes = model["classes"] if model else sorted({c for p in predictions for c in p["probabilities"]})
            html += ("<h3>Where the unlabelled writers fall</h3><p class=\"lead\">Mean predicted probability of "
                     "each tendency over the articles of writers without a usable label (unlabelled, or at a "
                     "mixed outlet), from a classifier trained on every labelled article.</p>")
            html += table(["author", "articles"] + classes + ["most likely"],
                          [[p["author"], p["articles"]] + [p["probabilities"].get(c, 0.0) for c in classes]
                           + [max(p["probabilities"], key=p["probabilities"].get)] for p in predictions],
                          numeric=tuple(range(1, len(classes) + 2)))
        unique: dict[str, str] = {}  # one per kind: the same caveat differs only in its advice per grouping
        for e in ev.values():
            for c in e["caveats"]:
                unique.setdefault(c.split(" (")[0], c)
        caveats = sorted(unique.values())
        html += "".join(f"<p class=\"notice\">{esc(c)}</p>" for c in caveats)
        data = {"classifier_evaluation": rows,
                "classifier_per_class": [{"group_by": g, "tendency": k, **v} for g, e in ev.items()
                                         for k, v in e["per_class"].items()]}
        if predictions:
            data["classifier_predictions_by_author"] = [
                {"author": p["author"], "articles": p["articles"], **p["probabilities"]} for p in predictions]
        sections.append(Section("classifier", "Can a classifier tell the tendencies apart?", html, data))

    pairwise, rest = analysis["pairwise"], analysis["against_rest"]
    if pairwise or rest:
        html = ("<p class=\"lead\">The words that most set one tendency apart from another: weighted log-odds "
                "ratios with an informative Dirichlet prior (Monroe, Colaresi &amp; Quinn 2008). Bars are |z|; the "
                "dashed line is |z| = 1.96.</p>")
        for r in pairwise:
            html += figure(figure_svg(contrast_figure(r, top=terms + 4)),
                           f"{r.a} ({r.docs_a} articles) against {r.b} ({r.docs_b} articles)")
        if rest:
            html += "<h3>Each tendency against all the others</h3>"
            html += table(["tendency", "articles", "its most distinctive terms (z)"],
                          [(r.a, r.docs_a, ", ".join(f"{t.term} ({t.z:.1f})" for t in r.terms_a[:terms])) for r in rest],
                          numeric=(1,))
        sections.append(Section("contrasts", "What sets each tendency apart", html,
                                {"contrasts": contrast_rows(pairwise + rest)}))

    m = analysis["mentions"]
    if m:
        rows = [r for r in mentions_table(m, terms=terms) if r["mentions"] >= 2]
        html = ("<p class=\"lead\">How each faction is talked about, and by whom. A self-mention is one by writers "
                "of the faction's own tendency (nlp/tendencies/faction_tendencies.toml). The terms are those used around the "
                f"mentions (±{m['window']} terms) more than in that tendency's writing overall.</p>")
        html += mentions_heatmap(rows)
        html += table(["faction", "mentioned by", "self", "mentions", "per 10k terms", "words around the mentions"],
                      [(r["name"], r["writer_tendency"], "yes" if r["self"] else "", r["mentions"], r["per_10k_terms"],
                        r["terms"]) for r in rows], numeric=(3, 4))
        sections.append(Section("mentions", "How each faction is talked about", html,
                                {"faction_mentions": mentions_table(m, terms=terms)}))
    if note and sections:
        sections[-1].html += note
    return sections


def mentions_heatmap(rows: list[dict[str, Any]], top: int = 14) -> str:
    """A figure: how often each tendency's writers mention each faction (per 10,000 terms)."""
    from nlp.report.charts import figure_svg, heatmap
    from nlp.report.render import figure

    totals: dict[str, int] = {}
    for r in rows:
        totals[r["name"]] = totals.get(r["name"], 0) + r["mentions"]
    factions = sorted(totals, key=lambda f: -totals[f])[:top]
    writers = sorted({r["writer_tendency"] for r in rows if r["writer_tendency"] not in ("unlabelled", "mixed")})
    if len(factions) < 2 or not writers:
        return ""
    cell = {(r["name"], r["writer_tendency"]): r["per_10k_terms"] for r in rows}
    values = [[cell.get((f, w), 0.0) for w in writers] for f in factions]
    fig = heatmap(factions, writers, values, "Mentions per 10,000 terms, by the writers' tendency", fmt="{:.1f}")
    return figure(figure_svg(fig), "Read across a row: which tendency talks most about that faction.")


def stage_tendencies(ctx: Any) -> None:
    """A :mod:`nlp.pipeline` stage: run :func:`analyse_tendencies` and add its sections, metrics and method."""
    analysis = analyse_tendencies(ctx.store, seed=ctx.config.seed, model_dir=Path(ctx.out_dir) / "model")
    ctx.results["tendencies"] = analysis
    ctx.sections.extend(tendency_sections(analysis))
    for group_by, e in analysis["evaluation"].items():
        ctx.metrics[f"classifier_macro_f1_by_{group_by}"] = e["macro_f1"]
        ctx.metrics[f"classifier_baseline_macro_f1_by_{group_by}"] = e["baseline"]["macro_f1"]
    if analysis["skipped"]:
        ctx.metrics["tendency_analyses_skipped"] = analysis["skipped"]
    ctx.method["Classifier"] = (
        "TF-IDF over the preprocessed terms and class-balanced logistic regression (scikit-learn), scored by "
        "stratified cross-validation whose folds never split an outlet (or an author), beside a majority-class "
        "baseline. Articles labelled 'unlabelled' or 'mixed' are left out.")
    ctx.method["Contrasts"] = ("Weighted log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi & "
                               "Quinn 2008); the prior follows the term counts of both groups and weighs a tenth of the data.")
    ctx.method["Mentions"] = ("Mentions of each faction of the phrase vocabulary, by writing tendency; the words "
                              "within a window around them are contrasted with the tendency's overall usage.")
