"""The report's first section: "now against before", what moved in each tendency's writing lately.

Built from :func:`nlp.topics.trends.now_against_before` and example sentences the pipeline picked
(:mod:`nlp.report.examples`). Statements are plain: a rise or fall is named only where the analysis found
the intervals apart on enough articles; otherwise the section says there is not enough evidence.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from nlp.report.charts import figure_svg, stacked_bars
from nlp.topics.names import words
from nlp.report.render import Figure, Section
from nlp.report.styles import Styles, listing

if TYPE_CHECKING:
    from nlp.topics.trends import NowAgainstBefore

WINDOW_WORDS = {"3m": "three months", "6m": "six months", "12m": "twelve months"}
#: Each tendency's block names at most this many moving topics and words (the largest moves; the rest are in
#: data/now_against_before.csv).
SHOWN_TOPICS, SHOWN_TERMS = 3, 5
#: Decimals kept in data/now_against_before.csv: topic shares, and term rates per 10,000 words.
DECIMALS = {"topic": 4, "term": 3}


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _rate(x: float) -> str:
    return f"{x:.1f}"


def now_section(result: NowAgainstBefore, styles: Styles | None = None,
                examples: Callable[[str, list[str], list[str]], list[dict[str, Any]]] | None = None,
                min_support: int = 0) -> Section:
    """The "now against before" section.

    Parameters
    ----------
    result : NowAgainstBefore
        From :func:`~nlp.topics.trends.now_against_before`.
    styles : Styles, optional
    examples : callable, optional
        ``examples(kind, ids, words)`` -> example sentences (see :func:`nlp.report.examples.example_sentences`)
        for a moving topic (kind "topic") or term (kind "term").
    min_support : int
        The articles each window needs (stated in the lead).
    """
    styles = styles or Styles.default()
    examples = examples or (lambda kind, ids, terms: [])
    span = WINDOW_WORDS.get(result.recent, result.recent)
    (now_from, now_to), (before_from, before_to) = result.windows["now"], result.windows["before"]
    blocks, data, counts, thin, unnamed = [], [], {}, [], []
    tendencies = styles.ordered(result.tendencies)
    for t in tendencies:
        entry = result.tendencies[t]
        counts[t] = (entry.n_before, entry.n_now)
        if not entry.enough:  # folded into one line, however many groups there are
            thin.append(t)
            continue
        if t != "all" and not styles.is_named(t):
            unnamed.append(t)
            continue
        block = {"key": t, "name": "All articles (none has a tendency label)" if t == "all" else styles.name(t),
                 "colour": styles.colour(t), "n_now": entry.n_now,
                 "n_before": entry.n_before, "enough": entry.enough, "reason": entry.reason,
                 "topics": [], "terms": []}
        for row in entry.topics:
            lo_n, hi_n = row.now_interval
            lo_b, hi_b = row.before_interval
            verb = "rose" if row.direction == "rise" else "fell"
            block["topics"].append({
                "name": row.label, "direction": row.direction,
                "text": (f"{verb} from {_pct(row.before)} of this writing ({_pct(lo_b)}–{_pct(hi_b)}) to "
                         f"{_pct(row.now)} ({_pct(lo_n)}–{_pct(hi_n)})"),
                "examples": examples("topic", row.ids, [row.label])})
        for row in entry.terms:
            lo_n, hi_n = row.now_interval
            lo_b, hi_b = row.before_interval
            verb = "more often" if row.direction == "rise" else "less often"
            block["terms"].append({
                "name": words(row.term), "direction": row.direction,
                "text": (f"used {verb}: {_rate(row.now)} times per 10,000 words ({_rate(lo_n)}–{_rate(hi_n)}, "
                         f"in {row.docs_now} articles) against {_rate(row.before)} ({_rate(lo_b)}–{_rate(hi_b)}, "
                         f"in {row.docs_before} articles)"),
                "examples": examples("term", row.ids, [row.term])})
        data.extend({"tendency": t, **{k: round(v, DECIMALS[move["kind"]]) if isinstance(v, float) else v
                                       for k, v in move.items()}} for move in entry.moves())
        block["more"] = max(0, len(block["topics"]) - SHOWN_TOPICS) + max(0, len(block["terms"]) - SHOWN_TERMS)
        block["topics"], block["terms"] = block["topics"][:SHOWN_TOPICS], block["terms"][:SHOWN_TERMS]
        blocks.append(block)
    windows = [f"year before ({before_from[:7]} to {before_to[:7]})", f"last {span} (to {now_to})"]
    count_rows = [{"window": w, "tendency": t, "articles": counts[t][k]} for k, w in enumerate(windows)
                  for t in tendencies]
    figure = None
    if tendencies:
        before, now = (styles.fold_values({t: counts[t][k] for t in tendencies}) for k in (0, 1))
        shown = styles.fold(tendencies)
        fig = stacked_bars(windows, {styles.name(t): [before.get(t, 0), now.get(t, 0)] for t in shown},
                           "Articles behind each window, by tendency", horizontal=True, colours=styles.legend(shown))
        total_now = sum(c[1] for c in counts.values())
        total_before = sum(c[0] for c in counts.values())
        figure = Figure(figure_svg(fig), f"Each window must hold at least {min_support} articles of a tendency before "
                        "anything is said about it.",
                        f"{total_now:,} articles in the last {span} against {total_before:,} in the year before.",
                        count_rows, "now_against_before_articles")
    stated = sum(len(b["topics"]) + len(b["terms"]) for b in blocks)
    context = {"span": span, "now_from": now_from, "now_to": now_to, "before_from": before_from,
               "before_to": before_to, "blocks": blocks, "figure": figure, "stated": stated,
               "min_support": min_support, "thin": _thin_line(result, thin, styles, span, min_support),
               "unnamed": listing(styles.name(t) for t in unnamed)}
    return Section("now", "Now against before: what changed lately", "now.html", context,
                   {"now_against_before": data, "now_against_before_articles": count_rows})


def _thin_line(result: NowAgainstBefore, thin: list[str], styles: Styles, span: str, min_support: int) -> str:
    """One line for every group whose windows hold too few articles, however many there are."""
    if not thin:
        return ""
    entries = result.tendencies
    if len(thin) == 1:
        t = thin[0]
        who = "these articles" if t == "all" else f"{styles.name(t)} writing"
        return f"Not enough evidence to say what changed in {who}: {entries[t].reason}."
    counted = sorted(thin, key=lambda t: (-(entries[t].n_now + entries[t].n_before), styles.name(t)))
    return (f"Not enough evidence to say what changed for {len(thin)} groups, each needing at least {min_support} "
            f"articles in the last {span} and in the year before (articles now, before): "
            + listing(f"{styles.name(t)} ({entries[t].n_now}, {entries[t].n_before})" for t in counted) + ".")
