"""The report's sections for the corpus, the topics and their trends, and the findings at a glance."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from corpus.summary import CorpusOverview
from nlp.report.charts import figure_svg, heatmap, small_multiples, stacked_areas, stacked_bars
from nlp.report.prose import plain_words
from nlp.topics.runs import TopicsOverview
from nlp.report.render import Section, _fmt, esc, figure, table


def corpus_section(overview: CorpusOverview) -> Section:
    """Articles by outlet, tendency and year, with where the labels come from."""
    tendencies = overview.tendencies
    by_year_tendency = overview.by_year_tendency
    years = list(by_year_tendency)
    outlets = overview.outlets
    outlet_names = [o.name for o in outlets]

    fig_years = stacked_bars(years, {t: [by_year_tendency[y].get(t, 0) for y in years] for t in tendencies},
                             "Articles per year, by resolved tendency")
    fig_outlets = stacked_bars(outlet_names, {t: [o.tendencies.get(t, 0) for o in outlets] for t in tendencies},
                               "Articles per outlet, by resolved tendency", horizontal=True)
    cards = "".join(
        f'<div class="card"><b>{esc(_fmt(v))}</b><span>{esc(k)}</span></div>'
        for k, v in (("articles", overview.articles), ("words", overview.words), ("outlets", len(outlets)),
                     ("years", len([y for y in years if y != "undated"])))
    )
    rows = []
    for o in outlets:
        default = (o.default_tendency + (" (contested)" if o.contested else "")) if o.default_tendency else "none"
        rows.append((o.display_name, default, o.articles, o.first or "", o.last or "",
                     ", ".join(f"{t} {n}" for t, n in sorted(o.tendencies.items(), key=lambda kv: -kv[1]))))
    levels = overview.label_levels
    level_text = ", ".join(f"{n} by {lvl} label" if lvl != "none" else f"{n} unlabelled" for lvl, n in levels.items())
    latest = [(r["date"], r["title"] or "(untitled)", "; ".join(r["authors"]), r["outlet"], r["tendency"])
              for r in overview.latest]
    html_ = (
        f'<div class="cards">{cards}</div>'
        + f"<p>How each article's tendency was decided (most specific first: article, author, outlet): {esc(level_text)}. "
          "An outlet is not a faction: where most labels come from outlet defaults, differences between tendencies "
          "are partly differences between outlets.</p>"
        + figure(figure_svg(fig_years), "Stacked by the tendency each article resolves to.")
        + figure(figure_svg(fig_outlets), "Outlets whose default is 'mixed' publish several tendencies; their "
                                          "authors' labels decide.")
        + table(["outlet", "default tendency", "articles", "first", "last", "resolved tendencies"], rows, numeric=(2,))
        + "<h3>The latest articles</h3>"
        + table(["date", "title", "authors", "outlet", "tendency"], latest)
    )
    data = {
        "corpus_by_year_tendency": [{"year": y, "tendency": t, "articles": n}
                                    for y in years for t, n in by_year_tendency[y].items()],
        "corpus_by_outlet_tendency": [{"outlet": o.name, "tendency": t, "articles": n}
                                      for o in outlets for t, n in o.tendencies.items()],
    }
    return Section("corpus", "The corpus at a glance", html_, data)


def method_section(notes: Mapping[str, str]) -> Section:
    items = "".join(f"<li><b>{esc(k)}</b>: {esc(v)}</li>" for k, v in notes.items())
    return Section("method", "Method", f"<ul>{items}</ul>")



def topics_section(overview: TopicsOverview, sweep: dict[str, Any] | None = None) -> Section:
    """The topics: label, top terms, share of the corpus, coherence and example headlines."""
    run = overview.run
    rows, data = [], []
    for t in overview.topics:
        examples = [f"{e['title'] or '(untitled)'} ({e['outlet']}, {e['year'] or 'undated'})" for e in t.examples]
        rows.append((t.id, t.label, ", ".join(t.terms[:10]), f"{t.share:.0%}", examples))
        data.append({"topic": t.id, "label": t.label, "terms": " ".join(t.terms), "share": round(t.share, 4),
                     "examples": " | ".join(examples)})
    body = "".join(
        f"<tr><td class=\"num\" data-label=\"topic\">{tid}</td><td data-label=\"\"><b>{esc(label)}</b>"
        f"<div class=\"terms\">{esc(terms)}</div></td><td class=\"num\" data-label=\"share\">{esc(share)}</td>"
        f"<td data-label=\"headlines\">{'<br>'.join(esc(e) for e in examples)}</td></tr>"
        for tid, label, terms, share, examples in rows)
    c_v, npmi = run.coherence_c_v, run.coherence_npmi
    html_ = (
        f"<p class=\"lead\">{run.k} topics found by an LDA topic model (gensim, seed {esc(str(run.manifest.get('seed')))}) "
        f"over {run.manifest.get('n_docs', '?')} articles. Each topic is named by its most exclusive frequent words "
        "(FREX); the share is the topic's average weight across articles; the headlines are the articles most about it."
        + (f" Coherence: c_v {c_v:.2f}, NPMI {npmi:.2f} (higher is more interpretable)." if c_v is not None and npmi is not None else "")
        + "</p>"
        '<div class="table-wrap"><table class="stack"><thead><tr><th class="num">#</th><th>topic and top terms</th>'
        f'<th class="num">share</th><th>example headlines</th></tr></thead><tbody>{body}</tbody></table></div>'
    )
    if sweep:
        ks = [r["k"] for r in sweep["rows"]]
        html_ += ("<p>The number of topics was chosen by coherence (c_v) among K = "
                  f"{esc(', '.join(map(str, ks)))}: K = {sweep['best_k']} scored best.</p>")
    return Section("topics", "The topics", html_, {"topics": data})



def trends_section(prevalence: Mapping[str, list[dict[str, Any]]], top: int = 9, min_group_share: float = 0.05
                   ) -> Section:
    """Topic prevalence over time: by tendency, one panel per topic (a line per tendency); by outlet, one
    panel per outlet (its topics stacked, summing to 1), and a heatmap of each outlet's topic mix."""

    html_, data = "", {}
    first = next((rows for rows in prevalence.values() if rows), [])
    overall: dict[str, float] = {}
    for r in first:
        overall[r["label"]] = overall.get(r["label"], 0.0) + r["share"] * r["n_docs"]
    keep = [label for label, _ in sorted(overall.items(), key=lambda kv: -kv[1])[:top]]
    notes = []
    for by, rows in prevalence.items():
        if not rows:
            continue
        data[f"topic_trends_by_{by}"] = rows
        docs: dict[str, int] = {}
        seen: set[tuple[str, str]] = set()
        for r in rows:
            if (r["period"], r["group"]) not in seen:
                seen.add((r["period"], r["group"]))
                docs[r["group"]] = docs.get(r["group"], 0) + r["n_docs"]
        total = sum(docs.values())
        groups = [g for g in sorted(docs, key=lambda g: -docs[g]) if docs[g] >= min_group_share * total]
        small = sorted(set(docs) - set(groups))
        if small:
            notes.append(f"Left out of the {by} charts for resting on under {min_group_share:.0%} of the articles: "
                         + ", ".join(f"{g} ({docs[g]})" for g in small) + ". Their figures are in the CSV.")
        if by == "outlet":
            panels_o = {g: {} for g in groups}
            for r in rows:
                if r["group"] in panels_o:
                    panels_o[r["group"]].setdefault(r["label"], []).append((r["period"], r["share"]))
            html_ += figure(figure_svg(stacked_areas(panels_o, "Each outlet's topic mix over time")),
                            "Each panel is an outlet; its topics are stacked and fill the whole height (shares sum to 1).")
            weights: dict[tuple[str, str], list[float]] = {}
            for r in rows:
                w = weights.setdefault((r["group"], r["label"]), [0.0, 0.0])
                w[0] += r["share"] * r["n_docs"]
                w[1] += r["n_docs"]
            values = [[weights.get((g, t), [0, 1])[0] / max(weights.get((g, t), [0, 1])[1], 1) for t in keep]
                      for g in groups]
            html_ += figure(figure_svg(heatmap(groups, keep, values, "Topic share by outlet, all years")),
                            "Each row is an outlet: the share of its writing each topic takes.")
            continue
        panels: dict[str, dict[str, list[tuple[str, float, int]]]] = {label: {} for label in keep}
        for r in rows:
            if r["label"] in panels and r["group"] in groups:
                panels[r["label"]].setdefault(r["group"], []).append((r["period"], r["share"], r["n_docs"]))
        html_ += figure(figure_svg(small_multiples(panels, f"Topic share by {by}, over time")),
                        f"Each panel is a topic, each line a{'n' if by[0] in 'aeiou' else ''} {by}. "
                        "Hollow points rest on fewer than three articles: read them with care.")
    intro = ("<p class=\"lead\">How much of each tendency's (and each outlet's) writing each topic takes, period by "
             f"period. The {len(keep)} largest topics are shown; every topic's figures are in data/topic_trends_*.csv, "
             "with the number of articles behind each point.</p>")
    html_ += "".join(f"<p>{esc(n)}</p>" for n in notes)
    return Section("trends", "Topic trends over time", intro + html_, data)



def topic_shifts(rows: Sequence[Mapping[str, Any]], recent: int = 2) -> dict[str, tuple[str, float, int]]:
    """For each group, the topic whose share grew most in the last ``recent`` periods against before.

    Shares are weighted by the number of articles behind each cell. Returns ``{group: (label, change,
    recent_articles)}``, the change in percentage points; groups with no earlier or no recent articles are
    left out.
    """
    periods = sorted({r["period"] for r in rows})
    if len(periods) <= recent:
        return {}
    late = set(periods[-recent:])
    sums: dict[tuple[str, str, bool], list[float]] = {}
    for r in rows:
        acc = sums.setdefault((r["group"], r["label"], r["period"] in late), [0.0, 0.0])
        acc[0] += r["share"] * r["n_docs"]
        acc[1] += r["n_docs"]
    recent_docs = {(r["group"], r["period"]): r["n_docs"] for r in rows if r["period"] in late}
    out: dict[str, tuple[str, float, int]] = {}
    for group in sorted({r["group"] for r in rows}):
        best = None
        for label in sorted({r["label"] for r in rows}):
            before, after = sums.get((group, label, False)), sums.get((group, label, True))
            if not before or not after or not before[1] or not after[1]:
                continue
            change = 100 * (after[0] / after[1] - before[0] / before[1])
            if best is None or change > best[1]:
                best = (label, change, sum(n for (g, _), n in recent_docs.items() if g == group))
        if best:
            out[group] = best
    return out



def findings_section(results: Mapping[str, Any]) -> Section | None:
    """Plain sentences from the analyses that ran: what each tendency writes most distinctively, which
    topic rose most recently in each, and whether a classifier can tell them apart."""
    items: list[str] = []
    tendencies = results.get("tendencies") or {}
    for r in sorted(tendencies.get("against_rest", []), key=lambda r: (r.a != "soft_left", r.a)):
        words = ", ".join(t.term.replace("_", " ") for t in r.terms_a[:6])
        if words:
            items.append(f"Compared with everyone else, the {r.a.replace('_', ' ')} writes most distinctively "
                         f"about: {words} ({r.docs_a} articles).")
    by_tendency = (results.get("prevalence") or {}).get("tendency") or []
    periods = sorted({r["period"] for r in by_tendency})
    shifts = topic_shifts(by_tendency)
    for group in sorted(shifts, key=lambda g: (g != "soft_left", g)):
        label, change, n = shifts[group]
        if group in ("mixed", "unlabelled") or change < 1:
            continue
        items.append(f"In {periods[-2]}–{periods[-1]}, the topic that grew most in {group.replace('_', ' ')} writing "
                     f"is \u201c{label}\u201d: +{change:.0f} points of its writing against earlier years "
                     f"({n} articles in those years).")
    evaluation = tendencies.get("evaluation") or {}
    if evaluation:

        e = evaluation.get("author") or next(iter(evaluation.values()))
        items.append(plain_words(e))
    if not items:
        return None
    html_ = ("<p class=\"lead\">The main results in a few sentences; the sections below show the evidence and "
             "how much each point rests on.</p><ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")
    return Section("findings", "Findings at a glance", html_)

