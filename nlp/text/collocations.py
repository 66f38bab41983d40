"""Corpus collocations (gensim ``Phrases`` scoring without gensim) and the paragraph marks they never cross.

:func:`nlp.text.preprocess.preprocess_corpus` counts the terms it caches (:class:`CollocationCounts`) and
fits the corpus' :class:`Collocations` from the counts; :func:`nlp.text.preprocess.iter_terms` applies them.
"""
from __future__ import annotations

import hashlib
import math
from collections import Counter
from typing import Any, Iterable, Sequence

from corpus.analyses import get_state
from corpus.store import CorpusStore

from nlp.text.names import FIRST_NAMES, count_after_titles, person_name_words

__all__ = ["PARAGRAPH", "strip_paragraphs", "paragraph_breaks", "Collocations", "CollocationCounts", "npmi_score",
           "original_score"]

_COLLOCATIONS_KEY = "collocations"

#: Marks a paragraph break in the cached terms (a line break in the text), so long documents are cut into
#: passages at paragraphs. Never a term: :func:`strip_paragraphs` removes it before any analysis sees terms.
PARAGRAPH = "\u00b6"


def strip_paragraphs(terms: list[str]) -> list[str]:
    """The terms without paragraph marks."""
    return [t for t in terms if t != PARAGRAPH] if PARAGRAPH in terms else terms


def paragraph_breaks(terms: list[str]) -> tuple[list[str], list[int]]:
    """``(terms without marks, positions where a new paragraph starts)``."""
    out: list[str] = []
    breaks: list[int] = []
    for t in terms:
        if t == PARAGRAPH:
            if out and (not breaks or breaks[-1] != len(out)):
                breaks.append(len(out))
        else:
            out.append(t)
    return out, breaks


# ----------------------------------------------------------------------------- collocations
class Collocations:
    """Data-driven bigram collocations (gensim ``Phrases``), applied greedily left to right.

    Parameters
    ----------
    pairs : iterable of (str, str)
        The bigrams to join with ``_``.
    params : dict, optional
        How they were fitted (recorded in run manifests).
    """

    def __init__(self, pairs: Iterable[tuple[str, str]] = (), params: dict[str, Any] | None = None):
        self.pairs = frozenset((a, b) for a, b in pairs)
        self.params = dict(params or {})

    @classmethod
    def fit(cls, documents: Iterable[list[str]], min_count: int = 10, threshold: float = 0.5,
            scoring: str = "npmi", max_bigrams: int = 5_000_000, exclude: Iterable[str] = ()) -> "Collocations":
        """Fit on a stream of term lists, in one pass.

        Bigrams are scored as gensim ``Phrases`` scores them (``npmi_scorer`` or ``original_scorer``, a
        bigram is kept when its score exceeds ``threshold``); counting uses ``collections.Counter``, which is
        several times faster than ``Phrases.learn_vocab``. Memory follows the vocabulary, not the corpus:
        past ``max_bigrams`` distinct bigrams the rarest are pruned, as gensim's ``prune_vocab`` does.

        These bigrams are never collocations, so that no count is split into fragments:

        * a term with itself (``thank thank``, ``chapter chapter``: list debris, not a phrase);
        * one with a term of ``exclude`` (the vocabulary's names: ``soft_left``), so a name stays countable
          however often it stands next to another;
        * one with a person's name word (:func:`nlp.text.names.person_name_words`): a term seen right after
          a personal title ("Mrs Thatcher", "President Bush", "Prime Minister Jane Doe") twice and in a
          tenth of its uses, or as often after a given name or another name word ("Jane Doe"). "Margaret
          Thatcher", "Mrs Thatcher" and "Thatcher" then all count as ``thatcher``, never as
          ``margaret_thatcher`` + ``mrs_thatcher`` + ``thatcher``;
        * one whose second part is seen twice after a title, even if it is mostly an ordinary word ("Mr
          Major" keeps ``john_major`` from forming);
        * one with a common given name (:data:`nlp.text.names.FIRST_NAMES`): ``george bush`` stays two
          terms, so "Bush" alone counts with "George Bush".
        """
        counts = CollocationCounts(max_bigrams)
        for terms in documents:
            counts.add(terms)
        return counts.collocations(min_count=min_count, threshold=threshold, scoring=scoring, exclude=exclude)

    def apply(self, terms: list[str]) -> list[str]:
        if not self.pairs or len(terms) < 2:
            return terms
        out, i, n, pairs = [], 0, len(terms), self.pairs
        while i < n:
            if i + 1 < n and (terms[i], terms[i + 1]) in pairs:
                out.append(terms[i] + "_" + terms[i + 1])
                i += 2
            else:
                out.append(terms[i])
                i += 1
        return out

    @property
    def fingerprint(self) -> str:
        h = hashlib.sha256("\n".join(sorted(f"{a} {b}" for a, b in self.pairs)).encode())
        return h.hexdigest()[:16]

    def __len__(self) -> int:
        return len(self.pairs)

    def to_dict(self) -> dict[str, Any]:
        return {"pairs": sorted([a, b] for a, b in self.pairs), "params": self.params,
                "fingerprint": self.fingerprint}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Collocations":
        return cls((tuple(p) for p in data.get("pairs", [])), data.get("params"))

    @classmethod
    def from_store(cls, store: CorpusStore) -> "Collocations | None":
        state = get_state(store, _COLLOCATIONS_KEY)
        return cls.from_dict(state) if state else None


def npmi_score(a: int, b: int, ab: int, n_words: int, min_count: int, total: int) -> float:
    """gensim's ``npmi_scorer`` (Bouma 2009), same arguments and results, without importing gensim (a second
    and a half of serial time at the end of ``nlp preprocess``)."""
    if ab < min_count or not (a and b and ab) or ab >= total:
        return -math.inf
    pa, pb, pab = a / total, b / total, ab / total
    return math.log(pab / (pa * pb)) / -math.log(pab)


def original_score(a: int, b: int, ab: int, n_words: int, min_count: int, total: int) -> float:
    """gensim's ``original_scorer`` (Mikolov et al. 2013), same arguments and results, without gensim."""
    if not (a and b):
        return -math.inf
    return (ab - min_count) / (a * b) * n_words


class CollocationCounts:
    """Word and bigram counts of a stream of term lists, from which :class:`Collocations` are scored.

    :func:`preprocess_corpus` counts the terms as they come back from the workers (so the counting overlaps
    the parsing) instead of reading the whole cache again afterwards.
    """

    def __init__(self, max_bigrams: int = 5_000_000):
        self.words: Counter = Counter()
        self.bigrams: Counter = Counter()
        self.titled: Counter = Counter()  # terms right after a personal title ("prime minister", "mrs")
        self.total = self.n_docs = 0
        self.max_bigrams, self.min_reduce = max_bigrams, 1

    def add(self, terms: list[str]) -> None:
        self.bigrams.update(zip(terms, terms[1:]))  # pairs with a paragraph mark are never scored
        terms = strip_paragraphs(terms)
        self.words.update(terms)
        self.total += len(terms)
        self.n_docs += 1
        count_after_titles(terms, self.titled)
        if len(self.bigrams) > self.max_bigrams:
            self.min_reduce += 1
            self.bigrams = Counter({bg: n for bg, n in self.bigrams.items() if n >= self.min_reduce})

    def remove(self, line: Sequence[str], times: int = 1) -> None:
        """Take back ``times`` uses of one line (its terms, no paragraph mark): boilerplate found after the
        counting (:mod:`nlp.text.boilerplate`), so collocations are scored as if it had never been counted."""
        line = list(line)
        for counter, keys in ((self.bigrams, list(zip(line, line[1:]))), (self.words, line)):
            for key in keys:
                counter[key] -= times
                if counter[key] <= 0:  # a pruned bigram's count was lower than what is taken back
                    del counter[key]
        titled: Counter = Counter()
        count_after_titles(line, titled)
        for key, n in titled.items():
            self.titled[key] -= n * times
            if self.titled[key] <= 0:
                del self.titled[key]
        self.total -= len(line) * times

    def collocations(self, min_count: int = 10, threshold: float = 0.5, scoring: str = "npmi",
                     exclude: Iterable[str] = ()) -> Collocations:
        """The bigrams scoring above ``threshold`` (see :meth:`Collocations.fit`)."""
        scorers = {"npmi": npmi_score, "default": original_score}
        if scoring not in scorers:
            raise ValueError(f"scoring must be one of {', '.join(scorers)}")
        scorer, words, total, n_words = scorers[scoring], self.words, self.total, len(self.words)
        # Never a collocation: a term with itself, a vocabulary name, a person's name word (so "Margaret
        # Thatcher", "Mrs Thatcher" and "Thatcher" all count as one term), a given name (see Collocations.fit).
        names, surnames = person_name_words(self.bigrams, self.titled, words)
        exclude = frozenset(exclude) | names | FIRST_NAMES | {PARAGRAPH}
        pairs = [(a, b) for (a, b), n in self.bigrams.items()
                 if n >= min_count and a != b and a not in exclude and b not in exclude and b not in surnames
                 and scorer(words[a], words[b], n, n_words, min_count, total) > threshold]
        return Collocations(pairs, {"min_count": min_count, "threshold": threshold, "scoring": scoring,
                                    "name_words": len(names)})
