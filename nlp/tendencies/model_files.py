"""Saving and loading classifier directories without pickles.

A pickle runs code when it is loaded, so a model directory handed around between researchers must not be
one. A saved model is a directory of plain data the toolkit wrote::

    manifest.json     format, version, model id, parameters, training info, SHA-256 of every other file
    vocabulary.json   the terms, in column order
    idf.npy           inverse document frequencies (float64)
    coef.npy          logistic-regression weights (float64)
    intercept.npy     logistic-regression intercepts (float64)
    classes.json      the class labels, in the model's order

Loading checks the manifest's format marker, that every listed file is one of these names and that its
checksum matches, and reads arrays with ``allow_pickle=False``; any other file in the directory is ignored.
The scikit-learn pipeline is then rebuilt from the data.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from corpus.output import (atomic_directory, read_format_manifest, sha256_file,  # noqa: F401 (sha256_file: API)
                           verify_checksums)
from nlp.errors import NlpError
from nlp.results import Result

if TYPE_CHECKING:  # scikit-learn is imported when a pipeline is rebuilt, not to read stored arrays
    from sklearn.pipeline import Pipeline

log = logging.getLogger(__name__)

FORMAT = "softleft-classifier"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA_FILES = ("vocabulary.json", "idf.npy", "coef.npy", "intercept.npy", "classes.json")


class ModelFileError(NlpError):
    """A model directory that is missing, damaged or not written by this toolkit."""


@dataclass(frozen=True)
class ClassifierArrays(Result):
    """A fitted classifier as plain data: what a model directory holds, before or without writing it.

    The run's tendency stage returns one (a typed, storable result); :meth:`write` makes the directory and
    :meth:`pipeline` the scikit-learn pipeline again. :meth:`model_id` is the id the directory will have.
    """

    vocabulary: list[str]
    classes: list[str]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    vectorizer: dict[str, Any]
    classifier: dict[str, Any]
    info: dict[str, Any]
    #: When it was trained (the directory's manifest says so, whenever it is written).
    created: str = ""

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline, info: dict[str, Any] | None = None) -> "ClassifierArrays":
        from corpus.dates import now_utc

        vectorizer, clf = pipeline.named_steps["tfidf"], pipeline.named_steps["clf"]
        return cls(created=now_utc(), vocabulary=[str(t) for t in vectorizer.get_feature_names_out()],
                   classes=[str(c) for c in clf.classes_],
                   idf=np.asarray(vectorizer.idf_, dtype=np.float64), coef=np.asarray(clf.coef_, dtype=np.float64),
                   intercept=np.asarray(clf.intercept_, dtype=np.float64),
                   vectorizer={"sublinear_tf": vectorizer.sublinear_tf, "norm": vectorizer.norm,
                               "smooth_idf": vectorizer.smooth_idf},
                   classifier={"C": clf.C, "class_weight": clf.class_weight}, info=dict(info or {}))

    def pipeline(self) -> Pipeline:
        from nlp.tendencies.estimator import rebuild_pipeline

        return rebuild_pipeline(self.vocabulary, self.idf, self.classes, self.coef, self.intercept, self.vectorizer)

    def files(self) -> dict[str, bytes]:
        """The data files of the model directory, by name, as bytes."""
        out = {"vocabulary.json": json.dumps(self.vocabulary, ensure_ascii=False).encode("utf-8"),
               "classes.json": json.dumps(self.classes, ensure_ascii=False).encode("utf-8")}
        for name, array in (("idf.npy", self.idf), ("coef.npy", self.coef), ("intercept.npy", self.intercept)):
            buffer = io.BytesIO()
            # C order whatever the fit left in memory, so the same weights always make the same bytes (and id)
            np.save(buffer, np.ascontiguousarray(array, dtype=np.float64), allow_pickle=False)
            out[name] = buffer.getvalue()
        return out

    def model_id(self) -> str:
        """A hash of the data files: the same fit gives the same id."""
        files = self.files()
        return hashlib.sha256("".join(hashlib.sha256(files[n]).hexdigest() for n in DATA_FILES).encode()).hexdigest()[:16]

    def write(self, directory: str | Path) -> str:
        """Write the model directory (whole or not at all; an earlier model is replaced only then); returns
        the model id."""
        from corpus.dates import now_utc

        with atomic_directory(directory) as work:
            files = self.files()
            for name, data in files.items():
                (work / name).write_bytes(data)
            checksums = {name: hashlib.sha256(files[name]).hexdigest() for name in DATA_FILES}
            model_id = self.model_id()
            manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "model_id": model_id,
                        "created": self.created or now_utc(), "vectorizer": self.vectorizer, "classifier": self.classifier, "files": checksums,
                        "info": self.info}
            (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        log.info("saved model %s to %s", model_id, directory)
        return model_id


def save_model(pipeline: Pipeline, directory: str | Path, info: dict[str, Any] | None = None) -> str:
    """Write a fitted pipeline (from :func:`nlp.classify.make_pipeline`) to ``directory``.

    Returns
    -------
    str
        The model id: a hash of the data files, so the same fit gives the same id.
    """
    return ClassifierArrays.from_pipeline(pipeline, info).write(directory)


#: What the vectorizer settings of a manifest may be (what ``save_model`` writes; anything else is refused).
VECTORIZER_SETTINGS = {"sublinear_tf": (True, False), "norm": ("l1", "l2", None), "smooth_idf": (True, False)}


def read_manifest(directory: str | Path) -> dict[str, Any]:
    """The verified manifest of a model directory (format marker, settings and every checksum checked)."""
    directory = Path(directory)
    retrain = "retrain with `classify train`"
    manifest = read_format_manifest(directory, MANIFEST, FORMAT, FORMAT_VERSION, ModelFileError, "a model directory",
                                    "train one with `classify train -o DIR`", retrain)
    files = manifest.get("files")
    if not isinstance(files, dict) or set(files) != set(DATA_FILES) or \
            not all(isinstance(v, str) for v in files.values()):
        raise ModelFileError(f"{directory}: the manifest must list exactly {', '.join(DATA_FILES)}; refusing to load it")
    vectorizer = manifest.get("vectorizer", {})
    if not isinstance(vectorizer, dict):
        raise ModelFileError(f"{directory}: the manifest's vectorizer settings are malformed; {retrain}")
    for key, value in vectorizer.items():
        allowed = VECTORIZER_SETTINGS.get(key)
        if allowed is None or not any(value is a or (type(value) is type(a) and value == a) for a in allowed):
            shown = ", ".join("null" if a is None else json.dumps(a) for a in allowed) if allowed else "none"
            raise ModelFileError(f"{directory}: the manifest sets the vectorizer's {key} to {json.dumps(value)}, which "
                                 f"this toolkit never writes (allowed: {shown}); refusing to load it: {retrain}")
    verify_checksums(directory, {n: files[n] for n in DATA_FILES}, ModelFileError, retrain)
    return manifest


def load_model(directory: str | Path) -> tuple[Pipeline, dict[str, Any]]:
    """Rebuild the pipeline saved by :func:`save_model`; returns ``(pipeline, manifest)``.

    Checksums alone do not make a directory trustworthy (they can be recomputed by hand): every array's
    declared shape is read from its header and checked against the vocabulary and classes *before* it is
    loaded (a header claiming terabytes is refused, not allocated), and every weight must be finite.
    """
    from nlp.tendencies.estimator import rebuild_pipeline

    directory = Path(directory)
    manifest = read_manifest(directory)
    retrain = "retrain with `classify train`"
    try:
        vocab = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
        classes = json.loads((directory / "classes.json").read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise ModelFileError(f"{directory}: cannot read the model data ({exc}); {retrain}") from None
    except RecursionError:  # "[[[[…" 100,000 deep: not a list of terms, and too deep for the parser
        raise ModelFileError(f"{directory}: the vocabulary or classes file is nested too deeply to be a list of "
                             f"terms; {retrain}") from None
    if (not isinstance(vocab, list) or not isinstance(classes, list) or len(classes) < 2
            or not all(isinstance(t, str) for t in vocab) or len(set(vocab)) != len(vocab)
            or not all(isinstance(c, str) for c in classes) or len(set(classes)) != len(classes)):
        raise ModelFileError(f"{directory}: the vocabulary or classes file is malformed; {retrain}")
    rows = 1 if len(classes) == 2 else len(classes)  # logistic regression: one weight row for two classes
    expected = {"idf.npy": (len(vocab),), "coef.npy": (rows, len(vocab)), "intercept.npy": (rows,)}
    arrays = {name: _load_checked(directory / name, shape, retrain) for name, shape in expected.items()}
    return rebuild_pipeline(vocab, arrays["idf.npy"], classes, arrays["coef.npy"], arrays["intercept.npy"],
                            manifest.get("vectorizer")), manifest


def _load_checked(path: Path, shape: tuple[int, ...], retrain: str) -> np.ndarray:
    """A float64 array of exactly ``shape`` with finite values, its header checked before any data is read."""
    try:
        with open(path, "rb") as fh:
            major, _ = np.lib.format.read_magic(fh)
            read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
            declared, _, dtype = read_header(fh)  # the header only, no data
            header_end = fh.tell()
    except (ValueError, OSError) as exc:
        raise ModelFileError(f"{path}: not a readable .npy file ({exc}); {retrain}") from None
    if tuple(declared) != shape or dtype != np.dtype(np.float64):
        raise ModelFileError(f"{path}: holds an array of shape {tuple(declared)} ({dtype}), the model needs "
                             f"{shape} float64; {retrain}")
    if path.stat().st_size - header_end != int(np.prod(shape)) * 8:
        raise ModelFileError(f"{path}: its size does not match its header; {retrain}")
    array = np.load(path, allow_pickle=False)
    if not np.isfinite(array).all():
        raise ModelFileError(f"{path}: holds NaN or infinite weights; {retrain}")
    return array
