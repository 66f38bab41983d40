"""The run engine: a declared graph of pure stages, each result kept under the key of its inputs.

A :class:`Stage` is a pure function ``run(docs, params, runtime, **upstream) -> Result``: it reads the
selection's documents (:class:`~nlp.documents.DocumentTerms`), its own frozen parameters and the results of
the stages it names as ``upstream``, and returns a typed result (a dataclass, :mod:`nlp.results`). It writes
nothing to the store and nothing to the terminal; ``runtime`` lends it what does not change a result (where
parallel work runs, progress callbacks, a scratch folder).

:func:`run_stages` runs a graph in order. Each stage's result is keyed by everything it depends on —

* the documents (every column of the ``DocumentTerms``, terms included: :func:`documents_key`),
* the stage's parameters (all of them: nothing is listed by hand),
* the keys of its upstream results,
* the code (:func:`code_version`: the stage's own version and the source of ``nlp/`` and ``corpus/``),

— and kept in a :class:`ResultCache` (the corpus' ``stage_results`` table: JSON and ``.npy`` with SHA-256
checksums, no pickle, no signing key), so a second run, a ``report``, or a colleague on the same
PostgreSQL corpus reuses it at any corpus size. A stage that cannot run on the selection (an
:class:`~nlp.errors.NlpError`: too few articles, one tendency) is a :class:`Skipped` outcome, kept too;
stages that need it are skipped in turn, saying why.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from nlp.errors import NlpError
from nlp.results import Result, ResultFormatError, encode, pack, unpack

log = logging.getLogger(__name__)

#: Results kept per stage in the store (the least recently used beyond these are removed).
KEEP_PER_STAGE = 4

#: ``on_stage(title, index, total, seconds)``: seconds is None when the stage starts.
StageCallback = Callable[[str, int, int, "float | None"], None]
#: ``progress(step, done, total)`` within a stage (total 0 when unknown).
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Stage:
    """One node of a run's graph.

    Attributes
    ----------
    name : str
        Its key in the graph and in results ("topics").
    title : str
        What progress lines call it ("topic model").
    run : callable
        ``run(docs, params, runtime, **upstream) -> result``.
    result : type
        The result's class (a stored result is read back as one).
    upstream : tuple of str
        Stages whose results it takes, as keyword arguments of the same names.
    optional : tuple of str
        Upstream stages it can do without: when one did not run, ``None`` is passed.
    version : int
        Bumped when the stage's output changes for the same inputs in a way the source hash cannot see.
    """

    name: str
    title: str
    run: Callable[..., Any]
    result: type
    upstream: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    version: int = 1


@dataclass(frozen=True)
class Skipped(Result):
    """A stage that did not run on this selection, and why (said in the report and the manifest)."""

    reason: str


@dataclass
class Runtime:
    """What a stage may use that does not change its result (and so is in no key).

    Attributes
    ----------
    executor : nlp.parallel.Executor
        Where parallel work runs (processes, or Dask workers).
    progress : callable, optional
        ``progress(step, done, total)`` within a stage.
    scratch : Path, optional
        A folder for temporary files (a topic model's bag-of-words corpus); removed after the run.
    cache_dir : Path, optional
        Where slow, reusable intermediate models may be kept (trained word vectors), beside the corpus.
    resources : dict
        Anything else a stage borrows (the corpus' preprocessor, to make terms of watched words), read with
        :meth:`resource`; a function of no arguments is called on first use (a resource not always needed).
    """

    executor: Any = None
    progress: ProgressCallback | None = None
    scratch: Path | None = None
    cache_dir: Path | None = None
    resources: dict[str, Any] = field(default_factory=dict)

    def resource(self, name: str) -> Any:
        """A borrowed resource, made on first use when it was lent as a function of no arguments."""
        value = self.resources.get(name)
        if callable(value) and not hasattr(value, "result"):
            value = self.resources[name] = value()
        return value

    def step(self, stage: str, total: int = 0) -> Callable[[int], None] | None:
        """A counter for a library call's ``progress(n)`` callback, reported under ``stage``."""
        if self.progress is None:
            return None
        done = [0]
        report = self.progress

        def update(n: int = 1) -> None:
            done[0] += n
            report(stage, done[0], total)
        return update


@dataclass
class Outcome:
    """What :func:`run_stages` did: each stage's result or reason it did not run, and how.

    Attributes
    ----------
    results : dict
        Stage name -> result (only stages that ran).
    skipped : dict
        Stage name -> why it did not run.
    keys : dict
        Stage name -> the key its result is kept under.
    reused, computed : list of str
        Stages read from the cache, and stages computed (in order).
    seconds : dict
        Stage name -> seconds it took here (reading a stored result included).
    params : dict
        Stage name -> the parameters it ran with (as resolved from its upstream results).
    """

    results: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)
    computed: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        """The result of stage ``name``, or None when it did not run."""
        return self.results.get(name)


class ResultCache:
    """Stage results kept in the corpus (``corpus.results``), read back only when every checksum verifies.

    Parameters
    ----------
    store : corpus.CorpusStore
    reuse : bool
        False: nothing is read (every stage computes), but what is computed is still kept.
    """

    def __init__(self, store: Any, reuse: bool = True):
        self.store, self.reuse = store, reuse

    def get(self, stage: Stage, key: str) -> Any:
        """The stored result (or :class:`Skipped`) of ``stage`` under ``key``; None when there is none or it
        cannot be read (then it is computed again)."""
        from corpus.results import get_result, touch_result

        if not self.reuse:
            return None
        found = get_result(self.store, key)
        if found is None:
            return None
        text, files = found
        try:
            kind = json.loads(text).get("type", "")
            cls = Skipped if kind.endswith(".Skipped") else stage.result
            value = unpack(cls, text, files)
        except (ResultFormatError, ValueError, AttributeError) as exc:
            log.warning("the stored result of %s is not used (%s); computing it", stage.title, exc)
            return None
        touch_result(self.store, key)
        return value

    def put(self, stage: Stage, key: str, value: Any) -> None:
        """Keep ``value`` under ``key`` (a result that cannot be kept only costs the next run time)."""
        from corpus.results import prune_results, put_result

        try:
            text, files = pack(value)
        except TypeError as exc:
            log.warning("the result of %s is not kept: %s", stage.title, exc)
            return
        put_result(self.store, key, stage.name, text, files)
        prune_results(self.store, stage.name, KEEP_PER_STAGE)


def run_stages(stages: Sequence[Stage], docs: Any, params: Mapping[str, Any], runtime: Runtime | None = None,
               cache: ResultCache | None = None, given: Mapping[str, tuple[str, Any]] | None = None,
               on_stage: StageCallback | None = None, after_stage: Callable[[str, Outcome], None] | None = None,
               ) -> Outcome:
    """Run ``stages`` (in the order given, each after its upstream) on ``docs``.

    Parameters
    ----------
    stages : sequence of Stage
    docs : nlp.documents.DocumentTerms
    params : mapping
        Stage name -> its parameters (a frozen dataclass; every field is part of the key), or a callable
        making them from the stage's upstream results (``params(upstream) -> params``).
    runtime : Runtime, optional
    cache : ResultCache, optional
        Where results are looked up and kept; None computes everything and keeps nothing.
    given : mapping, optional
        Stage name -> ``(key, result)`` supplied by the caller instead of computed (a stored topic model
        shown by ``report``); later stages are keyed on ``key``.
    on_stage : callable, optional
        ``on_stage(title, index, total, seconds)`` when a stage starts (seconds None) and ends.
    after_stage : callable, optional
        ``after_stage(name, outcome)`` once a stage is done (computed, reused or skipped): the caller's hook
        for work at the stage's edge (storing a topic model, releasing memory).

    Returns
    -------
    Outcome
    """
    runtime = runtime or Runtime()
    given = dict(given or {})
    out = Outcome()
    order = _ordered(stages)
    docs_key = documents_key(docs)
    for index, stage in enumerate(order):
        if on_stage:
            on_stage(stage.title, index, len(order), None)
        t0 = time.perf_counter()
        if stage.name in given:
            out.keys[stage.name], out.results[stage.name] = given[stage.name]
            out.reused.append(stage.name)
        else:
            _run_one(stage, docs, docs_key, params.get(stage.name), runtime, cache, out)
        out.seconds[stage.name] = round(time.perf_counter() - t0, 3)
        if after_stage:
            after_stage(stage.name, out)
        if on_stage:
            on_stage(stage.title, index, len(order), out.seconds[stage.name])
    return out


def _run_one(stage: Stage, docs: Any, docs_key: str, params: Any, runtime: Runtime, cache: ResultCache | None,
             out: Outcome) -> None:
    missing = [n for n in stage.upstream if n not in out.results and n not in stage.optional]
    if missing:
        reasons = "; ".join(f"{n}: {out.skipped.get(n, 'not run')}" for n in missing)
        out.skipped[stage.name] = f"needs {', '.join(missing)}, which did not run ({reasons})"
        return
    upstream = {n: out.results.get(n) for n in stage.upstream}
    if callable(params):  # parameters that follow from upstream results (the names of the fitted topics)
        params = params(upstream)
    out.params[stage.name] = params
    key = stage_key(stage, docs_key, params, {n: out.keys.get(n) for n in stage.upstream})
    out.keys[stage.name] = key
    value = cache.get(stage, key) if cache is not None else None
    if value is not None:
        log.info("stage %s reused (%s)", stage.title, key)
        out.reused.append(stage.name)
    else:
        try:
            value = stage.run(docs, params, runtime, **upstream)
        except NlpError as exc:
            # An analysis the selection cannot support is reported, never faked.
            log.warning("%s not run: %s", stage.title, exc)
            value = Skipped(str(exc))
        out.computed.append(stage.name)
        if cache is not None:
            cache.put(stage, key, value)
    if isinstance(value, Skipped):
        out.skipped[stage.name] = value.reason
    else:
        out.results[stage.name] = value


def _ordered(stages: Sequence[Stage]) -> list[Stage]:
    """``stages`` in the order given, each moved after its upstream stages; unknown upstream is an error."""
    by_name = {s.name: s for s in stages}
    for s in stages:
        unknown = [n for n in s.upstream if n not in by_name]
        if unknown:
            raise ValueError(f"stage {s.name} needs {', '.join(unknown)}, which is not in the graph")
    done: list[Stage] = []
    seen: set[str] = set()

    def visit(s: Stage, path: tuple[str, ...] = ()) -> None:
        if s.name in seen:
            return
        if s.name in path:
            raise ValueError(f"the stages form a circle: {' -> '.join(path + (s.name,))}")
        for n in s.upstream:
            visit(by_name[n], path + (s.name,))
        seen.add(s.name)
        done.append(s)

    for s in stages:
        visit(s)
    return done


# ------------------------------------------------------------------------------------------- keys
def stage_key(stage: Stage, docs_key: str, params: Any, upstream: Mapping[str, str | None]) -> str:
    """``<stage>-<hash>`` of the stage, its code, the documents, its parameters and its upstream keys."""
    parts = {"stage": stage.name, "code": code_version(stage), "documents": docs_key,
             "params": encode(params)[0] if params is not None else None, "upstream": dict(upstream)}
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f"{stage.name}-{digest}"


def code_version(stage: Stage) -> str:
    """The stage's own version and the source of ``nlp/`` and ``corpus/``: an edited analysis never reuses
    what the old code computed."""
    return f"{stage.version}:{source_fingerprint()}"


@lru_cache(maxsize=1)
def source_fingerprint() -> str:
    """A hash of the source of ``nlp/`` and ``corpus/`` (code, templates, vocabularies)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for package in ("nlp", "corpus"):
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".toml", ".html", ".css", ".js") and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


#: The last documents hashed and their key (a run hashes its documents once).
_last_documents: tuple[Any, str] | None = None


def documents_key(docs: Any) -> str:
    """A hash of everything a ``DocumentTerms`` holds: every column (ids, metadata, resolved labels and their
    levels, terms, paragraphs) and its ``meta``. Two selections with the same key are the same data, so a
    result computed on one holds for the other, whatever its size."""
    global _last_documents
    if _last_documents is not None and _last_documents[0]() is docs:
        return _last_documents[1]
    h = hashlib.sha256()
    for f in dataclasses.fields(docs):
        if not f.compare:  # not part of the data (where texts can be read from)
            continue
        value = getattr(docs, f.name)
        h.update(f.name.encode() + b"\0")
        if isinstance(value, np.ndarray):
            h.update(str(value.dtype).encode() + str(value.shape).encode())
            h.update(np.ascontiguousarray(value).view(np.uint8).tobytes())
        else:
            h.update(json.dumps(value, sort_keys=True, default=str).encode())
    key = h.hexdigest()
    _last_documents = (weakref.ref(docs), key)
    return key


def stage_names(stages: Iterable[Stage]) -> list[str]:
    return [s.name for s in stages]
