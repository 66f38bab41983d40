"""A classifier directory is trusted only when softleft wrote it: checksums recomputed by hand do not make a
damaged or hostile directory load."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nlp.tendencies.classify import fit_documents
from nlp.tendencies.model_files import ModelFileError, load_model, save_model, sha256_file

from tests.nlp.tendencies.synthetic import synthetic_corpus


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    docs, labels, _ = synthetic_corpus(n_per_class=20, authors_per_class=4, seed=5)
    path = tmp_path_factory.mktemp("m") / "model"
    save_model(fit_documents(docs, labels, seed=0), path)
    return path


def _tamper(src, dst, name: str, data: bytes) -> None:
    import shutil

    shutil.copytree(src, dst)
    (dst / name).write_bytes(data)
    manifest = json.loads((dst / "manifest.json").read_text())
    manifest["files"][name] = sha256_file(dst / name)  # the checksum recomputed by hand
    (dst / "manifest.json").write_text(json.dumps(manifest))


def _npy(array: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def test_one_row_of_weights_for_three_classes_is_refused(model_dir, tmp_path):
    coef = np.load(model_dir / "coef.npy")
    assert coef.shape[0] == 3
    _tamper(model_dir, tmp_path / "m", "coef.npy", _npy(coef[:1]))
    with pytest.raises(ModelFileError, match=r"coef.npy: holds an array of shape \(1, \d+\)"):
        load_model(tmp_path / "m")


def test_nan_weights_are_refused(model_dir, tmp_path):
    coef = np.load(model_dir / "coef.npy")
    coef[0, 0] = np.nan
    _tamper(model_dir, tmp_path / "m", "coef.npy", _npy(coef))
    with pytest.raises(ModelFileError, match="NaN or infinite weights"):
        load_model(tmp_path / "m")


def test_a_header_claiming_terabytes_is_refused_before_any_allocation(model_dir, tmp_path):
    idf = np.load(model_dir / "idf.npy")
    header = {"descr": "<f8", "fortran_order": False, "shape": (1 << 40,)}
    import io

    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    _tamper(model_dir, tmp_path / "m", "idf.npy", buf.getvalue() + idf.tobytes())
    with pytest.raises(ModelFileError, match="idf.npy: holds an array of shape"):
        load_model(tmp_path / "m")


def test_the_untouched_directory_still_loads(model_dir):
    pipeline, manifest = load_model(model_dir)
    assert len(pipeline.classes_) == 3 and manifest["format"] == "softleft-classifier"


def test_a_vocabulary_nested_100000_deep_is_refused_in_one_line(model_dir, tmp_path):
    _tamper(model_dir, tmp_path / "m", "vocabulary.json", b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ModelFileError, match="nested too deeply to be a list of terms; retrain"):
        load_model(tmp_path / "m")


@pytest.mark.parametrize("key,value", [("norm", "l7"), ("sublinear_tf", "yes"), ("smooth_idf", 2), ("max_df", 0.5)])
def test_vectorizer_settings_softleft_never_writes_are_refused(model_dir, tmp_path, key, value):
    import shutil

    shutil.copytree(model_dir, tmp_path / "m")
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    manifest["vectorizer"][key] = value
    (tmp_path / "m" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match=f"the manifest sets the vectorizer's {key} to {json.dumps(value)}, which "
                                             "this toolkit never writes"):
        load_model(tmp_path / "m")


def test_a_manifest_nested_too_deeply_is_refused(model_dir, tmp_path):
    import shutil

    shutil.copytree(model_dir, tmp_path / "m")
    (tmp_path / "m" / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ModelFileError, match="manifest.json is nested too deeply to be a manifest"):
        load_model(tmp_path / "m")
