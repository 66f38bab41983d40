"""The report's sections for the tendency analyses: classifier, contrasts and faction mentions."""
from __future__ import annotations

from typing import Any

from nlp.report.charts import figure_svg, heatmap
from nlp.report.plots import contrast_figure
from nlp.report.prose import plain_words
from nlp.report.render import Section, esc, figure, table
from nlp.tendencies.contrast import ContrastResult
from nlp.tendencies.mentions import mentions_table



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

