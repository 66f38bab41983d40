"""Cross-validation of the tendency classifier on one document-term count matrix, built once.

The count matrix of the selection (:attr:`nlp.documents.DocumentTerms.matrix`) is sliced by rows for each
fold; TF-IDF is learnt on the fold's training rows only (:func:`nlp.tendencies.estimator.tfidf_rows`), so no
document is re-tokenised and nothing of the test rows leaks into the weights. Folds run in parallel
(:mod:`nlp.parallel`): each fold is seeded the same way whatever the number of workers, so ``n_jobs`` never
changes a number. The score with self-names masked (:mod:`nlp.tendencies.masking`) reuses the same matrix without the
masked columns and the same folds.

:func:`cross_validate_matrix` is the core of :func:`nlp.tendencies.classify.evaluate`.
"""
from __future__ import annotations

import logging
import tempfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
from scipy import sparse
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import LeaveOneGroupOut, StratifiedGroupKFold, StratifiedKFold, TimeSeriesSplit

from nlp.documents import EmptySelectionError
from nlp.errors import NlpError
from nlp.parallel import ProcessExecutor, available_cores, local_executor
from nlp.tendencies.significance import (PERMUTATIONS, class_strata, draw_units, label_permutation_test,
                                         score_caveats)

log = logging.getLogger(__name__)

#: Bootstrap replicates of the macro-F1 interval, and its level.
INTERVAL_REPLICATES = 1000
INTERVAL_LEVEL = 0.95
#: A masked macro-F1 lower than the full one by more than this gives the self-name caveat.
MASK_DROP_CAVEAT = 0.03
#: Top features per class reported (and checked for self-names).
TOP_FEATURES = 10
#: With ``n_jobs=None`` folds run in parallel (every core) only for a count matrix with at least this many
#: non-zero cells: below it, starting the worker processes costs more than the folds.
PARALLEL_MIN_NNZ = 200_000


class ClassifyError(NlpError):
    """Data that cannot train or evaluate a classifier (too few examples, one class, one group)."""


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


class ForwardPeriodSplit:
    """Folds forward in time: train on every period before a block of periods, test on that block.

    :class:`~sklearn.model_selection.TimeSeriesSplit` over the sorted distinct periods (the ``groups``,
    whose labels sort chronologically: ``1997`` or ``1996-1999``): the earliest periods are only ever
    trained on, and each later block is tested once, on a model that has seen only the past.
    """

    def __init__(self, n_splits: int):
        self.n_splits = n_splits

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        return self.n_splits

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        periods = np.asarray(groups, dtype=object).astype(str)
        order = np.unique(periods)
        for train_p, test_p in TimeSeriesSplit(n_splits=self.n_splits).split(order):
            yield np.flatnonzero(np.isin(periods, order[train_p])), np.flatnonzero(np.isin(periods, order[test_p]))


def make_splitter(labels: Sequence[str], groups: Sequence[str] | None, folds: int, seed: int,
                  forward: bool = False) -> tuple[Any, int, str]:
    """The cross-validation splitter: ``(splitter, n_splits, name)``.

    Without groups: stratified K-fold. With groups: stratified group K-fold, or leave-one-group-out when
    there are no more groups than folds; K is capped by the size of the smallest class. ``forward``: the
    groups are periods and folds go forward in time (:class:`ForwardPeriodSplit`, at most one fold fewer
    than there are periods).
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
            "two; use --by none, or another grouping"
        )
    if forward:
        k = min(folds, n_groups - 1)
        return ForwardPeriodSplit(k), k, "ForwardPeriodSplit"
    if n_groups <= folds:
        return LeaveOneGroupOut(), n_groups, "LeaveOneGroupOut"
    k = min(folds, min(Counter(labels).values()))  # a fold per member of the smallest class at most
    return StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed), k, "StratifiedGroupKFold"


def _fit_predict(train: sparse.csr_matrix, y_train: np.ndarray, test: sparse.csr_matrix | None, seed: int,
                 params: dict[str, Any]) -> tuple[np.ndarray | None, Any]:
    """One fold: TF-IDF on the training rows, logistic regression; the test rows' predictions, the model."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # the folds are the parallelism: one BLAS thread each, never contending
        return _fit_predict_fold(train, y_train, test, seed, params)


def _fit_predict_rows(counts: sparse.csr_matrix, y: np.ndarray, train_rows: np.ndarray | None,
                      test_rows: np.ndarray | None, columns: np.ndarray | None, seed: int,
                      params: dict[str, Any]) -> tuple[np.ndarray | None, Any]:
    """:func:`_fit_predict` on rows (and columns) of ``counts``, sliced here: in a worker process, on the
    matrix it maps from the parent's file, so the parent never holds a fold's copy. ``train_rows`` None: all."""
    train = counts if train_rows is None else counts[train_rows]
    test = counts[test_rows] if test_rows is not None else None
    if columns is not None:
        train = train[:, columns]
        test = test[:, columns] if test is not None else None
    return _fit_predict(train, y if train_rows is None else y[train_rows], test, seed, params)


def _fold_task(payload: tuple[Any, ...]) -> tuple[np.ndarray | None, Any]:
    """One model fit as a task (:mod:`nlp.parallel`): the matrix is the parent's, or mapped from its folder."""
    source, *rest = payload
    return _fit_predict_rows(_mapped(source) if isinstance(source, str) else source, *rest)


#: The matrices a worker process has mapped, by folder (each mapped once per process).
_MAPPED: dict[str, sparse.csr_matrix] = {}


def _mapped(folder: str) -> sparse.csr_matrix:
    if folder not in _MAPPED:
        arrays = [np.load(Path(folder) / f"{name}.npy", mmap_mode="r") for name in ("data", "indices", "indptr")]
        shape = tuple(int(x) for x in (Path(folder) / "shape").read_text().split())
        _MAPPED.clear()  # only the current selection's matrix is kept
        _MAPPED[folder] = sparse.csr_matrix(tuple(arrays), shape=shape, copy=False)
    return _MAPPED[folder]


@contextmanager
def _shared(counts: sparse.csr_matrix, parallel: bool) -> Iterator[Any]:
    """``counts`` as the fold tasks will read it: for parallel folds its arrays are written once to a temporary
    folder, whose name travels with each task and is mapped by the worker, so no fold pickles a copy and the
    parent's memory does not grow with the folds in flight."""
    if not parallel:
        yield counts
        return
    with tempfile.TemporaryDirectory(prefix="softleft-folds-") as tmp:
        for name in ("data", "indices", "indptr"):
            np.save(Path(tmp) / f"{name}.npy", getattr(counts, name))
        (Path(tmp) / "shape").write_text(f"{counts.shape[0]} {counts.shape[1]}")
        yield tmp


def _fit_predict_fold(train: sparse.csr_matrix, y_train: np.ndarray, test: sparse.csr_matrix | None, seed: int,
                      params: dict[str, Any]) -> tuple[np.ndarray | None, Any]:
    from nlp.tendencies.estimator import make_classifier, tfidf_rows

    if len(set(y_train)) < 2:
        return (np.full(test.shape[0], y_train[0], dtype=object) if test is not None else None), None
    x_train, x_test, columns = tfidf_rows(train, test, **params)
    if not len(columns):  # no term is frequent enough: the majority of the training rows
        majority = Counter(y_train).most_common(1)[0][0]
        return (np.full(test.shape[0], majority, dtype=object) if test is not None else None), None
    model = make_classifier(seed, **params).fit(x_train, y_train)
    return (model.predict(x_test) if test is not None else None), (model, columns)


def macro_f1_interval(y_true: Sequence[str], y_pred: Sequence[str], units: Sequence[Any] | None = None,
                      replicates: int = INTERVAL_REPLICATES, level: float = INTERVAL_LEVEL,
                      seed: int = 0) -> tuple[float, float]:
    """A percentile bootstrap interval for macro-F1 of out-of-fold predictions.

    The bootstrap resamples ``units`` (the groups the folds keep whole: outlets, authors, periods), each with
    all its documents, so documents of one writer are not counted as independent evidence; without units,
    documents. Units are resampled within classes (:func:`nlp.tendencies.significance.class_strata`), so
    every replicate holds every class. Seeded.
    """
    y_true, y_pred = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    classes, codes = np.unique(np.concatenate([y_true, y_pred]).astype(str), return_inverse=True)
    t, p = codes[:len(y_true)], codes[len(y_true):]
    k = len(classes)
    keys = np.arange(len(y_true)) if units is None else np.unique(np.asarray(units, dtype=object).astype(str),
                                                                    return_inverse=True)[1]
    members = [np.flatnonzero(keys == u) for u in range(int(keys.max()) + 1)] if len(keys) else []
    strata = class_strata(members, t)
    rng = np.random.default_rng(seed)
    scores = np.empty(replicates)
    for r in range(replicates):
        idx = np.concatenate([members[u] for u in draw_units(rng, strata)])
        cm = np.bincount(t[idx] * k + p[idx], minlength=k * k).reshape(k, k)
        tp, support, predicted = np.diag(cm), cm.sum(1), cm.sum(0)
        denom = support + predicted
        f1 = np.divide(2 * tp, denom, out=np.zeros(k), where=denom > 0)
        scores[r] = f1[support > 0].mean()
    alpha = (1 - level) / 2
    return float(np.quantile(scores, alpha)), float(np.quantile(scores, 1 - alpha))


def top_weighted_terms(coef: np.ndarray, classes: Sequence[str], vocabulary: Sequence[str],
                       n: int = TOP_FEATURES) -> dict[str, list[dict[str, Any]]]:
    """The ``n`` terms with the largest positive weights for each class (ties break on the term).

    With two classes logistic regression has one weight vector: positive weights favour the second class,
    negative weights the first.
    """
    vocab = np.asarray(vocabulary, dtype=object)
    coef = np.asarray(coef)
    rows = [-coef[0], coef[0]] if len(classes) == 2 else list(coef)
    out = {}
    for cls, weights in zip(classes, rows):
        order = np.lexsort((vocab, -weights))[:n]
        out[str(cls)] = [{"term": str(vocab[i]), "weight": round(float(weights[i]), 4)}
                         for i in order if weights[i] > 0]
    return out


def _scores(y: np.ndarray, pred: np.ndarray, classes: list[str]) -> tuple[float, float]:
    return (round(float(f1_score(y, pred, labels=classes, average="macro", zero_division=0)), 4),
            round(float(accuracy_score(y, pred)), 4))


def cross_validate_matrix(
    counts: sparse.spmatrix,
    labels: Sequence[str],
    vocabulary: Sequence[str],
    groups: Sequence[str] | None = None,
    folds: int = 5,
    seed: int = 0,
    forward: bool = False,
    masked: Sequence[int] | np.ndarray | None = None,
    n_jobs: int | None = None,
    top: int = TOP_FEATURES,
    replicates: int = INTERVAL_REPLICATES,
    progress: Callable[[int, int], Any] | None = None,
    rows: Sequence[int] | np.ndarray | None = None,
    executor: Any = None,
    permutations: int | None = 0,
    **params: Any,
) -> dict[str, Any]:
    """Cross-validate the classifier on a document-term count matrix (rows: documents).

    Parameters
    ----------
    counts : scipy.sparse matrix
        Term counts, one row per document of ``labels`` (or the ``rows`` given); TF-IDF is learnt per fold on
        the training rows.
    labels : sequence of str
    vocabulary : sequence of str
        The terms of the columns (for the top features).
    groups : sequence of str, optional
        No fold splits a group; None for plain stratified folds.
    folds, seed
        Seeds the fold shuffling, the estimator and the interval: same seed, same numbers.
    forward : bool
        The groups are periods: folds go forward in time (:class:`ForwardPeriodSplit`); only the documents
        of tested periods are scored.
    masked : array of int, optional
        Columns (self-names) to drop for the second, masked score; None for no masked score.
    n_jobs : int, optional
        Without an ``executor``: folds fitted in this many local processes (-1 every core); None: every core
        for a large matrix (:data:`PARALLEL_MIN_NNZ`), else one. The numbers do not depend on it.
    top : int
        Top features per class, from a model fitted on every document.
    replicates : int
        Bootstrap replicates of the macro-F1 interval (0: none).
    progress : callable, optional
        Called as ``progress(done, total)`` as model fits finish.
    rows : sequence of int, optional
        The rows of ``counts`` the labels belong to (the labelled documents of a selection), so the caller
        need not copy them out; default every row.
    executor : nlp.parallel.Executor, optional
        Where the folds are fitted (a run's processes, Dask workers on this machine); see ``n_jobs``.
    permutations : int or None
        At most this many label permutations under the same folds
        (:func:`nlp.tendencies.significance.label_permutation_test`; 0: no test). None: only where the test is
        exact and cheap, the folds' groups admitting at most
        :data:`~nlp.tendencies.significance.PERMUTATIONS` + 1 labellings (few outlets or authors: where a
        bootstrap over them says least).
    **params
        Estimator parameters (:data:`nlp.tendencies.estimator.DEFAULT_PARAMS`).

    Returns
    -------
    dict
        ``macro_f1``, ``macro_f1_lo``, ``macro_f1_hi``, ``accuracy``, ``per_class``, ``confusion``, ``folds``,
        ``splitter``, ``baseline``, ``fold_macro_f1``, ``n_documents``, ``n_tested``, ``n_groups``,
        ``top_features``, ``caveats``; with ``masked``: ``masked_macro_f1``, ``masked_accuracy``,
        ``masked_fold_macro_f1``; with ``permutations``: ``permutation_test``.
    """
    classes = check_classes(labels)
    y = np.asarray(labels, dtype=object)
    counts = sparse.csr_matrix(counts)
    selected = np.arange(counts.shape[0]) if rows is None else np.asarray(rows, dtype=np.int64)
    if len(selected) != len(y):
        raise ValueError(f"{len(selected)} matrix rows for {len(y)} labels")
    splitter, n_splits, splitter_name = make_splitter(labels, groups, folds, seed, forward=forward)
    split_groups = np.asarray(groups, dtype=object) if groups is not None else None
    splits = list(splitter.split(np.zeros(len(y)), y, split_groups))
    variants: dict[str, np.ndarray | None] = {"full": None}  # name -> the columns it keeps (None: all)
    if masked is not None:
        variants["masked"] = np.setdiff1d(np.arange(counts.shape[1]), np.asarray(masked, dtype=np.int64))
    tasks = [(name, f) for name in variants for f in range(len(splits))] + [("all", -1)]
    total = len(tasks)
    # Labels by matrix row, so a task's rows of the matrix and of the labels are the same index array.
    y_rows = np.empty(counts.shape[0], dtype=object)
    y_rows[selected] = y
    by_task: dict[tuple[str, int], Any] = {}
    if executor is None:
        if n_jobs is None:
            n_jobs = -1 if counts.nnz >= PARALLEL_MIN_NNZ else 1
        n_jobs = available_cores() if n_jobs < 0 else n_jobs
    # a local pool maps the matrix from a file; Dask workers (maybe on other machines) get it in the task
    parallel = isinstance(executor, ProcessExecutor) if executor is not None else n_jobs > 1
    with _shared(counts, parallel=parallel) as shared, local_executor(executor, n_jobs or 1) as ex:
        def task(name: str, f: int) -> tuple[Any, ...]:
            if f < 0:
                return (shared, y_rows, None if rows is None else selected, None, None, seed, params)
            train_idx, test_idx = splits[f]
            return (shared, y_rows, selected[train_idx], selected[test_idx], variants[name], seed, params)

        chunks = ((t, task(*t)) for t in tasks)
        for done, (t, out) in enumerate(ex.map_chunks(_fold_task, chunks), 1):
            by_task[t] = out
            if progress:
                progress(done, total)
    tested = np.zeros(len(y), dtype=bool)
    for _, test_idx in splits:
        tested[test_idx] = True
    preds = {}
    fold_f1: dict[str, list[float]] = {}
    for name in variants:
        pred = np.empty(len(y), dtype=object)
        fold_f1[name] = []
        for f, (_, test_idx) in enumerate(splits):
            pred[test_idx] = by_task[(name, f)][0]
            fold_f1[name].append(round(float(f1_score(y[test_idx], pred[test_idx], labels=classes, average="macro",
                                                      zero_division=0)), 4))
        preds[name] = pred[tested]
    yt = y[tested]
    pred = preds["full"]
    caveats: list[str] = []
    one_class_folds = sum(1 for train_idx, _ in splits if len(set(y[train_idx])) < 2)
    if one_class_folds:
        caveats.append(f"{one_class_folds} fold(s) had a single class to train on and predicted it for every article")
    if groups is not None and not forward:
        groups_per_class = {c: len({g for g, l in zip(groups, labels) if l == c}) for c in classes}
        lone = sorted(c for c, n in groups_per_class.items() if n < 2)
        if lone:
            caveats.append(
                "Class(es) " + ", ".join(repr(c) for c in lone) + " come from a single group: when it is held "
                "out the classifier has never seen that class, so its recall is near zero by construction"
            )
    # The baseline always predicts the most frequent class of the whole selection. (A per-fold majority
    # is anti-correlated with the held-out group's class under group folds, and would flatter the model.)
    majority_all = sorted(Counter(labels).items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    base = np.full(len(yt), majority_all, dtype=object)
    p, r, f, s = precision_recall_fscore_support(yt, pred, labels=classes, zero_division=0)
    macro_f1, accuracy = _scores(yt, pred, classes)
    base_f1, base_acc = _scores(yt, base, classes)
    # Guessing each class at its rate scores a macro-F1 of 1/K in expectation (each class's precision and
    # recall tend to its share), never less than the majority baseline's: the interval must clear both.
    chance_f1 = round(1.0 / len(classes), 4)
    result: dict[str, Any] = {"macro_f1": macro_f1}
    if replicates:
        units = split_groups[tested] if split_groups is not None else None
        lo, hi = macro_f1_interval(yt, pred, units, replicates=replicates, seed=seed)
        result.update(macro_f1_lo=round(lo, 4), macro_f1_hi=round(hi, 4),
                      interval={"method": "percentile bootstrap of "
                                + ("groups (each with all its articles)" if units is not None else "articles")
                                + " over the out-of-fold predictions",
                                "level": INTERVAL_LEVEL, "replicates": replicates, "seed": seed})
        if lo <= max(base_f1, chance_f1):
            caveats.append(
                f"The classifier cannot tell these groups apart under this grouping: the {INTERVAL_LEVEL:.0%} "
                f"interval of its macro-F1 ({lo:.2f} to {hi:.2f}) reaches the baseline's "
                f"{max(base_f1, chance_f1):.2f}")
    result["accuracy"] = accuracy
    permutation = None
    if permutations is None or permutations > 0:
        permutation = label_permutation_test(counts, labels, splits, macro_f1, groups=groups, rows=selected,
                                             permutations=permutations or PERMUTATIONS, seed=seed,
                                             exact_only=permutations is None, **params)
        result["permutation_test"] = permutation or {
            "skipped": f"not exact here (the labels would be permuted among articles, or among groups admitting more "
                       f"than {PERMUTATIONS + 1} labellings); ask for it with --permutations N (about N x folds more "
                       "model fits)"}
    caveats.extend(score_caveats(accuracy, {"accuracy": base_acc, "class": majority_all}, macro_f1, permutation))
    if "masked" in preds:
        result["masked_macro_f1"], result["masked_accuracy"] = _scores(yt, preds["masked"], classes)
        result["masked_fold_macro_f1"] = fold_f1["masked"]
    model = by_task[("all", -1)][1]
    result["top_features"] = (top_weighted_terms(model[0].coef_, [str(c) for c in model[0].classes_],
                                                 np.asarray(vocabulary, dtype=object)[model[1]], top)
                              if model is not None else {})
    if "masked" in preds:
        names = {str(vocabulary[i]) for i in np.asarray(masked, dtype=np.int64)}
        flagged = {c: [t["term"] for t in feats if t["term"] in names] for c, feats in result["top_features"].items()}
        result["self_names_in_top_features"] = flagged
        listed = sorted({t for terms in flagged.values() for t in terms})
        if listed:
            caveats.append(
                f"Self-names are among the top features ({', '.join(listed[:8])}): the classifier partly tells "
                "the groups apart by the names they call themselves; read masked_macro_f1")
        drop = macro_f1 - result["masked_macro_f1"]
        if drop > MASK_DROP_CAVEAT:
            caveats.append(
                f"With party, faction, outlet and label names masked, macro-F1 falls from {macro_f1:.2f} to "
                f"{result['masked_macro_f1']:.2f}: part of the score comes from the names, not from what is argued")
    result.update({
        "per_class": {c: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                          "f1": round(float(f[i]), 4), "support": int(s[i])} for i, c in enumerate(classes)},
        "confusion": {"labels": classes, "matrix": confusion_matrix(yt, pred, labels=classes).astype(int).tolist()},
        "folds": n_splits,
        "splitter": splitter_name,
        "baseline": {"strategy": "always the most frequent class", "class": majority_all,
                     "macro_f1": base_f1, "accuracy": base_acc,
                     "chance_macro_f1": chance_f1, "chance": "guessing each class at its rate (1 / classes)"},
        "fold_macro_f1": fold_f1["full"],
        "n_documents": int(len(y)),
        "n_tested": int(tested.sum()),
        "n_groups": int(len(set(groups))) if groups is not None else None,
        "caveats": caveats,
    })
    return result

