"""The report's sections for the tendency analyses: classifier, contrasts and faction mentions.

Tendencies are shown by the display names, colours and order of a :class:`~nlp.report.styles.Styles`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from nlp.report.charts import figure_svg, heatmap
from nlp.report.plots import contrast_figure
from nlp.report.prose import plain_words
from nlp.report.render import Figure, Section, Table
from nlp.report.styles import Styles, listing
from nlp.tendencies.contrast import ContrastResult
from nlp.tendencies.mentions import mentions_table

if TYPE_CHECKING:
    from nlp.tendencies.analysis import TendencyAnalysis
    from nlp.tendencies.evaluation import EvaluationResult



def evaluation_rows(evaluation: dict[str, EvaluationResult]) -> list[dict[str, Any]]:
    """One row per grouping: scores beside the majority baseline, and the permutation test's p where it ran
    (``permutation_p``: a lower bound when the test stopped early; None where it did not run)."""
    return [{"group_by": g, "folds": e.folds, "splitter": e.splitter, "articles": e.n_documents,
             "macro_f1": e.macro_f1, "accuracy": e.accuracy, "baseline_macro_f1": e.baseline["macro_f1"],
             "baseline_accuracy": e.baseline["accuracy"],
             "permutation_p": (e.permutation_test or {}).get("p_value")} for g, e in evaluation.items()]


def contrast_rows(results: list[ContrastResult]) -> list[dict[str, Any]]:
    """One row per (contrast, side, term)."""
    rows = []
    for r in results:
        for side, name, terms in (("a", r.a, r.terms_a), ("b", r.b, r.terms_b)):
            for rank, t in enumerate(terms, 1):
                rows.append({"a": r.a, "b": r.b, "field": r.field, "favours": name, "rank": rank, "term": t.term,
                             "z": round(t.z, 3), "count_a": t.count_a, "count_b": t.count_b})
    return rows


def tendency_sections(analysis: TendencyAnalysis, terms: int = 8, styles: Styles | None = None,
                      examples: Callable[[str, str], list[dict[str, Any]]] | None = None) -> list[Section]:
    """Report sections for an :func:`~nlp.tendencies.analysis.analyse_tendencies` result.

    Parameters
    ----------
    analysis : TendencyAnalysis
        Its ``evaluation``, ``pairwise``, ``against_rest``, ``mentions`` and ``skipped`` (and, where they ran,
        ``model``, ``predictions`` and ``coding``).
    terms : int
        How many terms each list shows.
    styles : Styles, optional
        Display names, colours and order of the tendencies (default: the shipped labels file).
    examples : callable, optional
        ``examples(tendency, term)`` -> example sentences of that tendency's writing using ``term`` (a
        signature term, or a faction's vocabulary term), shown when a term or mention is opened.

    Returns
    -------
    list of Section
        ``classifier``, ``contrasts`` and ``mentions``, each only when its analysis ran; what could not run
        is noted under the last one.
    """
    styles = styles or Styles.default()
    name = styles.name
    examples = examples or (lambda tendency, term: [])
    sections = []
    ev = analysis.evaluation
    if ev:
        sections.append(classifier_section(ev, analysis.model, analysis.predictions, terms, styles,
                                           coding=analysis.coding, headline=analysis.headline,
                                           design=analysis.design))

    pairwise, rest = analysis.pairwise, analysis.against_rest
    if pairwise or rest:
        figures = [Figure(figure_svg(contrast_figure(r, top=terms, styles=styles, width=6.0)),
                          f"{name(r.a)} ({_sized(r.docs_a, r.design, 'a')}) against {name(r.b)} "
                          f"({_sized(r.docs_b, r.design, 'b')}); the longer the bar, the more a word marks one side's "
                          f"writing.{_design_note(r)}",
                          _contrast_finding(r, name), contrast_rows([r]), f"contrast_{r.a}_{r.b}")
                   for r in pairwise]
        by_tendency = {r.a: r for r in rest}
        against_rest = Table(["tendency", "articles", "outlets", "compared", "its most distinctive terms (z)"],
                             [(name(t), by_tendency[t].docs_a, by_tendency[t].design.get("n_outlets_a", ""),
                               _compared(by_tendency[t]),
                               ", ".join(f"{x.term} ({x.z:.1f})" for x in by_tendency[t].terms_a[:terms]))
                              for t in styles.ordered(by_tendency)], numeric=(1, 2)) if rest else None
        signature = [{"name": name(t), "colour": styles.colour(t), "articles": by_tendency[t].docs_a,
                      "terms": [{"term": x.term.replace("_", " "), "examples": examples(t, x.term)}
                                for x in by_tendency[t].terms_a[:terms]]}
                     for t in styles.ordered(by_tendency)] if rest else []
        sections.append(Section("contrasts", "What sets each tendency apart", "contrasts.html",
                                {"figures": figures, "against_rest": against_rest, "signature": signature},
                                {"contrasts": contrast_rows(pairwise + rest)}))

    m = analysis.mentions
    if m:
        every = [r for r in mentions_table(m, terms=terms) if r["mentions"] >= 2]
        rows = [r for r in every if styles.is_named(r["writer_tendency"])]  # the others in one line
        table = Table(["faction", "mentioned by", "self", "mentions", "per 10k terms", "words around the mentions"],
                      [(r["name"], name(r["writer_tendency"]), "yes" if r["self"] else "", r["mentions"],
                        r["per_10k_terms"], r["terms"]) for r in rows], numeric=(3, 4))
        opened = [{"summary": f"{r['name']}, as {name(r['writer_tendency'])} writers mention it "
                              f"({r['mentions']} mentions in {r['articles']} articles)",
                   "examples": examples(r["writer_tendency"], r["faction"])} for r in rows]
        sections.append(Section("mentions", "How each faction is talked about", "mentions.html",
                                {"window": m.window, "heatmap": mentions_heatmap(rows, styles=styles),
                                 "mentions": table, "opened": opened,
                                 "folded": _folded_writers(every, rows, styles)},
                                {"faction_mentions": mentions_table(m, terms=terms)}))
    if analysis.skipped and sections:
        sections[-1].not_run.update(analysis.skipped)
    return sections


def classifier_section(evaluation: dict[str, EvaluationResult], model: dict[str, Any] | None,
                       predictions: list[dict[str, Any]] | None, terms: int = 8,
                       styles: Styles | None = None, coding: dict[str, Any] | None = None,
                       headline: str | None = None, design: dict[str, Any] | None = None) -> Section:
    """The classifier's scores beside the baseline, per tendency, its confusion, its weightiest terms and
    where the unlabelled writers fall. ``headline`` is the grouping whose score is read first (and detailed):
    outlet folds where the outlet is the unit (``design``, :func:`nlp.design.label_design`); with ``coding``
    (``analyse_tendencies``' entry), how it fares against the people who coded articles."""
    styles = styles or Styles.default()
    name = styles.name
    headline = headline if headline in evaluation else ("outlet" if "outlet" in evaluation else next(iter(evaluation)))
    evaluation = {headline: evaluation[headline], **evaluation}  # the score to read first
    rows = evaluation_rows(evaluation)
    scores = Table(["folds by", "folds", "articles", "macro-F1", "accuracy", "baseline macro-F1", "baseline accuracy",
                    "p, labels permuted"],
                   [(r["group_by"] + (" (the score to read)" if r["group_by"] == headline and len(rows) > 1 else ""),
                     r["folds"], r["articles"], r["macro_f1"], r["accuracy"], r["baseline_macro_f1"],
                     r["baseline_accuracy"], "not run" if r["permutation_p"] is None
                     else ("≥ " if (e.permutation_test or {}).get("stopped_early") else "")
                     + f"{r['permutation_p']:.3f}") for r, e in zip(rows, evaluation.values())],
                   numeric=(1, 2, 3, 4, 5, 6))
    first = evaluation[headline]
    per_class = first.per_class
    per_class_table = Table(["tendency", "precision", "recall", "F1", "articles"],
                            [(name(k), per_class[k]["precision"], per_class[k]["recall"], per_class[k]["f1"],
                              per_class[k]["support"]) for k in styles.ordered(per_class)], numeric=(1, 2, 3, 4))
    labels, matrix = first.confusion["labels"], first.confusion["matrix"]
    at = {lab: i for i, lab in enumerate(labels)}
    shown = styles.ordered(labels)
    confusion = Table([""] + [name(lab) for lab in shown],
                      [[name(lab)] + [matrix[at[lab]][at[col]] for col in shown] for lab in shown],
                      numeric=tuple(range(1, len(labels) + 1)))
    top_terms = Table(["tendency", "terms"], [(name(k), ", ".join(f["term"] for f in model["top_features"][k][:terms + 4]))
                                              for k in styles.ordered(model["top_features"])]) if model else None
    prediction_table = None
    if predictions:
        classes = styles.ordered(model["classes"] if model else {c for p in predictions for c in p["probabilities"]})
        prediction_table = Table(
            ["author", "articles"] + [name(c) for c in classes] + ["most likely"],
            [[p["author"], p["articles"]] + [p["probabilities"].get(c, 0.0) for c in classes]
             + [name(max(p["probabilities"], key=p["probabilities"].get))] for p in predictions],
            numeric=tuple(range(1, len(classes) + 2)))
    unique: dict[str, str] = {}  # one per kind: the same caveat differs only in its advice per grouping
    for e in evaluation.values():
        for c in e.caveats:
            unique.setdefault(c.split(" (")[0], c)
    unit = unit_sentence(design, headline, styles) if len(evaluation) > 1 else None
    summaries = ([unit] if unit else []) + [plain_words(e) for e in evaluation.values()]
    if coding:
        summaries.insert(0, coding_sentence(coding))
    context = {"summaries": summaries, "scores": scores,
               "detail_by": first.group_by, "per_class": per_class_table, "confusion": confusion,
               "top_terms": top_terms, "predictions": prediction_table, "caveats": sorted(unique.values())}
    data = {"classifier_evaluation": rows,
            "classifier_per_class": [{"group_by": g, "tendency": k, **v} for g, e in evaluation.items()
                                     for k, v in e.per_class.items()]}
    if coding:
        check = coding["validation"]
        agreement = coding.get("agreement") or {}
        data["classifier_against_coders"] = [{
            "coded_articles": coding["articles"], "coders": len(coding["coders"]),
            "coders_alpha": agreement.get("alpha"), "coders_alpha_lo": agreement.get("lo"),
            "coders_alpha_hi": agreement.get("hi"), "articles_compared": check["n_coded"],
            "classifier_alpha": check["alpha"], "classifier_macro_f1": check["macro_f1"],
            "classifier_macro_f1_lo": check.get("macro_f1_lo"), "classifier_macro_f1_hi": check.get("macro_f1_hi")}]
    if predictions:
        data["classifier_predictions_by_author"] = [
            {"author": p["author"], "articles": p["articles"], **p["probabilities"]} for p in predictions]
    return Section("classifier", "Can a classifier tell the tendencies apart?", "classifier.html", context, data)


def coding_sentence(coding: dict[str, Any]) -> str:
    """"Checked against N articles coded by K people: ..." for the classifier section."""
    def alpha(a: float | None, lo: float | None = None, hi: float | None = None, reading: str | None = None) -> str:
        if a is None:
            return "undefined"
        notes = [f"95% interval {lo:.2f} to {hi:.2f}"] if lo is not None and hi is not None else []
        return f"α {a:.2f}" + (f" ({': '.join(notes + ([reading] if reading else []))})" if notes or reading else "")

    people = len(coding["coders"])
    a = coding.get("agreement") or {}
    check = coding["validation"]
    f1 = f"macro-F1 {check['macro_f1']:.2f}" + (f", interval {check['macro_f1_lo']:.2f} to {check['macro_f1_hi']:.2f}"
                                                if check.get("macro_f1_lo") is not None else "")
    among = (f"the coders agree with each other at {alpha(a.get('alpha'), a.get('lo'), a.get('hi'), a.get('reading'))}"
             if people > 1 else "one person coded them, so how far coders agree is unknown")
    return (f"Checked against {coding['articles']} articles coded by {people} {'person' if people == 1 else 'people'}: "
            f"{among}; asked about each article without having been trained on it, the classifier agrees with the "
            f"coders' majority at "
            f"{alpha(check['alpha'])} ({f1}) on the {check['n_coded']} of them with a tendency.")


def unit_sentence(design: dict[str, Any] | None, headline: str, styles: Styles) -> str | None:
    """Which score to read, and why, in words (None when the labels vary within outlets)."""
    if not design or design.get("unit") != "outlet":
        return None
    per = design.get("outlets_per_label") or {}
    counts = ", ".join(f"{styles.name(t)} from {per[t]}" for t in styles.ordered(per))
    nearly = "" if design.get("kind") == "constant within outlets" else "almost "
    return (f"Each tendency here is {nearly}a property of its outlets ({counts} outlets), so the outlets are what "
            f"is compared: the score to read is the one with whole outlets held out. With authors held out, the "
            f"classifier still sees each outlet's house style in training, and scores it as much as the tendency."
            if headline == "outlet" else None)


def method_note(design: dict[str, Any] | None) -> str | None:
    """The report's method note on the unit of analysis, in words (for ``ctx.method["Unit of analysis"]``)."""
    if not design:
        return None
    if design.get("unit") == "outlet":
        shared = design.get("shared_outlets") or []
        return ("Each tendency here comes from outlets of its own"
                + (f" (only {design.get('docs_in_shared_outlets')} labelled articles come from outlets that publish "
                   f"several: {', '.join(shared)})" if shared else "")
                + ", so the outlets, not the articles, are what is compared: the classifier's score to read holds "
                  "whole outlets out, contrasts give the outlets on each side, and the meaning of a word is tested by "
                  "moving whole outlets between the tendencies. With few outlets, an outlet's house style cannot be "
                  "told from its tendency.")
    if design.get("kind") == "shared outlets":
        return ("The tendencies share outlets, so contrasts and topic effects compare them within each outlet and "
                "pool the differences (inverse-variance weights): an outlet's house style does not pass for a "
                "tendency's. The classifier's score to read holds whole authors out.")
    return None


def _sized(docs: int, design: dict[str, Any], side: str) -> str:
    """``"42 articles"``, with its outlets where the outlet is the unit of the comparison."""
    n = design.get(f"n_outlets_{side}") if design.get("unit") == "outlet" else None
    return f"{docs} articles" + (f" from {n} outlet{'s' * (n != 1)}" if n else "")


def _design_note(r: ContrastResult) -> str:
    """The comparison's design and caveats, as sentences after a caption."""
    note = " Compared " + r.design["description"] + "." if r.design.get("within") == "outlet" else ""
    return note + "".join(f" {c[0].upper()}{c[1:]}." for c in r.caveats)


def _compared(r: ContrastResult) -> str:
    if r.design.get("within") == "outlet":
        return f"within {len(r.design['strata'])} shared outlet(s)"
    return "across outlets" if r.design else ""


def mentions_heatmap(rows: list[dict[str, Any]], top: int = 14, styles: Styles | None = None) -> Figure | None:
    """A figure: how often each tendency's writers mention each faction (per 10,000 terms); ``None`` when
    there are fewer than two factions or no labelled writers."""
    styles = styles or Styles.default()
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["name"]] = totals.get(r["name"], 0) + r["mentions"]
    factions = sorted(totals, key=lambda f: -totals[f])[:top]
    writers = styles.ordered(r["writer_tendency"] for r in rows if r["writer_tendency"] not in ("unlabelled", "mixed"))
    if len(factions) < 2 or not writers:
        return None
    cell = {(r["name"], r["writer_tendency"]): r["per_10k_terms"] for r in rows}
    values = [[cell.get((f, w), 0.0) for w in writers] for f in factions]
    fig = heatmap(factions, [styles.name(w) for w in writers], values,
                  "Mentions per 10,000 terms, by the writers' tendency", fmt="{:.1f}")
    best = max(((f, w, cell.get((f, w), 0.0)) for f in factions for w in writers), key=lambda x: x[2])
    finding = f"The most talked-about pairing: {name_of(best[0])} by {styles.name(best[1])} writers ({best[2]:.1f} per 10,000 words)."
    return Figure(figure_svg(fig), "Read across a row: which tendency talks most about that faction.", finding,
                  [{"faction": f, "writer_tendency": w, "per_10k_terms": cell.get((f, w), 0.0)}
                   for f in factions for w in writers], "faction_mentions_heatmap")


def _folded_writers(every: list[dict[str, Any]], shown: list[dict[str, Any]], styles: Styles) -> str:
    """One line for the mentions by writers of the groups the report does not name."""
    left = [r for r in every if r not in shown]
    if not left:
        return ""
    by: dict[str, int] = {}
    for r in left:
        by[r["writer_tendency"]] = by.get(r["writer_tendency"], 0) + r["mentions"]
    ranked = sorted(by, key=lambda g: (-by[g], g))
    return (f"Mentions by writers of {len(ranked)} smaller groups (in data/faction_mentions.csv): "
            + listing([f"{styles.name(g)} ({by[g]})" for g in ranked]) + ".")


def name_of(term: str) -> str:
    return term.replace("_", " ")


def _contrast_finding(r: ContrastResult, name: Any) -> str:
    a = ", ".join(name_of(t.term) for t in r.terms_a[:3])
    b = ", ".join(name_of(t.term) for t in r.terms_b[:3])
    return f"{name(r.a)} writing leans on {a or 'no word in particular'}; {name(r.b)} on {b or 'no word in particular'}."
