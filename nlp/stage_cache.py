"""The results of slow run stages kept on disk, so a second run on an unchanged corpus replays them.

A stage marked :func:`cacheable` computes a pure function of the selection's documents, the labels in force
and a few :class:`~nlp.pipeline.RunConfig` fields. What it does to the run context (the report sections it
adds, its entries in ``results``, ``metrics``, ``method``, ``extra_data`` and ``skipped``, the files it
writes in the run directory, and the error that stopped it, if one did) is recorded and saved under
``<db>.runs/stages/<key>/``; the next run with the same key replays that record instead of computing, then
calls the stage's ``replay`` hook for its side effects on the store (the classifier's predictions).

The key hashes everything the result depends on: the documents (the corpus fingerprint, preprocessing,
collocations and selection that key the document cache, plus every article's metadata), the labels,
the fields the stage reads, anything its ``depends`` callable adds, :data:`STAGE_CACHE_VERSION`, the
package versions and the source of ``nlp/`` and ``corpus/``. A selection too small for the document cache
(:data:`nlp.document_cache.MIN_DOCUMENTS`) has no key and is always computed.

Records are pickles (sections hold report objects, results hold dataclasses), so each file is signed with
HMAC-SHA256 under a per-user secret key (``$XDG_CACHE_HOME/softleft/cache.key``, made on first use with
mode 0600); a file whose signature does not verify is never unpickled: it is ignored with a warning and
the stage computes.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import pickle
import re
import shutil
import tempfile
import weakref
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from corpus.output import OutputError, write_bytes_atomic
from nlp import document_cache
from nlp.errors import NlpError
from nlp.provenance import package_versions

log = logging.getLogger(__name__)

#: Bump when a cacheable stage's output changes for the same inputs (the source hash catches most edits).
STAGE_CACHE_VERSION = 1
#: Stored records kept per stage (the least recently used beyond these are removed).
KEEP = 3
#: What a record file starts with, before its 32-byte signature.
HEADER = b"softleft-stage-record-1\n"
PAYLOAD = "record.pickle"
#: The parts of the run context a stage's record holds (besides its sections and files).
CONTEXT_DICTS = ("results", "metrics", "method", "extra_data", "skipped")


@dataclass(frozen=True)
class Cacheable:
    """How a stage is cached: the ``RunConfig`` fields it reads, a ``depends(ctx)`` giving anything else
    its output depends on (JSON-able), and a ``replay(ctx)`` hook redoing its side effects on a hit."""

    reads: tuple[str, ...] = ()
    depends: Callable[[Any], Any] | None = None
    replay: Callable[[Any], None] | None = None


def cacheable(reads: tuple[str, ...] = (), depends: Callable[[Any], Any] | None = None,
              replay: Callable[[Any], None] | None = None) -> Callable[[Callable], Callable]:
    """Mark a stage as cacheable (the function is returned unchanged, with a ``cache`` attribute).

    Parameters
    ----------
    reads : tuple of str
        The ``RunConfig`` fields the stage reads.
    depends : callable, optional
        ``depends(ctx)``: anything else the output depends on, JSON-able (e.g. a background model's manifest).
    replay : callable, optional
        ``replay(ctx)``, called after a record is replayed, for the stage's side effects outside the context.
    """
    def mark(stage: Callable) -> Callable:
        stage.cache = Cacheable(tuple(reads), depends, replay)  # type: ignore[attr-defined]
        return stage
    return mark


@dataclass
class StageRecord:
    """What one stage did to the run context (see the module docstring)."""

    sections: list[Any] = field(default_factory=list)
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Files written in the run directory, by path relative to it.
    files: dict[str, bytes] = field(default_factory=dict)
    #: The message of the :class:`NlpError` that stopped the stage, if one did.
    error: str | None = None


def run_stage(ctx: Any, name: str, stage: Callable[[Any], None]) -> bool:
    """Run ``stage`` on ``ctx``, or replay its stored record; True when replayed.

    A replayed stage is added to ``ctx.metrics["stages_reused"]``. A computed one is stored for next time
    when it has a key. An :class:`NlpError` that stops the stage is raised either way (and stored too).
    """
    spec: Cacheable | None = getattr(stage, "cache", None)
    key = stage_key(ctx, name, spec) if spec is not None else None
    if key is None:
        stage(ctx)
        return False
    folder = stages_dir(ctx.store) / key
    record = _load(folder, key) if ctx.config.reuse_results else None
    if record is not None:
        log.info("stage %s reused from %s", name, folder)
        ctx.metrics.setdefault("stages_reused", []).append(name)
        _replay(ctx, record, spec)
        return True
    before = _snapshot(ctx)
    try:
        stage(ctx)
    except NlpError as exc:
        _keep(ctx, before, folder, key, error=str(exc))
        raise
    _keep(ctx, before, folder, key)
    return False


def _keep(ctx: Any, before: dict[str, Any], folder: Path, key: str, error: str | None = None) -> None:
    """Store what the stage did since ``before`` (a record that cannot be made only costs the next run time)."""
    try:
        record = _recorded(ctx, before, error)
    except OSError as exc:
        log.warning("stage results not kept: %s", exc)
        return
    _save(folder, key, record)


def is_stored(ctx: Any, name: str, stage: Callable[[Any], None]) -> bool:
    """Whether a run would find a record of ``stage`` (it is not verified here: a bad one is recomputed)."""
    spec = getattr(stage, "cache", None)
    key = stage_key(ctx, name, spec) if spec is not None and ctx.config.reuse_results else None
    return key is not None and (stages_dir(ctx.store) / key / PAYLOAD).is_file()


# -- the key ------------------------------------------------------------------------------------------
def stages_dir(store: Any) -> Path:
    """``<db>.runs/stages`` beside the corpus."""
    from nlp.topics.runs import runs_root

    return runs_root(store) / "stages"


def stage_key(ctx: Any, name: str, spec: Cacheable) -> str | None:
    """``<stage>-<hash>`` of everything the stage's output depends on; None when the selection has no
    document-cache key (too small, or an in-memory corpus): then the stage is always computed."""
    docs = ctx.docs
    if (docs is None or ctx.store.path == ":memory:" or not docs.meta.get("corpus")
            or len(docs) < document_cache.MIN_DOCUMENTS):
        return None
    parts = {
        "version": STAGE_CACHE_VERSION,
        "stage": name,
        "documents": documents_key(docs),
        "labels": labels_key(ctx.store.labels),
        "config": {f: getattr(ctx.config, f) for f in spec.reads},
        "depends": spec.depends(ctx) if spec.depends else None,
        "packages": package_versions(),
        "source": source_fingerprint(),
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]
    return f"{_slug(name)}-{digest}"


_last_documents: tuple[Any, str] | None = None


def documents_key(docs: Any) -> str:
    """A hash of a selection's documents: what keys its cached terms (``docs.meta``: corpus fingerprint,
    preprocessing, collocations, selection), whether it has raw terms, and every article's metadata (the
    fingerprint covers texts only: an author, a date or a resolved tendency can change without it)."""
    global _last_documents
    if _last_documents is not None and _last_documents[0]() is docs:
        return _last_documents[1]  # the same object within a run: its metadata is hashed once
    h = hashlib.sha256(json.dumps([docs.meta, docs.raw_tokens is not None], sort_keys=True, default=str).encode())
    for column in (docs.ids, docs.titles, docs.outlets, docs.authors, docs.published, docs.labels,
                   docs.label_levels, docs.urls):
        h.update(json.dumps(column, default=str).encode())
    key = h.hexdigest()
    try:
        _last_documents = (weakref.ref(docs), key)
    except TypeError:  # an object without weak references: hashed each time
        pass
    return key


def labels_key(labels: Any) -> str:
    """A hash of the labels in force (outlets, authors, articles and how tendencies are shown)."""
    return hashlib.sha256(json.dumps(asdict(labels), sort_keys=True, default=str).encode()).hexdigest()


@lru_cache(maxsize=1)
def source_fingerprint() -> str:
    """A hash of the source of ``nlp/`` and ``corpus/`` (code, templates, vocabularies), so that an edited
    analysis never replays what the old code computed."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for package in ("nlp", "corpus"):
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".toml", ".html", ".css") and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


# -- recording and replaying ----------------------------------------------------------------------------
def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file under ``folder``, by relative path."""
    states = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            st = path.stat()
            states[str(path.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return states


def _snapshot(ctx: Any) -> dict[str, Any]:
    return {"sections": {id(s) for s in ctx.sections}, "files": _files(ctx.out_dir),
            **{attr: dict(getattr(ctx, attr)) for attr in CONTEXT_DICTS}}


def _recorded(ctx: Any, before: dict[str, Any], error: str | None = None) -> StageRecord:
    """What changed in ``ctx`` since ``before``: new sections, new or replaced entries, new or changed files."""
    changes = {}
    for attr in CONTEXT_DICTS:
        old = before[attr]
        changes[attr] = {k: v for k, v in getattr(ctx, attr).items() if k not in old or old[k] is not v}
    files = {rel: (ctx.out_dir / rel).read_bytes() for rel, state in _files(ctx.out_dir).items()
             if before["files"].get(rel) != state}
    return StageRecord([s for s in ctx.sections if id(s) not in before["sections"]], changes, files, error)


def _replay(ctx: Any, record: StageRecord, spec: Cacheable) -> None:
    ctx.sections.extend(record.sections)
    for attr, entries in record.changes.items():
        getattr(ctx, attr).update(entries)
    for rel, data in record.files.items():
        path = ctx.out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, data)
    if spec.replay is not None:
        spec.replay(ctx)
    if record.error is not None:
        raise NlpError(record.error)


# -- signed storage ---------------------------------------------------------------------------------------
def secret_key_path() -> Path:
    """``$XDG_CACHE_HOME/softleft/cache.key`` (default ``~/.cache/softleft/cache.key``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "softleft" / "cache.key"


def secret_key() -> bytes | None:
    """This user's key for signing records, made (32 random bytes, mode 0600) on first use; None, with a
    warning, when it cannot be read or made, or is not private (then nothing is stored or reused)."""
    try:
        path = secret_key_path()
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache.key.")  # made with mode 0600
            try:
                os.write(fd, os.urandom(32))
                os.fsync(fd)
                os.close(fd)
                os.link(tmp, path)  # never replaces a key another process made meanwhile
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        st = path.stat()
        key = path.read_bytes()
    except (OSError, RuntimeError) as exc:
        log.warning("stage results are not kept: no key to sign them (%s)", exc)
        return None
    if st.st_mode & 0o077:
        log.warning("stage results are not kept: the signing key %s can be read or written by others; "
                    "chmod 600 it (or delete it to make a new one)", path)
        return None
    if len(key) != 32:
        log.warning("stage results are not kept: the signing key %s is not 32 bytes; delete it to make a "
                    "new one", path)
        return None
    return key


def _signature(secret: bytes, key: str, body: bytes) -> bytes:
    return hmac.new(secret, HEADER + key.encode() + b"\0" + body, hashlib.sha256).digest()


def _load(folder: Path, key: str) -> StageRecord | None:
    """The record in ``folder`` when its signature verifies under this user's key; else None."""
    path = folder / PAYLOAD
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("stored stage results %s not read (%s); computing", path, exc)
        return None
    secret = secret_key()
    if secret is None:
        return None
    tag, body = data[len(HEADER):len(HEADER) + 32], data[len(HEADER) + 32:]
    if not data.startswith(HEADER) or not hmac.compare_digest(tag, _signature(secret, key, body)):
        log.warning("stored stage results %s ignored: their signature does not verify (made elsewhere, "
                    "changed or cut short); computing", path)
        return None
    try:
        record = pickle.loads(body)  # noqa: S301 - signed by this user's key, verified above
    except Exception as exc:  # noqa: BLE001 - a verified record that no longer loads is recomputed
        log.warning("stored stage results %s not loaded (%s); computing", path, exc)
        return None
    if not isinstance(record, StageRecord):
        return None
    os.utime(folder)  # most recently used
    return record


def _save(folder: Path, key: str, record: StageRecord) -> None:
    """Store ``record`` signed in ``folder`` (atomically), and drop this stage's least recently used others."""
    secret = secret_key()
    if secret is None:
        return
    try:
        body = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - an object that cannot be pickled: the stage is computed next time
        log.warning("stage results not kept: %s", exc)
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(folder / PAYLOAD, HEADER + _signature(secret, key, body) + body)
    except (OSError, OutputError) as exc:
        log.warning("stage results not kept: %s", exc)
        return
    stage = key.rsplit("-", 1)[0]
    others = sorted((p for p in folder.parent.iterdir() if p.is_dir() and p.name.rsplit("-", 1)[0] == stage),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
