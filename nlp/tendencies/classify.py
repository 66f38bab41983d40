"""Tendency classifiers: TF-IDF over preprocessed terms and class-balanced logistic regression.

Three things a researcher does with them:

* :func:`evaluate` - cross-validated macro-F1 (with a bootstrap interval), accuracy, per-class
  precision/recall/F1 and a confusion matrix, beside a majority-class baseline; a second score with the
  self-names masked (:mod:`nlp.tendencies.masking`) and the top features per class. Folds never split a
  group (an outlet or an author), so the classifier is scored on writers or outlets it has never seen:
  otherwise it can score well by learning who wrote a piece rather than which tendency it argues; or they
  go forward in time (``group_by="period"``). The cross-validation itself is :mod:`nlp.tendencies.crossval`
  (one count matrix, folds in parallel).
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
from scipy import sparse
from sklearn.pipeline import Pipeline

from nlp.tendencies.crossval import (  # noqa: F401  (ClassifyError, make_splitter: part of this module's API)
    TOP_FEATURES, ClassifyError, check_classes, cross_validate_matrix, make_splitter, top_weighted_terms,
)
from nlp.tendencies.estimator import DEFAULT_PARAMS, fit_counts, make_pipeline, terms_analyzer
from nlp.tendencies.masking import masked_columns, person_names_in_top_features, self_names
from nlp.tendencies.model_files import ClassifierArrays, load_model
from nlp.text.markers import without_markers
from nlp.copies import count_once, groups_with_copies, has_copies
from nlp.design import label_design
from nlp.documents import DocumentTerms, EmptySelectionError, GroupError
from nlp.tendencies.evaluation import MIN_CLASS, EvaluationResult  # noqa: F401 (this module's API)

log = logging.getLogger(__name__)

GROUP_BY = ("outlet", "author", "period", "none")
LABEL_FIELDS = ("tendency", "outlet", "year")
#: Share of labels resolved from outlet defaults above which the house-style caveat is given.
OUTLET_LEVEL_CAVEAT_SHARE = 0.5


@dataclass
class LabelledDocuments:
    """The labelled documents of a selection: their rows in it, class labels and groups."""

    rows: list[int] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    levels: Counter = field(default_factory=Counter)
    excluded: Counter = field(default_factory=Counter)
    no_group: int = 0

    def terms(self, docs: DocumentTerms) -> list[list[str]]:
        """The documents' term lists (for fitting a pipeline on term lists)."""
        return [docs.terms(i) for i in self.rows]


def period_of(year: int | None, period_years: int = 1, first: int | None = None) -> str | None:
    """The period a year falls in: the year itself, or ``start-end`` for bins of ``period_years`` counted
    from ``first`` (labels sort chronologically)."""
    if year is None:
        return None
    if period_years <= 1:
        return str(year)
    start = (first or year) + (year - (first or year)) // period_years * period_years
    return f"{start}-{start + period_years - 1}"


def group_key(outlet: str, authors: Sequence[str], group_by: str) -> str | None:
    """The group an article belongs to for ``group_by`` outlet or author (None when it has no value)."""
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
    period_years: int = 1,
) -> LabelledDocuments:
    """The labelled documents of a selection with their groups.

    Documents whose tendency resolves to ``unlabelled`` are left out, and ``mixed`` ones unless
    ``include_mixed``. A document without a value for ``group_by`` (no author) is a group of its own; with
    ``group_by="period"`` a document without a date is left out (it cannot be placed in time).
    """
    if label_field not in LABEL_FIELDS:
        raise GroupError(f"Unknown label field {label_field!r}; known label fields: {', '.join(LABEL_FIELDS)}")
    if group_by not in GROUP_BY:
        raise GroupError(f"Unknown grouping {group_by!r}; use one of: {', '.join(GROUP_BY)}")
    if period_years < 1:
        raise GroupError(f"A period must be at least one year, not {period_years}")
    skip = {"unlabelled"} | (set() if include_mixed else {"mixed"})
    known_years = [y for y in docs.years if y is not None]
    first = min(known_years) if known_years else None
    out = LabelledDocuments()
    for i in range(len(docs)):
        if label_field == "tendency":
            label, level = docs.labels[i], docs.label_levels[i]
            if label in skip:
                out.excluded[label] += 1
                continue
        else:
            values = docs.values(i, label_field)
            if not values:
                out.excluded[f"no {label_field}"] += 1
                continue
            label, level = values[0], None
        if not docs.n_terms(i):
            out.excluded["no terms"] += 1
            continue
        if group_by == "period":
            key = period_of(docs.years[i], period_years, first)
            if key is None:
                out.excluded["no date"] += 1
                continue
        else:
            key = group_key(docs.outlets[i], docs.authors[i], group_by)
            if key is None:
                out.no_group += 1
                key = f"(article {docs.ids[i]})"
        if level is not None:
            out.levels[level] += 1
        out.rows.append(i)
        out.labels.append(label)
        out.groups.append(key)
        out.ids.append(docs.ids[i])
    return out


def count_matrix(docs: Sequence[Sequence[str]]) -> tuple[sparse.csr_matrix, list[str]]:
    """One pass over term lists: the document-term count matrix and its vocabulary."""
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(analyzer=terms_analyzer)
    counts = vectorizer.fit_transform(list(docs))
    return counts.tocsr(), [str(t) for t in vectorizer.get_feature_names_out()]


def cross_validate_documents(
    docs: Sequence[Sequence[str]],
    labels: Sequence[str],
    groups: Sequence[str] | None = None,
    folds: int = 5,
    seed: int = 0,
    progress: Callable[[int, int], Any] | None = None,
    mask: Iterable[str] | None = None,
    n_jobs: int | None = None,
    forward: bool = False,
    **params: Any,
) -> dict[str, Any]:
    """Cross-validate the classifier on term lists (vectorised once, then :func:`cross_validate_matrix`).

    Parameters
    ----------
    docs : sequence of list of str
    labels : sequence of str
    groups : sequence of str, optional
        No fold splits a group; None for plain stratified folds.
    folds, seed, progress, n_jobs, forward, **params
        See :func:`nlp.tendencies.crossval.cross_validate_matrix`.
    mask : iterable of str, optional
        Self-names (:func:`nlp.tendencies.masking.self_names`): also score the classifier without them.

    Returns
    -------
    dict
        As :func:`nlp.tendencies.crossval.cross_validate_matrix`.
    """
    check_classes(labels)
    counts, vocabulary = count_matrix(docs)
    masked = masked_columns(vocabulary, mask) if mask is not None else None
    return cross_validate_matrix(counts, labels, vocabulary, groups, folds=folds, seed=seed, forward=forward,
                                 masked=masked, n_jobs=n_jobs, progress=progress, **params)


def evaluate(
    docs: DocumentTerms,
    label_field: str = "tendency",
    group_by: str = "outlet",
    folds: int = 5,
    seed: int = 0,
    include_mixed: bool = False,
    progress: Callable[[int, int], Any] | None = None,
    mask_names: bool = True,
    vocabulary: Any = None,
    labels: Any = None,
    period_years: int = 1,
    n_jobs: int | None = None,
    top: int = TOP_FEATURES,
    permutations: int | None = None,
    keep_markers: bool = False,
    names_file: str | None = None,
    min_class: int = MIN_CLASS,
) -> EvaluationResult:
    """Cross-validated evaluation of the tendency classifier on a selection (``classify evaluate``).

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
    label_field : {"tendency", "outlet", "year"}
        What to predict; ``tendency`` uses the resolved label (article, then author, then outlet).
    group_by : {"outlet", "author", "period", "none"}
        No fold splits a group of this field. ``period``: folds go forward in time, training on earlier
        periods and testing on later ones (:class:`nlp.tendencies.crossval.ForwardPeriodSplit`).
    folds : int
    seed : int
    include_mixed : bool
        Keep articles whose tendency resolves to ``mixed`` as a class of their own.
    progress : callable, optional
        Called as ``progress(done, total)`` as model fits finish.
    mask_names : bool
        Also score the classifier with the self-names masked (:func:`nlp.tendencies.masking.self_names`).
    vocabulary, labels
        The phrase vocabulary and label set the self-names come from (default: the shipped ones; give
        ``store.labels`` for the corpus' own).
    period_years : int
        Length of a period for ``group_by="period"`` (default: a year).
    n_jobs : int, optional
        Folds fitted in parallel (-1: every core; None: every core for a large selection); the numbers do
        not depend on it.
    top : int
        Top features per class.
    permutations : int or None
        At most this many label permutations under the same folds, for the permutation test's p-value
        (:func:`nlp.tendencies.significance.label_permutation_test`; 0: no test). None: only where the test
        is exact and cheap (the folds' groups admit at most :data:`~nlp.tendencies.significance.PERMUTATIONS`
        + 1 labellings: few outlets or authors).
    min_class : int
        Classes with fewer labelled articles are left out (``dropped_classes``, and a caveat says so) rather
        than failing the evaluation: a corpus of 46 parties, most with one or two manifestos, is evaluated on
        the parties that have enough.

    Near-duplicates (:attr:`nlp.documents.DocumentTerms.copy_keys`) never straddle folds: each cluster of
    copies joins one group (with ``group_by="none"`` the clusters are the groups), and the bootstrap
    interval resamples these merged groups.
    keep_markers : bool
        Keep the outlet markers (:mod:`nlp.text.markers`) among the features; by default they are left out.
    names_file : str, optional
        A names file of your own for the self-names (:func:`nlp.tendencies.masking.self_names`).

    Returns
    -------
    EvaluationResult
        ``macro_f1`` with ``macro_f1_lo`` / ``macro_f1_hi``, ``masked_macro_f1``, ``top_features``,
        ``self_names_in_top_features``, ``person_names_in_top_features``, ``outlet_markers``, ``baseline``,
        ``caveats``, ``label_levels``, ``excluded`` ...; its ``to_dict()`` is the JSON document of
        ``classify evaluate --json`` (CLI.md).

    Raises
    ------
    ClassifyError, GroupError, EmptySelectionError
    """
    if group_by == "outlet" and label_field == "outlet":
        raise GroupError("Cannot predict the outlet while grouping by outlet; use --by author or none")
    if group_by == "period" and label_field == "year":
        raise GroupError("Cannot predict the year while grouping by period; use --by outlet, author or none")
    docs, markers = without_markers(docs, keep=keep_markers)
    data = load_labelled(docs, label_field=label_field, group_by=group_by, include_mixed=include_mixed,
                         period_years=period_years)
    data, dropped = drop_small_classes(data, docs, min_class, label_field)
    check_classes(data.labels, label_field)
    names = self_names(docs, vocabulary, labels, names_file=names_file) if mask_names else None
    masked = masked_columns(docs.vocabulary, names) if names is not None else None
    copies = [docs.copy_keys[i] for i in data.rows]
    groups = groups_with_copies(None if group_by == "none" else data.groups, copies, periods=group_by == "period")
    scores = cross_validate_matrix(docs.matrix, data.labels, docs.vocabulary, groups, folds=folds, seed=seed,
                                   forward=group_by == "period", masked=masked, n_jobs=n_jobs, top=top,
                                   progress=progress, rows=data.rows, permutations=permutations)
    masked_terms = None
    if masked is not None:
        labelled = np.zeros(len(docs), dtype=np.int32)
        labelled[data.rows] = 1
        used = docs.matrix.T @ labelled  # term counts over the labelled rows, without copying them out
        # with the self-names already left out as outlet markers (an outlet's name in every article)
        masked_terms = sorted({docs.vocabulary[i] for i in masked if used[i]}
                              | {t for t in markers.terms if markers.excluded and t in names})
    caveats = scores.pop("caveats")
    persons, person_caveats = person_names_in_top_features(docs, scores["top_features"])
    caveats.extend(person_caveats)
    if data.no_group and group_by != "none":
        caveats.append(f"{data.no_group} article(s) have no {group_by}: each is a group of its own")
    total = sum(data.levels.values())
    design = label_design(docs, data.rows, data.labels) if label_field == "tendency" else None
    if design is not None:  # is the label constant within outlets? then the outlet is the unit (nlp.design)
        caveats.extend(design.caveats(group_by))
    if (label_field == "tendency" and total and data.levels.get("outlet", 0) / total > OUTLET_LEVEL_CAVEAT_SHARE
            and design.unit != "outlet"):  # (the design's caveat says it, and more)
        advice = "label authors" + (", and evaluate with --by outlet" if group_by != "outlet" else "")
        caveats.append(
            f"{data.levels['outlet']} of {total} labels come from outlet defaults: the classifier may be "
            f"learning each outlet's house style rather than a tendency ({advice})"
        )
    if dropped:
        caveats.append(f"{len(dropped)} {label_field} class{'es' if len(dropped) > 1 else ''} with fewer than "
                       f"{min_class} articles left out: " + _listed([f"{c} ({n})" for c, n in dropped.items()])
                       + " (--min-class sets the floor)")
    result = EvaluationResult(
        group_by=group_by, label_field=label_field, seed=seed, **scores, caveats=caveats,
        copies={"articles": len(copies), "independent": count_once(copies), "kept_in_one_fold": has_copies(copies)},
        period_years=period_years if group_by == "period" else None, masked_terms=masked_terms,
        outlet_markers=markers.to_dict(), person_names_in_top_features=persons,
        design=design.to_dict() if design is not None else None, unit=design.unit if design is not None else None,
        dropped_classes=dropped, min_class=min_class, label_levels=dict(sorted(data.levels.items())),
        excluded=dict(sorted(data.excluded.items())),
        model={"pipeline": "tfidf+logistic_regression", "class_weight": "balanced", **DEFAULT_PARAMS})
    log.info("evaluate: %d documents, %d folds (%s), macro-F1 %.3f (baseline %.3f)", result.n_documents,
             result.folds, result.splitter, result.macro_f1, result.baseline["macro_f1"])
    return result


def drop_small_classes(data: LabelledDocuments, docs: DocumentTerms, min_class: int, label_field: str = "tendency"
                       ) -> tuple[LabelledDocuments, dict[str, int]]:
    """``data`` without the classes of fewer than ``min_class`` articles, and those classes with their counts
    (largest first)."""
    counts = Counter(data.labels)
    small = {c: n for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n < min_class}
    if not small:
        return data, {}
    keep = [k for k, label in enumerate(data.labels) if label not in small]
    kept = LabelledDocuments(rows=[data.rows[k] for k in keep], labels=[data.labels[k] for k in keep],
                             groups=[data.groups[k] for k in keep], ids=[data.ids[k] for k in keep],
                             excluded=data.excluded, no_group=data.no_group)
    kept.levels = Counter(docs.label_levels[r] for r in kept.rows) if label_field == "tendency" else data.levels
    return kept, small


def _listed(names: list[str], limit: int = 12) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def top_features(pipeline: Pipeline, n: int = 20) -> dict[str, list[dict[str, float]]]:
    """The ``n`` terms with the largest positive weights for each class.

    With two classes logistic regression has one weight vector: positive weights favour the second class,
    negative weights the first.
    """
    vectorizer, clf = pipeline.named_steps["tfidf"], pipeline.named_steps["clf"]
    return top_weighted_terms(clf.coef_, [str(c) for c in clf.classes_], vectorizer.get_feature_names_out(), n)


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
    vocabulary: Any = None,
    labels: Any = None,
    keep_markers: bool = False,
    names_file: str | None = None,
) -> dict[str, Any]:
    """Fit on every labelled document and save the model directory (``classify train``).

    ``vocabulary``, ``labels`` and ``names_file`` are where the self-names come from (see :func:`evaluate`):
    the top features that are self-names are listed, so a model keyed on names is seen before it is used.
    The outlet markers are left out of the features unless ``keep_markers`` (see :func:`evaluate`).

    Returns
    -------
    dict
        ``{"model_dir", "model_id", "classes", "n_documents", "top_features", "self_names_in_top_features",
        "outlet_markers"}``.
    """

    model, info = train_arrays(docs, label_field=label_field, seed=seed, include_mixed=include_mixed, top=top,
                               vocabulary=vocabulary, labels=labels, keep_markers=keep_markers, names_file=names_file)
    model_id = model.write(output_dir)
    return {"model_dir": str(output_dir), "model_id": model_id, **info}


def train_arrays(docs: DocumentTerms, label_field: str = "tendency", seed: int = 0, include_mixed: bool = False,
                 top: int = 20, vocabulary: Any = None, labels: Any = None, keep_markers: bool = False,
                 names_file: str | None = None) -> tuple[ClassifierArrays, dict[str, Any]]:
    """Fit on every labelled document, writing nothing: the model as :class:`ClassifierArrays` and
    ``{"model_id", "classes", "n_documents", "top_features", "self_names_in_top_features", "outlet_markers"}``
    (see :func:`train`)."""
    docs, markers = without_markers(docs, keep=keep_markers)
    data = load_labelled(docs, label_field=label_field, group_by="none", include_mixed=include_mixed)
    check_classes(data.labels)
    # From the selection's count matrix (the labelled rows): the pipeline fit_documents gives, without term lists.
    pipeline = fit_counts(docs.matrix, data.labels, docs.vocabulary, seed=seed, rows=data.rows)
    features = top_features(pipeline, top)
    names = self_names(docs, vocabulary, labels, names_file=names_file)
    flagged = {c: [f["term"] for f in feats if f["term"] in names] for c, feats in features.items()}
    info = {
        "label_field": label_field, "seed": seed, "n_documents": len(data.rows),
        "class_counts": dict(sorted(Counter(data.labels).items())),
        "label_levels": dict(sorted(data.levels.items())), "corpus_fingerprint": docs.meta.get("corpus"),
        "preprocessor": {"fingerprint": docs.meta.get("preprocessor")}, "params": DEFAULT_PARAMS,
        "outlet_markers": sorted(markers.terms) if markers.excluded else [],
    }
    model = ClassifierArrays.from_pipeline(pipeline, info)
    return model, {"model_id": model.model_id(), "classes": sorted(set(data.labels)), "n_documents": len(data.rows),
                   "top_features": features, "self_names_in_top_features": flagged,
                   "outlet_markers": markers.to_dict()}


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
    model_dir: str | ClassifierArrays,
    include_mixed: bool = True,
    batch_size: int = 500,
) -> dict[str, Any]:
    """Predict every document without a usable label (``classify predict --unlabelled``).

    "Without a usable label" means a tendency that resolves to ``unlabelled``, and ``mixed`` unless
    ``include_mixed`` is False (a mixed outlet's articles are where predictions are most useful). The caller
    stores the rows (``corpus.analyses.save_predictions``). ``model_dir`` is a model directory, or a model
    just trained (:func:`train_arrays`).

    Returns
    -------
    dict
        ``{"model_id", "predicted", "by_label", "articles": [{"id", "title", "outlet", "authors",
        "published", "label", "probabilities"}]}``.
    """
    if isinstance(model_dir, ClassifierArrays):  # a model just trained, not written
        pipeline, manifest = model_dir.pipeline(), {"model_id": model_dir.model_id()}
    else:
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
