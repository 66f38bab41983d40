"""Trends: topic prevalence and term frequency by period and group.

Topic prevalence of a cell (period, group) is the mean topic share of the cell's documents, so the shares
of a cell sum to 1; every row carries ``n_docs``, the number of documents behind it, so a reader sees when
a point rests on two articles. Term trends are counts per 10,000 terms of the cell.

Everything streams: memory grows with the number of cells, not with the corpus.
"""
from __future__ import annotations

import csv
import io
import json
import logging
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Collection, Mapping, Sequence

import numpy as np

from nlp.documents import DocumentTerms
from nlp.errors import InvalidParameterError, NlpError
from nlp.copies import count_once
from nlp.results import Result
from nlp.uncertainty import BOOTSTRAP, MIN_SUPPORT, bootstrap_means, cluster_keys, is_rise
from nlp.text.vocabulary import nearest_terms

if TYPE_CHECKING:  # a type only: importing spaCy is for the code that preprocesses
    from nlp.text.preprocess import Preprocessor

log = logging.getLogger(__name__)

PERIODS = ("month", "quarter", "year")
GROUPS = ("tendency", "outlet", "none")
#: Cells resting on fewer documents than this are drawn hollow in charts.
FEW_DOCS = 3


def period_of(published: str | None, period: str = "year") -> str | None:
    """``"2019-03-14"`` -> ``"2019"`` (year), ``"2019-Q1"`` (quarter), ``"2019-03"`` (month).

    A date known only to the year stays ``"2019"`` whatever the period; undated is None.
    """
    if period not in PERIODS:
        raise InvalidParameterError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}", param="--period")
    if not published or not published[:4].isdigit():
        return None
    year = published[:4]
    month = published[5:7]
    if period == "year" or not month.isdigit():
        return year
    if period == "quarter":
        return f"{year}-Q{(int(month) - 1) // 3 + 1}"
    return f"{year}-{month}"


def _group_fn(docs: DocumentTerms, by: str) -> Callable[[int], str]:
    if by not in GROUPS:
        raise InvalidParameterError(f"unknown grouping {by!r}; use one of {', '.join(GROUPS)}", param="--by")
    if by == "tendency":
        return lambda i: docs.labels[i]
    if by == "outlet":
        return lambda i: docs.outlets[i]
    return lambda i: "all"


def _check_cells(any_cells: bool, undated: int) -> None:
    if not any_cells:
        if undated:
            raise NlpError(f"none of the {undated} documents in this selection has a date: trends need "
                           "publication dates (import them with --date-field)")
        raise NlpError("no modelled documents in this selection: widen it, or fit the model on this corpus")
    if undated:
        log.warning("%d undated documents left out of the trends", undated)


# ----------------------------------------------------------------------------- topics
def topic_prevalence(docs: DocumentTerms, theta: np.ndarray, labels: Sequence[str] | None = None,
                     by: str = "tendency", period: str = "year", bootstrap: int = BOOTSTRAP,
                     seed: int = 0) -> list[dict[str, Any]]:
    """Topic prevalence by period and group, with its support and interval.

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
    theta : array of shape (n_docs, K)
        Each document's topic shares (a row of NaN for a document the model did not cover), e.g. from
        :func:`nlp.topics.runs.document_topic_matrix`.
    labels : sequence of str, optional
        Topic labels (default: the topic numbers).
    by : {"tendency", "outlet", "none"}
    period : {"month", "quarter", "year"}
    bootstrap : int
        Replicates of the cluster bootstrap (articles resampled by author) behind ``lo``/``hi``; 0: none.
    seed : int

    Returns
    -------
    list of dict
        ``{"period", "group", "topic", "label", "share", "lo", "hi", "n_docs", "n_authors"}`` sorted by period,
        group, topic; the shares of one (period, group) sum to 1; ``lo``/``hi`` bound the share (95 %).
    """
    period_of(None, period)  # validate
    group = _group_fn(docs, by)
    theta = np.asarray(theta, dtype=float)
    k = theta.shape[1]
    cells: dict[tuple[str, str], list[int]] = {}
    undated = 0
    for i in range(len(docs)):
        if np.isnan(theta[i, 0]):
            continue  # not in the model (no modelled terms, or added since the fit)
        p = period_of(docs.published[i], period)
        if p is None:
            undated += 1
            continue
        cells.setdefault((p, group(i)), []).append(i)
    _check_cells(bool(cells), undated)
    keys = cluster_keys(docs.authors, docs.ids, docs.copy_clusters)
    names = list(labels) if labels is not None else [str(t) for t in range(k)]
    rows = []
    for n_cell, cell in enumerate(sorted(cells)):
        idx = cells[cell]
        mean = theta[idx].mean(axis=0)
        cell_keys = [keys[i] for i in idx]
        lo, hi = bootstrap_means(theta[idx], cell_keys, bootstrap, seed=seed + n_cell)
        n_authors = len({keys[i] for i in idx if not keys[i].startswith("(article")})
        for t in range(k):
            rows.append({"period": cell[0], "group": cell[1], "topic": t, "label": names[t],
                         "share": round(float(mean[t]), 6), "lo": _round(lo[t]), "hi": _round(hi[t]),
                         "n_docs": len(idx), "n_authors": n_authors})
    return rows


def _round(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), 6)


def topic_shifts(rows: Sequence[Mapping[str, Any]], recent: int = 2, min_support: int = MIN_SUPPORT,
                 exclude: Collection[str] = ()) -> dict[str, dict[str, Any]]:
    """For each group, the topic whose share grew most in the last ``recent`` periods against before.

    Shares are weighted by the number of articles behind each cell. A group is left out when either window
    rests on fewer than ``min_support`` articles. Topics labelled in ``exclude`` (era topics: their rise is the
    date's, not a tendency's) are never chosen. :func:`recent_shifts` adds the intervals and the rise test.

    Returns
    -------
    dict
        ``{group: {"label", "change" (points), "before", "after", "n_before", "n_after", "interval_before",
        "interval_after", "rise"}}``.
    """
    periods = sorted({r["period"] for r in rows})
    if len(periods) <= recent:
        return {}
    late = set(periods[-recent:])
    sums: dict[tuple[str, str, bool], list[float]] = {}
    n_docs: dict[tuple[str, bool], int] = {}
    for r in rows:
        acc = sums.setdefault((r["group"], r["label"], r["period"] in late), [0.0, 0.0])
        acc[0] += r["share"] * r["n_docs"]
        acc[1] += r["n_docs"]
    for r in {(r["group"], r["period"]): r for r in rows}.values():
        key = (r["group"], r["period"] in late)
        n_docs[key] = n_docs.get(key, 0) + r["n_docs"]
    out: dict[str, dict[str, Any]] = {}
    for group in sorted({r["group"] for r in rows}):
        n_before, n_after = n_docs.get((group, False), 0), n_docs.get((group, True), 0)
        if n_before < min_support or n_after < min_support:
            continue  # not enough evidence to state a change
        best = None
        for label in sorted({r["label"] for r in rows} - set(exclude)):
            before, after = sums.get((group, label, False)), sums.get((group, label, True))
            if not before or not after or not before[1] or not after[1]:
                continue
            change = 100 * (after[0] / after[1] - before[0] / before[1])
            if best is None or change > best["change"]:
                best = {"label": label, "change": change, "before": before[0] / before[1],
                        "after": after[0] / after[1], "n_before": n_before, "n_after": n_after}
        if best:
            out[group] = best
    return out


def recent_shifts(docs: DocumentTerms, theta: np.ndarray, rows: Sequence[Mapping[str, Any]], by: str = "tendency",
                  period: str = "year", recent: int = 2, min_support: int = MIN_SUPPORT, bootstrap: int = BOOTSTRAP,
                  seed: int = 0, skip: Sequence[str] = ("mixed", "unlabelled"), exclude: Collection[str] = ()
                  ) -> tuple[dict[str, dict], dict[str, str]]:
    """:func:`topic_shifts` with a cluster-bootstrap interval for each window and the rise test.

    Returns
    -------
    shifts : dict
        As :func:`topic_shifts`, each with ``interval_before``, ``interval_after`` and ``rise`` (the later
        interval wholly above the earlier one).
    withheld : dict
        ``{group: reason}`` for the groups whose windows rest on fewer than ``min_support`` articles.
    """
    shifts = topic_shifts(rows, recent=recent, min_support=min_support, exclude=exclude)
    periods = sorted({r["period"] for r in rows})
    withheld: dict[str, str] = {}
    if len(periods) <= recent:
        return {}, withheld
    late = set(periods[-recent:])
    group = _group_fn(docs, by)
    keys = cluster_keys(docs.authors, docs.ids, docs.copy_clusters)
    labels = list(dict.fromkeys(r["label"] for r in sorted(rows, key=lambda r: r["topic"])))
    windows: dict[tuple[str, bool], list[int]] = {}
    for i in range(len(docs)):
        p = period_of(docs.published[i], period)
        if p is None or np.isnan(theta[i, 0]):
            continue
        windows.setdefault((group(i), p in late), []).append(i)
    for g in sorted({r["group"] for r in rows}):
        if g in skip:
            continue
        n_before, n_after = len(windows.get((g, False), [])), len(windows.get((g, True), []))
        if g not in shifts:
            withheld[g] = (f"{n_after} articles in {periods[-recent]}–{periods[-1]} and {n_before} before; "
                           f"at least {min_support} in each are needed")
            continue
        t = labels.index(shifts[g]["label"])
        for n, (when, key) in enumerate(((False, "interval_before"), (True, "interval_after"))):
            idx = windows[(g, when)]
            lo, hi = bootstrap_means(theta[idx, t], [keys[i] for i in idx], bootstrap, seed=seed + n)
            shifts[g][key] = (float(lo), float(hi))
        shifts[g]["rise"] = is_rise(shifts[g]["interval_before"], shifts[g]["interval_after"])
    return {g: v for g, v in shifts.items() if g not in skip}, withheld


# ----------------------------------------------------------------------------- terms
def term_trends(docs: DocumentTerms, words: Sequence[str], preprocessor: Preprocessor, by: str = "tendency",
                period: str = "year", case_sensitive: bool = False, bootstrap: int = BOOTSTRAP,
                seed: int = 0) -> list[dict[str, Any]]:
    """How often words or phrases are used, per 10,000 terms, by period and group.

    Each word is mapped to the corpus' terms by :meth:`Preprocessor.query_terms`, as every term query is:
    vocabulary names in any case (``"nhs"`` and ``"NHS"`` both count ``national_health_service``), the rest
    through the pipeline (``"devolved"`` -> ``devolve``). Give the preprocessor that made the corpus' terms
    (``Preprocessor.from_store(store)``).

    Parameters
    ----------
    case_sensitive : bool
        Map vocabulary names only as written (``"nhs"`` is then the word ``nhs``).

    Returns
    -------
    list of dict
        ``{"period", "group", "term", "terms", "count", "n_terms", "per_10k", "lo", "hi", "n_docs", "n_docs_using",
        "n_authors"}``: ``lo``/``hi`` bound the rate per 10,000 terms (95 %, cluster bootstrap by author).

    Raises
    ------
    InvalidParameterError
        A word that preprocessing removes entirely (a stop word, a number), or whose terms the selection
        never uses (the message names the nearest terms it does use).
    NotPreprocessedError
    """
    period_of(None, period)
    group = _group_fn(docs, by)
    if not words:
        raise InvalidParameterError("name at least one word or phrase", param="WORD")
    # Counted on the terms before collocations, so "soft left" is found inside a soft_left_hard_left
    # collocation too; a multi-word query is counted as a sequence.
    queries: dict[str, tuple[str, ...]] = {}
    known = set(docs.vocabulary)
    for word in words:
        terms = preprocessor.query_terms(word, case_sensitive=case_sensitive)
        if not terms:
            raise InvalidParameterError(f"{word!r} has no terms after preprocessing (a stop word or a number?)",
                                        param="WORD")
        unknown = [t for t in terms if t not in known]
        if unknown:
            near = nearest_terms(word if len(terms) == 1 else unknown[0], known, vocabulary=preprocessor.vocabulary)
            raise InvalidParameterError(
                f"{word!r} (term {unknown[0]!r}) is used nowhere in this selection; nearest terms used: "
                f"{', '.join(near) if near else 'none'}", param="WORD")
        queries[word] = terms
    words_ = list(queries)
    cells: dict[tuple[str, str], list[int]] = {}
    counts = np.zeros((len(docs), len(words_)))
    lengths = np.zeros(len(docs))
    undated = 0
    for i in range(len(docs)):
        p = period_of(docs.published[i], period)
        if p is None:
            undated += 1
            continue
        terms = docs.raw_terms(i)
        cells.setdefault((p, group(i)), []).append(i)
        lengths[i] = len(terms)
        unigrams = Counter(terms)
        for j, seq in enumerate(queries.values()):
            counts[i, j] = unigrams[seq[0]] if len(seq) == 1 else _count_sequence(terms, seq)
    _check_cells(bool(cells), undated)
    keys = cluster_keys(docs.authors, docs.ids, docs.copy_clusters)
    rows = []
    for n_cell, cell in enumerate(sorted(cells)):
        idx = cells[cell]
        n_terms = lengths[idx].sum()
        lo, hi = bootstrap_means(counts[idx] * 10_000, [keys[i] for i in idx], bootstrap, seed=seed + n_cell,
                                 weights=lengths[idx])
        n_authors = len({keys[i] for i in idx if not keys[i].startswith("(article")})
        for j, (word, seq) in enumerate(queries.items()):
            count = int(counts[idx, j].sum())
            rows.append({"period": cell[0], "group": cell[1], "term": word, "terms": " ".join(seq),
                         "count": count, "n_terms": int(n_terms),
                         "per_10k": round(10_000 * count / n_terms, 3) if n_terms else 0.0,
                         "lo": _round(lo[j]), "hi": _round(hi[j]), "n_docs": len(idx),
                         "n_docs_using": int((counts[idx, j] > 0).sum()), "n_authors": n_authors})
    return rows


def _count_sequence(terms: list[str], seq: tuple[str, ...]) -> int:
    n, m = len(terms), len(seq)
    return sum(1 for i in range(n - m + 1) if terms[i] == seq[0] and tuple(terms[i:i + m]) == seq)


# ----------------------------------------------------------------------------- output
def format_rows(rows: list[dict[str, Any]], fmt: str = "csv") -> str:
    """Rows as CSV (with a header) or as one JSON list."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if fmt != "csv":
        raise InvalidParameterError(f"unknown format {fmt!r}; use csv or json", param="--format")
    buf = io.StringIO()
    fields = list(rows[0]) if rows else ["period", "group", "value"]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()






# ----------------------------------------------------------------------------- now against before
#: The recent windows ``--recent`` offers, in months.
RECENT = {"3m": 3, "6m": 6, "12m": 12}
#: "Now against before" names a topic's move only when its share changed by at least this much (two points):
#: a topic taking 0.1 % of the writing instead of none is a real change but not one an editor can use.
MIN_TOPIC_CHANGE = 0.02


def _months_before(day: str, months: int) -> str:
    """The ISO day ``months`` calendar months before ``day`` (the day clamped to the month's end)."""
    import calendar

    year, month, d = int(day[:4]), int(day[5:7]), int(day[8:10])
    total = year * 12 + (month - 1) - months
    year, month = divmod(total, 12)
    return f"{year:04d}-{month + 1:02d}-{min(d, calendar.monthrange(year, month + 1)[1]):02d}"


def recent_windows(published: Sequence[str | None], recent: str = "6m") -> dict[str, tuple[str, str]]:
    """The most recent window (``recent`` up to the newest dated article) and the year before it.

    Returns
    -------
    dict
        ``{"now": (first_day_exclusive, last_day), "before": (first_day_exclusive, last_day)}``: an article
        dated ``d`` is in a window ``(a, b)`` when ``a < d <= b`` (ISO days compare as strings).

    Raises
    ------
    InvalidParameterError
        An unknown ``recent``.
    NlpError
        When no article has a date.
    """
    if recent not in RECENT:
        raise InvalidParameterError(f"unknown window {recent!r}; use one of {', '.join(RECENT)}", param="--recent")
    days = [p[:10] for p in published if p and len(p) >= 10 and p[:4].isdigit()]
    if not days:
        raise NlpError("no article in this selection has a date: 'now against before' needs publication dates")
    end = max(days)
    start = _months_before(end, RECENT[recent])
    return {"now": (start, end), "before": (_months_before(start, 12), start)}


def _window_of(published: str | None, windows: Mapping[str, tuple[str, str]]) -> str | None:
    if not published or len(published) < 10:
        return None
    day = published[:10]
    for name, (a, b) in windows.items():
        if a < day <= b:
            return name
    return None


def _direction(before: tuple[float, float], now: tuple[float, float]) -> str | None:
    from nlp.uncertainty import is_fall

    return "rise" if is_rise(before, now) else "fall" if is_fall(before, now) else None


@dataclass(frozen=True)
class MovingTopic:
    """A topic whose share of a tendency's writing rose or fell between the two windows.

    Attributes
    ----------
    topic : int
    label : str
        Its name.
    now, before : float
        Its mean share of the writing in the recent window and in the year before.
    now_interval, before_interval : tuple of float
        Their 95 % cluster-bootstrap intervals.
    change : float
        ``now - before``.
    direction : {"rise", "fall"}
    ids : list of str
        The articles behind the move (the most typical of the window it moved to).
    """

    topic: int
    label: str
    now: float
    before: float
    now_interval: tuple[float, float]
    before_interval: tuple[float, float]
    change: float
    direction: str
    ids: list[str]


@dataclass(frozen=True)
class MovingTerm:
    """A term used more or less often (per 10,000 terms) by a tendency between the two windows.

    Attributes
    ----------
    term : str
    now, before : float
        Its rate per 10,000 terms in each window.
    now_interval, before_interval : tuple of float
        Their 95 % cluster-bootstrap intervals.
    docs_now, docs_before : int
        The articles using it in each window.
    direction : {"rise", "fall"}
    ids : list of str
        The articles using it most in the window it moved to.
    """

    term: str
    now: float
    before: float
    now_interval: tuple[float, float]
    before_interval: tuple[float, float]
    docs_now: int
    docs_before: int
    direction: str
    ids: list[str]


@dataclass(frozen=True)
class TendencyNow:
    """One tendency's two windows: how many articles each holds and what moved between them.

    Attributes
    ----------
    n_now, n_before : int
        Its articles in the recent window and in the year before.
    topics : list of MovingTopic
    terms : list of MovingTerm
        Only the rows that rose or fell, largest change first (none when not ``enough``).
    enough : bool
        Whether both windows hold at least ``min_support`` articles (copies counted once).
    reason : str
        Why not, when not ``enough`` (else empty).
    """

    n_now: int
    n_before: int
    topics: list[MovingTopic] = field(default_factory=list)
    terms: list[MovingTerm] = field(default_factory=list)
    enough: bool = False
    reason: str = ""

    def moves(self) -> list[dict[str, Any]]:
        """One row per moving topic, then per moving term (the columns of ``now_against_before.csv``, unrounded):
        ``kind`` ("topic" or "term"), ``what`` (the topic's label or the term), ``direction``, ``before``,
        ``before_lo``, ``before_hi``, ``now``, ``now_lo``, ``now_hi``, ``articles_before``, ``articles_now``
        (the window's articles for a topic, those using it for a term)."""
        return [{"kind": "topic" if isinstance(m, MovingTopic) else "term",
                 "what": m.label if isinstance(m, MovingTopic) else m.term, "direction": m.direction,
                 "before": m.before, "before_lo": m.before_interval[0], "before_hi": m.before_interval[1],
                 "now": m.now, "now_lo": m.now_interval[0], "now_hi": m.now_interval[1],
                 "articles_before": m.docs_before if isinstance(m, MovingTerm) else self.n_before,
                 "articles_now": m.docs_now if isinstance(m, MovingTerm) else self.n_now}
                for m in [*self.topics, *self.terms]]


@dataclass(frozen=True)
class NowAgainstBefore(Result):
    """What :func:`now_against_before` found: each tendency's recent window against the year before.

    Attributes
    ----------
    recent : str
        The recent window ("3m", "6m", "12m").
    windows : dict
        ``{"now": (first_day_exclusive, last_day), "before": (...)}`` (:func:`recent_windows`).
    tendencies : dict of str to TendencyNow
        By tendency (``"all"`` when no article has a tendency).
    """

    recent: str
    windows: dict[str, tuple[str, str]]
    tendencies: dict[str, TendencyNow]

    def to_dict(self) -> dict[str, Any]:
        """The comparison as plain dicts: ``{"recent", "windows", "tendencies": {tendency: {"n_now",
        "n_before", "topics", "terms", "enough", "reason"}}}`` (intervals and windows as tuples)."""
        return asdict(self)

    def rows(self) -> list[dict[str, Any]]:
        """One row per moving topic or term of every tendency: ``tendency``, then the columns of
        :meth:`TendencyNow.moves`."""
        return [{"tendency": t, **move} for t, entry in self.tendencies.items() for move in entry.moves()]

    def to_frame(self):
        """:meth:`rows` as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.rows(), columns=["tendency", "kind", "what", "direction", "before", "before_lo",
                                                  "before_hi", "now", "now_lo", "now_hi", "articles_before",
                                                  "articles_now"])


def now_against_before(docs: DocumentTerms, theta: np.ndarray | None, labels: Sequence[str] | None = None,
                       recent: str = "6m", min_support: int = MIN_SUPPORT, bootstrap: int = BOOTSTRAP, seed: int = 0,
                       top_terms: int = 8, examples: int = 3,
                       skip: Sequence[str] = ("mixed", "unlabelled")) -> NowAgainstBefore:
    """For each tendency, the topics and terms that rose or fell in the most recent window against the year
    before it, with cluster-bootstrap intervals (articles resampled by author) and the articles behind them.

    A rise (fall) is stated only when the two 95 % intervals part (:func:`nlp.uncertainty.is_rise`) and
    both windows rest on at least ``min_support`` articles (a topic's share must also move by at least
    :data:`MIN_TOPIC_CHANGE`); otherwise the tendency is marked not ``enough``
    with the reason. Terms are the tendency's most distinctive between the two windows (weighted log-odds,
    :func:`nlp.tendencies.contrast.rank_terms`), each compared as a rate per 10,000 terms.

    Parameters
    ----------
    docs : DocumentTerms
    theta : array (n_docs, K) or None
        Topic shares (NaN rows for unmodelled documents); None compares terms only.
    labels : sequence of str, optional
        Topic names.
    recent : {"3m", "6m", "12m"}
    min_support, bootstrap, seed
        As everywhere (:mod:`nlp.uncertainty`).
    top_terms : int
        Candidate terms on each side.
    examples : int
        Article ids kept for each moving topic and term (the drill-down).

    Returns
    -------
    NowAgainstBefore
        ``recent``, ``windows`` and, by tendency (or ``"all"`` when no article has a tendency), a
        :class:`TendencyNow`: ``n_now``, ``n_before``, ``enough``, ``reason``, and its moving ``topics``
        (:class:`MovingTopic`) and ``terms`` (:class:`MovingTerm`, rates per 10,000 terms). Only rows whose
        ``direction`` is "rise" or "fall" are listed, largest change first. ``to_dict()`` gives it as the dict
        this function returned before it had a type.
    """
    from nlp.tendencies.contrast import rank_terms

    windows = recent_windows(docs.published, recent)
    keys = cluster_keys(docs.authors, docs.ids, docs.copy_clusters)
    tendencies = sorted({docs.labels[i] for i in range(len(docs))} - set(skip))
    # A corpus without tendency labels is compared as a whole ("all").
    group = (lambda i: docs.labels[i]) if tendencies else (lambda i: "all")
    tendencies = tendencies or ["all"]
    members: dict[tuple[str, str], list[int]] = {}
    for i in range(len(docs)):
        w = _window_of(docs.published[i], windows)
        if w is not None and group(i) in tendencies:
            members.setdefault((group(i), w), []).append(i)
    out: dict[str, TendencyNow] = {}
    for n_t, tendency in enumerate(tendencies):
        now, before = members.get((tendency, "now"), []), members.get((tendency, "before"), [])
        # Near-duplicates count once towards the minimum support.
        n_now, n_before = count_once(docs.copy_keys, now), count_once(docs.copy_keys, before)
        if n_now < min_support or n_before < min_support:
            copies = " (copies counted once)" if (n_now, n_before) != (len(now), len(before)) else ""
            out[tendency] = TendencyNow(len(now), len(before), enough=False,
                                        reason=(f"{n_now} articles in the recent window and {n_before} in the "
                                                f"year before{copies}; at least {min_support} in each are needed"))
            continue
        topics = (_moving_topics(theta, labels, now, before, keys, bootstrap, seed + 100 * n_t, examples)
                  if theta is not None else [])
        terms = _moving_terms(docs, now, before, keys, bootstrap, seed + 100 * n_t + 50, top_terms, examples,
                              rank_terms)
        out[tendency] = TendencyNow(len(now), len(before), enough=True, reason="",
                                    topics=[replace(r, ids=[docs.ids[i] for i in r.ids]) for r in topics],
                                    terms=[replace(r, ids=[docs.ids[i] for i in r.ids]) for r in terms])
    return NowAgainstBefore(recent=recent, windows=windows, tendencies=out)


def _moving_topics(theta: np.ndarray, labels: Sequence[str] | None, now: list[int], before: list[int],
                   keys: Sequence[str], bootstrap: int, seed: int, examples: int) -> list[MovingTopic]:
    """The topics that moved, largest change first (``ids``: row numbers, made article ids by the caller)."""
    now = [i for i in now if not np.isnan(theta[i, 0])]
    before = [i for i in before if not np.isnan(theta[i, 0])]
    if not now or not before:
        return []
    names = list(labels) if labels is not None else [str(t) for t in range(theta.shape[1])]
    lo_n, hi_n = bootstrap_means(theta[now], [keys[i] for i in now], bootstrap, seed=seed)
    lo_b, hi_b = bootstrap_means(theta[before], [keys[i] for i in before], bootstrap, seed=seed + 1)
    mean_n, mean_b = theta[now].mean(axis=0), theta[before].mean(axis=0)
    rows = []
    for t in range(theta.shape[1]):
        direction = _direction((lo_b[t], hi_b[t]), (lo_n[t], hi_n[t]))
        if direction is None or abs(mean_n[t] - mean_b[t]) < MIN_TOPIC_CHANGE:
            continue
        pool = now if direction == "rise" else before
        top = sorted(pool, key=lambda i: -theta[i, t])[:examples]
        rows.append(MovingTopic(topic=t, label=names[t], now=float(mean_n[t]), before=float(mean_b[t]),
                                now_interval=(float(lo_n[t]), float(hi_n[t])),
                                before_interval=(float(lo_b[t]), float(hi_b[t])),
                                change=float(mean_n[t] - mean_b[t]), direction=direction, ids=top))
    return sorted(rows, key=lambda r: -abs(r.change))


def _moving_terms(docs: DocumentTerms, now: list[int], before: list[int], keys: Sequence[str], bootstrap: int,
                  seed: int, top: int, examples: int, rank_terms: Callable) -> list[MovingTerm]:
    """The terms that moved, largest change first (``ids``: row numbers, made article ids by the caller)."""
    counts = {"now": Counter(), "before": Counter()}
    per_doc: dict[int, Counter] = {}
    for window, idx in (("now", now), ("before", before)):
        for i in idx:
            per_doc[i] = Counter(docs.terms(i))
            counts[window].update(per_doc[i])
    rising, falling = rank_terms(counts["now"], counts["before"], top=top)
    candidates = [s.term for s in rising + falling]
    if not candidates:
        return []
    rows = []
    stats = {}
    for n, (window, idx) in enumerate((("now", now), ("before", before))):
        values = np.array([[per_doc[i][t] for t in candidates] for i in idx], dtype=float)
        lengths = np.array([max(sum(per_doc[i].values()), 1) for i in idx], dtype=float)
        lo, hi = bootstrap_means(values * 10_000, [keys[i] for i in idx], bootstrap, seed=seed + n, weights=lengths)
        stats[window] = (10_000 * values.sum(axis=0) / lengths.sum(), lo, hi, (values > 0).sum(axis=0), values)
    for j, term in enumerate(candidates):
        rate_n, lo_n, hi_n, used_n, values_n = (s[j] if k < 4 else s[:, j] for k, s in enumerate(stats["now"]))
        rate_b, lo_b, hi_b, used_b, values_b = (s[j] if k < 4 else s[:, j] for k, s in enumerate(stats["before"]))
        direction = _direction((lo_b, hi_b), (lo_n, hi_n))
        if direction is None:
            continue
        pool, vals = (now, values_n) if direction == "rise" else (before, values_b)
        top_ids = [pool[k] for k in np.argsort(-vals, kind="stable")[:examples] if vals[k] > 0]
        rows.append(MovingTerm(term=term, now=float(rate_n), before=float(rate_b),
                               now_interval=(float(lo_n), float(hi_n)), before_interval=(float(lo_b), float(hi_b)),
                               docs_now=int(used_n), docs_before=int(used_b), direction=direction, ids=top_ids))
    return sorted(rows, key=lambda r: -abs(r.now - r.before))
