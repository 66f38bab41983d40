"""Topic models on disk without pickles.

gensim's own ``LdaModel.save`` / ``load`` (and ``Dictionary.save``) are pickles: loading one runs whatever
the file says. A run folder instead holds the model as plain arrays and JSON — the topic-word variational
parameters ``lambda.npy``, the priors ``alpha.npy`` and ``eta.npy``, the vocabulary ``vocabulary.json`` —
whose SHA-256 checksums go into the run's manifest, which is stored in the corpus. :func:`load_lda`
verifies every checksum against the manifest *the corpus holds*, reads arrays with
``allow_pickle=False``, checks their shapes and values, and rebuilds a gensim ``LdaModel`` able to infer
the topics of new documents.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from corpus.output import sha256_file, verify_checksums
from nlp.errors import TopicModelError

#: The files of a saved model; their checksums are recorded in the manifest under "checksums".
MODEL_FILES = ("lambda.npy", "alpha.npy", "eta.npy", "vocabulary.json")
FORMAT = "softleft-lda-1"


def save_lda(model: Any, dictionary: Any, directory: Path) -> dict[str, Any]:
    """Write a fitted gensim ``LdaModel`` and its dictionary as arrays and JSON; returns the
    ``{"format", "k", "n_terms", "checksums"}`` record for the run manifest."""
    vocabulary = [dictionary[i] for i in range(len(dictionary))]
    return save_lda_arrays(model.state.get_lambda(), model.alpha, model.eta, vocabulary, directory)


def save_lda_arrays(lam: Any, alpha: Any, eta: Any, vocabulary: list[str], directory: Path) -> dict[str, Any]:
    """Write a model's arrays (topic-term ``lambda``, the priors ``alpha`` and ``eta``) and vocabulary; returns
    the ``{"format", "k", "n_terms", "checksums"}`` record for the run manifest."""
    directory = Path(directory)
    lam = np.asarray(lam, dtype=np.float64)
    np.save(directory / "lambda.npy", lam, allow_pickle=False)
    np.save(directory / "alpha.npy", np.asarray(alpha, dtype=np.float64), allow_pickle=False)
    np.save(directory / "eta.npy", np.asarray(eta, dtype=np.float64), allow_pickle=False)
    (directory / "vocabulary.json").write_text(json.dumps(list(vocabulary), ensure_ascii=False), encoding="utf-8")
    return {"format": FORMAT, "k": int(lam.shape[0]), "n_terms": int(lam.shape[1]),
            "checksums": {name: sha256_file(directory / name) for name in MODEL_FILES}}


def load_lda_arrays(directory: Path, record: dict[str, Any] | None) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                                            list[str]]:
    """A run folder's verified model arrays ``(lambda, alpha, eta, vocabulary)``, checked against the model
    record of its stored manifest; no gensim (a report drawn from a stored model needs only the arrays).

    Raises
    ------
    TopicModelError
        When the record is missing or of another format, a file is missing or does not match its checksum,
        or the arrays do not fit together (shape, non-finite or negative values).
    """
    directory = Path(directory)
    if not record or record.get("format") != FORMAT or not isinstance(record.get("checksums"), dict):
        raise TopicModelError(f"{directory}: no verified model record in the corpus for this run (fitted by an older "
                              "softleft?); fit it again with `topics fit`")
    # the checksums come from the manifest the corpus holds, not from a file beside the model
    verify_checksums(directory, {n: record["checksums"].get(n, "") for n in MODEL_FILES}, TopicModelError,
                     "fit the model again with `topics fit`", recorded=" recorded in the corpus")
    try:
        lam, alpha, eta = (np.load(directory / n, allow_pickle=False) for n in ("lambda.npy", "alpha.npy", "eta.npy"))
        vocabulary = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise TopicModelError(f"{directory}: cannot read the model files ({exc}); fit the model again") from None
    k, v = record.get("k"), record.get("n_terms")
    if (lam.ndim != 2 or lam.shape != (k, v) or alpha.shape != (k,) or eta.shape not in ((v,), (k, v), ())
            or not isinstance(vocabulary, list) or len(vocabulary) != v):
        raise TopicModelError(f"{directory}: the model files do not fit together; fit the model again")
    if not (np.isfinite(lam).all() and np.isfinite(alpha).all() and np.isfinite(eta).all()) or (lam <= 0).any():
        raise TopicModelError(f"{directory}: the model holds non-finite or non-positive weights; fit it again")
    return lam, alpha, eta, [str(t) for t in vocabulary]


def load_lda(directory: Path, record: dict[str, Any] | None) -> tuple[Any, Any]:
    """A verified ``(LdaModel, Dictionary)`` from a run folder and the model record of its stored manifest
    (:func:`load_lda_arrays`, rebuilt as a gensim model able to infer new documents' topics)."""
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    lam, alpha, eta, vocabulary = load_lda_arrays(directory, record)
    k = lam.shape[0]
    dictionary = Dictionary()
    dictionary.token2id = {t: i for i, t in enumerate(vocabulary)}
    dictionary.id2token = {}
    model = LdaModel(id2word=dictionary, num_topics=k, alpha=alpha, eta=eta, random_state=0, dtype=np.float64)
    model.state.sstats = lam - eta
    model.sync_state()
    return model, dictionary
