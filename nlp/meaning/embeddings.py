"""Word vectors and the à-la-carte transform, trained on a corpus or loaded from a background model.

The embedding of one occurrence of a word is built from its context (Khodak et al. 2018, "A La Carte
Embedding"; Rodriguez, Spirling and Stewart 2023, "Embedding regression", the method of conText): the mean of
the word vectors within ±6 terms, multiplied by a linear transform ``A`` fitted by least squares so that,
for every frequent word, the mean of its context vectors maps onto the word's own vector. Averaging those
occurrence embeddings over a group of documents gives what the word means in that group's writing.

Vectors are gensim skip-gram Word2Vec on the corpus's preprocessed terms (before collocations, so "public"
and "ownership" stay two terms). They are stored without pickles: ``vectors.npy``, ``counts.npy``,
``transform.npy`` and ``vocabulary.json``, whose SHA-256 checksums are recorded in ``manifest.json`` and
verified before anything is read (arrays with ``allow_pickle=False``). A folder written here is also a
*background model*: vectors and transform trained on a larger corpus, for corpora too small to train their own.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
from scipy import sparse

from corpus.output import sha256_file, verify_checksums
from nlp.documents import DocumentTerms
from nlp.errors import NlpError

log = logging.getLogger(__name__)

FORMAT = "softleft-alc-1"
FILES = ("vectors.npy", "counts.npy", "transform.npy", "vocabulary.json")
#: Local training is refused below this many (preprocessed, stop-word-free) terms: on ~70k terms every
#: group's embedding of a word comes out the same. 400,000 terms are about 0.8M words of running text.
MIN_TRAINING_TERMS = 400_000
CHUNK = 1000  # terms per Word2Vec "sentence" (gensim truncates longer ones at 10,000)
WINDOW = 6
TRANSFORM_MIN_COUNT = 50  # words whose mean context fits the transform
#: Word2Vec settings that held on 0.4-1.9M terms (METHODS.md).
DEFAULTS = {"vector_size": 200, "window": WINDOW, "min_count": 5, "epochs": 10, "sg": 1}


class MeaningError(NlpError):
    """A meaning analysis that cannot run as asked (too small a corpus, a bad model folder, unknown term)."""


@dataclass
class Embeddings:
    """Word vectors with the à-la-carte transform.

    Attributes
    ----------
    vocabulary : list of str
        The words with a vector, most frequent first.
    vectors : ndarray, shape (n_words, dim)
    counts : ndarray, shape (n_words,)
        Each word's count in the training corpus.
    transform : ndarray, shape (dim, dim)
        ``A``: a mean context vector ``c`` (row) maps to ``c @ A``.
    info : dict
        Training parameters, corpus size, the transform's held-out fit and where the model came from.
    """

    vocabulary: list[str]
    vectors: np.ndarray
    counts: np.ndarray
    transform: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {w: i for i, w in enumerate(self.vocabulary)}

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def lookup(self, vocabulary: list[str]) -> np.ndarray:
        """For each word of another vocabulary, its row here (-1 when it has no vector)."""
        return np.fromiter((self.index.get(w, -1) for w in vocabulary), dtype=np.int64, count=len(vocabulary))


# ------------------------------------------------------------------------------------ training
def corpus_fingerprint(docs: DocumentTerms) -> str:
    """A hash of the documents' terms before collocations (what the vectors are trained on)."""
    h = hashlib.sha256(json.dumps(docs.vocabulary, ensure_ascii=False).encode())
    tokens, offsets = (docs.raw_tokens, docs.raw_offsets) if docs.raw_tokens is not None else (docs.tokens, docs.offsets)
    h.update(np.ascontiguousarray(tokens, dtype=np.int32).tobytes())
    h.update(np.ascontiguousarray(offsets, dtype=np.int64).tobytes())
    return h.hexdigest()[:16]


def n_training_terms(docs: DocumentTerms) -> int:
    return int(len(docs.raw_tokens if docs.raw_tokens is not None else docs.tokens))


class _Chunks:
    """The documents' terms cut into pieces of at most :data:`CHUNK` terms (re-iterable, as gensim needs)."""

    def __init__(self, docs: DocumentTerms):
        self.docs = docs

    def __iter__(self) -> Iterator[list[str]]:
        for terms in self.docs.iter_terms(raw=True):
            for start in range(0, len(terms), CHUNK):
                yield terms[start:start + CHUNK]


def train_embeddings(docs: DocumentTerms, seed: int = 0, min_terms: int = MIN_TRAINING_TERMS,
                     progress: Callable[[str, int, int], Any] | None = None, **params: Any) -> Embeddings:
    """Train Word2Vec on the documents' terms and fit the à-la-carte transform.

    Parameters
    ----------
    docs : DocumentTerms
        The training corpus (its terms before collocations when it has them).
    seed : int
        Word2Vec's seed and the held-out split's; one worker thread, so the same seed gives the same vectors.
    min_terms : int
        Refuse to train on fewer terms (see :data:`MIN_TRAINING_TERMS`).
    progress : callable, optional
        ``progress(step, done, total)`` with ``step`` "training word vectors" (epochs) and "fitting the
        transform".
    **params
        Word2Vec settings overriding :data:`DEFAULTS` (``vector_size``, ``window``, ``min_count``,
        ``epochs``, ``sg``).

    Raises
    ------
    MeaningError
        When the corpus holds fewer than ``min_terms`` terms.
    """
    from gensim.models import Word2Vec
    from gensim.models.callbacks import CallbackAny2Vec

    n = n_training_terms(docs)
    if n < min_terms:
        raise MeaningError(
            f"The corpus holds {n:,} terms, fewer than the {min_terms:,} needed to train word vectors that tell "
            f"groups apart; use --background DIR with vectors trained on a larger corpus (see docs/meaning.md)")
    settings = {**DEFAULTS, **params}

    class _Epochs(CallbackAny2Vec):
        def __init__(self) -> None:
            self.done = 0

        def on_epoch_end(self, model: Any) -> None:
            self.done += 1
            if progress:
                progress("training word vectors", self.done, settings["epochs"])

    if progress:
        progress("training word vectors", 0, settings["epochs"])
    model = Word2Vec(sentences=_Chunks(docs), seed=seed, workers=1, callbacks=[_Epochs()], **settings)
    wv = model.wv
    vocabulary = list(wv.index_to_key)
    counts = np.array([wv.get_vecattr(w, "count") for w in vocabulary], dtype=np.int64)
    vectors = np.asarray(wv.vectors, dtype=np.float32)
    if progress:
        progress("fitting the transform", 0, 1)
    emb = Embeddings(vocabulary, vectors, counts, np.eye(vectors.shape[1]))
    transform, fit = fit_transform(emb, docs, window=settings["window"], seed=seed)
    emb.transform = transform
    emb.info = {"format": FORMAT, "source": "trained", "seed": seed, "params": settings, "n_terms": n,
                "n_documents": len(docs), "fingerprint": corpus_fingerprint(docs), "fit": fit}
    log.info("trained %d word vectors on %d terms; transform held-out cosine %.3f (%.3f without)",
             len(vocabulary), n, fit["heldout_cosine"], fit["heldout_cosine_untransformed"])
    return emb


def mean_context_vectors(emb: Embeddings, docs: DocumentTerms, window: int = WINDOW) -> tuple[np.ndarray, np.ndarray]:
    """Every word's mean context vector, in one pass over the corpus (cumulative sums per document).

    Returns ``(means, n)``: ``means[i]`` the mean over word ``i``'s occurrences of the mean vector of the
    in-vocabulary words within ``window`` terms (the word itself left out), ``n[i]`` the occurrences with a
    non-empty context.
    """
    v, d = emb.vectors.shape
    sums = np.zeros((v, d))
    n = np.zeros(v, dtype=np.int64)
    to_row = emb.lookup(docs.vocabulary)
    tokens, offsets = (docs.raw_tokens, docs.raw_offsets) if docs.raw_tokens is not None else (docs.tokens, docs.offsets)
    vectors = emb.vectors.astype(np.float64)
    for i in range(len(offsets) - 1):
        rows = to_row[tokens[offsets[i]:offsets[i + 1]]]
        m = len(rows)
        if m < 2:
            continue
        valid = rows >= 0
        x = np.zeros((m, d))
        x[valid] = vectors[rows[valid]]
        cum = np.vstack([np.zeros((1, d)), np.cumsum(x, axis=0)])
        cnt = np.concatenate([[0], np.cumsum(valid)])
        pos = np.arange(m)
        lo, hi = np.clip(pos - window, 0, m), np.clip(pos + window + 1, 0, m)
        k = cnt[hi] - cnt[lo] - valid
        keep = valid & (k > 0)
        ctx = (cum[hi[keep]] - cum[lo[keep]] - x[keep]) / k[keep, None]
        who = rows[keep]
        sums += sparse.csr_matrix((np.ones(len(who)), (who, np.arange(len(who)))), shape=(v, len(who))) @ ctx
        n += np.bincount(who, minlength=v)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(n[:, None] > 0, sums / np.maximum(n, 1)[:, None], 0.0)
    return means, n


def _cosines(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    nx, ny = np.linalg.norm(x, axis=1), np.linalg.norm(y, axis=1)
    return (x * y).sum(axis=1) / np.maximum(nx * ny, 1e-12)


def _least_squares(u: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``A`` minimising ``|u A - e|``: normal equations in float64, a small ridge when words are few."""
    gram = u.T @ u
    if len(u) < 2 * u.shape[1]:
        gram += np.eye(gram.shape[0]) * 1e-3 * np.trace(gram) / gram.shape[0]
    return np.linalg.solve(gram, u.T @ e)


def fit_transform(emb: Embeddings, docs: DocumentTerms, window: int = WINDOW, min_count: int = TRANSFORM_MIN_COUNT,
                  seed: int = 0, holdout: float = 0.2) -> tuple[np.ndarray, dict[str, Any]]:
    """Fit the à-la-carte transform ``A`` and report its held-out fit.

    Words seen at least ``min_count`` times are split at random (``seed``): ``A`` is fitted on
    ``1 - holdout`` of them and scored on the rest (mean cosine between ``mean_context @ A`` and the word's
    vector, and the same without ``A``); the returned ``A`` is then fitted on all of them.

    Raises
    ------
    MeaningError
        When fewer than 20 words are frequent enough.
    """
    means, n = mean_context_vectors(emb, docs, window)
    words = np.flatnonzero((emb.counts >= min_count) & (n > 0))
    if len(words) < 20:
        raise MeaningError(f"Only {len(words)} words occur {min_count} times or more: too few to fit the "
                           "à-la-carte transform; use --background DIR with a model trained on a larger corpus")
    u, e = means[words], emb.vectors[words].astype(np.float64)
    order = np.random.default_rng(seed).permutation(len(words))
    cut = max(1, int(round(len(words) * holdout)))
    test, train = order[:cut], order[cut:]
    a = _least_squares(u[train], e[train])
    fit = {"words": int(len(words)), "min_count": min_count, "heldout_words": int(len(test)),
           "heldout_cosine": round(float(_cosines(u[test] @ a, e[test]).mean()), 4),
           "heldout_cosine_untransformed": round(float(_cosines(u[test], e[test]).mean()), 4),
           "ridge": bool(len(train) < 2 * u.shape[1])}
    return _least_squares(u, e), fit


# ------------------------------------------------------------------------------------ files
def save_embeddings(emb: Embeddings, directory: str | Path) -> Path:
    """Write the model as arrays and JSON with a checksummed ``manifest.json`` (whole or not at all)."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".meaning-", dir=directory.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; a model folder is as readable as any output
    try:
        np.save(tmp / "vectors.npy", np.ascontiguousarray(emb.vectors, dtype=np.float32), allow_pickle=False)
        np.save(tmp / "counts.npy", np.asarray(emb.counts, dtype=np.int64), allow_pickle=False)
        np.save(tmp / "transform.npy", np.asarray(emb.transform, dtype=np.float64), allow_pickle=False)
        (tmp / "vocabulary.json").write_text(json.dumps(emb.vocabulary, ensure_ascii=False), encoding="utf-8")
        manifest = {**emb.info, "format": FORMAT, "n_words": len(emb.vocabulary), "dim": emb.dim,
                    "checksums": {name: sha256_file(tmp / name) for name in FILES}}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        if directory.exists():
            shutil.rmtree(directory)
        os.replace(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory


def load_embeddings(directory: str | Path) -> Embeddings:
    """A model folder written by :func:`save_embeddings`, every file checked against its manifest first.

    Raises
    ------
    MeaningError
        When the folder, its manifest or a file is missing, a checksum does not match, or the arrays do not
        fit together (shapes, non-finite values).
    """
    directory = Path(directory)
    redo = "train it again (or delete the folder)"
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise MeaningError(f"{directory}: no readable manifest.json; not a meaning model folder") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("checksums"), dict):
        raise MeaningError(f"{directory}: manifest.json is not a {FORMAT} manifest; not a meaning model folder")
    verify_checksums(directory, {n: manifest["checksums"].get(n, "") for n in FILES}, MeaningError, redo)
    try:
        vectors, counts, transform = (np.load(directory / n, allow_pickle=False)
                                      for n in ("vectors.npy", "counts.npy", "transform.npy"))
        vocabulary = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MeaningError(f"{directory}: cannot read the model files ({exc}); {redo}") from None
    v, d = manifest.get("n_words"), manifest.get("dim")
    if (vectors.shape != (v, d) or counts.shape != (v,) or transform.shape != (d, d)
            or not isinstance(vocabulary, list) or len(vocabulary) != v):
        raise MeaningError(f"{directory}: the model files do not fit together; {redo}")
    if not (np.isfinite(vectors).all() and np.isfinite(transform).all()):
        raise MeaningError(f"{directory}: the model holds non-finite values; {redo}")
    info = {k: val for k, val in manifest.items() if k != "checksums"}
    return Embeddings([str(w) for w in vocabulary], vectors, counts, transform, info)


def cache_embeddings(docs: DocumentTerms, cache_dir: str | Path, seed: int = 0, min_terms: int = MIN_TRAINING_TERMS,
                     **params: Any) -> str:
    """Train (or find) the corpus's word vectors and leave them in ``cache_dir``; return the model folder.

    The whole of :func:`corpus_embeddings` but for what it returns, so another process can run it (the
    ``run`` pipeline trains the vectors on a spare core while the topic model is fitted) and hand back only
    a path; the caller then loads the cached model.
    """
    corpus_embeddings(docs, cache_dir=cache_dir, seed=seed, min_terms=min_terms, **params)
    return str(cache_folder(docs, cache_dir, seed, **params))


def cache_folder(docs: DocumentTerms, cache_dir: str | Path, seed: int = 0, **params: Any) -> Path:
    """Where :func:`corpus_embeddings` keeps the model for these documents, seed and settings."""
    settings = {**DEFAULTS, **params}
    key = hashlib.sha256(json.dumps([corpus_fingerprint(docs), seed, settings, FORMAT],
                                    sort_keys=True).encode()).hexdigest()[:16]
    return Path(cache_dir) / key


def corpus_embeddings(docs: DocumentTerms, cache_dir: str | Path | None = None, seed: int = 0,
                      background: str | Path | None = None, min_terms: int = MIN_TRAINING_TERMS,
                      progress: Callable[[str, int, int], Any] | None = None, **params: Any) -> Embeddings:
    """The embeddings for a corpus: a background model, a cached model, or one trained now and cached.

    Parameters
    ----------
    docs : DocumentTerms
        The training corpus (ignored with ``background``).
    cache_dir : str or Path, optional
        Where trained models are kept, one folder per corpus fingerprint, seed and settings
        (``<db>.runs/meaning`` from the command line); None trains without caching.
    seed, min_terms, progress, **params
        See :func:`train_embeddings`.
    background : str or Path, optional
        A model folder (:func:`save_embeddings`) trained on another, larger corpus.
    """
    if background is not None:
        emb = load_embeddings(background)
        emb.info["source"] = f"background {background}"
        return emb
    folder = cache_folder(docs, cache_dir, seed, **params) if cache_dir is not None else None
    if folder is not None and (folder / "manifest.json").is_file():
        emb = load_embeddings(folder)
        emb.info["source"] = f"cached {folder}"
        log.info("word vectors from the cache %s", folder)
        return emb
    emb = train_embeddings(docs, seed=seed, min_terms=min_terms, progress=progress, **params)
    if folder is not None:
        save_embeddings(emb, folder)
        emb.info["source"] = f"trained, cached in {folder}"
    return emb

