"""Reports that scale with the number of groups: 46 parties get a one-line title, distinct colours for the
groups the report names (grey for the rest), one folded line instead of one block per small group, and at
most ten findings at a glance, strongest first, with one line for what could not be said."""
from __future__ import annotations

import re

from corpus.labels import LabelSet
from corpus.summary import CorpusOverview, OutletOverview
from nlp.report.build import default_title, group_hint
from nlp.report.now_section import now_section
from nlp.report.sections import corpus_section, findings_section
from nlp.report.styles import GROUP_PALETTE, OTHER, OTHER_COLOUR, Styles, listing, named_groups
from nlp.tendencies.analysis import TendencyAnalysis
from nlp.tendencies.classify import EvaluationResult
from nlp.tendencies.contrast import ContrastResult, TermScore
from nlp.topics.trends import MovingTerm, NowAgainstBefore, TendencyNow

#: A manifesto-like corpus: three parties with many documents, 43 with one or two.
SIZES = {"Con": 16, "Lab": 15, "Lib": 9, **{f"P{i:02d}": 1 + i % 2 for i in range(43)}}


def _styles(sizes=SIZES, min_support=5, top=None) -> Styles:
    return Styles.from_labels(LabelSet.default(), sizes, sizes).planned(min_support, top)


def _overview(sizes=SIZES) -> CorpusOverview:
    outlet = OutletOverview(name="imported", display_name="imported", default_tendency=None, contested=False,
                            articles=sum(sizes.values()),
                            tendencies=dict(sizes), first="1945-01-01", last="2005-01-01")
    years = {"1945": {"Con": 1, "Lab": 1}, "2005": {g: n for g, n in sizes.items() if g not in ("Con", "Lab")}}
    return CorpusOverview(articles=sum(sizes.values()), words=1000, tendencies=list(sizes), label_levels={},
                          outlets=[outlet], by_year_tendency=years, latest=[])


def _rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def test_named_groups_get_distinct_hues_and_the_rest_grey():
    styles = _styles()
    assert styles.named == ("Con", "Lab", "Lib")  # the groups with at least min_support articles
    colours = [styles.colour(g) for g in ("Con", "Lab", "Lib")]
    assert len(set(colours)) == 3 and OTHER_COLOUR not in colours
    assert {styles.colour(f"P{i:02d}") for i in range(43)} == {OTHER_COLOUR} == {styles.colour(OTHER)}
    # Con and Lib were near-identical yellows when the palette cycled by name: now far apart
    con, lib = _rgb(styles.colour("Con")), _rgb(styles.colour("Lib"))
    assert sum((a - b) ** 2 for a, b in zip(con, lib)) ** 0.5 > 100


def test_twelve_named_groups_use_ten_distinct_hues_then_grey():
    sizes = {f"G{i:02d}": 100 - i for i in range(12)}
    styles = _styles(sizes, top=12)
    colours = [styles.colour(g) for g in sorted(sizes)]
    assert colours[:10] == list(GROUP_PALETTE) and colours[10:] == [OTHER_COLOUR, OTHER_COLOUR]
    # a tendency styled by the labels keeps its colour, and palette hues close to it are skipped
    mixed = {"soft_left": 50, **sizes}
    styled = _styles(mixed, top=13)
    assert styled.colour("soft_left") == "#d35400" and "#ff7f0e" not in {styled.colour(g) for g in sizes}


def test_folding_sums_the_unnamed_groups_into_other():
    styles = _styles()
    assert styles.fold(SIZES) == ["Con", "Lab", "Lib", OTHER]
    folded = styles.fold_values(SIZES)
    assert folded["Con"] == 16 and folded[OTHER] == sum(1 + i % 2 for i in range(43))
    assert named_groups(SIZES, 5, top=2) == ("Con", "Lab")
    assert listing([str(i) for i in range(20)], 3) == "0, 1, 2 and 17 more"


def test_title_stays_on_one_line_and_names_at_most_three_groups():
    styles = _styles()
    title = default_title(_overview(), styles)
    assert title == "Con, Lab, Lib and 43 other groups, 1945–2005"
    demo = {"soft_left": 40, "hard_left": 38, "soft_right": 37, "mixed": 5}
    assert (default_title(_overview(demo), _styles(demo))
            == "Labour's Soft left, Hard left and Soft right: articles 1945–2005")


def test_a_hint_when_most_groups_are_small():
    hint = "".join(group_hint(_styles(), 5))
    assert "Most of the 46 groups (43) have fewer than 5 articles" in hint
    assert "--top-groups N" in hint and "--tendency A --tendency B" in hint
    demo = {"soft_left": 40, "hard_left": 38, "soft_right": 37}
    assert group_hint(_styles(demo), 5) is None


def test_the_corpus_charts_fold_small_groups_into_other():
    section = corpus_section(_overview(), _styles())
    svg = str(section.context["by_year"].svg)
    assert "P07" not in svg and "2005: other, 64 articles" in svg  # a bar's tooltip names "other"
    assert len(set(re.findall(r"fill: (#[0-9a-f]{6})", svg)) & {"#1f77b4", "#ff7f0e", "#2ca02c", OTHER_COLOUR}) == 4
    assert "43 smaller groups" in section.context["folded"]
    assert len(section.data["corpus_by_year_tendency"]) == 2 + 44  # the CSV keeps every group


def test_now_folds_every_thin_group_into_one_line():
    tendencies = {g: TendencyNow(n_now=1, n_before=0, enough=False,
                                 reason="1 articles in the recent window and 0 in the year before; at least 5 in "
                                        "each are needed")
                  for g in SIZES}
    result = NowAgainstBefore(recent="6m", windows={"now": ("2004-07-01", "2005-01-01"),
                                                    "before": ("2003-07-01", "2004-07-01")}, tendencies=tendencies)
    html = now_section(result, _styles(), min_support=5).html
    assert html.count("Not enough evidence") == 1
    assert "Not enough evidence to say what changed for 46 groups" in html and "and 34 more" in html
    assert "<h3>" not in html  # no block per group


def test_findings_list_at_most_ten_strongest_first_and_one_line_for_the_rest():
    styles = _styles()
    rest = [ContrastResult(g, "rest", "tendency", [TermScore(f"w{g}{k}", z, 10, 1) for k in range(3)], [],
                           docs_a=n) for g, n, z in (("Con", 16, 9.0), ("Lab", 15, 3.0), ("Lib", 9, 6.0))]
    evaluation = {"author": EvaluationResult(group_by="author", accuracy=0.8, n_documents=40, n_tested=40,
                                             macro_f1=0.7, macro_f1_lo=0.6, macro_f1_hi=0.8, folds=5,
                                             splitter="StratifiedGroupKFold",
                                             baseline={"macro_f1": 0.2, "accuracy": 0.4, "class": "Con"})}
    shifts = {g: {"change": 5, "rise": True, "label": f"topic of {g}", "after": 0.3, "before": 0.1,
                  "interval_after": (0.25, 0.35), "interval_before": (0.05, 0.15), "n_after": 8, "n_before": 8}
              for g in [f"X{i}" for i in range(12)]}
    withheld = {g: "1 articles in 2001–2005 and 0 before; at least 5 in each are needed" for g in SIZES}
    section = findings_section({"tendencies": TendencyAnalysis(against_rest=rest, evaluation=evaluation),
                                "prevalence": {"tendency": [{"period": "2001"}, {"period": "2005"}]},
                                "shifts": shifts, "shifts_withheld": withheld}, styles, min_support=5)
    items = section.context["items"]
    assert len(items) == 10 and section.context["more"] == 16 - 10
    # strongest first: the classifier (0.5 over the baseline, interval 0.2 wide: 9.8), Con (mean z 9), Lib (6), then
    # the twelve rises (0.2 against intervals 0.1 wide: 3.9); Lab (3) is the weakest and left to its section
    assert items[0].startswith("Tested on each author's articles")
    assert items[1].startswith("Con writing") and items[2].startswith("Lib writing")
    assert all(t.startswith("In 2001–2005, the topic that grew most") for t in items[3:])
    assert not any(t.startswith("Lab writing") for t in items)
    assert not any("Not enough evidence" in t for t in items)
    unsaid = section.context["unsaid"]
    assert unsaid.startswith("Not enough evidence to say what changed lately") and "46 groups" in unsaid
    html = section.html
    assert html.count("<li>") == 10 and html.count("Not enough evidence") == 1


def test_findings_say_what_moved_now_when_it_is_supported():
    term = MovingTerm(term="deputy_leadership", now=75.0, before=0.0, now_interval=(40.0, 120.0),
                      before_interval=(0.0, 0.0), docs_now=5, docs_before=0, direction="rise", ids=[])
    now = NowAgainstBefore(recent="6m", windows={}, tendencies={
        "soft_left": TendencyNow(n_now=6, n_before=5, terms=[term], enough=True)})
    items = findings_section({"now": now}, Styles.default()).context["items"]
    assert items == ["In the last six months of Soft left writing (6 articles, against 5 in the year before), "
                     "\u201cdeputy leadership\u201d came up more often: 75.0 times per 10,000 words (in 5 articles) "
                     "against 0.0 (in 0)."]


def test_a_corpus_without_sizes_keeps_every_group_named():
    styles = Styles.default()  # no plan: every group shown as before
    assert styles.is_named("anything") and styles.fold(["a", "b"]) == ["a", "b"]


def test_the_hint_shows_its_options_as_code_under_the_title():
    from nlp.report.render import render_report

    html = render_report([], "Con, Lab, Lib and 43 other groups, 1945–2005", hint=group_hint(_styles(), 5))
    assert '<code class="opt">--top-groups N</code>' in html
    assert '<code class="opt">--tendency A --tendency B</code>' in html
    assert html.index('class="hint"') < html.index("<nav>")
