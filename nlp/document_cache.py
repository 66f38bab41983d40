"""The terms of a selection, kept on disk once read, so later stages and later commands skip the rebuild.

:func:`nlp.documents.load_documents` turns each article's cached terms into one :class:`DocumentTerms`:
JSON decoding, collocations and paragraph marks, term ids. On a large corpus that is most of a command's
start-up (about 13 s for 50,000 articles), and it gives the same arrays every time the corpus, its
preprocessing, its collocations and the selection are unchanged. So the arrays are saved under
``<db>.runs/documents/<key>/`` and the next read of the same selection loads them instead.

The key is a hash of the corpus fingerprint (every article's id and content), the preprocessing,
collocations and boilerplate fingerprints, the selection's filters and whether raw terms are kept. The
metadata (titles, dates, authors, resolved tendencies) is not cached: it is read from the store each time, so
a change of labels shows at once; the cached arrays are used only when the store's selection lists exactly the ids they
were built for. Files are arrays and JSON (no pickles), with SHA-256 checksums verified before use; a
damaged or stale folder is ignored and rebuilt, never trusted.
"""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from corpus.output import atomic_directory, sha256_file, verify_checksums
from nlp.errors import NlpError

log = logging.getLogger(__name__)

FORMAT = "softleft-documents-1"
#: Selections smaller than this are rebuilt every time (it takes a moment, and spares the disk).
MIN_DOCUMENTS = 2_000
#: Cached selections kept per corpus (the least recently used beyond these are removed).
KEEP = 4
ARRAYS = ("tokens", "offsets", "raw_tokens", "raw_offsets", "breaks", "break_offsets")


class _Stale(NlpError):
    """A cache folder that cannot be used (missing, damaged, or for other ids)."""


def cache_dir(store: Any) -> Path | None:
    """``<db>.runs/documents`` beside the corpus (None for an in-memory corpus)."""
    if store.path == ":memory:":
        return None
    return Path(store.files_base + ".runs") / "documents"


def cache_key(store: Any, preprocessor: str, collocations: str | None, filters: dict[str, Any], raw: bool,
              boilerplate: str | None = None) -> str:
    """What the arrays of a selection depend on, hashed (``boilerplate``: the fingerprint of the lines left
    out, :mod:`nlp.text.boilerplate`)."""
    parts = [FORMAT, store.fingerprint(), preprocessor, collocations,
             sorted((k, str(v)) for k, v in filters.items() if v is not None), raw]
    if boilerplate is not None:
        parts.append(boilerplate)
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:20]


def load(folder: Path, ids: list[str]) -> dict[str, Any]:
    """The arrays saved in ``folder`` for exactly these ``ids`` (raises :class:`_Stale` otherwise)."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise _Stale(f"{folder}: no manifest")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise _Stale(f"{folder}: format {manifest.get('format')!r}")
        verify_checksums(folder, manifest["checksums"], _Stale, "it will be rebuilt")
        if json.loads((folder / "ids.json").read_text(encoding="utf-8")) != ids:
            raise _Stale(f"{folder}: built for other articles")
        out: dict[str, Any] = {"vocabulary": json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))}
        for name in ARRAYS:
            path = folder / f"{name}.npy"
            out[name] = np.load(path, allow_pickle=False) if path.is_file() else None
    except (OSError, ValueError, KeyError) as exc:
        raise _Stale(f"{folder}: {exc}") from None
    folder.touch()  # most recently used
    return out


def save(folder: Path, ids: list[str], vocabulary: list[str], arrays: dict[str, np.ndarray | None]) -> None:
    """Write a selection's arrays (whole or not at all) and drop the least recently used other folders."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with atomic_directory(folder) as work:
        (work / "ids.json").write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
        (work / "vocabulary.json").write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
        for name, values in arrays.items():
            if values is not None:
                np.save(work / f"{name}.npy", np.ascontiguousarray(values), allow_pickle=False)
        files = sorted(p.name for p in work.iterdir())
        manifest = {"format": FORMAT, "documents": len(ids),
                    "checksums": {name: sha256_file(work / name) for name in files}}
        (work / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    others = sorted((p for p in folder.parent.iterdir() if p.is_dir() and not p.name.startswith(".")),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
