"""Near-duplicates: print and online editions of one article, syndicated copies, lightly edited reposts.

Import removes only texts that are identical once normalised (:func:`corpus.models.text_hash`). A copy
whose opening was edited, or that carries another edition's header, survives import and would count as
independent evidence. This module finds such copies:

1. **Shingles.** An article's text (normalised as for the duplicate key: NFKC, case-folded) as the set of
   its 5-word shingles (:data:`SHINGLE_WORDS`); a text of fewer words is one shingle.
2. **Sketch.** A MinHash signature of the set (datasketch, :data:`NUM_PERM` permutations, fixed seed), kept
   in ``article_minhash`` with the hash of the text it was made from: an article is sketched once, and again
   only when its text changes.
3. **Candidates.** MinHash LSH (banding, :data:`LSH_BANDS` bands of :data:`LSH_ROWS` rows, so pairs from about
   ``(1/b)^(1/r)`` = 0.3 upward collide in some band) between the newly sketched articles and every stored
   signature, so an update costs one pass over the stored signatures, not a comparison of all pairs.
4. **Verification.** Each candidate pair's exact Jaccard similarity of shingle sets, from the texts; pairs
   at or above :data:`FLOOR` are stored in ``near_duplicates``. (A candidate whose signatures agree on so few
   values that it cannot plausibly reach the floor, :data:`ESTIMATE_MARGIN` below it, is dropped unread.)
5. **Clusters.** Connected components of the pairs at a chosen threshold (:func:`near_duplicate_clusters`;
   default :data:`DEFAULT_THRESHOLD`): copies of copies are one cluster.

:func:`update_near_duplicates` runs at preprocessing (``nlp preprocess``, and before any analysis reads a
selection), incrementally: only articles without a current signature are sketched and compared.
:func:`copy_clusters` gives each article of a selection its cluster, which the analyses count once.
"""
from __future__ import annotations

import json
import logging
import re
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from .backend import json_each
from .models import normalise_text
from .store import CorpusStore

log = logging.getLogger(__name__)

#: Words per shingle (5 is common for news text).
SHINGLE_WORDS = 5
#: MinHash permutations, and the seed that fixes them (stored signatures must stay comparable).
NUM_PERM = 128
MINHASH_SEED = 1
#: LSH banding: 37 bands of 3 rows (datasketch's choice for a threshold of 0.3 with 128 permutations). A pair
#: of Jaccard similarity J becomes a candidate with probability 1 - (1 - J^3)^37: 0.91 at J = 0.4, 0.99 at
#: 0.5, more than 0.999 from 0.6.
LSH_BANDS, LSH_ROWS = 37, 3
#: Verified pairs are stored from this exact Jaccard similarity up; no threshold below it can be asked for.
FLOOR = 0.4
#: The threshold at which the analyses count a cluster of copies once (``corpus duplicates`` default).
DEFAULT_THRESHOLD = 0.5
#: A candidate whose MinHash estimate is this far below :data:`FLOOR` is not read (about five standard
#: errors of the estimate at J = 0.4 with 128 permutations).
ESTIMATE_MARGIN = 0.2
#: The key under which the settings of the stored signatures are kept (``nlp_state``); other settings: all
#: signatures are made again.
STATE_KEY = "near_duplicates"
SETTINGS = {"shingle_words": SHINGLE_WORDS, "num_perm": NUM_PERM, "seed": MINHASH_SEED, "scheme": "affine32",
            "hash": "crc32", "lsh": [LSH_BANDS, LSH_ROWS], "floor": FLOOR, "version": 1}

_WORD = re.compile(r"\w+")
_BATCH = 500


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The set of ``size``-word shingles of ``text`` (normalised; a shorter text is one shingle, none: empty).

    >>> sorted(shingles("One two three four five six", size=5))
    ['one two three four five', 'two three four five six']
    """
    words = _WORD.findall(normalise_text(text))
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two shingle sets (0 when both are empty)."""
    if not a and not b:
        return 0.0
    inter = len(a & b) if len(a) <= len(b) else len(b & a)
    return inter / (len(a) + len(b) - inter)


class Sketcher:
    """MinHash signatures of shingle sets, all under one set of permutations (datasketch)."""

    def __init__(self, num_perm: int = NUM_PERM, seed: int = MINHASH_SEED):
        from datasketch import MinHash

        self._minhash = MinHash
        self.template = MinHash(num_perm=num_perm, seed=seed, scheme="affine32")
        self.num_perm, self.seed = num_perm, seed

    def signature(self, shingle_set: Iterable[str]) -> np.ndarray:
        """The signature (``num_perm`` uint32 values) of a set of shingles."""
        m = self._minhash(num_perm=self.num_perm, permutations=self.template.permutations, scheme="affine32",
                          hashfunc=_crc32)
        m.update_batch(list(shingle_set))
        return m.hashvalues.astype(np.uint32)

    def lean(self, signature: np.ndarray) -> Any:
        """A read-only MinHash of a stored signature (for the LSH index)."""
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.seed, hashvalues=signature, scheme="affine32")


def _crc32(shingle: str) -> int:
    # Fast and stable across processes (Python's hash() is salted per process): signatures are stored.
    return zlib.crc32(shingle.encode("utf-8"))


def to_blob(signature: np.ndarray) -> bytes:
    return np.asarray(signature, dtype="<u4").tobytes()


def from_blob(blob: Any) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype="<u4").astype(np.uint32)


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The MinHash estimate: the share of permutations on which two signatures agree."""
    return float(np.mean(a == b))


def components(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Connected components: each node's representative (the smallest node of its component).

    Nodes named only in ``edges`` are included.
    """
    parent: dict[str, str] = {n: n for n in nodes}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            parent[rb] = ra
    return {n: find(n) for n in list(parent)}


# ----------------------------------------------------------------------------- update (stored state)
@dataclass
class UpdateSummary:
    """What :func:`update_near_duplicates` did."""

    sketched: int = 0
    candidates: int = 0
    verified: int = 0
    pairs: int = 0
    rebuilt: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"sketched": self.sketched, "candidates": self.candidates, "verified": self.verified,
                "pairs": self.pairs, "rebuilt": self.rebuilt}


def _stale(store: CorpusStore) -> list[tuple[str, str]]:
    """``(id, content_hash)`` of the articles without a current signature, by id."""
    return [tuple(r) for r in store.conn.execute(
        "SELECT a.id, a.content_hash FROM articles a LEFT JOIN article_minhash m ON m.article_id = a.id "
        "AND m.content_hash = a.content_hash WHERE m.article_id IS NULL ORDER BY a.id")]


def count_unsketched(store: CorpusStore) -> int:
    """Articles whose near-duplicates are not known yet (new or changed text, or other settings)."""
    from .analyses import get_state

    if get_state(store, STATE_KEY) != SETTINGS:
        return store.count()
    return store.conn.execute(
        "SELECT COUNT(*) FROM articles a LEFT JOIN article_minhash m ON m.article_id = a.id "
        "AND m.content_hash = a.content_hash WHERE m.article_id IS NULL").fetchone()[0]


def _texts(store: CorpusStore, ids: Sequence[str]) -> Iterator[tuple[str, str]]:
    for start in range(0, len(ids), _BATCH):
        for article in store.articles(ids=ids[start:start + _BATCH]):
            yield article.id, article.text


def update_near_duplicates(store: CorpusStore, progress: Callable[[int], Any] | None = None) -> UpdateSummary:
    """Sketch the articles without a current signature and store their verified near-duplicate pairs.

    Incremental: an article already sketched from its current text is not read again; the new ones are
    compared with each other and with every stored signature. Everything is written in one transaction at
    the end (an interruption leaves the stored state as it was).

    Parameters
    ----------
    store : CorpusStore
    progress : callable, optional
        Called with the number of articles just sketched.

    Returns
    -------
    UpdateSummary
    """
    from .analyses import get_state, set_state

    summary = UpdateSummary(rebuilt=get_state(store, STATE_KEY) != SETTINGS)
    if summary.rebuilt:
        stale = [tuple(r) for r in store.conn.execute("SELECT id, content_hash FROM articles ORDER BY id")]
    else:
        stale = _stale(store)
    if not stale and not summary.rebuilt:
        return summary
    from datasketch import MinHashLSH  # here: an up-to-date corpus needs no sketching library

    sketcher = Sketcher()
    hashes = dict(stale)
    new: dict[str, np.ndarray] = {}
    sizes: dict[str, int] = {}
    for id_, text in _texts(store, [i for i, _ in stale]):
        shingle_set = shingles(text)
        sizes[id_] = len(shingle_set)
        new[id_] = sketcher.signature(shingle_set)
        if progress:
            progress(1)
    summary.sketched = len(new)
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(LSH_BANDS, LSH_ROWS))
    with lsh.insertion_session() as session:
        for id_, sig in new.items():
            if sizes[id_]:  # an empty text is nobody's copy
                session.insert(id_, sketcher.lean(sig), check_duplication=False)
    candidates: dict[tuple[str, str], float] = {}

    def collect(id_: str, sig: np.ndarray, other_sigs: dict[str, np.ndarray]) -> None:
        for other in lsh.query(sketcher.lean(sig)):
            if other != id_:
                pair = (id_, other) if id_ < other else (other, id_)
                if pair not in candidates:
                    candidates[pair] = estimated_jaccard(sig, other_sigs[other])

    for id_, sig in new.items():
        if sizes[id_]:
            collect(id_, sig, new)
    if not summary.rebuilt:
        cur = store.conn.cursor()
        cur.execute("SELECT article_id, signature FROM article_minhash WHERE n_shingles > 0")
        try:
            while rows := cur.fetchmany(5000):
                for id_, blob in rows:
                    if id_ not in new:
                        collect(id_, from_blob(blob), new)
        finally:
            from .backend import close_cursor
            close_cursor(cur)
    summary.candidates = len(candidates)
    plausible = sorted(p for p, est in candidates.items() if est >= FLOOR - ESTIMATE_MARGIN)
    pairs = list(_verify(store, plausible))
    summary.verified, summary.pairs = len(plausible), len(pairs)
    with store.transaction() as conn:
        # Articles deleted since they were read have taken their rows with them: write nothing for them.
        involved = sorted(set(new) | {i for a, b, _ in pairs for i in (a, b)})
        live = {r[0] for r in conn.execute(f"SELECT id FROM articles WHERE id IN (SELECT value FROM "
                                           f"{json_each(conn, '?')})", (json.dumps(involved),))}
        if summary.rebuilt:
            conn.execute("DELETE FROM near_duplicates")
            conn.execute("DELETE FROM article_minhash")
        else:
            ids = json.dumps(list(new))
            conn.execute(f"DELETE FROM near_duplicates WHERE article_a IN (SELECT value FROM {json_each(conn, '?')}) "
                         f"OR article_b IN (SELECT value FROM {json_each(conn, '?')})", (ids, ids))
        conn.executemany(
            "INSERT INTO article_minhash (article_id, content_hash, n_shingles, signature) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(article_id) DO UPDATE SET content_hash = excluded.content_hash, "
            "n_shingles = excluded.n_shingles, signature = excluded.signature",
            [(id_, hashes[id_], sizes[id_], to_blob(sig)) for id_, sig in new.items() if id_ in live])
        conn.executemany("INSERT INTO near_duplicates (article_a, article_b, similarity) VALUES (?, ?, ?) "
                         "ON CONFLICT DO NOTHING",
                         [(a, b, round(s, 6)) for a, b, s in pairs if a in live and b in live])
        set_state(store, STATE_KEY, SETTINGS)
    log.info("near-duplicates: %d articles sketched, %d candidate pairs, %d verified, %d stored",
             summary.sketched, summary.candidates, summary.verified, summary.pairs)
    return summary


def _verify(store: CorpusStore, pairs: Sequence[tuple[str, str]], chunk: int = 2000
            ) -> Iterator[tuple[str, str, float]]:
    """The pairs whose exact Jaccard similarity reaches :data:`FLOOR`, with it; texts read a chunk of pairs at
    a time (memory bounded by the chunk, not by the corpus)."""
    for start in range(0, len(pairs), chunk):
        part = pairs[start:start + chunk]
        needed = sorted({i for p in part for i in p})
        sets = {id_: shingles(text) for id_, text in _texts(store, needed)}
        for a, b in part:
            if a in sets and b in sets:
                sim = jaccard(sets[a], sets[b])
                if sim >= FLOOR:
                    yield a, b, sim


# ----------------------------------------------------------------------------- clusters
@dataclass(frozen=True)
class Cluster:
    """Articles that are copies of one another (connected at the threshold)."""

    ids: tuple[str, ...]
    #: The lowest exact Jaccard similarity among the pairs that link the cluster.
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        return {"ids": list(self.ids), "similarity": round(self.similarity, 4), "size": len(self.ids)}


@dataclass
class NearDuplicates:
    """The near-duplicate clusters of a corpus at one threshold (``corpus duplicates``)."""

    threshold: float
    clusters: list[Cluster] = field(default_factory=list)
    articles_checked: int = 0

    @property
    def n_articles(self) -> int:
        """Articles that belong to a cluster."""
        return sum(len(c.ids) for c in self.clusters)

    def to_dict(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "n_clusters": len(self.clusters), "n_articles": self.n_articles,
                "articles_checked": self.articles_checked,
                "method": {"shingle_words": SHINGLE_WORDS, "num_perm": NUM_PERM, "lsh_bands": LSH_BANDS,
                           "lsh_rows": LSH_ROWS, "similarity": "exact Jaccard of shingle sets",
                           "clusters": "connected components of the pairs at the threshold"},
                "clusters": [c.to_dict() for c in self.clusters]}


def check_threshold(threshold: float) -> float:
    """``threshold`` if it lies in [:data:`FLOOR`, 1], else a :class:`ValueError` naming the range."""
    if not FLOOR <= threshold <= 1.0:
        raise ValueError(f"a near-duplicate threshold must lie between {FLOOR} (the lowest similarity the corpus "
                         f"keeps) and 1, not {threshold}")
    return threshold


def stored_pairs(store: CorpusStore, threshold: float = DEFAULT_THRESHOLD,
                 ids: Sequence[str] | None = None) -> list[tuple[str, str, float]]:
    """The stored pairs at or above ``threshold`` (both articles among ``ids``, when given)."""
    check_threshold(threshold)
    rows = store.conn.execute("SELECT article_a, article_b, similarity FROM near_duplicates WHERE similarity >= ? "
                              "ORDER BY article_a, article_b", (threshold,)).fetchall()
    if ids is not None:
        wanted = set(ids)
        rows = [r for r in rows if r[0] in wanted and r[1] in wanted]
    return [(a, b, float(s)) for a, b, s in rows]


def near_duplicate_clusters(store: CorpusStore, threshold: float = DEFAULT_THRESHOLD,
                            ids: Sequence[str] | None = None) -> NearDuplicates:
    """The clusters of copies at ``threshold`` (from the stored pairs; run :func:`update_near_duplicates`
    first for articles added since). Largest first, then by first id."""
    pairs = stored_pairs(store, threshold, ids)
    rep = components([], ((a, b) for a, b, _ in pairs))
    members: dict[str, list[str]] = {}
    for node, root in rep.items():
        members.setdefault(root, []).append(node)
    weakest: dict[str, float] = {}
    for a, b, s in pairs:
        root = rep[a]
        weakest[root] = min(weakest.get(root, 1.0), s)
    clusters = [Cluster(tuple(sorted(m)), weakest[root]) for root, m in members.items()]
    clusters.sort(key=lambda c: (-len(c.ids), c.ids[0]))
    checked = store.conn.execute("SELECT COUNT(*) FROM article_minhash").fetchone()[0]
    return NearDuplicates(threshold=threshold, clusters=clusters, articles_checked=int(checked))


def copy_clusters(store: CorpusStore, ids: Sequence[str], threshold: float = DEFAULT_THRESHOLD) -> list[str]:
    """Each article's copy cluster among ``ids``: the smallest id of its cluster (its own id when it has no
    copy in the selection)."""
    rep = components(list(ids), ((a, b) for a, b, _ in stored_pairs(store, threshold, ids)))
    return [rep[i] for i in ids]
