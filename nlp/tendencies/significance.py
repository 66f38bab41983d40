"""Honest numbers for a classifier's score: a bootstrap that keeps every class, a permutation test under
the same folds, and the caveats they call for.

* :func:`class_strata` - the units (groups the folds keep whole: outlets, authors, copy clusters) split by
  the classes they hold, so the bootstrap of the macro-F1 resamples units **within classes**. Resampling
  all units together lets a replicate hold no unit of a small class (with 2 left outlets among 8, a tenth
  of the replicates); its macro-F1 is then an average over one class, near 1, and the interval stretches
  far above every fold's score.
* :func:`label_permutation_test` - the cross-validated macro-F1 against the same figure with the labels
  permuted, on the same folds (Ojala & Garriga 2010, test 1): p = (1 + permuted scores at least the
  observed) / (1 + permutations) (Phipson & Smyth 2010). Where every group of the folds has one label
  (the label is a property of the outlet or author) the groups' labels are permuted, not the documents':
  the groups are the exchangeable units. When the groups admit few distinct labellings (2 left outlets
  among 8: 28), all of them are scored and p is exact. The test stops as soon as enough permuted scores
  reach the observed one to make p >= 0.05 certain (with 39 permutations: one); p is then reported as that
  lower bound, and the verdict is the full test's. A score that chance matches costs a few fits, a real
  one :data:`PERMUTATIONS` times the folds.
* :func:`score_caveats` - a caveat when accuracy is at or below the majority baseline's, and when the
  permutation test gives p >= 0.05.
"""
from __future__ import annotations

import itertools
import math
from collections import Counter
from typing import Any, Sequence

import numpy as np
from scipy import sparse
from sklearn.metrics import f1_score

#: Label permutations of the test (at most; ``--permutations``): 39 is the fewest for which p can fall below
#: 0.05 (1/40 = 0.025).
PERMUTATIONS = 39
#: The level below which a score is told from chance; the test stops as soon as p cannot fall below it.
ALPHA = 0.05


def class_strata(members: Sequence[np.ndarray], y_codes: np.ndarray) -> list[np.ndarray]:
    """The units split into strata by the set of classes their documents hold.

    Parameters
    ----------
    members : sequence of int arrays
        Each unit's documents (rows of ``y_codes``).
    y_codes : int array
        Each document's true class.

    Returns
    -------
    list of int arrays
        The unit indices of each stratum. Resampling each stratum's units with replacement, as many as it
        has, keeps every class in every replicate.
    """
    strata: dict[tuple[int, ...], list[int]] = {}
    for u, rows in enumerate(members):
        strata.setdefault(tuple(np.unique(y_codes[rows]).tolist()), []).append(u)
    return [np.asarray(units, dtype=np.int64) for _, units in sorted(strata.items())]


def draw_units(rng: np.random.Generator, strata: Sequence[np.ndarray]) -> np.ndarray:
    """One bootstrap draw of units: each stratum resampled with replacement to its own size."""
    return np.concatenate([s[rng.integers(0, len(s), len(s))] for s in strata])


def _group_labels(labels: np.ndarray, groups: np.ndarray | None) -> tuple[np.ndarray, np.ndarray] | None:
    """``(group of each document as an index, label of each group)`` when every group has one label; else
    None (documents are then permuted)."""
    if groups is None:
        return None
    names, index = np.unique(groups.astype(str), return_inverse=True)
    first = np.full(len(names), -1, dtype=np.int64)
    first[index[::-1]] = np.arange(len(index))[::-1]
    group_label = labels[first]
    if np.any(group_label[index] != labels):
        return None
    return index, group_label


def _labellings(group_label: np.ndarray, limit: int) -> list[np.ndarray] | None:
    """Every distinct assignment of the group labels to the groups, when there are at most ``limit + 1``
    of them (the observed one included); else None."""
    if len(group_label) > limit + 1:  # with two classes or more there are at least as many labellings as groups
        return None
    counts = Counter(group_label.tolist())
    total = math.factorial(len(group_label))
    for n in counts.values():
        total //= math.factorial(n)
    if total > limit + 1:
        return None
    classes = sorted(counts)
    out: list[np.ndarray] = []

    def place(free: list[int], k: int, current: np.ndarray) -> None:
        if k == len(classes):
            out.append(current.copy())
            return
        for chosen in itertools.combinations(free, counts[classes[k]]):
            current[list(chosen)] = classes[k]
            place([g for g in free if g not in chosen], k + 1, current)

    place(list(range(len(group_label))), 0, np.empty(len(group_label), dtype=object))
    return out


def label_permutation_test(
    counts: sparse.csr_matrix,
    labels: Sequence[str],
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    observed: float,
    groups: Sequence[str] | None = None,
    rows: np.ndarray | None = None,
    permutations: int = PERMUTATIONS,
    seed: int = 0,
    exact_only: bool = False,
    **params: Any,
) -> dict[str, Any] | None:
    """The macro-F1 of the same folds with the labels permuted; the share that reaches ``observed``.

    Parameters
    ----------
    counts : sparse matrix
        Document-term counts; ``rows`` are the labelled documents' rows (default all, in order).
    labels : sequence of str
        The true labels of the labelled documents.
    splits : sequence of (train, test) index arrays
        The folds of the observed score (indices into ``labels``).
    observed : float
        The observed out-of-fold macro-F1.
    groups : sequence of str, optional
        The folds' groups: when each has a single label, labels are permuted among groups.
    permutations : int
        At most this many permuted labellings (fewer when the groups admit fewer, or the test stops early).
    seed : int
        Seeds the permutations and the estimator.
    exact_only : bool
        Run only an exact test (the groups admit at most ``permutations + 1`` labellings); else return None.
    **params
        Estimator parameters (as for the observed score).

    Returns
    -------
    dict or None
        ``{"p_value", "permutations", "at_least_observed", "unit", "exact", "stopped_early",
        "permuted_macro_f1": {"mean", "max"}, "method"}``; None when ``exact_only`` and the test is not exact.
    """
    from threadpoolctl import threadpool_limits

    from nlp.tendencies.estimator import tfidf_rows

    y = np.asarray(labels, dtype=object)
    by_group = _group_labels(y, None if groups is None else np.asarray(groups, dtype=object))
    exact = _labellings(by_group[1], permutations) if by_group is not None else None
    if exact_only and exact is None:
        return None
    classes = sorted(set(y.tolist()))
    counts = sparse.csr_matrix(counts)
    selected = np.arange(counts.shape[0]) if rows is None else np.asarray(rows, dtype=np.int64)
    tested = np.zeros(len(y), dtype=bool)
    folds = []
    for train_idx, test_idx in splits:  # the TF-IDF of a fold does not depend on the labels: built once
        x_train, x_test, columns = tfidf_rows(counts[selected[train_idx]], counts[selected[test_idx]], **params)
        folds.append((train_idx, test_idx, x_train, x_test, len(columns)))
        tested[test_idx] = True
    rng = np.random.default_rng(seed)
    if by_group is not None:
        index, group_label = by_group
        if exact is not None:  # the observed labelling is scored as one of them: drop it once
            exact = [lab for lab in exact if not np.array_equal(lab, group_label)]
        candidates = (lab[index] for lab in exact) if exact is not None else \
            (rng.permutation(group_label)[index] for _ in range(permutations))
    else:
        candidates = (rng.permutation(y) for _ in range(permutations))
    planned = len(exact) if exact is not None else permutations
    scores: list[float] = []
    reached = 0
    attainable = 1 / (1 + planned) < ALPHA  # else no outcome can fall below it: nothing to fit
    with threadpool_limits(limits=1):  # as for the folds: one BLAS thread, never contending
        for y_perm in (candidates if attainable else ()):
            score = _permuted_score(y_perm, folds, tested, classes, seed, params)
            scores.append(score)
            reached += score >= observed - 1e-9  # (rounding: a tie counts as reaching it)
            if (1 + reached) / (1 + planned) >= ALPHA:
                break  # p can only grow from here: the verdict is that of the full test
    n = len(scores)
    # Phipson & Smyth's (1 + b) / (1 + m) over the m labellings planned; for an exact enumeration, the share
    # of all labellings (the observed one included) that reach the observed score. Stopped early: a lower bound.
    p = (1 + reached) / (1 + planned)
    return {
        "p_value": round(float(p), 4), "permutations": n, "at_least_observed": int(reached),
        "unit": "group" if by_group is not None else "article", "exact": exact is not None,
        "n_units": int(len(by_group[1])) if by_group is not None else int(len(y)),
        "stopped_early": n < planned, "smallest_attainable_p": round(1 / (1 + planned), 4),
        "permuted_macro_f1": {"mean": round(float(np.mean(scores)), 4) if scores else None,
                              "max": round(float(np.max(scores)), 4) if scores else None},
        "method": "labels permuted " + ("among the folds' groups (each has one label)" if by_group is not None
                                        else "among articles") + ", the same folds and estimator refitted; "
                  + ("every distinct labelling" if exact is not None else f"{permutations} random permutations")
                  + "; stops once p >= 0.05 is certain (p_value is then a lower bound)",
    }


def _permuted_score(y_perm: np.ndarray, folds: list, tested: np.ndarray, classes: list[str], seed: int,
                    params: dict[str, Any]) -> float:
    """The out-of-fold macro-F1 of the folds' models refitted on permuted labels (scored against them)."""
    from nlp.tendencies.estimator import make_classifier

    pred = np.empty(len(y_perm), dtype=object)
    for train_idx, test_idx, x_train, x_test, n_columns in folds:
        y_train = y_perm[train_idx]
        if len(set(y_train.tolist())) < 2 or not n_columns:
            pred[test_idx] = Counter(y_train.tolist()).most_common(1)[0][0]
        else:
            pred[test_idx] = make_classifier(seed, **params).fit(x_train, y_train).predict(x_test)
    return float(f1_score(y_perm[tested], pred[tested], labels=classes, average="macro", zero_division=0))


def score_caveats(accuracy: float, baseline: dict[str, Any], macro_f1: float,
                  permutation: dict[str, Any] | None) -> list[str]:
    """The caveats a score calls for: accuracy at or below the majority baseline; a permutation test with
    p >= :data:`ALPHA`."""
    caveats = []
    if accuracy <= baseline["accuracy"]:
        caveats.append(
            f"Accuracy {accuracy:.2f} is at or below the baseline's {baseline['accuracy']:.2f} (always "
            f"{baseline['class']!r}): the classifier gets fewer articles right than guessing the largest class; "
            f"its macro-F1 {macro_f1:.2f} comes from balancing the classes, not from telling them apart")
    if permutation is None or permutation["p_value"] < ALPHA:
        return caveats
    unit, floor = permutation["unit"], permutation["smallest_attainable_p"]
    if floor >= ALPHA and permutation["exact"]:
        caveats.append(
            f"With {permutation['n_units']} {unit}s the labels can be permuted among them in only "
            f"{round(1 / floor)} distinct ways, so no permutation test can give p below {floor:.2f}: with so "
            f"few {unit}s the score cannot be told from chance")
    elif floor >= ALPHA:
        caveats.append(f"{permutation['permutations']} permutations cannot give p below {floor:.2f}: ask for at "
                       f"least {round(1 / ALPHA)} (--permutations)")
    else:
        sign = ">=" if permutation["stopped_early"] else "="
        caveats.append(
            f"Permuting the labels among {unit}s on the same folds, a classifier scores as well in "
            f"{permutation['at_least_observed']} of {permutation['permutations']} tries (p {sign} "
            f"{permutation['p_value']:.2f}): the score is not distinguishable from chance")
    return caveats
