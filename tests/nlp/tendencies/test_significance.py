"""Honest classifier numbers: copies kept in one fold, an interval that keeps every class, and the caveats
for a score at or below the majority baseline or indistinguishable from permuted labels. Each caveat has a
fixture built to trigger it and one built not to."""
from __future__ import annotations

import random

import numpy as np
from sklearn.metrics import f1_score

from nlp.documents import DocumentTerms
from nlp.tendencies.classify import EvaluationResult, evaluate
from nlp.tendencies.crossval import macro_f1_interval
from nlp.tendencies.significance import class_strata, draw_units
from tests.nlp.tendencies.synthetic import synthetic_corpus

COMMON = [f"w{i}" for i in range(300)]


def noise(n_by_class: dict[str, int], outlets: dict[str, list[str]], seed: int = 1, length: int = 60) -> DocumentTerms:
    """Documents whose terms say nothing about their class; each class's articles spread over its outlets."""
    rng = random.Random(seed)
    terms, labels, where = [], [], []
    for label, n in n_by_class.items():
        for i in range(n):
            terms.append([rng.choice(COMMON) for _ in range(length)])
            labels.append(label)
            where.append(outlets[label][i % len(outlets[label])])
    return DocumentTerms.from_terms(terms, labels=labels, outlets=where)


def separable(groups_per_class: int = 12) -> DocumentTerms:
    docs, labels, groups = synthetic_corpus(n_per_class=36, authors_per_class=groups_per_class,
                                            classes=("soft_left", "hard_left"))
    return DocumentTerms.from_terms(docs, labels=labels, outlets=groups, authors=[(g,) for g in groups])


def caveat(result: EvaluationResult, start: str) -> list[str]:
    return [c for c in result.caveats if c.startswith(start)]


# ----------------------------------------------------------------------------- copies and folds
def _twins(copies: bool) -> DocumentTerms:
    """60 pieces with random labels, each printed twice: a piece's idiosyncratic words are all a model can
    learn, and they tell its twin's label only if the twin was trained on."""
    rng = random.Random(0)
    terms, labels, keys = [], [], []
    for i in range(60):
        doc = [rng.choice(COMMON) for _ in range(40)] + [f"idio{i}_{j}" for j in range(15)]
        label = rng.choice(["left", "right"])
        for _ in range(2):
            terms.append(doc)
            labels.append(label)
            keys.append(f"p{i}")
    return DocumentTerms.from_terms(terms, labels=labels, copies=keys if copies else None)


def test_copies_never_straddle_folds_so_twins_cannot_inflate_the_score():
    kept = evaluate(_twins(copies=True), group_by="none", mask_names=False, permutations=0)
    assert kept.splitter == "StratifiedGroupKFold" and kept.n_groups == 60
    assert kept.copies == {"articles": 120, "independent": 60, "kept_in_one_fold": True}
    assert kept.macro_f1 < 0.65  # chance: nothing real tells the labels apart
    # the same corpus without its copies known: each twin is tested on a model that saw the other
    leaked = evaluate(_twins(copies=False), group_by="none", mask_names=False, permutations=0)
    assert leaked.splitter == "StratifiedKFold" and leaked.macro_f1 > 0.75


def test_group_folds_merge_the_groups_a_copy_links():
    docs = separable(groups_per_class=4)
    copies = list(docs.ids)
    copies[0] = copies[1] = "shared"  # a piece of author 0 reprinted as author 1's (both soft_left)
    docs.copy_clusters = copies
    result = evaluate(docs, group_by="outlet", mask_names=False, permutations=0)
    assert result.n_groups == 7


# ----------------------------------------------------------------------------- the interval
def test_every_bootstrap_replicate_holds_every_class():
    y = np.array([0] * 100 + [1] * 300)
    members = [np.arange(u * 50, (u + 1) * 50) for u in range(8)]  # 2 units of class 0, 6 of class 1
    strata = class_strata(members, y)
    rng = np.random.default_rng(0)
    for _ in range(200):
        drawn = draw_units(rng, strata)
        assert len(drawn) == 8 and {0, 1} <= set(y[np.concatenate([members[u] for u in drawn])])


def test_interval_of_two_left_outlets_among_eight_stays_near_its_score():
    rng = np.random.default_rng(0)
    units = [f"L{i}" for i in range(2) for _ in range(50)] + [f"R{i}" for i in range(6) for _ in range(50)]
    y_true = ["left"] * 100 + ["right"] * 300
    y_pred = ["left" if rng.random() < 0.3 else "right" for _ in y_true]
    score = f1_score(y_true, y_pred, average="macro")
    lo, hi = macro_f1_interval(y_true, y_pred, units, seed=0)
    # resampling outlets regardless of class gave (0.45, 0.85): replicates without a left outlet score one class
    assert lo <= score <= hi and hi - lo < 0.15 and hi < 0.6


# ----------------------------------------------------------------------------- the caveats
def test_accuracy_at_or_below_the_majority_baseline_is_a_caveat():
    below = evaluate(noise({"left": 20, "right": 80}, {"left": ["l"], "right": ["r"]}), group_by="none",
                     mask_names=False, permutations=0)
    assert below.accuracy <= below.baseline["accuracy"] == 0.8
    [text] = caveat(below, "Accuracy")
    assert text.startswith(f"Accuracy {below.accuracy:.2f} is at or below the baseline's 0.80 (always 'right')")
    good = evaluate(separable(), group_by="outlet", mask_names=False, permutations=0)
    assert good.accuracy > good.baseline["accuracy"] and not caveat(good, "Accuracy")


def test_a_score_that_permuted_labels_match_is_a_caveat():
    # 2 left outlets among 8, nothing to learn: every one of the 28 labellings is scored (exact test)
    two_of_eight = noise({"left": 20, "right": 60}, {"left": ["l1", "l2"], "right": [f"r{i}" for i in range(6)]})
    result = evaluate(two_of_eight, group_by="outlet", mask_names=False)
    test = result.permutation_test
    assert test["exact"] and test["unit"] == "group" and test["n_units"] == 8
    assert test["smallest_attainable_p"] == round(1 / 28, 4) and test["p_value"] >= 0.05
    [text] = caveat(result, "Permuting the labels among groups on the same folds")
    assert text.endswith("the score is not distinguishable from chance")
    # a real signal over 24 authors: no permuted labelling comes near it
    real = evaluate(separable(), group_by="outlet", folds=3, mask_names=False, permutations=39)
    assert real.permutation_test["p_value"] == 0.025 and real.permutation_test["permutations"] == 39
    assert not caveat(real, "Permuting") and not caveat(real, "With ")


def test_too_few_groups_can_never_be_told_from_chance():
    result = evaluate(noise({"left": 30, "right": 30}, {"left": ["l1", "l2", "l3"], "right": ["r1", "r2", "r3"]}),
                      group_by="outlet", mask_names=False)
    assert result.permutation_test["permutations"] == 0  # 20 labellings: p >= 1/20 whatever happens
    [text] = caveat(result, "With 6 groups")
    assert text == ("With 6 groups the labels can be permuted among them in only 20 distinct ways, so no "
                    "permutation test can give p below 0.05: with so few groups the score cannot be told from chance")


def test_the_test_runs_by_default_only_where_it_is_exact():
    result = evaluate(separable(), group_by="outlet", mask_names=False)
    assert result.permutation_test == {
        "skipped": "not exact here (the labels would be permuted among articles, or among groups admitting more "
                   "than 40 labellings); ask for it with --permutations N (about N x folds more model fits)"}
    unasked = evaluate(separable(), group_by="outlet", mask_names=False, permutations=0)
    assert unasked.permutation_test is None and "permutation_test" not in unasked.to_dict()
