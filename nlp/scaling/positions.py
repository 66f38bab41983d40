"""Scaling a corpus selection: documents named by title, positions aggregated per group and period.

The estimators (:class:`~nlp.scaling.Wordfish`, :class:`~nlp.scaling.Wordscores`) take a count matrix;
this module builds that matrix from a :class:`~nlp.documents.DocumentTerms` (``features="terms"``, the
preprocessed terms) or from the documents' texts (``features="words"``: lower-cased words, punctuation
removed, nothing else dropped — as the published references were computed), resolves documents named by
title, and aggregates document positions per tendency, outlet or author and period with a cluster
bootstrap (articles resampled by author) and the minimum-support rule of every finding.
"""
from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from nlp.documents import DocumentTerms
from nlp.scaling.diagnostics import scale_diagnostics
from nlp.scaling.errors import ScalingError
from nlp.scaling.features import terms_matrix, tokenize_words, word_matrix
from nlp.scaling.results import ScalingResult
from nlp.scaling.wordfish import Wordfish
from nlp.scaling.wordscores import Wordscores
from nlp.parallel import Executor
from nlp.copies import count_once
from nlp.text.cleaning import join_split_words
from nlp.uncertainty import BOOTSTRAP, MIN_SUPPORT, bootstrap_means, cluster_keys

FEATURES = ("terms", "words")


def feature_matrix(docs: DocumentTerms, features: str = "terms", texts: Sequence[str] | None = None,
                   vocabulary: Sequence[str] | None = None, keep_markers: bool = False) -> tuple[Any, list[str]]:
    """The documents × features count matrix and its column names.

    ``features="words"`` counts the words of the documents' ``texts`` (in the order of ``docs``), or, without
    ``texts``, the documents' own terms when they are already plain words (:func:`load_word_documents`). The
    selection's outlet markers (:mod:`nlp.text.markers`) are left out of either kind of feature unless
    ``keep_markers`` (``docs.outlet_markers`` lists them).
    """
    if features not in FEATURES:
        raise ScalingError(f"unknown features {features!r}; use terms (the preprocessed terms) or words")
    markers = frozenset() if keep_markers else docs.outlet_markers.terms
    if features == "words" and texts is not None:
        X, names = word_matrix((join_split_words(t) for t in texts), vocabulary=vocabulary)
    elif features == "words" and docs.meta.get("features") != "words":
        raise ScalingError("features 'words' needs the documents' texts (or documents from load_word_documents)")
    else:
        X, names = terms_matrix([docs.terms(i) for i in range(len(docs))], vocabulary=vocabulary)
    if markers and vocabulary is None:  # a fixed vocabulary (placing a text) keeps its columns
        kept = [j for j, name in enumerate(names) if name not in markers]
        X, names = X[:, kept].tocsr(), [names[j] for j in kept]
    return X, names


def load_word_documents(store: Any, progress: Any = None, **filters: Any) -> DocumentTerms:
    """A selection's documents with plain words as their terms (``--features words``), read once, no spaCy.

    Only the selected articles are read and tokenised: their text cleaned of split words
    (:func:`nlp.text.cleaning.join_split_words`), then lower-cased word tokens with punctuation removed
    (:func:`tokenize_words`, as quanteda's defaults). Metadata and labels as :func:`nlp.load_documents`.

    Parameters
    ----------
    store : corpus.CorpusStore
    progress : callable, optional
        Called with the number of documents just read.
    **filters
        The selection (``outlet``, ``tendency``, ``author``, ``since``, ``until``, ``ids``, ``limit``).

    Raises
    ------
    nlp.documents.EmptySelectionError
        When no article matches the selection.
    """
    from nlp.documents import EmptySelectionError

    terms: list[list[str]] = []
    columns: dict[str, list] = {k: [] for k in ("ids", "titles", "outlets", "authors", "published", "labels")}
    for article in store.articles(**filters):
        terms.append(tokenize_words(join_split_words(article.text or "")))
        for key, value in (("ids", article.id), ("titles", article.title), ("outlets", article.outlet),
                           ("authors", tuple(article.authors)), ("published", article.published),
                           ("labels", store.resolve(article)[0])):
            columns[key].append(value)
        if progress:
            progress(1)
    if not terms:
        raise EmptySelectionError("no article matches this selection: widen it (--outlet, --since ...)")
    return DocumentTerms.from_terms(terms, **columns, meta={"features": "words", "filters": dict(filters)})


def find_document(docs: DocumentTerms, title: str, option: str = "--high") -> int:
    """The index of the one document titled ``title`` (case-insensitive); a clear error otherwise."""
    key = title.casefold().strip()
    hits = [i for i, t in enumerate(docs.titles) if (t or "").casefold().strip() == key]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise ScalingError(f"{option} {title!r}: {len(hits)} documents have that title; narrow the selection "
                           "(--outlet, --since ...) so that one does")
    near = difflib.get_close_matches(title, [t for t in docs.titles if t], n=3, cutoff=0.5)
    raise ScalingError(f"{option} {title!r}: no document in the selection has that title"
                       + (f"; did you mean {', '.join(repr(n) for n in near)}?" if near else
                          " (import titles with --title-field)"))


def scale_wordfish(docs: DocumentTerms, X: Any, feature_names: Sequence[str], high: str | None = None,
                   low: str | None = None, bootstrap: int = 0, seed: int = 0) -> tuple[Wordfish, ScalingResult]:
    """Fit Wordfish on a selection; ``high``/``low`` name (by title) the documents that set the direction
    (``high`` gets the larger θ)."""
    if (high is None) != (low is None):
        raise ScalingError("give both --high TITLE and --low TITLE to set the direction, or neither")
    direction = None
    if high is not None:
        direction = (find_document(docs, high, "--high"), find_document(docs, low, "--low"))  # type: ignore[arg-type]
        if direction[0] == direction[1]:
            raise ScalingError("--high and --low name the same document; name two different ones")
    model = Wordfish(dir=direction, n_bootstrap=bootstrap, random_state=seed)
    model.fit(X, ids=docs.ids, feature_names=list(feature_names))
    return model, model.result()


#: The largest reference score taken: scores are positions on a scale (-1 to 1, 0 to 20); beyond this they are
#: a mistake, and squared in Wordscores' variance they would overflow into noise.
MAX_REFERENCE_SCORE = 1e6


def _reference_score(value: object, where: str) -> float:
    """A reference score read and checked: a finite number within :data:`MAX_REFERENCE_SCORE`."""
    try:
        score = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ScalingError(f"{where} score {value!r} is not a number") from None
    if not np.isfinite(score):
        raise ScalingError(f"{where} score {value!r} is not a finite number")
    if abs(score) > MAX_REFERENCE_SCORE:
        raise ScalingError(f"{where} score {value!r} is too large: reference scores are positions on a scale "
                           f"(say -1 to 1, or 0 to 20); keep them within ±{MAX_REFERENCE_SCORE:,.0f}")
    return score


def read_reference(rows: Sequence[Mapping[str, str]], docs: DocumentTerms) -> dict[int, float]:
    """``{document index: score}`` from ``title,score`` rows (a CSV read by the caller).

    A score must be a finite number within ±:data:`MAX_REFERENCE_SCORE`; a document listed twice (the same
    title, in any case) with two different scores is an error naming it, never the later score silently.
    """
    if not rows:
        raise ScalingError("the reference file is empty: write one `title,score` line per reference document")
    missing = [k for k in ("title", "score") if k not in rows[0]]
    if missing:
        raise ScalingError(f"the reference file has no {' or '.join(missing)} column; its header must be title,score")
    out: dict[int, float] = {}
    lines: dict[int, int] = {}
    for n, row in enumerate(rows, 2):
        score = _reference_score(row["score"], f"reference line {n}:")
        index = find_document(docs, row["title"], f"reference line {n}:")
        if index in out and out[index] != score:
            raise ScalingError(f"reference line {n}: {row['title']!r} is listed twice, with the score {out[index]:g} "
                               f"on line {lines[index]} and {score:g} here; keep one line per reference document")
        out[index], lines[index] = score, lines.get(index, n)
    if len(set(out.values())) < 2:
        raise ScalingError("the references need at least two different scores (two reference groups)")
    return out


def scale_wordscores(docs: DocumentTerms, X: Any, feature_names: Sequence[str], reference: Mapping[int, float],
                     rescale: str = "lbg") -> tuple[Wordscores, ScalingResult]:
    """Word scores from the reference documents; every other selected document is scored."""
    ref = sorted(reference)
    virgin = [i for i in range(len(docs)) if i not in reference]
    if not virgin:
        raise ScalingError("every selected document is a reference: select the documents to score too")
    X = X.tocsr() if hasattr(X, "tocsr") else np.asarray(X)
    model = Wordscores().fit(X[ref], [reference[i] for i in ref], ids=[docs.ids[i] for i in ref],
                             feature_names=list(feature_names))
    return model, model.result(X[virgin], rescale=rescale, ids=[docs.ids[i] for i in virgin])


def parse_label_scores(items: Sequence[str]) -> dict[str, float]:
    """``["hard_left=-1", "soft_right=1"]`` -> ``{"hard_left": -1.0, "soft_right": 1.0}``; a clear error otherwise."""
    out: dict[str, float] = {}
    for item in items:
        label, sep, value = item.partition("=")
        if not sep or not label.strip():
            raise ScalingError(f"--reference-label {item!r}: write LABEL=SCORE, e.g. hard_left=-1")
        score = _reference_score(value, f"--reference-label {item!r}:")
        if label.strip() in out and out[label.strip()] != score:
            raise ScalingError(f"--reference-label {label.strip()!r} is given twice, with {out[label.strip()]:g} "
                               f"and {score:g}; give it once")
        out[label.strip()] = score
    return out


def scale_wordscores_by_labels(docs: DocumentTerms, X: Any, feature_names: Sequence[str],
                               scores: Mapping[str, float], rescale: str = "lbg") -> tuple[Wordscores, ScalingResult]:
    """Wordscores with whole tendencies as the reference texts (``{"hard_left": -1, "soft_right": 1}``): each
    label's articles are pooled into one reference text, as Laver, Benoit & Garry pool a party's programme;
    every article of another label is scored."""
    if len(set(scores.values())) < 2:
        raise ScalingError("the reference labels need at least two different scores (two reference groups), "
                           "e.g. --reference-label hard_left=-1 --reference-label soft_right=1")
    known = sorted(set(docs.labels))
    missing = [label for label in scores if label not in known]
    if missing:
        raise ScalingError(f"no article in the selection is labelled {missing[0]!r}; labels here: {', '.join(known)}")
    from scipy import sparse

    X = X.tocsr() if hasattr(X, "tocsr") else sparse.csr_matrix(np.asarray(X))
    labels = list(scores)

    rows = [np.asarray(X[[i for i, t in enumerate(docs.labels) if t == label]].sum(axis=0)).ravel() for label in labels]
    virgin = [i for i, t in enumerate(docs.labels) if t not in scores]
    if not virgin:
        raise ScalingError("every selected article is in a reference label: select articles of other labels too")
    model = Wordscores().fit(sparse.csr_matrix(np.vstack(rows)), [scores[label] for label in labels],
                             ids=[f"(all {label})" for label in labels], feature_names=list(feature_names))
    return model, model.result(X[virgin], rescale=rescale, ids=[docs.ids[i] for i in virgin])


def document_rows(docs: DocumentTerms, result: ScalingResult) -> list[dict[str, Any]]:
    """The result's documents with their title, author, outlet, tendency and date (the CLI's JSON rows)."""
    where = {id_: i for i, id_ in enumerate(docs.ids)}
    rows = []
    for row in result.document_rows():
        i = where.get(row["id"])
        extra = ({"title": docs.titles[i], "author": "; ".join(docs.authors[i]), "outlet": docs.outlets[i],
                  "tendency": docs.labels[i], "published": docs.published[i]} if i is not None else {})
        rows.append({"id": row["id"], **extra, **{k: v for k, v in row.items() if k not in ("id", "index")}})
    return rows


@dataclass(frozen=True)
class GroupPosition:
    """A group's mean position in one period, with its support and a cluster-bootstrap interval."""

    group: str
    period: str
    position: float
    lo: float | None
    hi: float | None
    n: int
    n_authors: int
    supported: bool
    #: Articles with each cluster of near-duplicates counted once (what ``supported`` is judged on).
    n_independent: int | None = None


def group_positions(docs: DocumentTerms, result: ScalingResult, by: str = "tendency", period: str = "year",
                    bootstrap: int = BOOTSTRAP, seed: int = 0, min_support: int = MIN_SUPPORT,
                    overall: bool = True, corroborated: bool = True) -> list[GroupPosition]:
    """Mean document position per group (and period, and over all periods when ``overall``).

    A cell resting on fewer than ``min_support`` articles (near-duplicates counted once) is kept with
    ``supported=False`` (shown as thin, never stated as a finding); so is every cell of a scale that is not
    ``corroborated`` (a Wordscores scale whose references do not agree: see
    :func:`~nlp.scaling.wordscores.leave_one_reference_out`). References (Wordscores) are left out: their
    score is given, not found.
    """
    from nlp.topics.trends import period_of

    if by not in ("tendency", "outlet", "author"):
        raise ScalingError(f"unknown grouping {by!r}; use tendency, outlet or author")
    where = {id_: i for i, id_ in enumerate(docs.ids)}
    keys = cluster_keys(docs.authors, docs.ids, docs.copy_clusters)
    cells: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for d in result.documents:
        i = where.get(d.id)
        if i is None or d.reference:
            continue
        groups = docs.authors[i] if by == "author" else (docs.labels[i] if by == "tendency" else docs.outlets[i],)
        p = period_of(docs.published[i], period) or "undated"
        for g in groups:
            cells.setdefault((g, p), []).append((i, d.score))
            if overall:
                cells.setdefault((g, "all"), []).append((i, d.score))
    out = []
    for n_cell, (g, p) in enumerate(sorted(cells)):
        idx = [i for i, _ in cells[(g, p)]]
        values = np.array([v for _, v in cells[(g, p)]])
        lo, hi = bootstrap_means(values, [keys[i] for i in idx], bootstrap, seed=seed + n_cell)
        n_authors = len({keys[i] for i in idx if not keys[i].startswith("(article")})
        independent = count_once(docs.copy_keys, idx)
        out.append(GroupPosition(g, p, float(values.mean()), None if not np.isfinite(lo) else float(lo),
                                 None if not np.isfinite(hi) else float(hi), len(idx), n_authors,
                                 independent >= min_support and corroborated, independent))
    return out


def period_orders(positions: Sequence[GroupPosition], top: int = 4) -> list[dict[str, Any]]:
    """How often one group lies below another within the same period, for the ``top`` largest groups.

    The view a single overall mean hides: two groups whose overall intervals overlap (because the whole
    scale moves with time) may still keep the same order in almost every period. Returns one row per pair
    ``{"low", "high", "below", "periods"}``: ``low`` had the lower mean position than ``high`` in ``below``
    of the ``periods`` in which both were placed. A tally of orders, not a finding with an interval: each
    period's cell may rest on one document (a party's manifesto for one election).
    """
    overall = sorted((p for p in positions if p.period == "all"), key=lambda p: (-p.n, p.group))
    groups = [p.group for p in overall[:top]]
    cells = {(p.group, p.period): p.position for p in positions if p.period not in ("all", "undated")}
    periods = sorted({per for _, per in cells})
    out = []
    for i, a in enumerate(groups):
        for b in groups[i + 1:]:
            both = [per for per in periods if (a, per) in cells and (b, per) in cells]
            if not both:
                continue
            below = sum(cells[(a, per)] < cells[(b, per)] for per in both)
            low, high, below = (a, b, below) if 2 * below >= len(both) else (b, a, len(both) - below)
            out.append({"low": low, "high": high, "below": below, "periods": len(both)})
    return out


def group_rows(positions: Sequence[GroupPosition]) -> list[dict[str, Any]]:
    return [asdict(p) for p in positions]


def orient(result: ScalingResult, docs: DocumentTerms, high: str, low: str, by: str = "tendency") -> ScalingResult:
    """The same scale, flipped if needed so that group ``high`` has the larger mean position than ``low``."""
    from dataclasses import replace

    where = {id_: i for i, id_ in enumerate(docs.ids)}

    def mean(group: str) -> float:
        values = [d.score for d in result.documents if d.id in where and
                  (docs.labels if by == "tendency" else docs.outlets)[where[d.id]] == group]
        return float(np.mean(values)) if values else float("nan")

    if not mean(high) < mean(low):
        return result
    documents = tuple(replace(d, score=-d.score, raw=None if d.raw is None else -d.raw, lo=-d.hi, hi=-d.lo)
                      for d in result.documents)
    words = tuple(replace(w, beta=None if w.beta is None else -w.beta) for w in result.words)
    return ScalingResult(result.method, documents, words, {**result.info, "flipped": True})


def corpus_scale(docs: DocumentTerms, high: str | None = "soft_right", low: str | None = "hard_left",
                 max_docs: int = 2000, max_terms: int = 3000, min_docs: int = 3, seed: int = 0,
                 executor: Executor | None = None) -> tuple[ScalingResult, dict[str, Any]]:
    """Wordfish for a whole corpus at a bounded cost: fitted on at most ``max_docs`` documents (a seeded
    sample, stratified by tendency) over the ``max_terms`` most frequent terms used by at least ``min_docs``
    of them; every other document is then placed on that scale out of sample. Oriented so that ``high``
    lies above ``low`` when both groups are present. With ``executor`` (Dask workers, :mod:`nlp.parallel`) the
    out-of-sample documents are placed in chunks as tasks, with the same results.

    Returns
    -------
    result : ScalingResult
        Every document placed (fitted and out-of-sample alike) and the word parameters.
    info : dict
        ``{"fitted_on", "terms", "placed", "not_placed", "oriented", "diagnostics", "caveats"}``: the
        diagnostics (time correlation, pole words, fringe, convergence) of
        :func:`nlp.scaling.diagnostics.scale_diagnostics` by tendency, and the caveats they call for.

    Raises
    ------
    ScalingError
        Too few documents or shared terms, or no dated document (before anything is fitted: the positions
        are read by period).
    """
    from nlp.text.markers import without_markers

    docs, _ = without_markers(docs)  # terms that nearly identify one outlet would make the axis the outlets'
    if len(docs) < 5:
        raise ScalingError(f"{len(docs)} documents are too few to scale; Wordfish needs a handful at least")
    if not any(docs.published):  # the positions are read by period: without dates the fit would be thrown away
        raise ScalingError("no document in the selection is dated, and the positions are mapped by period: "
                           "import publication dates (corpus import --date-field) to place the tendencies")
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(docs.labels):
        by_label.setdefault(label, []).append(i)
    if len(docs) <= max_docs:
        fit_idx = np.arange(len(docs))
    else:
        share = max_docs / len(docs)
        fit_idx = np.sort(np.concatenate([rng.choice(v, max(1, round(share * len(v))), replace=False)
                                          for v in by_label.values()]))
    X = docs.matrix.tocsr()
    sub = X[fit_idx]
    df = np.asarray((sub > 0).sum(axis=0)).ravel()
    freq = np.asarray(sub.sum(axis=0)).ravel()
    eligible = np.flatnonzero(df >= min_docs)
    keep = eligible[np.argsort(-freq[eligible], kind="stable")[:max_terms]]
    keep.sort()
    if len(keep) < 10:
        raise ScalingError("too few shared terms to scale these documents (fewer than 10 used by several)")
    fit_rows = sub[:, keep]
    used = np.asarray(fit_rows.sum(axis=1)).ravel() > 0
    fit_idx, fit_rows = fit_idx[used], fit_rows[used]
    names = [docs.vocabulary[j] for j in keep]
    model = Wordfish(random_state=seed).fit(fit_rows, ids=[docs.ids[i] for i in fit_idx], feature_names=names)
    fitted = model.result()
    rest = np.setdiff1d(np.arange(len(docs)), fit_idx)
    rest = rest[np.asarray(X[rest][:, keep].sum(axis=1)).ravel() > 0] if len(rest) else rest
    documents = list(fitted.documents)
    not_placed = 0
    if len(rest):
        placed = model.predict(X[rest][:, keep], ids=[docs.ids[i] for i in rest], executor=executor)
        # a document whose few scored words leave its position undetermined (a flat likelihood) is not placed
        finite = [d for d in placed.documents if np.isfinite(d.score) and np.isfinite(d.lo) and np.isfinite(d.hi)]
        not_placed = len(placed.documents) - len(finite)
        documents += finite
    result = ScalingResult("wordfish", tuple(documents), fitted.words, {**fitted.info, "features": "terms"})
    oriented = False
    if high and low and high in by_label and low in by_label:
        result = orient(result, docs, high, low)
        oriented = True
    diagnostics = scale_diagnostics(docs, result, by="tendency")
    return result, {"fitted_on": int(len(fit_idx)), "terms": len(names), "placed": int(len(rest)) - not_placed,
                    "not_placed": not_placed, "oriented": f"{high} above {low}" if oriented else None,
                    "diagnostics": diagnostics.to_dict(), "caveats": diagnostics.caveats}
