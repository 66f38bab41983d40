"""The report's "What the contested words mean": per tendency, each contested word's nearest words, and a
plain sentence only where two tendencies' uses differ, over the right units, with enough support."""
from __future__ import annotations

from typing import Any, Sequence

from nlp.report.render import Section, Table
from nlp.report.styles import Styles, listing

#: A difference is stated only below this p (permutation test over articles, or over outlets where each
#: tendency comes from outlets of its own).
ALPHA = 0.05
#: The section states at most this many differences, the clearest (smallest p) first.
MAX_SENTENCES = 6


def _words(items: Sequence[Any], n: int = 6) -> str:
    return ", ".join(str(x.get("term", x) if isinstance(x, dict) else x).replace("_", " ") for x in items[:n])


def _shuffled(c: Any) -> str:
    """What the comparison's permutation test moved between the tendencies (nlp.meaning.units)."""
    unit = getattr(c, "unit", "document")
    if unit == "outlet":
        return f"whole outlets ({c.n_units_a} and {c.n_units_b})"
    return "the articles within each outlet" if unit == "document within outlet" else "the articles"


def meaning_section(results: Sequence[Any], styles: Styles | None = None, skipped: dict[str, str] | None = None
                    ) -> Section:
    styles = styles or Styles.default()
    sentences, rows, data, thin = [], [], [], []
    for r in results:
        by_group = {g.group: g for g in r.groups}
        few = []
        for g in r.groups:
            if g.supported and styles.is_named(g.group):
                rows.append((r.term, styles.name(g.group), g.n_documents, g.n_occurrences, _words(g.neighbours),
                             _words(g.distinctive)))
            else:  # one line per word for the groups with too few articles (or not named), however many
                few.append(g)
            data.append({"term": r.term, "group": g.group, "n_documents": g.n_documents,
                         "n_occurrences": g.n_occurrences, "supported": g.supported,
                         "neighbours": _words(g.neighbours, 10), "distinctive": _words(g.distinctive, 10)})
        if few:
            thin.append((r.term, sorted(few, key=lambda g: (-g.n_documents, styles.name(g.group)))))
        for c in r.comparisons:
            if c.p < ALPHA and c.a in by_group and c.b in by_group:
                a, b = by_group[c.a], by_group[c.b]
                sentences.append((c.p, len(sentences), (
                    f"{styles.name(c.a)} and {styles.name(c.b)} writers use \u201c{r.term}\u201d differently "
                    f"({c.n_documents_a} and {c.n_documents_b} articles; a difference this large came up in "
                    f"{c.p:.1%} of random reshufflings of {_shuffled(c)}): for the {styles.name(c.a)} it sits near "
                    f"{_words(a.distinctive or a.neighbours, 5)}; for the {styles.name(c.b)} near "
                    f"{_words(b.distinctive or b.neighbours, 5)}.")))
    table = Table(["word", "tendency", "articles", "uses", "nearest words", "closer to this tendency's use"], rows,
                  numeric=(2, 3))
    ranked = [text for _, _, text in sorted(sentences)]  # the clearest differences first
    thin_line = ""
    if len(thin) == 1:
        term, few = thin[0]
        thin_line = (f"Too few articles to place \u201c{term}\u201d in {len(few)} group{'s' if len(few) > 1 else ''}: "
                     + listing(f"{styles.name(g.group)} ({g.n_documents})" for g in few) + ".")
    elif thin:  # one line however many words and groups: the counts are in the CSV
        thin_line = ("Too few articles to place the word in some groups: " + ", ".join(
            f"\u201c{term}\u201d in {len(few)}" for term, few in thin) + " (every group's articles are in "
            "data/meaning.csv).")
    context = {"sentences": ranked[:MAX_SENTENCES], "more": len(ranked) - len(ranked[:MAX_SENTENCES]),
               "table": table, "terms": [r.term for r in results], "thin": thin_line,
               "skipped": skipped or {}}
    return Section("meaning", "What the contested words mean", "meaning.html", context, {"meaning": data})
