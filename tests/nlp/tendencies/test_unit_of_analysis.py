"""The classifier and the run know the design: where each tendency is a property of its outlets, the outlet
is the unit, `classify evaluate` says so and the report headlines the outlet-fold score."""
from __future__ import annotations

import pytest

from nlp.documents import DocumentTerms
from nlp.report.sections import findings_section
from nlp.report.tendency_sections import classifier_section
from nlp.tendencies.analysis import TendencyAnalysis, analyse_tendencies
from nlp.tendencies.classify import EvaluationResult, evaluate

from tests.nlp.tendencies.synthetic import synthetic_corpus

CLASSES = ("soft_left", "hard_left")


def docs_with_outlets(shared: bool) -> DocumentTerms:
    """Two tendencies, four authors each; each author writes for one outlet. ``shared``: every outlet
    publishes both tendencies; else each tendency has two outlets of its own."""
    terms, labels, authors = synthetic_corpus(n_per_class=24, classes=CLASSES, signal=0.1)
    if shared:
        outlets = [f"outlet{int(a[-1]) % 2}" for a in authors]
    else:
        outlets = [f"{label}-paper{int(a[-1]) % 2}" for label, a in zip(labels, authors)]
    return DocumentTerms.from_terms(terms, labels=labels, outlets=outlets, authors=[(a,) for a in authors])


@pytest.mark.parametrize("group_by", ["author", "outlet"])
def test_evaluate_says_when_the_outlet_is_the_unit(group_by):
    result = evaluate(docs_with_outlets(shared=False), group_by=group_by, folds=4, mask_names=False)
    assert result.unit == "outlet" and result.design["kind"] == "constant within outlets"
    unit = [c for c in result.caveats if "the outlet is the unit" in c.lower()]
    assert len(unit) == 1
    if group_by == "author":
        assert unit[0].startswith("The tendency is constant within outlets: hard_left from 2 outlets "
                                  "(hard_left-paper0, hard_left-paper1), soft_left from 2 (")
        assert unit[0].endswith("read the score with --by outlet")
    else:
        assert unit[0].endswith("with so few, house style and tendency cannot be separated")


def test_evaluate_has_no_unit_caveat_when_tendencies_share_outlets():
    result = evaluate(docs_with_outlets(shared=True), group_by="author", folds=4, mask_names=False)
    assert result.unit == "document" and result.design["kind"] == "shared outlets"
    assert not any("unit" in c for c in result.caveats)


def test_the_run_headlines_the_outlet_score_where_the_outlet_is_the_unit():
    press = analyse_tendencies(docs_with_outlets(shared=False))
    assert press.headline == "outlet" and press.design["unit"] == "outlet"
    assert press.pairwise[0].design["unit"] == "outlet" and press.pairwise[0].caveats
    assert all(r.design["n_outlets_a"] == 2 for r in press.against_rest)
    shared = analyse_tendencies(docs_with_outlets(shared=True))
    assert shared.headline == "author"
    assert shared.pairwise[0].design["within"] == "outlet" and not shared.pairwise[0].caveats
    assert all(r.design["within"] == "outlet" for r in shared.against_rest)


def evaluation(group_by: str, macro_f1: float, accuracy: float) -> EvaluationResult:
    return EvaluationResult(group_by=group_by, folds=5, splitter="s", n_documents=2600, n_tested=2600,
                            macro_f1=macro_f1, accuracy=accuracy,
                            baseline={"class": "right", "accuracy": 0.58, "macro_f1": 0.42})


PRESS_DESIGN = {"unit": "outlet", "kind": "constant within outlets", "outlets_per_label": {"left": 2, "right": 6}}


def test_findings_read_the_score_of_the_unit():
    """The defect: author folds said 99 % "clearly better than guessing" while outlet folds could not tell
    the tendencies apart; the findings quoted the author folds."""
    scores = {"outlet": evaluation("outlet", 0.42, 0.58), "author": evaluation("author", 0.99, 0.99)}
    outlet_first = findings_section({"tendencies": TendencyAnalysis(evaluation=scores, headline="outlet",
                                                                    design=PRESS_DESIGN)})
    (item,) = outlet_first.context["items"]
    assert item.startswith("Tested on each outlet's articles after training on other outlets' writing")
    assert item.endswith("that is hardly better than guessing.") and "99%" not in item
    (shared,) = findings_section({"tendencies": TendencyAnalysis(evaluation=scores, headline="author")}
                                 ).context["items"]
    assert shared.startswith("Tested on each author's articles")


def test_the_classifier_section_leads_with_the_unit_score_and_says_why():
    scores = {"author": evaluation("author", 0.99, 0.99), "outlet": evaluation("outlet", 0.42, 0.58)}
    section = classifier_section(scores, None, None, headline="outlet", design=PRESS_DESIGN)
    unit, first, second = section.context["summaries"]
    assert unit.startswith("Each tendency here is a property of its outlets (left from 2, right from 6 outlets), "
                           "so the outlets are what is compared: the score to read is the one with whole outlets "
                           "held out.")
    assert first.startswith("Tested on each outlet's") and second.startswith("Tested on each author's")
    assert section.context["scores"].rows[0][0] == "outlet (the score to read)"
    assert section.context["detail_by"] == "outlet"
    plain = classifier_section(scores, None, None, headline="author", design={"unit": "document"})
    assert plain.context["summaries"][0].startswith("Tested on each author's")


def test_the_method_note_says_what_is_compared():
    from nlp.report.tendency_sections import method_note

    assert method_note(PRESS_DESIGN).startswith("Each tendency here comes from outlets of its own, so the outlets, "
                                                "not the articles, are what is compared")
    assert method_note({"unit": "document", "kind": "shared outlets"}).startswith(
        "The tendencies share outlets, so contrasts and topic effects compare them within each outlet")
    assert method_note({"unit": "document", "kind": "one outlet"}) is None


def test_findings_name_the_outlets_behind_a_tendency_signature_and_effects():
    from types import SimpleNamespace

    from nlp.tendencies.contrast import ContrastResult, TermScore
    from nlp.topics.effects import EffectContrast

    def signature(design: dict) -> str:
        r = ContrastResult("left", "rest", "tendency", [TermScore("asylum", 5.0, 40, 3)], [], docs_a=70, docs_b=200,
                           design=design)
        return findings_section({"tendencies": TendencyAnalysis(against_rest=[r])}).context["items"][0]

    assert signature({"unit": "outlet", "within": "none", "n_outlets_a": 2}).endswith(
        "(70 articles from 2 outlets; with so few outlets, these may be their house style as much as the "
        "tendency's).")
    assert signature({"unit": "document", "within": "none", "n_outlets_a": 2}).endswith("(70 articles).")
    assert signature({"unit": "document within outlet", "within": "outlet", "strata": [{"outlet": "labourlist"}]}
                     ).endswith("(70 articles, each compared with other writers on the same outlet (labourlist)).")

    effect = EffectContrast(0, "housing", "left", "right", 0.1, 0.05, 0.15, 0.02, 80, 20)

    def items(design: dict) -> list[str]:
        effects = SimpleNamespace(contrasts=[effect], levels={"left": 40, "right": 40}, design=design)
        return findings_section({"effects": effects}).context["items"]

    house = "Each tendency here comes from outlets of its own, so these differences in topics may be the outlets' " \
            "house agendas as much as the tendencies'."
    assert items({"unit": "outlet"})[-1] == house and house not in items({"unit": "document"})
