"""The machine against the people: the classifier (and the scaling positions) on the articles people coded.

Political scientists validate an automated measure against human coding before they publish it. Here the
people are the coders' majority on each coded article (its coded label, level ``coded``), and the machine is
the tendency classifier as it is used, but **never trained on the article it is asked about**: the coded
articles are split into folds (an author's together), and each fold is predicted by a classifier trained on
every other article with a tendency. Its agreement is reported as
macro-F1 with a bootstrap interval (articles resampled by author), Krippendorff's alpha between the machine
and the coders' majority (two coders, nominal), and the confusion matrix. The lists themselves are scored
the same way, so a reader sees whether the machine does better or worse than the labels it learnt from.

For a numeric variable (a position on a scale the coders scored), the coders' mean score is compared with
the documents' scaling positions by Spearman's rank correlation, with a bootstrap interval.
"""
from __future__ import annotations

import logging
from collections import Counter
from typing import Any, Mapping, Sequence

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from nlp.coding.agreement import REPLICATES, alpha_of_counts, value_counts
from nlp.documents import DocumentTerms
from nlp.errors import NlpError
from nlp.tendencies.crossval import macro_f1_interval
from nlp.uncertainty import cluster_keys

log = logging.getLogger(__name__)

#: Labels that are no tendency: coded articles with them are left out of the comparison.
NOT_TENDENCIES = ("unlabelled", "mixed")
#: Coded articles below which the comparison is stated with a caveat.
MIN_CODED = 20
#: Folds over the coded articles: each is predicted by a classifier trained without its fold.
FOLDS = 5


class ValidationError(NlpError):
    """Nothing to validate against: no coded articles, or no classifier to compare with them."""


def _scores(truth: Sequence[str], predicted: Sequence[str], authors: Sequence[Sequence[str]], ids: Sequence[str],
            replicates: int, seed: int) -> dict[str, Any]:
    """macro-F1 (with interval), accuracy, alpha and confusion of ``predicted`` against ``truth``."""
    classes = sorted(set(truth) | set(predicted))
    truth_classes = sorted(set(truth))
    out: dict[str, Any] = {
        "n": len(truth),
        "macro_f1": round(float(f1_score(truth, predicted, labels=truth_classes, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
    }
    if replicates and len(truth) >= 2:
        lo, hi = macro_f1_interval(truth, predicted, cluster_keys(authors, ids), replicates=replicates, seed=seed)
        out.update(macro_f1_lo=round(lo, 4), macro_f1_hi=round(hi, 4))
    counts = value_counts([{"machine": p, "coders": t} for t, p in zip(truth, predicted)], classes)
    a = alpha_of_counts(counts, classes, "nominal")
    out["alpha"] = None if a is None else round(a, 4)
    out["confusion"] = {"labels": classes, "rows": "coders' majority", "columns": "machine",
                        "matrix": confusion_matrix(truth, predicted, labels=classes).astype(int).tolist()}
    return out


def _cross_fitted(docs: DocumentTerms, coded: list[int], seed: int,
                  folds: int) -> tuple[list[str], dict[str, Any], set[str]]:
    """Each coded article's predicted tendency from a classifier that never saw it.

    The coded articles are split into folds by author (:func:`nlp.uncertainty.cluster_keys`: an author's
    coded articles are held out together); for each fold the classifier is trained on every other article
    with a tendency (the coded ones with their coded label), leaving out tendencies with fewer than two
    articles to learn from. Returns the predictions, what was trained on, and every class any fold learnt.
    """
    from sklearn.model_selection import GroupKFold

    from nlp.tendencies.classify import predict_terms
    from nlp.tendencies.estimator import fit_counts

    usable = [docs.labels[i] not in NOT_TENDENCIES and docs.n_terms(i) > 0 for i in range(len(docs))]
    keys = cluster_keys([docs.authors[i] for i in coded], [docs.ids[i] for i in coded])
    k = min(folds, len(set(keys)))
    splits = ([test for _, test in GroupKFold(n_splits=k).split(coded, groups=keys)] if k >= 2
              else [np.arange(len(coded))])
    predicted: list[str] = [""] * len(coded)
    known: set[str] = set()
    left_out: set[str] = set()
    sizes = []
    for test in splits:
        held = {coded[j] for j in test}
        train = [i for i in range(len(docs)) if usable[i] and i not in held]
        counts = Counter(docs.labels[i] for i in train)
        rare = {c for c, n in counts.items() if n < 2}
        left_out |= rare
        train = [i for i in train if docs.labels[i] not in rare]
        labels = [docs.labels[i] for i in train]
        if len(set(labels)) < 2:
            raise ValidationError("no classifier can be trained beside the coded articles: fewer than two tendencies "
                                  "have two articles each outside them; label more articles (outlets, authors)")
        model = fit_counts(docs.matrix, labels, docs.vocabulary, seed=seed, rows=train)
        known |= {str(c) for c in model.classes_}
        sizes.append(len(train))
        for j, p in zip(test, predict_terms(model, [docs.terms(coded[j]) for j in test])):
            predicted[j] = p["label"]
    trained_on = {"source": "every other article with a tendency: each coded article is predicted by a classifier "
                            "that never saw it (folds over the coded articles' authors)",
                  "folds": len(splits), "articles": min(sizes), "left_out_classes": sorted(left_out)}
    return predicted, trained_on, known


def machine_vs_coders(docs: DocumentTerms, list_labels: Mapping[str, str] | None = None, model: Any = None,
                      seed: int = 0, replicates: int = REPLICATES, folds: int = FOLDS) -> dict[str, Any]:
    """Score the tendency classifier, and the outlet and author lists, against the coders' majority.

    Parameters
    ----------
    docs : DocumentTerms
        The corpus (or a selection) with its labels resolved: the coded articles carry level ``coded``.
    list_labels : mapping of str to str, optional
        Per coded article id, the label the lists give it without the coders (scored too when given).
    model : sklearn Pipeline, optional
        A saved classifier (:func:`nlp.tendencies.model_files.load_model`) to score instead of cross-fitting
        one (:func:`_cross_fitted`).
    seed, replicates
        The classifier's seed and the bootstrap behind the macro-F1 interval.
    folds : int
        Folds over the coded articles (fewer when they have fewer authors).

    Returns
    -------
    dict
        ``{"n_coded", "macro_f1", "macro_f1_lo", "macro_f1_hi", "accuracy", "alpha", "confusion",
        "trained_on", "lists": {...} or None, "left_out": {...}, "caveats": [...]}``.

    Raises
    ------
    ValidationError
        No coded article has a tendency, or no classifier can be trained without them.
    """
    coded, left_out = [], Counter()
    for i in range(len(docs)):
        if docs.label_levels[i] != "coded":
            continue
        if docs.labels[i] in NOT_TENDENCIES:
            left_out[f"coded {docs.labels[i]}"] += 1
        elif not docs.n_terms(i):
            left_out["no terms"] += 1
        else:
            coded.append(i)
    if not coded:
        raise ValidationError("no coded article with a tendency to validate against: import coders' sheets with "
                              "`code import FILE --coder NAME` (ties need `code adjudicate`)")
    caveats: list[str] = []
    if model is None:
        predicted, trained_on, known = _cross_fitted(docs, coded, seed, folds)
        if trained_on["left_out_classes"]:
            caveats.append("Tendencies with fewer than 2 articles to train on were left out of the classifier: "
                           + ", ".join(trained_on["left_out_classes"]))
    else:
        from nlp.tendencies.classify import predict_terms

        predicted = [p["label"] for p in predict_terms(model, [docs.terms(i) for i in coded])]
        trained_on, known = {"source": "a saved model"}, {str(c) for c in model.classes_}
    truth = [docs.labels[i] for i in coded]
    authors, ids = [docs.authors[i] for i in coded], [docs.ids[i] for i in coded]
    unknown = sorted(set(truth) - known)
    if unknown:
        caveats.append(f"The coders used tendencies the classifier was never trained on ({', '.join(unknown)}): "
                       "it cannot be right on those articles")
    if len(coded) < MIN_CODED:
        caveats.append(f"Only {len(coded)} coded articles: the figures are rough (code at least {MIN_CODED})")
    out = {"n_coded": len(coded), "n_authors": len(set(cluster_keys(authors, ids))),
           **_scores(truth, predicted, authors, ids, replicates, seed), "trained_on": trained_on, "left_out": dict(left_out), "coders_classes": dict(sorted(Counter(truth).items())),
           "interval": {"method": "percentile bootstrap of authors (each with all their coded articles)",
                        "replicates": replicates, "seed": seed}}
    out["lists"] = None
    if list_labels:
        pairs = [(docs.labels[i], list_labels.get(docs.ids[i])) for i in coded]
        keep = [k for k, (_, lab) in enumerate(pairs) if lab is not None and lab not in NOT_TENDENCIES]
        if keep:
            out["lists"] = _scores([pairs[k][0] for k in keep], [pairs[k][1] for k in keep],
                                   [authors[k] for k in keep], [ids[k] for k in keep], replicates, seed)
            out["lists"]["without_a_tendency"] = len(coded) - len(keep)
    out["caveats"] = caveats
    log.info("machine vs coders: %d coded articles, macro-F1 %.3f, alpha %s", len(coded), out["macro_f1"], out["alpha"])
    return out


def positions_vs_scores(scores: Mapping[str, float], positions: Mapping[str, float], variable: str,
                        replicates: int = REPLICATES, seed: int = 0) -> dict[str, Any]:
    """Spearman's rank correlation of the coders' mean scores with the documents' positions.

    Parameters
    ----------
    scores : mapping of str to float
        The coders' mean score per article id.
    positions : mapping of str to float
        The scaling positions per article id (Wordfish θ, a Wordscores score).

    Returns
    -------
    dict
        ``{"variable", "n", "spearman", "lo", "hi", "note"}``; the sign of a Wordfish scale is arbitrary, so
        a strong negative correlation is agreement with the scale reversed.
    """
    ids = sorted(set(scores) & set(positions))
    out: dict[str, Any] = {"variable": variable, "n": len(ids), "spearman": None, "lo": None, "hi": None}
    if len(ids) < 3:
        out["note"] = (f"{len(ids)} coded article(s) have a position: a rank correlation needs at least three; "
                       "scale the coded articles (scale wordfish) or code more of the scaled ones")
        return out
    x = np.array([scores[i] for i in ids])
    y = np.array([positions[i] for i in ids])
    rho = spearmanr(x, y).statistic
    out["spearman"] = None if not np.isfinite(rho) else round(float(rho), 4)
    if replicates and out["spearman"] is not None:
        rng = np.random.default_rng(seed)
        draws = []
        for _ in range(replicates):
            pick = rng.integers(0, len(ids), len(ids))
            if np.ptp(x[pick]) > 0 and np.ptp(y[pick]) > 0:
                draws.append(spearmanr(x[pick], y[pick]).statistic)
        if draws:
            out["lo"], out["hi"] = (round(float(v), 4) for v in np.quantile(draws, [0.025, 0.975]))
    out["note"] = "the direction of a Wordfish scale is arbitrary: a strong negative rho is agreement with it reversed"
    return out
