"""Saving and loading fitted scales without pickles.

A saved scale is a directory of plain data::

    manifest.json   format marker, version, estimator kind, parameters, the shape and SHA-256 of every file
    *.json          lists (terms, document ids, ...)
    *.npy           float64 arrays, read back with ``allow_pickle=False``

Loading refuses a directory whose manifest is missing or foreign, whose file list differs from what the
estimator expects, or whose files fail their checksum or recorded shape.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from corpus.output import read_format_manifest, sha256_file

from .errors import ScalingError

log = logging.getLogger(__name__)

FORMAT = "softleft-scale"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def save_scale(directory: str | Path, kind: str, params: dict[str, Any], arrays: dict[str, np.ndarray],
               lists: dict[str, list | None], info: dict[str, Any] | None = None) -> Path:
    """Write arrays (``NAME.npy``) and lists (``NAME.json``) plus a checksummed manifest to ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Any]] = {}
    for name, array in arrays.items():
        array = np.ascontiguousarray(array, dtype=np.float64)
        np.save(directory / f"{name}.npy", array, allow_pickle=False)
        files[f"{name}.npy"] = {"shape": list(array.shape)}
    for name, values in lists.items():
        (directory / f"{name}.json").write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
        files[f"{name}.json"] = {"shape": None if values is None else [len(values)]}
    for fname, entry in files.items():
        entry["sha256"] = sha256_file(directory / fname)
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "kind": kind, "params": params,
                "files": files, "info": info or {}}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    log.info("saved %s scale to %s", kind, directory)
    return directory


def load_scale(directory: str | Path, kind: str, array_names: set[str], list_names: set[str]):
    """Read back what :func:`save_scale` wrote, verified; returns ``(manifest, arrays, lists)``.

    ``array_names`` must be stored; optional arrays present in the manifest are loaded too if they are
    named ``*_lo``/``*_hi`` bootstrap bounds (``theta_lo``, ``theta_hi``).
    """
    directory = Path(directory)
    refit = f"refit and save the {kind} scale again"
    manifest = read_format_manifest(directory, MANIFEST, FORMAT, FORMAT_VERSION, ScalingError, "a saved scale",
                                    f"fit and save a {kind} scale first", refit)
    if manifest.get("kind") != kind:
        raise ScalingError(f"{directory} holds a {manifest.get('kind')!r} scale, not a {kind!r} one; "
                           f"load it with the matching estimator")
    files = manifest.get("files")
    expected = {f"{n}.npy" for n in array_names} | {f"{n}.json" for n in list_names}
    optional = {"theta_lo.npy", "theta_hi.npy"}
    if not isinstance(files, dict) or not expected <= set(files) or not set(files) <= expected | optional:
        raise ScalingError(f"{directory}: the manifest does not list the files of a {kind} scale; refusing to load it")
    arrays: dict[str, np.ndarray] = {}
    lists: dict[str, Any] = {}
    for fname, entry in files.items():
        target = directory / fname
        if not target.is_file():
            raise ScalingError(f"{directory}: {fname} is missing; {refit}")
        if not isinstance(entry, dict) or sha256_file(target) != entry.get("sha256"):
            raise ScalingError(f"{directory}: {fname} does not match its checksum (changed or damaged); "
                               f"refusing to load it: {refit}")
        try:
            if fname.endswith(".npy"):
                value = np.load(target, allow_pickle=False)
                shape = list(value.shape)
                arrays[fname[:-4]] = value
            else:
                value = json.loads(target.read_text(encoding="utf-8"))
                shape = None if value is None else [len(value)]
                lists[fname[:-5]] = value
        except (ValueError, OSError, TypeError) as exc:
            raise ScalingError(f"{directory}: cannot read {fname} ({exc}); {refit}") from None
        if shape != entry.get("shape"):
            raise ScalingError(f"{directory}: {fname} has shape {shape}, the manifest says {entry.get('shape')}; {refit}")
    return manifest, arrays, lists


def check_lengths(directory: str | Path, expected: int, **values) -> None:
    """Raise unless every given array or list (None allowed) has ``expected`` entries."""
    for name, value in values.items():
        if value is not None and len(value) != expected:
            raise ScalingError(f"{directory}: {name} has {len(value)} entries where {expected} belong; "
                               "the files do not fit together: refit and save the scale again")
