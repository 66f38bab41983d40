"""Krippendorff's alpha between coders, checked against hand-computed and published values; the machine
against the coders."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nlp.coding.agreement import agreement
from nlp.coding.validate import ValidationError, machine_vs_coders, positions_vs_scores
from nlp.documents import DocumentTerms

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the worked example: 4 coders, 12 units,
# values 1-5, missing codes as None. Published: nominal .743, ordinal .815, interval .849.
CODERS = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def units_of(coders: dict[str, list], as_text: bool = True) -> dict[str, dict[str, str]]:
    units: dict[str, dict[str, str]] = {}
    for coder, values in coders.items():
        for u, v in enumerate(values):
            if v is not None:
                units.setdefault(f"u{u:02d}", {})[coder] = str(v) if as_text else v
    return units


def hand_alpha(units: dict[str, dict[str, str]], metric=lambda a, b: float(a != b)) -> float:
    """α = 1 - D_o / D_e from the coincidence matrix, written out from the definition (METHODS.md)."""
    values = sorted({v for u in units.values() for v in u.values()})
    o = {(a, b): 0.0 for a in values for b in values}
    for unit in units.values():
        codes = list(unit.values())
        m = len(codes)
        if m < 2:
            continue
        for i, a in enumerate(codes):
            for j, b in enumerate(codes):
                if i != j:
                    o[(a, b)] += 1 / (m - 1)
    n_v = {a: sum(o[(a, b)] for b in values) for a in values}
    n = sum(n_v.values())
    d_o = sum(o[(a, b)] * metric(a, b) for a in values for b in values) / n
    d_e = sum(n_v[a] * n_v[b] * metric(a, b) for a in values for b in values) / (n * (n - 1))
    return 1 - d_o / d_e


def test_alpha_matches_a_hand_computation():
    # Pairable values: u1 (a, a), u2 (a, b), u3 (b, b), u4 (c, c); u5 has one code and adds nothing.
    # o_ab = o_ba = 1, n_a = n_b = 3, n_c = 2, n = 8: D_o = 2/8, D_e = 2 (3*3 + 3*2 + 3*2) / (8*7) = 42/56,
    # so alpha = 1 - (1/4) / (3/4) = 2/3.
    units = {"u1": {"x": "a", "y": "a"}, "u2": {"x": "a", "y": "b"}, "u3": {"x": "b", "y": "b"},
             "u4": {"x": "c", "y": "c"}, "u5": {"x": "a"}}
    result = agreement(units, "label", categories=["a", "b", "c"], replicates=200)
    assert result.alpha == pytest.approx(2 / 3, abs=1e-9)
    assert result.n_units == 4 and result.n_coded == 5 and result.n_coders == 2 and result.n_pairable_values == 8
    assert result.percent_agreement == pytest.approx(0.75)
    assert result.pairwise == [{"coders": ["x", "y"], "n_units": 4, "agreement": 0.75, "alpha": 0.6667}]


def test_alpha_reproduces_krippendorffs_published_example():
    nominal = agreement(units_of(CODERS), "v", "nominal", categories=[str(i) for i in range(1, 6)], replicates=0)
    ordinal = agreement(units_of(CODERS), "v", "ordinal", categories=[str(i) for i in range(1, 6)], replicates=0)
    interval = agreement(units_of(CODERS), "v", "interval", numeric=True, replicates=0)
    assert round(nominal.alpha, 3) == 0.743 and round(ordinal.alpha, 3) == 0.815 and round(interval.alpha, 3) == 0.849
    assert nominal.alpha == pytest.approx(hand_alpha(units_of(CODERS)), abs=1e-9)
    assert interval.alpha == pytest.approx(hand_alpha(units_of(CODERS, as_text=False), lambda a, b: (a - b) ** 2),
                                           abs=1e-9)
    assert nominal.n_units == 11  # the last unit has one code


def test_interval_is_seeded_and_brackets_alpha():
    rng = np.random.default_rng(4)
    truth = rng.choice(["l", "r", "c"], 80)
    units = {f"u{i}": {c: (t if rng.random() > 0.2 else rng.choice(["l", "r", "c"])) for c in ("a", "b", "c")}
             for i, t in enumerate(truth)}
    one = agreement(units, "label", categories=["l", "r", "c"], replicates=300, seed=1)
    again = agreement(units, "label", categories=["l", "r", "c"], replicates=300, seed=1)
    assert (one.lo, one.hi) == (again.lo, again.hi)
    assert one.lo < one.alpha < one.hi and one.hi - one.lo < 0.4
    assert one.alpha == pytest.approx(hand_alpha(units), abs=1e-9)
    assert one.to_dict()["reading"] in ("reliable", "tentative conclusions only", "unreliable")


def test_alpha_is_undefined_without_pairs_or_variation():
    single = agreement({"u1": {"x": "a"}, "u2": {"x": "b"}}, "label", categories=["a", "b"])
    assert single.alpha is None and single.lo is None and "alpha needs articles coded twice" in single.note
    same = agreement({"u1": {"x": "a", "y": "a"}, "u2": {"x": "a", "y": "a"}}, "label", categories=["a", "b"])
    assert same.alpha is None and "no variation" in same.note and same.to_dict()["reading"] == "undefined"


def _docs(n_per_class: int = 12, coded_every: int = 3, flip_coded: bool = False) -> DocumentTerms:
    """Two tendencies with their own vocabulary; every third article coded (with the same label, or the other)."""
    words = {"soft_left": ["devolution", "pluralism", "towns", "democracy"],
             "hard_left": ["ownership", "union", "strike", "socialism"]}
    terms, labels, authors = [], [], []
    rng = np.random.default_rng(0)
    for k in range(n_per_class):
        for label, vocab in words.items():
            terms.append(list(rng.choice(vocab, 12)) + ["party", "labour"])
            labels.append(label)
            authors.append((f"{label} writer {k % 4}",))
    docs = DocumentTerms.from_terms(terms, labels=labels, authors=authors)
    other = {"soft_left": "hard_left", "hard_left": "soft_left"}
    for i in range(0, len(docs), coded_every):
        docs.label_levels[i] = "coded"
        if flip_coded:
            docs.labels[i] = other[docs.labels[i]]
    return docs


def test_machine_agrees_with_coders_who_agree_with_the_text():
    docs = _docs()
    result = machine_vs_coders(docs, replicates=200)
    coded = sum(1 for level in docs.label_levels if level == "coded")
    assert result["n_coded"] == coded
    # five folds over the coded articles: each classifier is trained without a fifth of them
    assert result["trained_on"]["folds"] == 5 and result["trained_on"]["articles"] <= len(docs) - coded // 5
    assert result["macro_f1"] >= 0.9 and result["alpha"] >= 0.8
    assert result["macro_f1_lo"] <= result["macro_f1"] <= result["macro_f1_hi"]
    assert result["confusion"]["labels"] == ["hard_left", "soft_left"]


def test_machine_disagrees_with_coders_who_read_against_the_text():
    result = machine_vs_coders(_docs(flip_coded=True), list_labels=None, replicates=0)
    assert result["macro_f1"] <= 0.2 and result["alpha"] < 0
    assert "macro_f1_lo" not in result


def test_the_lists_are_scored_beside_the_machine():
    docs = _docs()
    coded = [docs.ids[i] for i in range(len(docs)) if docs.label_levels[i] == "coded"]
    lists = {i: "soft_left" for i in coded}  # a list that puts every coded article on one side
    result = machine_vs_coders(docs, list_labels=lists, replicates=0)
    assert result["lists"]["n"] == len(coded) and result["lists"]["accuracy"] == pytest.approx(0.5, abs=0.1)
    assert result["lists"]["macro_f1"] < result["macro_f1"]


def test_no_coded_article_is_a_clear_error():
    docs = DocumentTerms.from_terms([["a"], ["b"]], labels=["x", "y"])
    with pytest.raises(ValidationError, match="no coded article with a tendency to validate against"):
        machine_vs_coders(docs)


def test_rank_correlation_of_scores_and_positions():
    scores = {f"d{i}": float(i % 7) for i in range(30)}
    positions = {k: v * 0.5 + 0.01 * int(k[1:]) for k, v in scores.items()}
    result = positions_vs_scores(scores, positions, "position", replicates=200)
    assert result["spearman"] >= 0.95 and result["lo"] <= result["spearman"] <= result["hi"]
    reversed_ = positions_vs_scores(scores, {k: -v for k, v in positions.items()}, "position", replicates=0)
    assert reversed_["spearman"] <= -0.95
    few = positions_vs_scores({"d1": 1.0}, {"d1": 0.2}, "position")
    assert few["spearman"] is None and "at least three" in few["note"]
    assert not math.isnan(result["spearman"])


def test_the_report_says_what_the_classifier_was_checked_against():
    from nlp.report.tendency_sections import coding_sentence
    from nlp.tendencies.analysis import analyse_tendencies

    docs = _docs()
    docs.meta["coding"] = {"articles": 9, "coders": ["ann", "ben"], "coded_labels": 8,
                           "agreement": {"alpha": 0.81, "lo": 0.7, "hi": 0.9, "reading": "reliable"}}
    analysis = analyse_tendencies(docs, seed=0)
    check = analysis.coding["validation"]
    assert check["n_coded"] == 8 and check["macro_f1"] >= 0.9
    assert coding_sentence(analysis.coding) == (
        "Checked against 9 articles coded by 2 people: the coders agree with each other at α 0.81 (95% interval "
        f"0.70 to 0.90: reliable); asked about each article without having been trained on it, the classifier agrees "
        f"with the coders' majority at "
        f"α {check['alpha']:.2f} (macro-F1 {check['macro_f1']:.2f}, interval {check['macro_f1_lo']:.2f} to "
        f"{check['macro_f1_hi']:.2f}) on the 8 of them with a tendency.")


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_the_bootstraps_fast_alpha_is_krippendorffs(level):
    from nlp.coding.agreement import alpha_of_coincidences, alpha_of_counts, coincidences, value_counts

    units = units_of(CODERS, as_text=False)
    domain = [1, 2, 3, 4, 5]
    counts = value_counts(list(units.values()), domain)
    assert alpha_of_coincidences(coincidences(counts), domain, level) == pytest.approx(
        alpha_of_counts(counts, domain, level), abs=1e-12)
    twice = np.ones(len(counts))
    twice[3] = 2  # a unit drawn twice counts as two copies of it
    doubled = np.vstack([counts, counts[3:4]])
    assert alpha_of_coincidences(coincidences(counts, twice), domain, level) == pytest.approx(
        alpha_of_counts(doubled, domain, level), abs=1e-12)
