"""Where a term occurs, its contexts, and the groups (and periods) of the documents it occurs in."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from nlp.documents import DocumentTerms, check_field
from nlp.meaning.embeddings import WINDOW, Embeddings, MeaningError

PERIODS = ("year", "decade")


@dataclass
class Occurrences:
    """Every occurrence of one term (a sequence of terms) in a selection.

    ``doc[j]`` is the document of occurrence ``j``, ``vectors[j]`` its à-la-carte embedding (mean context
    vector times the transform) and ``contexts[j]`` the terms around it (the target left out).
    """

    sequence: tuple[str, ...]
    doc: np.ndarray
    vectors: np.ndarray
    contexts: list[tuple[list[str], list[str]]]


#: Occurrences transformed (and, for senses, normalised and assigned) a block at a time.
BLOCK = 4096


def _doc_arrays(docs: DocumentTerms) -> tuple[np.ndarray, np.ndarray]:
    if docs.raw_tokens is not None:
        return docs.raw_tokens, docs.raw_offsets
    return docs.tokens, docs.offsets


def resolve_sequence(docs: DocumentTerms, terms: Sequence[str], query: str) -> tuple[str, ...]:
    """The query's terms as they appear in the documents (a collocation ``a_b`` is read as ``a b``)."""
    known = set(docs.vocabulary)
    out: list[str] = []
    for t in terms:
        out.extend([t] if t in known or "_" not in t else [p for p in t.split("_") if p])
    if not out:
        raise MeaningError(f"{query!r} maps to no term (a stop word, a number or punctuation); give a content word")
    missing = [t for t in out if t not in known]
    if missing:
        raise MeaningError(f"{query!r} (terms: {' '.join(out)}) does not occur in the selection: {missing[0]!r} is "
                           "never used; check the spelling or widen the selection")
    return tuple(out)


def find_occurrences(docs: DocumentTerms, sequence: Sequence[str], emb: Embeddings,
                     window: int = WINDOW, phrases: bool = True) -> Occurrences:
    """Each place the terms of ``sequence`` follow one another, embedded from ``window`` terms each side.

    With ``phrases``, a phrase term ending in a one-word target counts as an occurrence of it, the
    phrase's other words joining the left context (``public_ownership`` is "ownership" after "public").
    Occurrences whose context holds no word with a vector are skipped.

    Raises
    ------
    MeaningError
        When the sequence never occurs (with a context) in the documents.
    """
    index = {w: i for i, w in enumerate(docs.vocabulary)}
    target = np.array([index[t] for t in sequence], dtype=np.int64)
    k = len(target)
    # A phrase term ending with a one-word target ("public_ownership" for "ownership") is an occurrence of
    # it, the phrase's other words part of its context: the text says "public ownership".
    prefixes: dict[int, list[str]] = {}
    if k == 1 and phrases:
        tail = "_" + sequence[0]
        prefixes = {i: w[: -len(tail)].split("_") for i, w in enumerate(docs.vocabulary)
                    if w.endswith(tail) and len(w) > len(tail)}
    first = np.array([target[0], *prefixes], dtype=np.int64)
    tokens, offsets = _doc_arrays(docs)
    vocab = docs.vocabulary
    # Every start of the sequence in one pass over all the terms, then only those within one document.
    hit = np.isin(tokens, first)
    for j in range(1, k):
        hit[:-j] &= tokens[j:] == target[j]
        hit[len(hit) - j:] = False
    starts = np.flatnonzero(hit)
    in_doc = np.searchsorted(offsets, starts, side="right") - 1
    whole = starts + k <= offsets[in_doc + 1]
    doc_ids, contexts = [], []
    # Mean context vectors written into one array (not a list of small arrays stacked at the end).
    means = np.empty((int(whole.sum()), emb.vectors.shape[1]), dtype=np.float64)
    for start, i in zip(starts[whole].tolist(), in_doc[whole].tolist()):
        lo, hi = int(offsets[i]), int(offsets[i + 1])
        left = [vocab[t] for t in tokens[max(lo, start - window):start]] + prefixes.get(int(tokens[start]), [])
        right = [vocab[t] for t in tokens[start + k:min(hi, start + k + window)]]
        rows = np.array([emb.index.get(w, -1) for w in left + right], dtype=np.int64)
        rows = rows[rows >= 0]
        if not len(rows):
            continue
        means[len(doc_ids)] = emb.vectors[rows].mean(axis=0, dtype=np.float64)
        doc_ids.append(i)
        contexts.append((left, right))
    if not doc_ids:
        raise MeaningError(f"{' '.join(sequence)!r} never occurs in the selection with a context; check the "
                           "spelling or widen the selection")
    vectors = means[:len(doc_ids)]
    for start in range(0, len(vectors), BLOCK):  # transformed in place, a block at a time: one array in all
        vectors[start:start + BLOCK] = vectors[start:start + BLOCK] @ emb.transform
    return Occurrences(tuple(sequence), np.asarray(doc_ids, dtype=np.int64), vectors, contexts)


def period_of(year: int | None, period: str | None) -> str | None:
    """A document's period label: its year, or its decade ("1990s")."""
    if period is None:
        return None
    if year is None:
        return "undated"
    return str(year) if period == "year" else f"{year // 10 * 10}s"


def document_groups(docs: DocumentTerms, by: str, period: str | None = None,
                    groups: Sequence[str] | None = None) -> list[tuple[str, ...]]:
    """Each document's group names for ``by`` (``"Lab 1990s"`` with a period), restricted to ``groups``."""
    from nlp.documents import check_groups, group_matches

    check_field(by)
    if period is not None and period not in PERIODS:
        raise MeaningError(f"Unknown period {period!r}; known periods: {', '.join(PERIODS)}")
    if groups:
        check_groups(groups, docs.group_counts(by), by)
    out = []
    for i in range(len(docs)):
        values = docs.values(i, by)
        if groups:
            values = tuple(g for g in groups if group_matches(g, values, by))
        p = period_of(docs.years[i], period)
        out.append(tuple(f"{v} {p}" if p else v for v in values))
    return out


def context_counts(occ: Occurrences, members: np.ndarray) -> Counter:
    """Terms in the context windows of the occurrences at ``members``."""
    counts: Counter = Counter()
    for j in members:
        left, right = occ.contexts[j]
        counts.update(left)
        counts.update(right)
    return counts
