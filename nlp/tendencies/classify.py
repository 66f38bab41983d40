"""Tendency classifiers: TF-IDF over preprocessed terms and class-balanced logistic regression.

Three things a researcher does with them:

* :func:`evaluate` - cross-validated macro-F1, accuracy, per-class precision/recall/F1 and a confusion
  matrix, beside a majority-class baseline. Folds never split a group (an outlet or an author), so the
  classifier is scored on writers or outlets it has never seen: otherwise it can score well by learning
  who wrote a piece rather than which tendency it argues.
* :func:`train` - fit on every labelled article and save a model directory (:mod:`nlp.model_files`:
  JSON and ``.npy`` only, a manifest with SHA-256 checksums; nothing that can run code is ever loaded).
* :func:`predict_text` / :func:`predict_unlabelled` - probabilities for a text, or for every article
  without a usable label, stored in the ``predictions`` table so a report can show where a mixed outlet's
  authors fall.

The estimator is a plain scikit-learn :class:`~sklearn.pipeline.Pipeline` (:func:`make_pipeline`) whose
input documents are lists of terms, so it can be cross-validated, grid-searched or reused on its own.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import LeaveOneGroupOut, StratifiedGroupKFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from nlp.tendencies.estimator import DEFAULT_PARAMS, make_pipeline
from nlp.tendencies.model_files import load_model, save_model
from nlp.documents import DocumentTerms, EmptySelectionError, GroupError, NlpError

log = logging.getLogger(__name__)

GROUP_BY = ("outlet", "author", "none")
LABEL_FIELDS = ("tendency", "outlet", "year")
#: Share of labels resolved from outlet defaults above which the house-style caveat is given.
OUTLET_LEVEL_CAVEAT_SHARE = 0.5


class ClassifyError(NlpError):
    """Data that cannot train or evaluate a classifier (too few examples, one class, one group)."""


@dataclass
class LabelledDocuments:
    """Documents (term lists) with a class label and a group each, ready for cross-validation."""

    docs: list[list[str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    levels: Counter = field(default_factory=Counter)
    excluded: Counter = field(default_factory=Counter)
    no_group: int = 0


def group_key(outlet: str, authors: Sequence[str], group_by: str) -> str | None:
    """The group an article belongs to for ``group_by`` (None when it has no value, e.g. no author)."""
    if group_by == "outlet":
        return outlet
    if group_by == "author":
        return "; ".join(sorted(a.casefold() for a in authors)) or None
    return None


def load_labelled(
    docs: DocumentTerms,
    label_field: str = "tendency",
    group_by: str = "outlet",
    include_mixed: bool = False,
) -> LabelledDocuments:
    """The labelled documents of a selection with their groups.

    Documents whose tendency resolves to ``unlabelled`` are left out, and ``mixed`` ones unless
    ``include_mixed``. A document without a value for ``group_by`` (no author) is a group of its own.
    """
    if label_field not in LABEL_FIELDS:
        raise GroupError(f"Unknown label field {label_field!r}; known label fields: {', '.join(LABEL_FIELDS)}")
    if group_by not in GROUP_BY:
        raise GroupError(f"Unknown grouping {group_by!r}; use one of: {', '.join(GROUP_BY)}")
    skip = {"unlabelled"} | (set() if include_mixed else {"mixed"})
    out = LabelledDocuments()
    for i in range(len(docs)):
        if label_field == "tendency":
            label, level = docs.labels[i], docs.label_levels[i]
            if label in skip:
                out.excluded[label] += 1
                continue
            out.levels[level] += 1
        else:
            values = docs.values(i, label_field)
            if not values:
                out.excluded[f"no {label_field}"] += 1
                continue
            label = values[0]
        terms = docs.terms(i)
        if not terms:
            out.excluded["no terms"] += 1
            continue
        key = group_key(docs.outlets[i], docs.authors[i], group_by)
        if key is None:
            out.no_group += 1
            key = f"(article {docs.ids[i]})"
        out.docs.append(terms)
        out.labels.append(label)
        out.groups.append(key)
        out.ids.append(docs.ids[i])
    return out


def check_classes(labels: Sequence[str], label_field: str = "tendency") -> list[str]:
    """The sorted classes; raise :class:`ClassifyError` for no data, one class, or a class of one example."""
    if not labels:
        raise EmptySelectionError(
            f"No labelled, preprocessed articles to classify by {label_field}; label outlets or authors "
            "(`corpus labels`), import with --label-field, and run `nlp preprocess`"
        )
    counts = Counter(labels)
    if len(counts) < 2:
        only = next(iter(counts))
        raise ClassifyError(
            f"Only one class ({only!r}, {counts[only]} articles): a classifier needs at least two; "
            "label articles of another tendency"
        )
    small = sorted(c for c, n in counts.items() if n < 2)
    if small:
        listing = ", ".join(f"{c!r} ({counts[c]})" for c in small)
        raise ClassifyError(
            f"Class {listing} has fewer than 2 examples; label more articles of it or relabel them"
        )
    return sorted(counts)


def make_splitter(labels: Sequence[str], groups: Sequence[str] | None, folds: int, seed: int) -> tuple[Any, int, str]:
    """The cross-validation splitter: ``(splitter, n_splits, name)``.

    Without groups: stratified K-fold. With groups: stratified group K-fold, or leave-one-group-out when
    there are no more groups than folds. K is capped by the size of the smallest class.
    """
    if folds < 2:
        raise ClassifyError(f"--folds must be at least 2, not {folds}")
    if groups is None:
        k = min(folds, min(Counter(labels).values()))
        return StratifiedKFold(n_splits=k, shuffle=True, random_state=seed), k, "StratifiedKFold"
    n_groups = len(set(groups))
    if n_groups < 2:
        raise ClassifyError(
            f"Grouping leaves only one group ({groups[0]!r}): folds that never split a group need at least "
            "two; use --group-by none, or another grouping"
        )
    if n_groups <= folds:
        return LeaveOneGroupOut(), n_groups, "LeaveOneGroupOut"
    k = min(folds, min(Counter(labels).values()))  # a fold per member of the smallest class at most
    return StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed), k, "StratifiedGroupKFold"


def cross_validate_documents(
    docs: Sequence[Sequence[str]],
    labels: Sequence[str],
    groups: Sequence[str] | None = None,
    folds: int = 5,
    seed: int = 0,
    progress: Callable[[int, int], Any] | None = None,
    **params: Any,
) -> dict[str, Any]:
    """Cross-validate the pipeline on term lists; the core of :func:`evaluate`.

    Parameters
    ----------
    docs : sequence of list of str
    labels : sequence of str
    groups : sequence of str, optional
        No fold splits a group; None for plain stratified folds.
    folds : int
    seed : int
        Seeds the fold shuffling and the estimator: same seed, same numbers.
    progress : callable, optional
        Called as ``progress(folds_done, folds)`` after each fold.
    **params
        Estimator parameters, see :func:`make_pipeline`.

    Returns
    -------
    dict
        ``macro_f1``, ``accuracy``, ``per_class``, ``confusion``, ``folds``, ``splitter``, ``baseline``,
        ``fold_macro_f1``, ``n_documents``, ``n_groups``, ``caveats``.
    """
    classes = check_classes(labels)
    y = np.asarray(labels, dtype=object)
    splitter, n_splits, splitter_name = make_splitter(labels, groups, folds, seed)
    docs = list(docs)
    pred = np.empty(len(y), dtype=object)
    # The baseline always predicts the most frequent class of the whole selection. (A per-fold majority
    # is anti-correlated with the held-out group's class under group folds, and would flatter the model.)
    majority_all = sorted(Counter(labels).items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    base = np.full(len(y), majority_all, dtype=object)
    fold_f1: list[float] = []
    caveats: list[str] = []
    one_class_folds = 0
    split_groups = np.asarray(groups, dtype=object) if groups is not None else None
    for fold, (train_idx, test_idx) in enumerate(splitter.split(np.zeros(len(y)), y, split_groups), 1):
        y_train = y[train_idx]
        if len(set(y_train)) < 2:
            one_class_folds += 1
            pred[test_idx] = y_train[0]
        else:
            model = make_pipeline(seed, **params).fit([docs[i] for i in train_idx], list(y_train))
            pred[test_idx] = model.predict([docs[i] for i in test_idx])
        fold_f1.append(float(f1_score(y[test_idx], pred[test_idx], labels=classes, average="macro", zero_division=0)))
        if progress:
            progress(fold, n_splits)
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=classes, zero_division=0)
    if one_class_folds:
        caveats.append(f"{one_class_folds} fold(s) had a single class to train on and predicted it for every article")
    if groups is not None:
        groups_per_class = {c: len({g for g, l in zip(groups, labels) if l == c}) for c in classes}
        lone = sorted(c for c, n in groups_per_class.items() if n < 2)
        if lone:
            caveats.append(
                "Class(es) " + ", ".join(repr(c) for c in lone) + " come from a single group: when it is held "
                "out the classifier has never seen that class, so its recall is near zero by construction"
            )
    return {
        "macro_f1": round(float(f1_score(y, pred, labels=classes, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "per_class": {c: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                          "f1": round(float(f[i]), 4), "support": int(s[i])} for i, c in enumerate(classes)},
        "confusion": {"labels": classes,
                      "matrix": confusion_matrix(y, pred, labels=classes).astype(int).tolist()},
        "folds": n_splits,
        "splitter": splitter_name,
        "baseline": {
            "strategy": "always the most frequent class",
            "class": majority_all,
            "macro_f1": round(float(f1_score(y, base, labels=classes, average="macro", zero_division=0)), 4),
            "accuracy": round(float(accuracy_score(y, base)), 4),
        },
        "fold_macro_f1": [round(x, 4) for x in fold_f1],
        "n_documents": int(len(y)),
        "n_groups": int(len(set(groups))) if groups is not None else None,
        "caveats": caveats,
    }


def evaluate(
    docs: DocumentTerms,
    label_field: str = "tendency",
    group_by: str = "outlet",
    folds: int = 5,
    seed: int = 0,
    include_mixed: bool = False,
    progress: Callable[[int, int], Any] | None = None,
) -> dict[str, Any]:
    """Cross-validated evaluation of the tendency classifier on a selection (``classify evaluate``).

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
    label_field : {"tendency", "outlet", "year"}
        What to predict; ``tendency`` uses the resolved label (article, then author, then outlet).
    group_by : {"outlet", "author", "none"}
        No fold splits a group of this field.
    folds : int
    seed : int
    include_mixed : bool
        Keep articles whose tendency resolves to ``mixed`` as a class of their own.
    progress : callable, optional
        Called as ``progress(folds_done, folds)`` after each fold.

    Returns
    -------
    dict
        The JSON document of ``classify evaluate --json`` (CLI.md) with ``baseline``, ``caveats``,
        ``label_levels`` and ``excluded`` besides.

    Raises
    ------
    ClassifyError, GroupError, EmptySelectionError
    """
    if group_by == "outlet" and label_field == "outlet":
        raise GroupError("Cannot predict the outlet while grouping by outlet; use --group-by author or none")
    data = load_labelled(docs, label_field=label_field, group_by=group_by, include_mixed=include_mixed)
    check_classes(data.labels, label_field)
    result = cross_validate_documents(data.docs, data.labels, None if group_by == "none" else data.groups,
                                      folds=folds, seed=seed, progress=progress)
    result = {"group_by": group_by, "label_field": label_field, "seed": seed, **result}
    caveats = result["caveats"]
    if data.no_group and group_by != "none":
        caveats.append(f"{data.no_group} article(s) have no {group_by}: each is a group of its own")
    total = sum(data.levels.values())
    if label_field == "tendency" and total and data.levels.get("outlet", 0) / total > OUTLET_LEVEL_CAVEAT_SHARE:
        advice = "label authors" + (", and evaluate with --group-by outlet" if group_by != "outlet" else "")
        caveats.append(
            f"{data.levels['outlet']} of {total} labels come from outlet defaults: the classifier may be "
            f"learning each outlet's house style rather than a tendency ({advice})"
        )
    result["label_levels"] = dict(sorted(data.levels.items()))
    result["excluded"] = dict(sorted(data.excluded.items()))
    result["model"] = {"pipeline": "tfidf+logistic_regression", "class_weight": "balanced", **DEFAULT_PARAMS}
    log.info("evaluate: %d documents, %d folds (%s), macro-F1 %.3f (baseline %.3f)", result["n_documents"],
             result["folds"], result["splitter"], result["macro_f1"], result["baseline"]["macro_f1"])
    return result


def top_features(pipeline: Pipeline, n: int = 20) -> dict[str, list[dict[str, float]]]:
    """The ``n`` terms with the largest positive weights for each class.

    With two classes logistic regression has one weight vector: positive weights favour the second class,
    negative weights the first.
    """
    vectorizer, clf = pipeline.named_steps["tfidf"], pipeline.named_steps["clf"]
    vocab = np.asarray(vectorizer.get_feature_names_out(), dtype=object)
    classes = [str(c) for c in clf.classes_]
    coef = np.asarray(clf.coef_)
    rows = [-coef[0], coef[0]] if len(classes) == 2 else list(coef)
    out = {}
    for cls, weights in zip(classes, rows):
        order = np.lexsort((vocab, -weights))[:n]
        out[cls] = [{"term": str(vocab[i]), "weight": round(float(weights[i]), 4)} for i in order if weights[i] > 0]
    return out


def fit_documents(docs: Sequence[Sequence[str]], labels: Sequence[str], seed: int = 0, **params: Any) -> Pipeline:
    """Fit the pipeline on every document (after :func:`check_classes`)."""
    check_classes(labels)
    return make_pipeline(seed, **params).fit(list(docs), list(labels))


def train(
    docs: DocumentTerms,
    output_dir: str,
    label_field: str = "tendency",
    seed: int = 0,
    include_mixed: bool = False,
    top: int = 20,
) -> dict[str, Any]:
    """Fit on every labelled document and save the model directory (``classify train``).

    Returns
    -------
    dict
        ``{"model_dir", "model_id", "classes", "n_documents", "top_features"}``.
    """

    data = load_labelled(docs, label_field=label_field, group_by="none", include_mixed=include_mixed)
    pipeline = fit_documents(data.docs, data.labels, seed=seed)
    features = top_features(pipeline, top)
    info = {
        "label_field": label_field, "seed": seed, "n_documents": len(data.docs),
        "class_counts": dict(sorted(Counter(data.labels).items())),
        "label_levels": dict(sorted(data.levels.items())), "corpus_fingerprint": docs.meta.get("corpus"),
        "preprocessor": {"fingerprint": docs.meta.get("preprocessor")}, "params": DEFAULT_PARAMS,
    }
    model_id = save_model(pipeline, output_dir, info)
    return {"model_dir": str(output_dir), "model_id": model_id, "classes": sorted(set(data.labels)),
            "n_documents": len(data.docs), "top_features": features}


def predict_terms(pipeline: Pipeline, docs: Iterable[Sequence[str]]) -> list[dict[str, Any]]:
    """``{"label", "probabilities"}`` for each term list."""
    docs = [list(d) for d in docs]
    if not docs:
        return []
    classes = [str(c) for c in pipeline.classes_]
    out = []
    for row in pipeline.predict_proba(docs):
        probs = {c: round(float(p), 4) for c, p in zip(classes, row)}
        out.append({"label": classes[int(np.argmax(row))], "probabilities": probs})
    return out


def predict_text(model_dir: str, text: str, preprocessor: Any = None) -> dict[str, Any]:
    """Classify one text with a saved model (``classify predict --text``).

    The text goes through ``preprocessor`` (give the one that made the corpus' terms,
    ``Preprocessor.from_store(store)``), else the default :class:`nlp.text.preprocess.Preprocessor`; a
    warning is logged when its fingerprint differs from the one the model was trained with.
    """

    pipeline, manifest = load_model(model_dir)
    if preprocessor is None:
        from nlp.text.preprocess import Preprocessor
        preprocessor = Preprocessor()
    trained_with = manifest.get("info", {}).get("preprocessor", {}).get("fingerprint")
    fp = getattr(preprocessor, "fingerprint", None)
    if trained_with and fp and fp != trained_with:
        log.warning("the text is preprocessed differently (%s) from the model's training terms (%s)", fp, trained_with)
    terms = preprocessor.terms(text)
    if not terms:
        raise EmptySelectionError("The text has no terms after preprocessing; give a longer text")
    result = predict_terms(pipeline, [terms])[0]
    known = sum(1 for t in terms if t in pipeline.named_steps["tfidf"].vocabulary_)
    return {"model_id": manifest["model_id"], **result, "n_terms": len(terms), "known_terms": known}


def predict_unlabelled(
    docs: DocumentTerms,
    model_dir: str,
    include_mixed: bool = True,
    batch_size: int = 500,
) -> dict[str, Any]:
    """Predict every document without a usable label (``classify predict --unlabelled``).

    "Without a usable label" means a tendency that resolves to ``unlabelled``, and ``mixed`` unless
    ``include_mixed`` is False (a mixed outlet's articles are where predictions are most useful). The caller
    stores the rows (``corpus.analyses.save_predictions``).

    Returns
    -------
    dict
        ``{"model_id", "predicted", "by_label", "articles": [{"id", "title", "outlet", "authors",
        "published", "label", "probabilities"}]}``.
    """
    pipeline, manifest = load_model(model_dir)
    wanted = {"unlabelled", "mixed"} if include_mixed else {"unlabelled"}
    chosen = [i for i in range(len(docs)) if docs.labels[i] in wanted and docs.n_terms(i)]
    articles: list[dict[str, Any]] = []
    for start in range(0, len(chosen), batch_size):
        batch = chosen[start:start + batch_size]
        for i, pred in zip(batch, predict_terms(pipeline, [docs.terms(i) for i in batch])):
            articles.append({"id": docs.ids[i], "title": docs.titles[i], "outlet": docs.outlets[i],
                             "authors": list(docs.authors[i]), "published": docs.published[i], **pred})
    by_label = Counter(a["label"] for a in articles)
    log.info("predicted %d articles with model %s", len(articles), manifest["model_id"])
    return {"model_id": manifest["model_id"], "predicted": len(articles), "by_label": dict(sorted(by_label.items())),
            "articles": articles}


def prediction_summary(predicted: dict[str, Any], by: str = "author") -> list[dict[str, Any]]:
    """Mean predicted probabilities per author or outlet, from a :func:`predict_unlabelled` result.

    Parameters
    ----------
    predicted : dict
        What :func:`predict_unlabelled` returned.
    by : {"author", "outlet"}
    """
    if by not in ("author", "outlet"):
        raise GroupError(f"Unknown grouping {by!r}; use author or outlet")
    sums: dict[str, Counter] = {}
    counts: Counter = Counter()
    for a in predicted["articles"]:
        keys = a["authors"] if by == "author" else [a["outlet"]]
        for key in keys or ["(no author)"]:
            sums.setdefault(key, Counter()).update(a["probabilities"])
            counts[key] += 1
    return [{by: k, "articles": counts[k],
             "probabilities": {c: round(v / counts[k], 4) for c, v in sorted(sums[k].items())}}
            for k in sorted(sums, key=lambda k: (-counts[k], k))]
