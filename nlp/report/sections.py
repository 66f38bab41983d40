"""The report's sections for the corpus, the topics and their trends, and the findings at a glance.

Each function turns plain result objects into a :class:`~nlp.report.render.Section`: data for its template
in ``templates/sections/``. Tendencies are shown by the display names, colours and order of ``styles``
(from the label set; the shipped defaults when not given).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

from corpus.summary import CorpusOverview
from nlp.design import FEW_OUTLETS
from nlp.report.charts import figure_svg, heatmap, small_multiples, stacked_areas, stacked_bars
from nlp.topics.names import words
from nlp.report.prose import plain_words
from nlp.report.render import Figure, Link, Section, Table, display_date, display_title
from nlp.report.styles import Styles, listing
from nlp.topics.runs import TopicsOverview
from nlp.defaults import MIN_SUPPORT

if TYPE_CHECKING:
    from nlp.tendencies.evaluation import EvaluationResult
    from nlp.topics.trends import NowAgainstBefore


def corpus_section(overview: CorpusOverview, styles: Styles | None = None) -> Section:
    """Articles by outlet, tendency and year, with where the labels come from."""
    styles = styles or Styles.default()
    tendencies = styles.fold(overview.tendencies)  # the named groups, then "other" for the rest
    by_year_tendency = overview.by_year_tendency
    years = list(by_year_tendency)
    outlets = overview.outlets
    outlet_names = [o.display_name for o in outlets]
    colours = styles.legend(tendencies)
    per_year = {y: styles.fold_values(by_year_tendency[y]) for y in years}
    per_outlet = [styles.fold_values(o.tendencies) for o in outlets]

    fig_years = stacked_bars(years, {styles.name(t): [per_year[y].get(t, 0) for y in years] for t in tendencies},
                             "Articles per year, by resolved tendency", colours=colours)
    fig_outlets = stacked_bars(outlet_names, {styles.name(t): [o.get(t, 0) for o in per_outlet] for t in tendencies},
                               "Articles per outlet, by resolved tendency", horizontal=True,
                               colours=colours) if len(outlets) > 1 else None
    year_rows = [{"year": y, "tendency": t, "articles": n} for y in years for t, n in by_year_tendency[y].items()]
    outlet_rows = [{"outlet": o.name, "tendency": t, "articles": n} for o in outlets for t, n in o.tendencies.items()]
    sizes: dict[str, int] = {}
    for o in outlets:
        for t, n in o.tendencies.items():
            sizes[t] = sizes.get(t, 0) + n
    dated = {y: sum(by_year_tendency[y].values()) for y in years if y != "undated"}
    busiest = max(dated, key=dated.get) if dated else None
    year_finding = (f"The articles run from {min(dated)} to {max(dated)}; {busiest} has the most ({dated[busiest]:,})."
                    if busiest else "No article has a date.")
    outlet_finding = (f"{outlets[0].display_name} publishes the most articles here ({outlets[0].articles:,} of "
                      f"{overview.articles:,})." if outlets else "")
    cards = [(overview.articles, "articles"), (overview.words, "words"), (len(outlets), "outlets"),
             (len([y for y in years if y != "undated"]), "years")]
    rows = []
    for o in outlets:
        default = ((styles.name(o.default_tendency) + (" (contested)" if o.contested else ""))
                   if o.default_tendency else "none")
        resolved = sorted(o.tendencies.items(), key=lambda kv: -kv[1])
        rows.append((o.display_name, default, o.articles, o.first or "", o.last or "",
                     listing(f"{styles.name(t)} {n}" for t, n in resolved)))
    levels = overview.label_levels
    level_text = ", ".join(f"{n} by {lvl} label" if lvl != "none" else f"{n} unlabelled" for lvl, n in levels.items())
    latest = [(display_date(r["date"], r.get("date_precision")),
               Link(display_title(r["title"], r.get("first_words"), r["id"]), r.get("url") or ""),
               "; ".join(r["authors"]), styles.outlet_name(r["outlet"]), styles.name(r["tendency"]))
              for r in overview.latest]
    folded = styles.folded(overview.tendencies)
    context = {
        "cards": cards,
        "level_text": level_text,
        "folded": (f"The charts count {len(folded)} smaller groups together as \u201cother\u201d: "
                   + listing(f"{styles.name(t)} ({sizes.get(t, 0)})" for t in folded) + ".") if folded else "",
        "by_year": Figure(figure_svg(fig_years), "Stacked by the tendency each article resolves to.", year_finding,
                          year_rows, "corpus_by_year_tendency"),
        "by_outlet": Figure(figure_svg(fig_outlets), "Outlets whose default is 'mixed' publish several tendencies; "
                                                     "their authors' labels decide.", outlet_finding, outlet_rows,
                            "corpus_by_outlet_tendency") if len(outlets) > 1 else None,
        "outlets": Table(["outlet", "default tendency", "articles", "first", "last", "resolved tendencies"], rows,
                         numeric=(2,)),
        "latest": Table(["date", "title", "authors", "outlet", "tendency"], latest),
    }
    data = {"corpus_by_year_tendency": year_rows, "corpus_by_outlet_tendency": outlet_rows}
    return Section("corpus", "The corpus at a glance", "corpus.html", context, data)


def method_section(notes: Mapping[str, str]) -> Section:
    """How each analysis was done, one line per analysis."""
    return Section("method", "Method", "method.html", {"notes": list(notes.items())})


def topics_section(overview: TopicsOverview, sweep: dict[str, Any] | None = None,
                   examples: Callable[[Any], list[dict[str, Any]]] | None = None,
                   styles: Styles | None = None) -> Section:
    """The topics: name, top terms (as words), share of the selection, example headlines (linked to the
    articles) and, on opening, example sentences (``examples(topic)``)."""
    styles = styles or Styles.default()
    run = overview.run
    topics, data = [], []
    for t in overview.topics:
        heads = [{"article": Link(display_title(e["title"], None, e["id"]), e.get("url") or ""),
                  "outlet": styles.outlet_name(e["outlet"]),
                  "year": e["year"] or "undated"} for e in t.examples]
        topics.append({"id": t.id, "label": t.label, "terms": ", ".join(words(x) for x in t.terms[:10]),
                       "share": f"{t.share:.0%}", "headlines": heads,
                       "examples": examples(t) if examples else [], "era": t.era,
                       "stability": None if t.stability is None else f"{t.stability:.2f}"})
        data.append({"topic": t.id, "label": t.label, "terms": " ".join(t.terms), "share": round(t.share, 4),
                     "stability": t.stability, "era": t.era, "examples": " | ".join(f"{h['article'].text} ({h['outlet']}, {h['year']})" for h in heads)})
    c_v, npmi = run.coherence_c_v, run.coherence_npmi
    context = {
        "k": run.k, "seed": str(run.manifest.get("seed")), "n_docs": run.manifest.get("n_docs", "?"),
        "coherence": {"c_v": c_v, "npmi": npmi} if c_v is not None and npmi is not None else None,
        "topics": topics,
        "sweep": {"ks": [r["k"] for r in sweep["rows"]], "best_k": sweep["best_k"]} if sweep else None,
    }
    return Section("topics", "The topics", "topics.html", context, {"topics": data})


def trends_section(prevalence: Mapping[str, list[dict[str, Any]]], top: int = 9, min_group_share: float = 0.05,
                   styles: Styles | None = None) -> Section:
    """Topic prevalence over time: by tendency, one panel per topic (a line per tendency); by outlet, one
    panel per outlet (its topics stacked, summing to 1), and a heatmap of each outlet's topic mix."""
    styles = styles or Styles.default()
    figures, data = [], {}
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
        shown = styles.name if by == "tendency" else styles.outlet_name
        docs: dict[str, int] = {}
        seen: set[tuple[str, str]] = set()
        for r in rows:
            if (r["period"], r["group"]) not in seen:
                seen.add((r["period"], r["group"]))
                docs[r["group"]] = docs.get(r["group"], 0) + r["n_docs"]
        total = sum(docs.values())
        groups = [g for g in sorted(docs, key=lambda g: -docs[g]) if docs[g] >= min_group_share * total
                  and (by != "tendency" or styles.is_named(g))]
        small = sorted(set(docs) - set(groups), key=lambda g: (-docs[g], g))
        if small:
            notes.append(f"Left out of the {by} charts for resting on under {min_group_share:.0%} of the articles"
                         + (" (or not among the groups the report names)" if by == "tendency" else "") + ": "
                         + listing(f"{shown(g)} ({docs[g]})" for g in small) + ". Their figures are in the CSV.")
        if by == "outlet" and len(docs) < 2:  # one outlet: its topic mix is the corpus' own
            continue
        if by == "outlet":
            panels_o = {g: {} for g in groups}
            for r in rows:
                if r["group"] in panels_o:
                    panels_o[r["group"]].setdefault(r["label"], []).append((r["period"], r["share"]))
            panels_o = {shown(g): v for g, v in panels_o.items()}
            figures.append(Figure(figure_svg(stacked_areas(panels_o, "Each outlet's topic mix over time")),
                                  "Each panel is an outlet; its topics are stacked and fill the whole height "
                                  "(shares sum to 1).", _largest_finding(rows, groups, "outlet"),
                                  [r for r in rows if r["group"] in groups], "topic_mix_by_outlet"))
            weights: dict[tuple[str, str], list[float]] = {}
            for r in rows:
                w = weights.setdefault((r["group"], r["label"]), [0.0, 0.0])
                w[0] += r["share"] * r["n_docs"]
                w[1] += r["n_docs"]
            values = [[weights.get((g, t), [0, 1])[0] / max(weights.get((g, t), [0, 1])[1], 1) for t in keep]
                      for g in groups]
            groups_shown = [shown(g) for g in groups]
            cells = [{"outlet": g, "topic": t, "share": round(v, 4)} for g, row in zip(groups_shown, values)
                     for t, v in zip(keep, row)]
            top_cell = max(cells, key=lambda c: c["share"]) if cells else None
            figures.append(Figure(figure_svg(heatmap(groups_shown, keep, values, "Topic share by outlet, all years")),
                                  "Each row is an outlet: the share of its writing each topic takes.",
                                  (f"The strongest pairing: \u201c{top_cell['topic']}\u201d takes {top_cell['share']:.0%} "
                                   f"of {top_cell['outlet']}'s writing.") if top_cell else "", cells,
                                  "topic_share_by_outlet"))
            continue
        panels: dict[str, dict[str, list[tuple[str, float, int]]]] = {label: {} for label in keep}
        for r in rows:
            if r["label"] in panels and r["group"] in groups:
                panels[r["label"]].setdefault(shown(r["group"]), []).append(
                    (r["period"], r["share"], r["n_docs"], r.get("lo"), r.get("hi")))
        colours = styles.legend(groups) if by == "tendency" else None
        figures.append(Figure(figure_svg(small_multiples(panels, f"Topic share by {by}, over time", colours=colours)),
                              f"Each panel is a topic; the dots are each {by}'s share in a period, the line their "
                              "rolling mean over three periods, the shaded band the 95% interval. Hollow points "
                              "rest on fewer than three articles: read them with care. All panels share one scale.",
                              _largest_finding(rows, groups, by, shown), [r for r in rows if r["label"] in keep],
                              f"topic_trends_by_{by}"))
    context = {"shown": len(keep), "figures": figures, "notes": notes}
    return Section("trends", "Topic trends over time", "trends.html", context, data)


def effect_sentences(effects: Any, styles: Styles, min_support: int = MIN_SUPPORT, per_pair: int = 2) -> list[str]:
    """What each tendency writes about more than another, adjusted for the year of writing: the largest
    effects whose 95% interval excludes zero, with the articles on each side (none below ``min_support``)."""
    return [text for _, text in effect_findings(effects, styles, min_support, per_pair)]


def effect_findings(effects: Any, styles: Styles, min_support: int = MIN_SUPPORT, per_pair: int = 2
                    ) -> list[tuple[float, str]]:
    """:func:`effect_sentences` with each one's strength (the effect over its interval's half-width)."""
    out = []
    skip = ("mixed", "unlabelled", "(other)")
    pairs = sorted({(c.group, c.versus) for c in effects.contrasts if c.group not in skip and c.versus not in skip},
                   key=lambda p: (p[0] != "soft_left" and p[1] != "soft_left", p))
    levels = effects.levels
    for group, versus in pairs:
        if levels.get(group, 0) < min_support or levels.get(versus, 0) < min_support:
            continue
        real = sorted((c for c in effects.contrasts if c.group == group and c.versus == versus and c.excludes_zero),
                      key=lambda c: -abs(c.effect))[:per_pair]
        for c in real:
            more, less = (group, versus) if c.effect > 0 else (versus, group)
            lo, hi = sorted((abs(c.lo), abs(c.hi)))
            strength = abs(c.effect) / ((c.hi - c.lo) / 3.92) if c.hi > c.lo else abs(c.effect) * 1e6
            out.append((strength, f"Taking the year of writing into account, {styles.name(more)} writing gives more "
                       f"room than {styles.name(less)} writing to \u201c{c.label}\u201d: {abs(c.effect) * 100:.0f} points more "
                       f"of its writing (between {lo * 100:.0f} and {hi * 100:.0f}; {levels[group]} and "
                       f"{levels[versus]} articles)."))
    return out


def _largest_finding(rows: list[dict[str, Any]], groups: list[str], by: str, shown: Any = str) -> str:
    """One line: the topic that takes the largest share of each shown group's writing overall (at most three)."""
    weights: dict[tuple[str, str], float] = {}
    for r in rows:
        if r["group"] in groups:
            weights[(r["group"], r["label"])] = weights.get((r["group"], r["label"]), 0.0) + r["share"] * r["n_docs"]
    parts = []
    for g in groups[:3]:
        mine = {label: w for (group, label), w in weights.items() if group == g}
        total = sum(mine.values())
        if total:
            label = max(mine, key=mine.get)
            parts.append(f"\u201c{label}\u201d in {shown(g)} ({mine[label] / total:.0%})")
    return ("The largest topic overall: " + "; ".join(parts) + ".") if parts else ""


#: "Findings at a glance" lists at most this many findings, strongest first.
MAX_FINDINGS = 10


def findings_section(results: Mapping[str, Any], styles: Styles | None = None,
                     min_support: int = MIN_SUPPORT, limit: int = MAX_FINDINGS) -> Section | None:
    """Plain sentences from the analyses that ran: what each tendency writes most distinctively, what moved
    lately, which topic rose most recently in each, and whether a classifier can tell them apart.

    Only findings are listed — at most ``limit``, strongest first (each scored by its estimate against its
    uncertainty: :func:`finding_strength`) — and one last line says what could not be said and why, however
    many groups that is. No statistic is named here (the method note explains them)."""
    styles = styles or Styles.default()
    found: list[tuple[float, str]] = []
    unsaid: dict[str, list[str]] = {}
    tendencies = results.get("tendencies")
    rest = tendencies.against_rest if tendencies is not None else []
    for r in sorted(rest, key=lambda r: (r.a != "soft_left", r.a)):
        words = ", ".join(t.term.replace("_", " ") for t in r.terms_a[:6])
        if words and r.docs_a >= min_support:
            found.append((_mean_z(r.terms_a[:3]),
                          f"{styles.name(r.a)} writing, compared with everyone else's, is most distinctive in its "
                          f"use of: {words} ({_support(r)})."))
    if results.get("effects") is not None:
        effects = effect_findings(results["effects"], styles, min_support=min_support)
        found.extend(effects)
        if effects and (getattr(results["effects"], "design", None) or {}).get("unit") == "outlet":
            # said with the strongest of them, so it is listed beside them
            found.append((max(s for s, _ in effects), "Each tendency here comes from outlets of its own, so these "
                          "differences in topics may be the outlets' house agendas as much as the tendencies'."))
    found.extend(_now_findings(results.get("now"), styles))
    by_tendency = (results.get("prevalence") or {}).get("tendency") or []
    periods = sorted({r["period"] for r in by_tendency})
    shifts = results.get("shifts") or {}
    for group in sorted(shifts, key=lambda g: (g != "soft_left", g)):
        shift = shifts[group]
        if group in ("mixed", "unlabelled") or shift["change"] < 1:
            continue
        if not shift.get("rise"):  # within the uncertainty: not a finding
            unsaid.setdefault(f"whether a topic grew in {periods[-2]}–{periods[-1]} (no change beyond the "
                              "uncertainty of the estimates)", []).append(styles.name(group))
            continue
        lo_b, hi_b = shift["interval_before"]
        lo_a, hi_a = shift["interval_after"]
        found.append((finding_strength(shift["after"] - shift["before"], (lo_a, hi_a), (lo_b, hi_b)),
                      f"In {periods[-2]}–{periods[-1]}, the topic that grew most in {styles.name(group)} writing "
                      f"is \u201c{shift['label']}\u201d: {shift['after']:.0%} of its writing ({lo_a:.0%}–{hi_a:.0%}, "
                      f"{shift['n_after']} articles) against {shift['before']:.0%} earlier ({lo_b:.0%}–{hi_b:.0%}, "
                      f"{shift['n_before']} articles)."))
    withheld = results.get("shifts_withheld") or {}
    if withheld:
        unsaid.setdefault(f"what changed lately (fewer than {min_support} articles in the last periods or before)",
                          []).extend(styles.name(g) for g in sorted(withheld, key=lambda g: (g != "soft_left", g)))
    evaluation = tendencies.evaluation if tendencies is not None else {}
    if evaluation:
        # the score of the unit: outlet folds where each tendency is a property of its outlets
        e = evaluation.get(tendencies.headline or "author") or next(iter(evaluation.values()))
        found.append((_classifier_strength(e), plain_words(e, technical=False)))
    if not found and not unsaid:
        return None
    found.sort(key=lambda f: -f[0])
    items = [text for _, text in found[:limit]]
    more = len(found) - len(items)
    context = {"items": items, "more": more, "unsaid": _unsaid_line(unsaid)}
    return Section("findings", "Findings at a glance", "findings.html", context)



def _support(r: Any) -> str:
    """A contrast's support in words: its articles, and how they were compared where that matters."""
    design = r.design or {}
    if design.get("within") == "outlet":
        return (f"{r.docs_a} articles, each compared with other writers on the same outlet "
                f"({', '.join(s['outlet'] for s in design['strata'])})")
    n = design.get("n_outlets_a")
    if design.get("unit") != "outlet" or not n:
        return f"{r.docs_a} articles"
    few = n < FEW_OUTLETS
    return (f"{r.docs_a} articles from {n} outlet{'s' * (n != 1)}"
            + ("; with so few outlets, these may be their house style as much as the tendency's" if few else ""))


def finding_strength(change: float, after: tuple[float, float], before: tuple[float, float]) -> float:
    """How strong a change is: its size over the 95 % intervals' half-widths (roughly a z-score), so that
    findings of different kinds can be listed strongest first."""
    spread = ((after[1] - after[0]) + (before[1] - before[0])) / 2 / 1.96
    return abs(change) / spread if spread > 0 else abs(change) * 1e6


def _mean_z(terms: Any) -> float:
    zs = [abs(t.z) for t in terms]
    return sum(zs) / len(zs) if zs else 0.0


def _classifier_strength(e: EvaluationResult) -> float:
    """The classifier's margin over the majority baseline against its interval (0 without one)."""
    lo, hi = e.macro_f1_lo, e.macro_f1_hi
    gain = e.macro_f1 - e.baseline["macro_f1"]
    return gain / ((hi - lo) / 3.92) if lo is not None and hi is not None and hi > lo else max(gain, 0.0)


def _now_findings(now: NowAgainstBefore | None, styles: Styles) -> list[tuple[float, str]]:
    """The strongest supported move of each tendency's writing in "now against before" (a topic or a word)."""
    from nlp.report.now_section import WINDOW_WORDS

    if not now:
        return []
    span = WINDOW_WORDS.get(now.recent, now.recent)
    out = []
    for t, entry in now.tendencies.items():
        moves = []
        for row in entry.topics:
            strength = finding_strength(row.now - row.before, row.now_interval, row.before_interval)
            verb = "took more" if row.direction == "rise" else "took less"
            moves.append((strength, f"the topic \u201c{row.label}\u201d {verb} of it: {row.now:.0%} against "
                                    f"{row.before:.0%} in the year before"))
        for row in entry.terms:
            strength = finding_strength(row.now - row.before, row.now_interval, row.before_interval)
            verb = "more often" if row.direction == "rise" else "less often"
            moves.append((strength, f"\u201c{words(row.term)}\u201d came up {verb}: {row.now:.1f} times per "
                                    f"10,000 words (in {row.docs_now} articles) against {row.before:.1f} "
                                    f"(in {row.docs_before})"))
        if moves:
            strength, text = max(moves, key=lambda m: m[0])
            who = "these articles" if t == "all" else f"{styles.name(t)} writing"
            out.append((strength, f"In the last {span} of {who} ({entry.n_now} articles, against "
                                  f"{entry.n_before} in the year before), {text}."))
    return out


def _unsaid_line(unsaid: Mapping[str, list[str]]) -> str:
    """One line for everything the analyses could not say, whatever the number of groups."""
    parts = [f"{what} for {listing(names, 8)}" if len(names) <= 8 else
             f"{what} for {len(names)} groups ({listing(names, 8)})" for what, names in unsaid.items() if names]
    return ("Not enough evidence to say " + "; nor ".join(parts) + ".") if parts else ""


def since_section(rows: list[dict[str, Any]], last: str | None, first: bool = False,
                  styles: Styles | None = None) -> Section:
    """The articles new since the last report (rows with ``date``, ``title``, ``url``, ``authors``, ``outlet``,
    ``tendency``), each headline linked to the article's own address."""
    styles = styles or Styles.default()
    table = Table(["date", "title", "authors", "outlet", "tendency"],
                  [(r["date"], Link(r["title"], r["url"]), r["authors"], r["outlet"], styles.name(r["tendency"]))
                   for r in rows])
    context = {"last": last, "first": first, "n": len(rows), "table": table}
    return Section("since", "Since the last report", "since.html", context,
                   {"since_last_report": [{k: r[k] for k in ("id", "date", "title", "url", "outlet", "authors",
                                                            "tendency")} for r in rows]})


def watch_section(rows: list[dict[str, Any]], styles: Styles | None = None, few: int = 3) -> Section:
    """The editor's watched words over time: one panel per word, one line per tendency (uses per 10,000 words)."""
    styles = styles or Styles.default()
    groups = [g for g in styles.ordered({r["group"] for r in rows}) if g not in ("mixed", "unlabelled")]
    panels: dict[str, dict[str, list[tuple]]] = {}
    for r in rows:
        if r["group"] in groups:
            panels.setdefault(r["term"], {}).setdefault(styles.name(r["group"]), []).append(
                (r["period"], r["per_10k"], r["n_docs"], r.get("lo"), r.get("hi")))
    figures = []
    if panels:
        totals: dict[tuple[str, str], list[int]] = {}
        for r in rows:
            if r["group"] in groups:
                t = totals.setdefault((r["term"], r["group"]), [0, 0])
                t[0] += r["count"]
                t[1] += r["n_terms"]
        best = max(totals, key=lambda k: totals[k][0] / max(totals[k][1], 1))
        rate = 10_000 * totals[best][0] / max(totals[best][1], 1)
        finding = (f"\u201c{best[0]}\u201d is used most by the {styles.name(best[1])}: {rate:.1f} times per 10,000 "
                   "words over the whole period.")
        fig = small_multiples(panels, "Watched words: uses per 10,000 words", ylabel="per 10,000 words", few=few,
                              ncols=min(3, len(panels)), colours=styles.legend(groups), fmt="{:.1f}")
        figures.append(Figure(figure_svg(fig), "Dots: each tendency's rate in a period; line: the rolling mean over "
                              "three periods; band: the 95% interval. Hollow points rest on fewer than three articles.",
                              finding, rows, "watched_words"))
    return Section("watch", "Watched words over time", "watch.html", {"figures": figures, "words": sorted(panels)},
                   {"watched_words": rows})
