"""The report from a run's results: every section in reading order, the findings at a glance, the method.

:func:`build_sections` turns the results of a run's stages (:mod:`nlp.stages`) into report sections; it
computes nothing and queries nothing. Example sentences are read through a :class:`Quotes` the caller
gives (it reads the few articles the report quotes, once each).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from nlp.report.examples import ArticleText, example_sentences
from nlp.report.render import Section
from nlp.report.styles import Styles

#: The order of the report's sections after the lead (since, now) and the findings.
ORDER = ("corpus", "topics", "trends", "watch", "positions", "meaning", "tendencies")


class Quotes:
    """Example sentences from the articles the report quotes, each article read once.

    Parameters
    ----------
    read : callable
        ``read(ids) -> iterable of corpus.Article`` (with text): the articles ``ids``.
    outlet_names : mapping
        Outlet -> display name.
    """

    def __init__(self, read: Callable[[list[str]], Iterable[Any]], outlet_names: Mapping[str, str] | None = None):
        self._read, self._names = read, dict(outlet_names or {})
        self.texts: dict[str, ArticleText] = {}

    def read(self, ids: list[str]) -> dict[str, ArticleText]:
        missing = [i for i in dict.fromkeys(ids) if i not in self.texts]
        if missing:
            for a in self._read(missing):
                self.texts[a.id] = ArticleText.from_article(a, self._names.get(a.outlet))
        return self.texts

    def examples(self, kind: str, ids: list[str], words: list[str], n: int = 3) -> list[dict[str, Any]]:
        """Sentences from the articles ``ids`` using ``words`` (a topic's name, a term)."""
        if kind == "topic":
            words = [w for name in words for w in name.split(",")]
        return example_sentences(self.read(ids), ids, words, n=n)

    def topic(self, topic: Any, n: int = 3) -> list[dict[str, Any]]:
        """Sentences for a topic summary: from its most typical articles, using its top terms."""
        ids = [e["id"] for e in topic.examples]
        return example_sentences(self.read(ids), ids, list(topic.terms[:6]), n=n, per_article=2)


def build_sections(results: Mapping[str, Any], params: Mapping[str, Any], docs: Any, styles: Styles,
                   quotes: Quotes, min_support: int) -> dict[str, list[Section]]:
    """Each stage's report sections (by stage name), from its result.

    ``docs`` are the run's documents (the topic overview lists each topic's most typical articles).
    """
    from nlp.report.explorer import explorer_section
    from nlp.report.meaning_section import meaning_section
    from nlp.report.now_section import now_section
    from nlp.report.positions_section import positions_section
    from nlp.report.sections import topics_section, trends_section, watch_section
    from nlp.report.tendency_sections import tendency_sections
    from nlp.topics.runs import topics_overview

    out: dict[str, list[Section]] = {}
    topics = results.get("topics")
    if topics is not None:
        labels = list(params["trends"].labels) if "trends" in params else [t["label"] for t in topics.topics]
        overview = topics_overview(topics.run(), docs, topics.theta, labels)
        out["topics"] = [topics_section(overview, topics.sweep, examples=quotes.topic, styles=styles)]
    if results.get("trends") is not None:
        out["trends"] = [trends_section(results["trends"].prevalence, styles=styles)]
    if results.get("now") is not None:
        out["now"] = [now_section(results["now"].comparison, styles, examples=quotes.examples,
                                  min_support=min_support)]
    watch = results.get("watch")
    if watch is not None and watch.rows:
        out["watch"] = [watch_section(watch.rows, styles)]
    positions = results.get("positions")
    if positions is not None:
        out["positions"] = [positions_section(positions.scale, positions.positions, positions.info, styles)]
    meaning = results.get("meaning")
    if meaning is not None:
        out["meaning"] = [meaning_section(meaning.terms, styles, meaning.skipped)]
    tendencies = results.get("tendencies")
    if tendencies is not None:
        out["tendencies"] = tendency_sections(
            tendencies.analysis(), styles=styles,
            examples=lambda group, term: quotes.examples("term", tendencies.example_ids(group, term), [term]))
        explore = explorer_section(tendencies.explorer or [], styles, quotes.read)
        if explore is not None:  # after the contrasts it opens up
            at = next((i + 1 for i, sec in enumerate(out["tendencies"]) if sec.id == "contrasts"),
                      len(out["tendencies"]))
            out["tendencies"].insert(at, explore)
    return out


def extra_tables(results: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Tables written beside the report (``data/NAME.csv``) that belong to no section."""
    effects = results.get("effects")
    if effects is None:
        return {}
    return {"topic_effects": [
        {"topic": c.topic, "label": c.label, "tendency": c.group, "versus": c.versus, "effect": round(c.effect, 5),
         "lo": round(c.lo, 5), "hi": round(c.hi, 5), "n": c.n, "n_authors": c.n_authors}
        for c in effects.effects.contrasts]}


def findings_inputs(results: Mapping[str, Any]) -> dict[str, Any]:
    """What :func:`nlp.report.sections.findings_section` reads, from the run's results."""
    trends, tendencies, effects = results.get("trends"), results.get("tendencies"), results.get("effects")
    return {"tendencies": tendencies.analysis() if tendencies is not None else None,
            "effects": effects.effects if effects is not None else None,
            "prevalence": trends.prevalence if trends is not None else None,
            "shifts": trends.shifts if trends is not None else None,
            "shifts_withheld": trends.withheld if trends is not None else None,
            "positions": results["positions"].positions if results.get("positions") is not None else None,
            "now": results["now"].comparison if results.get("now") is not None else None}


def default_title(overview: Any, styles: Styles) -> str:
    """A human title from the data, on one line: "Labour's Soft left, Hard left and Soft right: articles
    2016–2025"; with more than three groups, the three largest and a count ("Con, Lab, Lib and 43 other groups,
    1945–2005")."""
    if overview is None:
        return "Labour's tendencies: a report"
    sizes = overview.sizes()
    groups = [t for t in styles.ordered(overview.tendencies) if t not in ("mixed", "unlabelled")]
    years = [y for y in overview.by_year_tendency if y != "undated"]
    span = (f"{years[0]}–{years[-1]}" if years[0] != years[-1] else years[0]) if years else "undated"
    if len(groups) > 3:
        largest = sorted(groups, key=lambda g: (-sizes.get(g, 0), styles.name(g)))[:3]
        others = len(groups) - 3
        return (f"{', '.join(styles.name(g) for g in largest)} and {others} other group{'s' if others > 1 else ''}, "
                f"{span}")
    names = [styles.name(t) for t in groups]
    who = (", ".join(names[:-1]) + " and " + names[-1]) if len(names) > 1 else (names[0] if names else "writing")
    labour = all(t in styles.tendencies for t in groups)  # the shipped tendencies are Labour's
    return f"Labour's {who}: articles {span}" if labour else f"{who}: articles {span}"


def group_hint(styles: Styles, min_support: int) -> tuple[str, ...] | None:
    """A line under the title when most groups are too small to say anything about: what the report does with
    them, and how to read some of them (``--tendency``, ``--top-groups``). Pieces of text and, every second
    one, an option to show as code."""
    sizes = {g: n for g, n in styles.sizes.items() if g not in ("mixed", "unlabelled")}
    small = [g for g, n in sizes.items() if n < min_support]
    if len(sizes) < 4 or len(small) <= len(sizes) / 2:
        return None
    named = [g for g in sorted(sizes, key=lambda g: (-sizes[g], g)) if styles.is_named(g)]
    shown = (f"names the {len(named)} largest ({', '.join(styles.name(g) for g in named[:5])}"
             f"{' …' if len(named) > 5 else ''})" if named else "names none of them")
    return (f"Most of the {len(sizes)} groups ({len(small)}) have fewer than {min_support} articles, too few to say "
            f"anything about them: the report {shown} and counts the rest together as \u201cother\u201d. To read a "
            "few of them, narrow the report to them (", "--tendency A --tendency B", "), or name more groups with ",
            "--top-groups N", ".")
