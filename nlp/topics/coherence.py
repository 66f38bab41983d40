"""Topic coherence (c_v and NPMI) as gensim defines it, counted in numpy, on a budget of tokens.

gensim's ``CoherenceModel`` counts the windows a topic's words share by sliding a window over every text one
token at a time, in Python: on the 450,000 terms of the UK manifestos c_v took as long as the LDA fit itself.
Here the same counts come from the positions of the topics' words alone (:func:`window_counts`), and gensim's
own confirmation measures (``gensim.topic_coherence``, the pipeline of ``COHERENCE_MEASURES``) turn them into
c_v and NPMI: the figures are gensim's to the last digit (``tests/nlp/topics/test_coherence.py`` compares them with
``CoherenceModel`` on texts built to catch every edge).

**gensim's window.** gensim's boolean sliding window (``WordOccurrenceAccumulator``) keeps the set of words
"in" the current window: a text shorter than the window is one window; otherwise it starts with the words of
the first window, and at each step drops the word that leaves on the left and adds the one that enters on the
right. A word that occurs twice within one window is therefore dropped when its first occurrence leaves, though
the second is still inside, until it enters again. :func:`window_counts` reproduces that walk exactly, as a
sequence of events per word (in at ``max(0, p - w + 1)``, out at ``p + 1``; out before in at the same step),
so that c_v here is the measure others publish.

**The budget.** Coherence is counted on at most ``budget`` tokens (:data:`COHERENCE_TOKENS`;
:func:`coherence_texts`): a corpus within the budget is counted whole (every document, as gensim would), a
larger one on a seeded random sample of passages of at most :data:`PASSAGE` terms (whole documents when they
are shorter), so one long document cannot take the whole budget and the cost no longer grows with the corpus.
The difference this makes is measured in docs/benchmarks.md ("Coherence on a budget").
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from nlp.errors import InvalidParameterError

__all__ = ["MEASURES", "COHERENCE_TOKENS", "PASSAGE", "CoherenceTexts", "coherence_texts", "window_counts",
           "coherence"]

#: The coherence measures :func:`coherence` knows (gensim names).
MEASURES = ("c_v", "c_npmi")
#: Tokens coherence is counted on at most: a larger corpus is sampled (see the module docstring). On a synthetic
#: corpus of 6 M tokens, c_v on 5 M was within 0.01 of c_v on all (docs/benchmarks.md, "Coherence on a budget").
COHERENCE_TOKENS = 5_000_000
#: Terms per sampled passage when a corpus is larger than the budget.
PASSAGE = 2_000


@dataclass(frozen=True)
class CoherenceTexts:
    """The texts coherence is counted on: spans ``tokens[starts[i]:stops[i]]`` of term ids over ``vocabulary``.

    Attributes
    ----------
    vocabulary : sequence of str
    tokens : ndarray of int
    starts, stops : ndarray of int
        Each text's span in ``tokens`` (a document, or a passage of one).
    corpus_tokens : int
        Tokens in the whole corpus the texts were drawn from.
    budget : int or None
        The budget they were drawn under (None: no budget).
    """

    vocabulary: Sequence[str]
    tokens: np.ndarray
    starts: np.ndarray
    stops: np.ndarray
    corpus_tokens: int
    budget: int | None = None

    @classmethod
    def from_lists(cls, texts: Iterable[Sequence[str]]) -> "CoherenceTexts":
        """Every text of a list of term lists, whole."""
        index: dict[str, int] = {}
        ids = [np.fromiter((index.setdefault(t, len(index)) for t in text), dtype=np.int64) for text in texts]
        lengths = np.array([len(a) for a in ids], dtype=np.int64)
        stops = np.cumsum(lengths)
        tokens = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        return cls(list(index), tokens, stops - lengths, stops, int(lengths.sum()))

    @property
    def n_tokens(self) -> int:
        return int((self.stops - self.starts).sum())

    @property
    def whole(self) -> bool:
        """Whether the texts are the whole corpus."""
        return self.n_tokens == self.corpus_tokens

    def describe(self) -> dict[str, Any]:
        """What coherence was counted on, for a run's manifest."""
        return {"tokens": self.n_tokens, "of_tokens": self.corpus_tokens, "texts": len(self.starts),
                "budget": self.budget, "whole": self.whole, "passage_terms": None if self.whole else PASSAGE}


def coherence_texts(docs: Any, budget: int | None = COHERENCE_TOKENS, seed: int = 0) -> CoherenceTexts:
    """The texts of ``docs`` to count coherence on: every document when they hold at most ``budget`` tokens,
    else a seeded random sample of passages (a document cut into near-equal passages of at most
    :data:`PASSAGE` terms) taken until the budget is reached, in corpus order.

    Parameters
    ----------
    docs : nlp.documents.DocumentTerms
    budget : int or None
        Tokens to count on at most (None: every document).
    seed : int
        Seed of the sample.

    Returns
    -------
    CoherenceTexts
    """
    if budget is not None and budget < 1:
        raise InvalidParameterError(f"the coherence budget must be at least 1 token (got {budget})")
    offsets = np.asarray(docs.offsets, dtype=np.int64)
    total = int(offsets[-1] - offsets[0]) if len(offsets) else 0
    if budget is None or total <= budget:
        return CoherenceTexts(docs.vocabulary, docs.tokens, offsets[:-1], offsets[1:], total, budget)
    lengths = np.diff(offsets)
    pieces = np.maximum(1, -(-lengths // PASSAGE))
    doc = np.repeat(np.arange(len(lengths)), pieces)
    part = np.arange(len(doc)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    starts = offsets[doc] + part * lengths[doc] // pieces[doc]
    stops = offsets[doc] + (part + 1) * lengths[doc] // pieces[doc]
    keep = stops > starts
    starts, stops = starts[keep], stops[keep]
    order = np.random.default_rng(seed).permutation(len(starts))
    taken = np.searchsorted(np.cumsum(stops[order] - starts[order]), budget) + 1
    chosen = np.sort(order[:taken])
    return CoherenceTexts(docs.vocabulary, docs.tokens, starts[chosen], stops[chosen], total, budget)


def window_counts(texts: CoherenceTexts, words: Sequence[str], pairs: Iterable[tuple[int, int]], window: int
                  ) -> tuple[np.ndarray, dict[tuple[int, int], int], int]:
    """The windows each word is in, and each pair of words shares, as gensim's boolean sliding window counts them.

    Parameters
    ----------
    texts : CoherenceTexts
    words : sequence of str
        The words to count (a word absent from the texts is in no window).
    pairs : iterable of (int, int)
        Pairs of indices into ``words`` whose shared windows to count.
    window : int
        The window size (gensim: 110 for c_v, 10 for NPMI).

    Returns
    -------
    occurrences : ndarray of int, shape (len(words),)
    co_occurrences : dict
        ``{(i, j): windows}`` for every pair asked for (``i <= j``; ``(i, i)`` is word i's occurrences).
    n_windows : int
        The windows counted in all (gensim's ``num_docs``: a text shorter than the window, even an empty one, is
        one window).
    """
    interval_word, begin, end, n_windows = _intervals(texts, words, window)
    occurrences = np.bincount(interval_word, weights=end - begin, minlength=len(words)).astype(np.int64)
    cut = np.searchsorted(interval_word, np.arange(len(words) + 1))
    spans = [(begin[cut[i]:cut[i + 1]], end[cut[i]:cut[i + 1]]) for i in range(len(words))]
    counts: dict[tuple[int, int], int] = {}
    for a, b in pairs:
        key = (min(a, b), max(a, b))
        if key not in counts:
            counts[key] = int(occurrences[a]) if a == b else _overlap(spans[key[0]], spans[key[1]])
    return occurrences, counts, n_windows


def _intervals(texts: CoherenceTexts, words: Sequence[str], window: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Per word, the runs of windows (numbered across all texts) in which gensim's walk holds it: arrays
    (word, first window, window after the last), sorted by word and window; and the number of windows."""
    wanted = {w: i for i, w in enumerate(words)}
    lookup = np.full(len(texts.vocabulary), -1, dtype=np.int64)
    for j, term in enumerate(texts.vocabulary):
        i = wanted.get(term)
        if i is not None:
            lookup[j] = i
    lengths = texts.stops - texts.starts
    n_windows_of = np.where(lengths >= window, lengths - window + 1, 1)
    first_window = np.cumsum(n_windows_of) - n_windows_of
    n_windows = int(n_windows_of.sum())
    if len(texts.starts) and np.array_equal(texts.starts[1:], texts.stops[:-1]):
        seq = texts.tokens[texts.starts[0]:texts.stops[-1]]
    else:
        seq = np.concatenate([texts.tokens[a:b] for a, b in zip(texts.starts.tolist(), texts.stops.tolist())]
                             or [np.zeros(0, dtype=np.int64)])
    found = lookup[seq]
    at = np.flatnonzero(found >= 0)
    word = found[at]
    text_starts = np.cumsum(lengths) - lengths
    text = np.searchsorted(text_starts, at, side="right") - 1  # past empty texts that share a start
    p, length, base = at - text_starts[text], lengths[text], first_window[text]
    # in: the word enters the window at step max(0, p - w + 1); out: it leaves at step p + 1 (texts at least one
    # window long, while a step remains)
    out = (length >= window) & (p + 1 <= length - window)
    ev_word = np.concatenate([word, word[out]])
    ev_text = np.concatenate([text, text[out]])
    ev_step = np.concatenate([base + np.maximum(0, p - window + 1), base[out] + p[out] + 1])
    ev_in = np.concatenate([np.ones(len(word), dtype=bool), np.zeros(int(out.sum()), dtype=bool)])
    order = np.lexsort((ev_in, ev_step, ev_word))  # by word, then step; out before in at the same step
    ev_word, ev_text, ev_step, ev_in = ev_word[order], ev_text[order], ev_step[order], ev_in[order]
    text_end = first_window[ev_text] + n_windows_of[ev_text]
    following = np.empty_like(ev_step)
    if len(ev_step):
        same = (ev_word[1:] == ev_word[:-1]) & (ev_text[1:] == ev_text[:-1])
        following[:-1] = np.where(same, ev_step[1:], text_end[:-1])
        following[-1] = text_end[-1]
    held = ev_in & (following > ev_step)
    return ev_word[held], ev_step[held], following[held], n_windows


def _overlap(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> int:
    """Windows two words share: the total overlap of two sorted lists of disjoint runs."""
    (a_begin, a_end), (b_begin, b_end) = a, b
    if not len(a_begin) or not len(b_begin):
        return 0
    before = np.concatenate([[0], np.cumsum(b_end - b_begin)])

    def covered(x: np.ndarray) -> np.ndarray:  # windows of b before x
        k = np.searchsorted(b_begin, x, side="right")
        last = np.maximum(k - 1, 0)
        partial = np.clip(x - b_begin[last], 0, b_end[last] - b_begin[last])
        return np.where(k > 0, before[last] + partial, 0)

    return int((covered(a_end) - covered(a_begin)).sum())


class _WindowCounts:
    """The counts of :func:`window_counts` in the face gensim's confirmation measures read an accumulator by:
    ``acc[word_id]``, ``acc[(id1, id2)]`` and ``acc.num_docs``."""

    def __init__(self, positions: dict[int, int], occurrences: np.ndarray, pairs: dict[tuple[int, int], int],
                 n_windows: int):
        self.positions, self.occurrences, self.pairs, self.num_docs = positions, occurrences, pairs, n_windows

    def __getitem__(self, key: Any) -> np.int64:
        # numpy integers, as gensim's accumulator gives: a word in no window divides to inf or nan, not an error
        if hasattr(key, "__iter__"):
            a, b = sorted(self.positions[int(k)] for k in key)
            return np.int64(self.pairs[(a, b)])
        return self.occurrences[self.positions[int(key)]]


def coherence(topics: list[list[str]], texts: Any, dictionary: Any, measures: Sequence[str] = MEASURES
              ) -> dict[str, tuple[float | None, list[float | None]]]:
    """Coherence of each topic (its top terms) and overall (their mean), for each of ``measures``: gensim's
    ``CoherenceModel(topics=..., texts=..., coherence=measure)`` figures, counted in numpy.

    Parameters
    ----------
    topics : list of list of str
        Each topic's top terms (several fits' topics may be scored together: split the per-topic list).
    texts : CoherenceTexts, or iterable of term lists
        What to count on (:func:`coherence_texts` draws it from documents within a budget).
    dictionary : gensim.corpora.Dictionary
        The model's dictionary (topic terms it lacks are left out, as gensim does).
    measures : sequence of str
        ``"c_v"`` and/or ``"c_npmi"``.

    Returns
    -------
    dict
        ``{measure: (mean over topics, [per topic])}``; a topic whose score is not finite gets None.
    """
    from gensim.models.coherencemodel import COHERENCE_MEASURES, SLIDING_WINDOW_SIZES

    for measure in measures:
        if measure not in MEASURES:
            raise InvalidParameterError(f"unknown coherence measure {measure!r}: one of {', '.join(MEASURES)}")
    if not isinstance(texts, CoherenceTexts):
        texts = CoherenceTexts.from_lists(texts)
    topic_ids = [np.array([dictionary.token2id[t] for t in topic if t in dictionary.token2id]) for topic in topics]
    ids = sorted({int(i) for topic in topic_ids for i in topic})
    positions = {word_id: n for n, word_id in enumerate(ids)}
    words = [dictionary[i] for i in ids]
    pairs = {(positions[int(a)], positions[int(b)]) for topic in topic_ids for a in topic for b in topic}
    out = {}
    for measure in measures:
        pipeline = COHERENCE_MEASURES[measure]
        counts = _WindowCounts(positions, *window_counts(texts, words, pairs, SLIDING_WINDOW_SIZES[measure]))
        segmented = pipeline.seg(topic_ids)
        if measure == "c_v":
            values = pipeline.conf(segmented, counts, topics=topic_ids, measure="nlr", gamma=1)
        else:
            values = pipeline.conf(segmented, counts, normalize=True)
        per_topic = [None if v is None or not math.isfinite(v) else float(v) for v in values]
        out[measure] = (_mean(per_topic), per_topic)
    return out


def _mean(values: Sequence[float | None]) -> float | None:
    valid = [v for v in values if v is not None]
    return float(np.mean(valid)) if valid else None
