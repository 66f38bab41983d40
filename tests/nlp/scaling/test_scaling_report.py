"""A reader can check a scale: one colour per group in the scaling chart (grey beyond ten), each period's
order in the chart and in the report's positions section, the caveats in the section."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from nlp.report.plots import GROUP_HUES, OTHER_GREY, group_colours, positions_figure, within_period  # noqa: E402
from nlp.report.styles import Styles  # noqa: E402
from nlp.scaling.positions import GroupPosition, period_orders  # noqa: E402
from nlp.scaling.results import DocumentPosition, ScalingResult, WordParameter  # noqa: E402


def cells(groups, periods=("2001", "2005", "2010"), drift=1.0):
    """Group-period cells: group k sits at k/10 plus a drift shared by every group in each period."""
    out = []
    for k, g in enumerate(groups):
        for t, p in enumerate(periods):
            out.append(GroupPosition(g, p, k / 10 + drift * t, None, None, 6 + k, 3, True))
        out.append(GroupPosition(g, "all", k / 10 + drift, None, None, 3 * (6 + k), 3, True))
    return out


def test_twelve_groups_get_ten_hues_and_two_greys():
    sizes = {f"party{k:02d}": 100 - k for k in range(12)}
    colours = group_colours(sizes, Styles())
    hued = [g for g, c in colours.items() if c != OTHER_GREY]
    assert len(hued) == 10 and len({colours[g] for g in hued}) == 10 and {colours[g] for g in hued} <= set(GROUP_HUES)
    assert {g for g, c in colours.items() if c == OTHER_GREY} == {"party10", "party11"}  # the two smallest
    named = group_colours(sizes, Styles(), highlight=("party11",))
    assert named["party11"] != OTHER_GREY and named["party09"] == OTHER_GREY


def test_a_styled_tendency_keeps_its_colour_and_no_one_shares_it():
    styles = Styles.default()
    tendency = next(k for k, v in styles.tendencies.items() if v.colour)
    sizes = {tendency: 5, **{f"g{k}": 10 for k in range(9)}}
    colours = group_colours(sizes, styles)
    assert colours[tendency] == styles.tendencies[tendency].colour
    hued = [c for c in colours.values() if c != OTHER_GREY]
    assert len(hued) == len(set(hued)) == 10


def test_the_chart_draws_every_group_in_its_colour_and_each_period_s_order():
    groups = [f"party{k:02d}" for k in range(12)]
    fig = positions_figure(cells(groups), "test")
    top, below = fig.axes[:2]
    line_colours = {line.get_color() for line in top.get_lines()}
    assert len(line_colours - {OTHER_GREY}) == 10 and OTHER_GREY in line_colours
    legend = [t.get_text() for t in top.get_legend().get_texts()]
    assert "other groups" in legend and len(legend) == 11
    # the lower panel takes out the shared drift: each group at the same height in every period
    for line in below.get_lines()[:-1]:
        ys = line.get_ydata()
        if len(ys) > 1:
            assert max(ys) - min(ys) < 1e-9


def test_within_period_positions_are_relative_to_the_period_mean():
    rows = within_period(cells(["a", "b"], drift=5.0))
    by_period: dict[str, list[float]] = {}
    for p, r in rows:
        by_period.setdefault(p.period, []).append(r)
    assert all(abs(sum(v)) < 0.2 for v in by_period.values())


def test_the_positions_section_states_each_period_s_order_and_the_caveats():
    from nlp.report.positions_section import positions_section

    positions = cells(["hard_left", "soft_right"], drift=0.5)
    assert period_orders(positions) == [{"low": "hard_left", "high": "soft_right", "below": 3, "periods": 3}]
    result = ScalingResult("wordfish", (DocumentPosition(0, "d0", 0.0, 0.1, -0.2, 0.2),),
                           tuple(WordParameter(f"word{j}", beta=j - 5.0, psi=1.0) for j in range(11)))
    info = {"fitted_on": 10, "terms": 11, "placed": 0, "oriented": None, "caveats": ["The positions track time."]}
    section = positions_section(result, positions, info, Styles.default())
    sentences = section.context["sentences"]
    assert sentences[0] == "Caveat: The positions track time."
    assert any("sits below" in s and "in 3 of the 3 periods" in s for s in sentences)
    assert section.context["low_words"].startswith("word0") and section.context["high_words"].startswith("word10")
