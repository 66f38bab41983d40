"""A tendency's display name, colour and order come from the labels' [tendencies] table, and only there."""
from __future__ import annotations

import pytest

from corpus import CorpusStore, LabelsError
from corpus.labels import LabelSet, TendencyStyle
from nlp.report.charts import figure_svg, stacked_bars
from nlp.report.styles import PALETTE, Styles, palette_colours


def test_default_labels_style_every_shipped_tendency():
    styles = Styles.default()
    assert styles.name("soft_left") == "Soft left" and styles.colour("soft_left") == "#d35400"
    assert styles.ordered(["unlabelled", "soft_right", "mixed", "hard_left", "soft_left"]) == [
        "soft_left", "hard_left", "soft_right", "mixed", "unlabelled"]


def test_a_users_file_restyles_field_by_field_and_files_without_the_table_stay_valid(tmp_path):
    user = tmp_path / "mine.toml"
    user.write_text('[tendencies.soft_left]\ncolour = "#00AA00"\n\n[tendencies.Lab]\nname = "Labour"\norder = 0\n'
                    '\n[outlets.blog]\ntendency = "Lab"\n')
    labels = LabelSet.default().merged(LabelSet.from_toml(user))
    assert labels.tendencies["soft_left"] == TendencyStyle("Soft left", "#00aa00", 1)  # name and order kept
    styles = Styles.from_labels(labels)
    assert styles.ordered(["soft_left", "Lab"]) == ["Lab", "soft_left"] and styles.name("Lab") == "Labour"
    plain = tmp_path / "plain.toml"
    plain.write_text('[outlets.blog]\ntendency = "soft_left"\n')
    assert LabelSet.from_toml(plain).tendencies == {}
    with CorpusStore(tmp_path / "c.db", labels_file=plain) as store:  # the shipped styles still apply
        assert Styles.from_labels(store.labels).colour("soft_left") == "#d35400"


@pytest.mark.parametrize("table,message", [
    ('[tendencies.soft_left]\ncolour = "orange"\n', r"tendencies\.soft_left: colour must look like"),
    ('[tendencies.soft_left]\norder = "first"\n', r"tendencies\.soft_left: order must be a whole number"),
    ('[tendencies.soft_left]\ncolor = "#ffffff"\n', r"unknown key\(s\) color; use name, colour, order"),
    ('[tendencies]\nsoft_left = "Soft left"\n', r"tendencies\.soft_left: expected a table"),
])
def test_a_bad_tendency_style_is_a_clear_error(tmp_path, table, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(table)
    with pytest.raises(LabelsError, match=message):
        LabelSet.from_toml(bad)


def test_unstyled_names_get_palette_colours_by_sorted_name_whoever_asks_first():
    labels = LabelSet.from_mapping({"outlets": {"a": "zeta", "b": "alpha", "c": "mid"}})
    styles = Styles.from_labels(labels)
    first = {k: styles.colour(k) for k in ("zeta", "mid", "alpha")}
    again = {k: Styles.from_labels(labels).colour(k) for k in ("alpha", "mid", "zeta")}
    assert first == again == {"alpha": PALETTE[0], "mid": PALETTE[1], "zeta": PALETTE[2]}
    assert palette_colours(["b", "a"]) == {"a": PALETTE[0], "b": PALETTE[1]}


def test_charts_draw_the_colours_they_are_given():
    styles = Styles.from_labels(LabelSet.from_mapping({"tendencies": {"soft_left": {"colour": "#123456"}}}))
    svg = figure_svg(stacked_bars(["2020", "2021"], {"soft_left": [1, 2], "other": [2, 1]}, "t",
                                  colours={"soft_left": styles.colour("soft_left")}))
    assert "#123456" in svg and svg.startswith("<svg")
