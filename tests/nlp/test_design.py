"""Where labels come from and which unit a comparison uses (nlp.design): each caveat on a fixture built to
trigger it and on one built not to."""
from __future__ import annotations

import pytest

from nlp.design import label_design, min_outlet_p, pair_design
from nlp.documents import DocumentTerms, GroupError


def documents(layout: dict[str, dict[str, int]]) -> DocumentTerms:
    """``{outlet: {label: n}}`` -> that many one-term documents per outlet and label."""
    outlets, labels = [], []
    for outlet, counts in layout.items():
        for label, n in counts.items():
            outlets += [outlet] * n
            labels += [label] * n
    return DocumentTerms.from_terms([["word"]] * len(labels), labels=labels, outlets=outlets)


PRESS = {"guardian": {"left": 40}, "mirror": {"left": 30}, **{f"paper{i}": {"right": 20} for i in range(6)}}
SHARED = {"labourlist": {"soft": 30, "hard": 30}, "tribune": {"soft": 5, "hard": 25}, "renewal": {"soft": 20}}
PARTLY = {"ledger": {"soft": 3, "hard": 3}, "renewal": {"soft": 30}, "tribune": {"hard": 30}, "chartist": {"soft": 10}}


def test_labels_constant_within_outlets_make_the_outlet_the_unit():
    design = label_design(documents(PRESS))
    assert design.kind == "constant within outlets" and design.unit == "outlet" and design.constant_within_outlets
    assert design.to_dict()["outlets_per_label"] == {"left": 2, "right": 6}
    assert design.summary().startswith("left from 2 outlets (guardian, mirror), right from 6 (")
    (author,) = design.caveats("author")
    assert author.startswith("The tendency is constant within outlets: left from 2 outlets (guardian, mirror)")
    assert author.endswith("the outlet is the unit; read the score with --by outlet")
    (outlet,) = design.caveats("outlet")
    assert outlet.startswith("The outlet is the unit: the tendency is constant within outlets, so this score rests "
                             "on 8 held-out outlets")
    assert outlet.endswith("with so few, house style and tendency cannot be separated")


def test_labels_that_vary_within_outlets_need_no_caveat():
    design = label_design(documents(SHARED))
    assert design.kind == "shared outlets" and design.unit == "document"
    assert design.shared == ("labourlist", "tribune")
    assert design.caveats("author") == [] and design.caveats("outlet") == []
    one = label_design(documents({"labourlist": {"soft": 10, "hard": 10}}))
    assert one.kind == "one outlet" and one.caveats("none") == []


def test_a_few_shared_articles_leave_the_outlet_the_unit():
    design = label_design(documents(PARTLY))
    assert design.kind == "partly shared" and design.unit == "outlet" and design.docs_in_shared == 6
    (caveat,) = design.caveats("none")
    assert caveat.startswith("The tendency is nearly constant within outlets (only 6 of 76 labelled articles are in "
                             "outlets that publish two: ledger)")
    # unlabelled and mixed documents are not classes
    assert label_design(documents({**PARTLY, "blog": {"unlabelled": 9, "mixed": 4}})).n_labelled == 76


def test_the_smallest_permutation_p_over_outlets():
    assert min_outlet_p(2, 6) == pytest.approx(2 / 28)
    assert min_outlet_p(1, 1) == 1.0 and min_outlet_p(0, 3) == 1.0


def test_pair_with_outlets_of_its_own_gets_counts_and_the_house_style_caveat():
    design = pair_design(["guardian"] * 40 + ["mirror"] * 30, [f"paper{i}" for i in range(6)] * 20, "left", "right")
    assert design.kind == "constant within outlets" and design.within == "none" and design.unit == "outlet"
    d = design.to_dict()
    assert (d["n_outlets_a"], d["n_outlets_b"], d["min_p"]) == (2, 6, pytest.approx(2 / 28))
    (caveat,) = design.caveats()
    assert caveat == ("left comes from 2 outlets (guardian, mirror) and right from 6 (paper0, paper1, paper2, paper3 "
                      "and 2 more), and no outlet publishes both: the outlet is the unit, and with so few outlets "
                      "house style and tendency cannot be separated (there are only 28 ways to split these 8 outlets "
                      "2 against 6); a difference may be one outlet's house style, not its side's")
    many = pair_design([f"l{i}" for i in range(8)] * 5, [f"r{i}" for i in range(8)] * 5, "left", "right")
    assert not many.few_outlets and "cannot be separated" not in many.caveats()[0]


def test_pair_sharing_outlets_is_compared_within_them_without_a_caveat():
    a = ["labourlist"] * 30 + ["tribune"] * 5 + ["renewal"] * 20
    b = ["labourlist"] * 30 + ["tribune"] * 25
    design = pair_design(a, b, "soft", "hard")
    assert design.kind == "shared outlets" and design.within == "outlet" and design.chosen == "auto"
    assert design.strata == ("labourlist", "tribune") and design.docs_in_strata == 90
    assert design.unit == "document within outlet" and design.caveats() == []
    across = pair_design(a, b, "soft", "hard", within="none")
    assert across.within == "none" and across.chosen == "forced"
    assert across.caveats() == ["soft and hard share outlets (labourlist, tribune), but this comparison pools across "
                                "outlets (--within none): each outlet's house style is mixed into the difference"]
    # only tendencies (and authors) are compared within outlets unasked; periods on request
    assert pair_design(a, b, "2016", "2020", field="year").within == "none"
    assert pair_design(a, b, "2016", "2020", field="year", within="outlet").within == "outlet"


def test_partly_shared_pair_names_its_few_shared_articles():
    design = pair_design(["ledger"] * 3 + ["renewal"] * 30, ["ledger"] * 3 + ["tribune"] * 30, "soft", "hard")
    assert design.kind == "partly shared" and design.within == "none" and design.unit == "outlet"
    (caveat,) = design.caveats()
    assert caveat.startswith("Only 6 of 66 articles come from outlets that publish both soft and hard (ledger); the "
                             "rest compare outlets as much as tendencies")
    assert pair_design(["x"] * 5, ["x"] * 5, "soft", "hard").caveats() == []  # one outlet: nothing to separate


def test_forcing_a_within_outlet_comparison_that_cannot_be_made():
    with pytest.raises(GroupError) as err:
        pair_design(["guardian"] * 4, ["times"] * 4, "left", "right", within="outlet")
    assert str(err.value) == ("No outlet publishes at least 2 articles of both 'left' and 'right': they cannot be "
                              "compared within outlets; use --within none")
    with pytest.raises(GroupError, match="Outlets cannot be compared within outlets"):
        pair_design(["a"], ["b"], "a", "b", field="outlet", within="outlet")
    with pytest.raises(GroupError, match="Unknown --within 'sideways'"):
        pair_design(["a"], ["b"], within="sideways")
