"""What a term means to each group: à-la-carte embeddings per group, compared with document-level inference.

For each group (tendency, outlet or author, optionally split by period) the occurrences of the term are
embedded (:mod:`nlp.meaning.occurrences`) and averaged. Inference treats the *document* as the sampled unit,
or the *outlet* where tendencies are properties of their outlets (:mod:`nlp.meaning.units`):

- intervals of the cosine between two groups come from a bootstrap that resamples each group's units;
- ``p`` comes from a permutation test that shuffles units (with all their occurrences) between the two
  groups; a small ``p`` means the two groups' embeddings are further apart than a random split of the same
  units would give. ``null_cosine`` is the mean cosine under those shuffles: a cosine rises with the
  number of occurrences, so read the observed one against it, not against 1.
- by tendency, the unit follows the pair's design (:func:`nlp.design.pair_design`): whole outlets where
  each tendency comes from outlets of its own (every split enumerated when there are few: 2 against 6
  outlets give 28, and no p below 1/28), documents within outlets where the tendencies share them, else
  documents. Each comparison names its ``unit`` and ``n_units``; where the outlet is the unit, ``placebos``
  compare two outlets of one tendency the way documents would be compared (:func:`outlet_placebos`).

Nearest neighbours (words with at least 10 uses) are listed plainly and as "distinctive" (closer to this
group's embedding than to any other group's), each with its *stability*: the share of bootstrap replicates
(and of word-vector seeds) in which the word made the top list. Beside that, the plain view: Fightin' Words
(:func:`nlp.tendencies.contrast.rank_terms`) on the terms around the occurrences, group against group, and
example contexts. Senses: k-means on the occurrence embeddings, with each sense's share per group.

A group with fewer than ``min_support`` documents using the term is listed with its counts and no claims.
"""
from __future__ import annotations

import logging
import zlib
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from itertools import combinations
from math import comb
from typing import Any, Mapping, Sequence

import numpy as np

from nlp.design import pair_design
from nlp.documents import DocumentTerms
from nlp.meaning.embeddings import Embeddings, MeaningError
from nlp.meaning.occurrences import BLOCK, Occurrences, context_counts, document_groups, find_occurrences, period_of
from nlp.meaning.units import exact_splits, smallest_p, stratified_splits, unit_sums
from nlp.tendencies.contrast import rank_terms

log = logging.getLogger(__name__)

NEIGHBOUR_MIN_COUNT = 10
DISTINCTIVE_POOL = 200  # distinctive neighbours are picked among a group's nearest words


@dataclass
class GroupMeaning:
    """One group's use of the term: counts, its embedding (the mean of its occurrence embeddings), nearest
    words and examples (only counts when not ``supported``)."""

    group: str
    n_occurrences: int
    n_documents: int
    supported: bool
    neighbours: list[dict[str, Any]] = field(default_factory=list)
    distinctive: list[dict[str, Any]] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    embedding: list[float] = field(default_factory=list)


@dataclass
class Comparison:
    """Two supported groups' embeddings of the term, compared over the documents only one of them holds.

    ``unit`` is what the bootstrap resamples and the permutation shuffles (:mod:`nlp.meaning.units`):
    ``document``, ``outlet`` (the groups come from outlets of their own) or ``document within outlet``;
    ``n_units`` how many there are (``n_units_a`` and ``n_units_b`` per side, those that can move for
    documents within outlets), ``min_p`` the smallest ``p`` the test can give and ``exact`` whether every
    split was enumerated. ``design`` is the pair's design (:func:`nlp.design.pair_design`).
    """

    a: str
    b: str
    cosine: float
    lo: float
    hi: float
    p: float
    null_cosine: float
    n_documents_a: int
    n_documents_b: int
    context_terms_a: list[dict[str, Any]] = field(default_factory=list)
    context_terms_b: list[dict[str, Any]] = field(default_factory=list)
    unit: str = "document"
    n_units: int = 0
    n_units_a: int = 0
    n_units_b: int = 0
    min_p: float = 0.0
    exact: bool = False
    design: str = ""
    caveats: list[str] = field(default_factory=list)


@dataclass
class Sense:
    """One cluster of the term's occurrence embeddings."""

    sense: int
    n_occurrences: int
    neighbours: list[str]
    shares: dict[str, float]
    shares_by_period: dict[str, float]
    examples: list[str]


@dataclass
class TermMeaning:
    """The result for one term: ``to_dict()`` is the JSON of ``meaning --json`` (docs/meaning.md)."""

    term: str
    terms: list[str]
    by: str
    period: str | None
    groups: list[GroupMeaning]
    comparisons: list[Comparison]
    senses: list[Sense]
    embeddings: dict[str, Any]
    params: dict[str, Any]
    #: Two outlets of one group compared as two groups are (documents shuffled), where a comparison's unit
    #: is the outlet: how far apart outlets of one side lie (:func:`outlet_placebos`).
    placebos: list[Comparison] = field(default_factory=list)
    #: The selection's outlet markers (:meth:`nlp.text.markers.OutletMarkers.to_dict`): left out of the
    #: contexts unless kept.
    outlet_markers: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        return {"term": out.pop("term"), "groups": out.pop("groups"), "comparisons": out.pop("comparisons"), **out}


# ------------------------------------------------------------------------------------ helpers
def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.atleast_2d(x)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (_normalise(a) * _normalise(b)).sum(axis=1)


def _bootstrap(sums: np.ndarray, counts: np.ndarray, rng: np.random.Generator, n_boot: int) -> np.ndarray:
    """``n_boot`` embeddings of a group from its documents resampled with replacement."""
    n = len(counts)
    weights = np.zeros((n_boot, n))
    np.add.at(weights, (np.repeat(np.arange(n_boot), n), rng.integers(0, n, size=n_boot * n)), 1.0)
    return (weights @ sums) / np.maximum(weights @ counts, 1)[:, None]


#: Cells (splits x documents) of one block of the permutation test.
PERMUTATION_CELLS = 2_000_000


def _permutation(sums: np.ndarray, counts: np.ndarray, n_a: int, rng: np.random.Generator,
                 n_perm: int) -> np.ndarray:
    """Cosines between the two sides of ``n_perm`` random splits of the pooled documents (``n_a`` to A)."""
    m = len(counts)
    out = []
    # A block of splits at a time: the working memory is a block's (splits x documents), not all of them;
    # the random numbers are drawn in the same order, so the splits are those of one draw.
    block = max(1, PERMUTATION_CELLS // max(m, 1))
    for start in range(0, n_perm, block):
        rows = min(block, n_perm - start)
        mask = np.zeros((rows, m))
        order = np.argsort(rng.random((rows, m)), axis=1)[:, :n_a]
        np.put_along_axis(mask, order, 1.0, axis=1)
        ea = (mask @ sums) / (mask @ counts)[:, None]
        mask = 1 - mask
        eb = (mask @ sums) / (mask @ counts)[:, None]
        out.append(_cosine(ea, eb))
    return np.concatenate(out)


class _Neighbours:
    """Nearest words of embeddings, tallied over replicates."""

    def __init__(self, emb: Embeddings, exclude: Sequence[str], top: int):
        keep = (emb.counts >= NEIGHBOUR_MIN_COUNT) & ~np.isin(np.arange(len(emb.vocabulary)),
                                                            [emb.index[t] for t in exclude if t in emb.index])
        self.rows = np.flatnonzero(keep)
        self.words = [emb.vocabulary[i] for i in self.rows]
        self.unit = _normalise(emb.vectors[self.rows].astype(np.float64))
        self.top = top

    def similarities(self, x: np.ndarray) -> np.ndarray:
        return _normalise(x) @ self.unit.T

    def plain(self, sims: np.ndarray) -> list[list[str]]:
        k = min(self.top, sims.shape[1])
        idx = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        return [[self.words[j] for j in row] for row in idx]

    def distinctive(self, sims: np.ndarray, others: list[np.ndarray]) -> list[list[str]]:
        if not others:
            return [[] for _ in range(len(sims))]
        margin = sims - np.max(np.stack(others), axis=0)
        pool = np.argsort(-sims, axis=1, kind="stable")[:, :DISTINCTIVE_POOL]
        out = []
        for r, cands in enumerate(pool):
            best = cands[np.argsort(-margin[r, cands], kind="stable")[:self.top]]
            out.append([self.words[j] for j in best])
        return out


def _tally(lists: list[list[str]], n: int, full: Mapping[str, float], key: str,
           extra: Mapping[str, float] | None = None, top: int = 10) -> list[dict[str, Any]]:
    """Words ranked by how often they made the lists (stability), then by the full-data score."""
    seen = Counter(w for row in lists for w in row)
    ranked = sorted(seen, key=lambda w: (-seen[w], -full.get(w, 0.0), w))[:top]
    rows = []
    for w in ranked:
        row = {"term": w, "cosine": round(float(full.get(w, 0.0)), 4), "stability": round(seen[w] / n, 3)}
        if extra is not None:
            row[key] = round(float(extra.get(w, 0.0)), 4)
        rows.append(row)
    return rows


def _document_sums(occ: Occurrences, documents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per document (in the order given): the sum of its occurrence embeddings and their number."""
    pos = {int(d): i for i, d in enumerate(documents)}
    rows = np.array([pos.get(int(d), -1) for d in occ.doc], dtype=np.int64)
    keep = rows >= 0
    sums = np.zeros((len(documents), occ.vectors.shape[1]))
    np.add.at(sums, rows[keep], occ.vectors[keep])
    return sums, np.bincount(rows[keep], minlength=len(documents)).astype(float)


def _snippet(occ: Occurrences, j: int) -> str:
    left, right = occ.contexts[j]
    return " ".join(left + [f"[{' '.join(occ.sequence)}]"] + right)


# ------------------------------------------------------------------------------------ the analysis
def analyse_term(docs: DocumentTerms, sequence: Sequence[str], embeddings: Embeddings | Sequence[Embeddings],
                 by: str = "tendency", period: str | None = None, groups: Sequence[str] | None = None,
                 min_support: int = 5, n_boot: int = 100, n_perm: int = 1000, top: int = 10, senses: int = 3,
                 seed: int = 0, query: str | None = None,
                 snippets: Mapping[int, list[str]] | None = None) -> TermMeaning:
    """What one term means to each group.

    Parameters
    ----------
    docs : DocumentTerms
        The selection (with its terms before collocations: ``load_documents(..., raw=True)``).
    sequence : sequence of str
        The term's terms as they appear in the documents (several for a phrase: "public ownership").
    embeddings : Embeddings or sequence of Embeddings
        Word vectors with their transform; the first gives the counts, cosines and tests, and neighbour
        lists are tallied over all of them (models trained with different seeds).
    by : {"tendency", "outlet", "author"}
        What makes a group.
    period : {"year", "decade"}, optional
        Split each group by the documents' period ("Lab 1990s").
    groups : sequence of str, optional
        Only these groups (names as ``contrast`` takes them).
    min_support : int
        Fewer documents using the term than this: the group is listed with its counts and no claims.
    n_boot, n_perm : int
        Bootstrap replicates (intervals, neighbour stability) and permutations (``p``), over documents.
    top : int
        Neighbours and context terms per list.
    senses : int
        ``k`` of the k-means on occurrence embeddings (0: none).
    seed : int
        Seeds the bootstrap, the permutations, the k-means and the choice of examples.
    snippets : mapping of int to list of str, optional
        Example lines from the stored text per document index (KWIC); else the terms around an occurrence.

    Raises
    ------
    MeaningError
        When the term never occurs, or a parameter is out of range.
    GroupError
        When a group name matches no document.
    """
    models = [embeddings] if isinstance(embeddings, Embeddings) else list(embeddings)
    if not models:
        raise MeaningError("No word vectors given")
    if min_support < 2 or n_boot < 10 or n_perm < 19:
        raise MeaningError("--min-support must be 2 or more, bootstraps 10 or more and permutations 19 or more")
    rng = np.random.default_rng(seed)
    doc_groups = document_groups(docs, by, period, groups)
    occs = [find_occurrences(docs, sequence, emb) for emb in models]
    occ = occs[0]
    members: dict[str, list[int]] = defaultdict(list)  # group -> occurrence indices
    for j, d in enumerate(occ.doc):
        for g in doc_groups[d]:
            members[g].append(j)
    order = sorted(members, key=lambda g: (-len(set(occ.doc[members[g]])), g))
    supported = [g for g in order if len(set(occ.doc[members[g]])) >= min_support]

    group_docs = {g: np.unique(occ.doc[members[g]]) for g in order}

    # neighbours, tallied over models x (full data + bootstrap replicates)
    plain_lists: dict[str, list[list[str]]] = defaultdict(list)
    dist_lists: dict[str, list[list[str]]] = defaultdict(list)
    full_sims: dict[str, dict[str, float]] = {}
    full_margin: dict[str, dict[str, float]] = {}
    embedding: dict[str, np.ndarray] = {}
    for m, (emb, o) in enumerate(zip(models, occs)):
        nb = _Neighbours(emb, sequence, top)
        sims, means = {}, {}
        for g in supported:
            s, c = _document_sums(o, group_docs[g])
            full = s.sum(axis=0) / c.sum()
            means[g] = full
            reps = np.vstack([full, _bootstrap(s, c, rng, n_boot)])
            sims[g] = nb.similarities(reps)
        for g in supported:
            others = [sims[h] for h in supported if h != g]
            plain_lists[g] += nb.plain(sims[g])
            dist_lists[g] += nb.distinctive(sims[g], others)
            if m == 0:
                embedding[g] = means[g]
                full_sims[g] = dict(zip(nb.words, sims[g][0]))
                if others:
                    margin = sims[g][0] - np.max(np.stack([x[0] for x in others]), axis=0)
                    full_margin[g] = dict(zip(nb.words, margin))
    n_lists = len(models) * (n_boot + 1)

    pick = np.random.default_rng(seed + 1)
    results = []
    for g in order:
        js, ds = members[g], group_docs[g]
        ok = g in supported
        examples = []
        if ok:
            seen_docs: set[int] = set()
            for j in pick.permutation(js):
                d = int(occ.doc[j])
                if d in seen_docs:
                    continue
                seen_docs.add(d)
                lines = (snippets or {}).get(d)
                examples.append(lines[int(pick.integers(len(lines)))] if lines else _snippet(occ, int(j)))
                if len(examples) == 3:
                    break
        results.append(GroupMeaning(
            group=g, n_occurrences=len(js), n_documents=len(ds), supported=ok,
            neighbours=_tally(plain_lists[g], n_lists, full_sims.get(g, {}), "cosine", top=top) if ok else [],
            distinctive=(_tally(dist_lists[g], n_lists, full_sims.get(g, {}), "margin", full_margin.get(g, {}), top)
                         if ok and len(supported) > 1 else []),
            examples=examples,
            embedding=[round(float(x), 5) for x in embedding[g]] if ok else []))

    # each pair draws from its own stream: its p does not depend on which other groups or models are there
    outlets = np.asarray(docs.outlets, dtype=object) if by == "tendency" else None
    comparisons = [_compare(occ, members, a, b, min_support, n_boot, n_perm,
                            np.random.default_rng([seed, zlib.crc32(f"{a}\0{b}".encode())]), top, outlets)
                   for a, b in combinations(supported, 2)]
    placebos = (outlet_placebos(occ, members, supported, docs.outlets, min_support, n_boot, n_perm, seed, top)
                if any(c is not None and c.unit == "outlet" for c in comparisons) else [])
    sense_list = _senses(occ, models[0], members, supported, docs, period, senses, seed, top) if senses else []
    params = {"min_support": min_support, "n_boot": n_boot, "n_perm": n_perm, "seed": seed, "top": top,
              "senses": senses, "groups": list(groups or []), "models": len(models)}
    return TermMeaning(term=query or " ".join(sequence), terms=list(sequence), by=by, period=period, groups=results,
                       comparisons=[c for c in comparisons if c is not None], senses=sense_list,
                       embeddings={k: v for k, v in models[0].info.items() if k != "checksums"}, params=params,
                       placebos=placebos)


def _compare(occ: Occurrences, members: Mapping[str, list[int]], a: str, b: str, min_support: int, n_boot: int,
             n_perm: int, rng: np.random.Generator, top: int, outlets: np.ndarray | None = None) -> Comparison | None:
    """Group A against B over the documents only one of them holds (a co-authored piece counts for neither).

    With ``outlets`` (each document's outlet) the units follow the pair's design (:mod:`nlp.meaning.units`):
    outlets where the groups come from outlets of their own, documents within outlets where they share them."""
    docs_a, docs_b = set(occ.doc[members[a]]), set(occ.doc[members[b]])
    only_a, only_b = np.array(sorted(docs_a - docs_b)), np.array(sorted(docs_b - docs_a))
    if len(only_a) < min_support or len(only_b) < min_support:
        log.info("%s vs %s: too few documents held by one side only", a, b)
        return None
    sa, ca = _document_sums(occ, only_a)
    sb, cb = _document_sums(occ, only_b)
    observed = float(_cosine(sa.sum(0) / ca.sum(), sb.sum(0) / cb.sum())[0])
    design = pair_design(outlets[only_a].tolist(), outlets[only_b].tolist(), a, b) if outlets is not None else None
    unit = design.unit if design is not None else "document"
    units = (len(only_a), len(only_b))
    exact = False
    if unit == "outlet":  # whole outlets move between the groups (a shared outlet's two parts are two units)
        ua, uca, _ = unit_sums(sa, ca, outlets[only_a].tolist())
        ub, ucb, _ = unit_sums(sb, cb, outlets[only_b].tolist())
        units = (len(uca), len(ucb))
        boot = _cosine(_bootstrap(ua, uca, rng, n_boot), _bootstrap(ub, ucb, rng, n_boot))
        both, counts = np.vstack([ua, ub]), np.concatenate([uca, ucb])
        exact = comb(len(counts), len(uca)) <= n_perm
        null = exact_splits(both, counts, len(uca)) if exact else _permutation(both, counts, len(uca), rng, n_perm)
    else:
        boot = _cosine(_bootstrap(sa, ca, rng, n_boot), _bootstrap(sb, cb, rng, n_boot))
        if unit == "document within outlet":  # documents move only within the outlets that hold both groups
            keys = np.concatenate([outlets[only_a], outlets[only_b]])
            strata = np.unique(keys, return_inverse=True)[1]
            side = np.r_[np.ones(len(only_a), dtype=bool), np.zeros(len(only_b), dtype=bool)]
            null = stratified_splits(np.vstack([sa, sb]), np.concatenate([ca, cb]), side, strata, rng, n_perm)
            movable = np.isin(keys, list(design.strata))  # type: ignore[union-attr]
            units = (int(movable[:len(only_a)].sum()), int(movable[len(only_a):].sum()))
        else:
            null = _permutation(np.vstack([sa, sb]), np.concatenate([ca, cb]), len(only_a), rng, n_perm)
    hits = int((null <= observed).sum())
    p = hits / len(null) if exact else (1 + hits) / (n_perm + 1)
    in_a, in_b = set(only_a.tolist()), set(only_b.tolist())
    words_a = context_counts(occ, np.array([j for j in members[a] if occ.doc[j] in in_a]))
    words_b = context_counts(occ, np.array([j for j in members[b] if occ.doc[j] in in_b]))
    side_a, side_b = rank_terms(words_a, words_b, top=top, min_count=3)
    return Comparison(a=a, b=b, cosine=round(observed, 4), lo=round(float(np.percentile(boot, 2.5)), 4),
                      hi=round(float(np.percentile(boot, 97.5)), 4), p=round(p, 4),
                      null_cosine=round(float(null.mean()), 4), n_documents_a=len(only_a), n_documents_b=len(only_b),
                      context_terms_a=[{"term": s.term, "z": round(s.z, 2)} for s in side_a],
                      context_terms_b=[{"term": s.term, "z": round(s.z, 2)} for s in side_b],
                      unit=unit, n_units=sum(units), n_units_a=units[0], n_units_b=units[1],
                      min_p=round(smallest_p(*units) if exact else 1 / (n_perm + 1), 4), exact=exact,
                      design=design.kind if design is not None else "", caveats=design.caveats() if design else [])


def outlet_placebos(occ: Occurrences, members: Mapping[str, list[int]], groups: Sequence[str],
                    outlets: Sequence[str], min_support: int, n_boot: int, n_perm: int, seed: int,
                    top: int) -> list[Comparison]:
    """For each group drawn from two outlets or more, its two largest outlets (by documents using the term,
    each at least ``min_support``) compared as two groups are, documents shuffled between them.

    A placebo: both outlets carry the same label, so any difference between them is house style. Where it is
    as large as the difference between two groups, a comparison over documents would call house style a
    difference of meaning; the comparison over outlets (:mod:`nlp.meaning.units`) does not.
    """
    out = []
    for g in groups:
        by_outlet: dict[str, list[int]] = defaultdict(list)
        for j in members[g]:
            by_outlet[outlets[int(occ.doc[j])]].append(j)
        sizes = {o: len(set(occ.doc[js])) for o, js in by_outlet.items()}
        largest = sorted((o for o in sizes if sizes[o] >= min_support), key=lambda o: (-sizes[o], o))[:2]
        if len(largest) < 2:
            continue
        names = {o: f"{g}: {o}" for o in largest}
        placebo = _compare(occ, {names[o]: by_outlet[o] for o in largest}, names[largest[0]], names[largest[1]],
                           min_support, n_boot, n_perm, np.random.default_rng([seed, zlib.crc32(g.encode())]), top)
        if placebo is not None:
            out.append(placebo)
    return out


#: Occurrences k-means is fitted on, at most (the rest are assigned to the nearest sense).
SENSE_SAMPLE = 5_000


def _senses(occ: Occurrences, emb: Embeddings, members: Mapping[str, list[int]], supported: list[str],
            docs: DocumentTerms, period: str | None, k: int, seed: int, top: int) -> list[Sense]:
    """k-means on the (unit-length) occurrence embeddings; each sense's share of each group's occurrences."""
    from sklearn.cluster import KMeans

    if len(occ.doc) < 5 * k:
        log.info("%d occurrences: too few for %d senses", len(occ.doc), k)
        return []
    n = len(occ.vectors)
    # Fitted on a seeded sample of at most SENSE_SAMPLE occurrences (a word used tens of thousands of times
    # has no more senses than one used five thousand times), then every occurrence is assigned its nearest.
    fit = _normalise(occ.vectors if n <= SENSE_SAMPLE else
                     occ.vectors[np.sort(np.random.default_rng(seed).choice(n, SENSE_SAMPLE, replace=False))])
    km = KMeans(n_clusters=k, random_state=seed, n_init=10).fit(fit)
    # Every occurrence's sense and its cosine to its sense's centre, a block of (unit-length) occurrence
    # vectors at a time rather than a unit-length copy of them all.
    labels = np.empty(n, dtype=np.int64)
    closeness = np.empty(n)
    centres = _normalise(km.cluster_centers_)
    for start in range(0, n, BLOCK):
        x = _normalise(occ.vectors[start:start + BLOCK])
        labels[start:start + BLOCK] = km.predict(x)
        closeness[start:start + BLOCK] = (x * centres[labels[start:start + BLOCK]]).sum(axis=1)
    nb = _Neighbours(emb, occ.sequence, top)
    words = nb.plain(nb.similarities(km.cluster_centers_))
    periods = [period_of(docs.years[d], period or "decade") for d in occ.doc]
    out = []
    for c in range(k):
        mine = np.flatnonzero(labels == c)
        closest = mine[np.argsort(-closeness[mine])[:3]]
        shares = {g: round(float(np.mean(labels[members[g]] == c)), 3) for g in supported}
        by_period = {}
        for p in sorted(set(periods)):
            idx = [j for j, q in enumerate(periods) if q == p]
            by_period[p] = round(float(np.mean(labels[idx] == c)), 3)
        out.append(Sense(sense=c + 1, n_occurrences=len(mine), neighbours=words[c][:8], shares=shares,
                         shares_by_period=by_period, examples=[_snippet(occ, int(j)) for j in closest]))
    out.sort(key=lambda s: -s.n_occurrences)
    for i, s in enumerate(out, 1):
        s.sense = i
    return out
