"""Where parallel work runs: in this process, on local worker processes, or as tasks on Dask workers.

Every parallel loop (tokenising, the Ks of a sweep, the seeds of a stability check, cross-validation folds,
topic inference, scaling prediction, bootstrap replicates) cuts its work into chunks and hands them to one
:class:`Executor`:

* :func:`executor` with neither ``workers`` nor ``scheduler`` gives :class:`ProcessExecutor`, a pool of
  ``jobs`` local processes, or :class:`InProcessExecutor`, a plain loop, for one job (Dask is not even
  imported: it stays an optional dependency);
* ``workers=N`` starts a :class:`distributed.LocalCluster` of N single-threaded worker processes on this
  machine, closed again with the executor;
* ``scheduler="tcp://HOST:8786"`` connects to a running ``dask scheduler`` whose workers may be on other
  machines (they must run this same code: see ``docs/scale.md``).

Chunks are submitted with a bounded number in flight, so memory on the client and on each worker stays flat
however many chunks there are. Results come back to the caller, the single writer: workers never touch the
store. A chunk's data travels inside its task, so when a worker dies the scheduler re-runs its tasks on
another worker; the functions submitted are pure (the same chunk always gives the same result), so a re-run
changes nothing.

Examples
--------
>>> with executor() as ex:
...     sorted(ex.map_chunks(len, [("a", "xy"), ("b", "xyz")]))
[('a', 2), ('b', 3)]
"""
from __future__ import annotations

import contextlib
import itertools
import logging
from collections import deque
from typing import Any, Callable, Hashable, Iterable, Iterator, TypeVar

import numpy as np

from nlp.errors import NlpError

__all__ = ["Executor", "InProcessExecutor", "ProcessExecutor", "DaskExecutor", "executor", "local_executor", "available_cores", "chunk_rng", "ClusterError",
           "DaskMissingError", "SchedulerUnreachableError"]

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
Chunk = tuple[Hashable, T]

#: Seconds to wait for a scheduler (``--scheduler``) before giving up.
CONNECT_TIMEOUT = 10
#: Messages Dask keeps per connection for debugging (its default, 1000, holds a thousand batches' payloads).
RECENT_MESSAGES = 10


class ClusterError(NlpError):
    """Dask workers cannot be started or reached."""


class DaskMissingError(ClusterError):
    """``--workers`` or ``--scheduler`` without Dask installed."""

    def __init__(self) -> None:
        super().__init__("--workers and --scheduler need Dask: pip install 'dask[distributed]'")


class SchedulerUnreachableError(ClusterError):
    """No Dask scheduler answers at the address given."""


class Executor:
    """Runs ``fn`` over chunks of work; the base of :class:`InProcessExecutor` and :class:`DaskExecutor`.

    Use it as a context manager (or call :meth:`close`) so that workers it started are stopped.

    Attributes
    ----------
    n_workers : int
        How many chunks can run at once (1 in process).
    """

    n_workers: int = 1

    def map_chunks(self, fn: Callable[[T], R], chunks: Iterable[Chunk], *,
                   on_result: Callable[[Hashable, R], Any] | None = None, max_in_flight: int | None = None,
                   ordered: bool = False) -> Iterator[tuple[Hashable, R]]:
        """Apply ``fn`` to every chunk, yielding ``(key, fn(payload))`` pairs.

        Parameters
        ----------
        fn : callable
            A pure function of one payload (importable on the workers: a module-level function or a
            :func:`functools.partial` of one). A worker may run it twice on the same chunk.
        chunks : iterable of (key, payload)
            Read lazily: only ``max_in_flight`` payloads are held at a time.
        on_result : callable, optional
            Called with ``(key, result)`` as each result arrives, before it is yielded (e.g. progress).
        max_in_flight : int, optional
            Chunks submitted but not yet yielded (default: twice the number of workers).
        ordered : bool
            Yield in the order of ``chunks`` (a slow chunk then holds back later ones); default: as they
            complete.

        Yields
        ------
        (key, result)
            Exactly one pair per chunk.
        """
        raise NotImplementedError

    def describe(self) -> str:
        """Where the work runs, in words (for logs and run manifests)."""
        return "in process"

    def submit(self, fn: Callable[..., R], *args: Any) -> "Deferred":
        """Hand ``fn(*args)`` over to run while the caller goes on; here it runs when its result is asked for."""
        return Deferred(call=lambda: fn(*args))

    def terminate(self) -> None:
        """Stop at once what the executor started (a run that failed)."""
        self.close()

    def close(self) -> None:
        """Stop what the executor started (nothing in process)."""

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class InProcessExecutor(Executor):
    """Today's path: each chunk in turn, in this process."""

    def map_chunks(self, fn: Callable[[T], R], chunks: Iterable[Chunk], *,
                   on_result: Callable[[Hashable, R], Any] | None = None, max_in_flight: int | None = None,
                   ordered: bool = False) -> Iterator[tuple[Hashable, R]]:
        for key, payload in chunks:
            result = fn(payload)
            if on_result is not None:
                on_result(key, result)
            yield key, result


class DaskExecutor(Executor):
    """Chunks as tasks on a Dask cluster (a :class:`distributed.LocalCluster` or a running scheduler).

    Parameters
    ----------
    client : distributed.Client
    cluster : distributed.LocalCluster, optional
        Closed with the executor (a cluster this executor started).
    """

    def __init__(self, client: Any, cluster: Any = None):
        self.client, self.cluster = client, cluster

    @property
    def n_workers(self) -> int:  # type: ignore[override]
        threads = self.client.nthreads()  # {worker address: threads}; a remote cluster may grow or shrink
        return max(1, sum(threads.values()))

    def describe(self) -> str:
        if self.cluster is not None:
            return f"{len(self.client.nthreads())} local Dask workers"
        return f"Dask scheduler {self.client.scheduler.address}"

    def map_chunks(self, fn: Callable[[T], R], chunks: Iterable[Chunk], *,
                   on_result: Callable[[Hashable, R], Any] | None = None, max_in_flight: int | None = None,
                   ordered: bool = False) -> Iterator[tuple[Hashable, R]]:
        limit = max(1, max_in_flight or 2 * self.n_workers)
        # pure=False: no hashing of (possibly large) payloads for a key, and never a result reused from
        # another call. The payload travels inside the task, so the scheduler can re-run it elsewhere.
        submit = lambda payload: self.client.submit(fn, payload, pure=False)  # noqa: E731
        pending = iter(chunks)
        if ordered:
            queue: deque = deque()
            for key, payload in pending:
                queue.append((key, submit(payload)))
                if len(queue) >= limit:
                    yield self._done(*queue.popleft(), on_result)
            while queue:
                yield self._done(*queue.popleft(), on_result)
            return
        yield from self._as_completed(pending, submit, limit, on_result)

    def _as_completed(self, pending: Iterator[Chunk], submit: Callable[[Any], Any], limit: int,
                      on_result: Callable[[Hashable, Any], Any] | None) -> Iterator[tuple[Hashable, Any]]:
        from distributed import as_completed

        keys: dict[str, Hashable] = {}
        running = as_completed(loop=self.client.loop)
        for key, payload in pending:
            future = submit(payload)
            keys[future.key] = key
            running.add(future)
            if running.count() >= limit:
                break
        for future in running:
            key = keys.pop(future.key)
            yield self._done(key, future, on_result)
            following = next(pending, None)
            if following is not None:
                nxt = submit(following[1])
                keys[nxt.key] = following[0]
                running.add(nxt)

    @staticmethod
    def _done(key: Hashable, future: Any, on_result: Callable[[Hashable, Any], Any] | None
              ) -> tuple[Hashable, Any]:
        from concurrent.futures import CancelledError

        from distributed import KilledWorker

        try:
            result = future.result()  # a task's own exception is raised here, as in process
        except KilledWorker:
            raise ClusterError("Dask gave up on a task after the workers running it died several times (out of "
                               "memory?); what was written is kept: run the command again to carry on") from None
        except CancelledError:
            raise ClusterError("the Dask scheduler went away before the work was done; what was written is kept: "
                               "run the command again to carry on") from None
        except RuntimeError as exc:
            if "deserialization of the task graph" not in str(exc):
                raise
            raise ClusterError("the Dask scheduler cannot read softleft's tasks: start `dask scheduler` and every "
                               "`dask worker` where softleft is importable (the same version; e.g. "
                               "PYTHONPATH=/path/to/softleft), see docs/scale.md") from None
        future.release()
        if on_result is not None:
            on_result(key, result)
        return key, result

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


class ProcessExecutor(Executor):
    """Chunks on a pool of ``jobs`` local worker processes, started on the first call that has more than one
    chunk (one chunk runs in this process: a pool would only add its start).

    Workers are forked where the platform allows (they inherit the modules and objects the parent has
    loaded: a spaCy pipeline, gensim), after :func:`gc.freeze`, so a worker's garbage collections neither walk
    nor copy the parent's heap; elsewhere they are spawned. Results come back in the order of the chunks.

    Parameters
    ----------
    jobs : int
        Worker processes.
    """

    def __init__(self, jobs: int):
        self.jobs = max(1, int(jobs))
        self._pool: Any = None

    @property
    def n_workers(self) -> int:  # type: ignore[override]
        return self.jobs

    def describe(self) -> str:
        return f"{self.jobs} local processes"

    def pool(self) -> Any:
        """The worker pool (started on first use)."""
        if self._pool is None:
            import gc
            import multiprocessing

            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            gc.freeze()  # objects alive now are out of the workers' collections (CPython's advice before fork)
            try:
                self._pool = ctx.Pool(self.jobs)
            finally:
                gc.unfreeze()
        return self._pool

    def map_chunks(self, fn: Callable[[T], R], chunks: Iterable[Chunk], *,
                   on_result: Callable[[Hashable, R], Any] | None = None, max_in_flight: int | None = None,
                   ordered: bool = False) -> Iterator[tuple[Hashable, R]]:
        pending = iter(chunks)
        first, second = next(pending, None), next(pending, None)
        if second is None:  # nothing, or one chunk: no pool for it
            if first is not None:
                yield from InProcessExecutor().map_chunks(fn, [first], on_result=on_result)
            return
        limit = max(1, max_in_flight or 2 * self.jobs)
        pool = self.pool()
        queue: deque = deque()
        for key, payload in itertools.chain([first, second], pending):
            queue.append((key, pool.apply_async(fn, (payload,))))
            if len(queue) >= limit:
                yield self._done(*queue.popleft(), on_result)
        while queue:
            yield self._done(*queue.popleft(), on_result)

    @staticmethod
    def _done(key: Hashable, job: Any, on_result: Callable[[Hashable, Any], Any] | None) -> tuple[Hashable, Any]:
        result = job.get()  # a task's own exception is raised here, as in process
        if on_result is not None:
            on_result(key, result)
        return key, result

    def submit(self, fn: Callable[..., R], *args: Any) -> "Deferred":
        """Start ``fn(*args)`` on a worker now; its result is waited for with ``.result()``."""
        return Deferred(job=self.pool().apply_async(fn, args))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def terminate(self) -> None:
        """Stop the workers at once (a run that failed)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


class Deferred:
    """Work handed to :meth:`Executor.submit`: a pool job, or a call made when its result is asked for."""

    def __init__(self, job: Any = None, call: Callable[[], Any] | None = None):
        self._job, self._call = job, call

    def result(self) -> Any:
        if self._job is not None:
            return self._job.get()
        return self._call() if self._call is not None else None


@contextlib.contextmanager
def local_executor(given: "Executor | None", jobs: int) -> Iterator["Executor"]:
    """``given`` when there is one (left open: its owner closes it), else a :class:`ProcessExecutor` of
    ``jobs`` processes (or :class:`InProcessExecutor` for one), closed afterwards."""
    if given is not None:
        yield given
        return
    ex: Executor = ProcessExecutor(jobs) if jobs > 1 else InProcessExecutor()
    try:
        yield ex
    finally:
        ex.close()


def executor(workers: int | None = None, scheduler: str | None = None, jobs: int = 1) -> Executor:
    """The executor for ``--jobs`` / ``--workers`` / ``--scheduler``: Dask when either of the last two is given,
    else ``jobs`` local processes (:class:`ProcessExecutor`), else this process.

    Parameters
    ----------
    workers : int, optional
        Start a local Dask cluster of this many single-threaded worker processes (dashboard off, quiet logs).
    scheduler : str, optional
        Connect to a running Dask scheduler, e.g. ``"tcp://10.0.0.5:8786"``.
    jobs : int
        Without Dask: local worker processes (1: none, work runs in this process).

    Returns
    -------
    Executor
        Use it as a context manager so the workers stop afterwards.

    Raises
    ------
    ValueError
        Both ``workers`` and ``scheduler``, or ``workers`` below 1.
    DaskMissingError
        Dask is not installed.
    SchedulerUnreachableError
        No scheduler answers at ``scheduler``.
    """
    if workers is not None and scheduler is not None:
        raise ValueError("give either workers (a local cluster) or scheduler (a running one), not both")
    if workers is None and scheduler is None:
        return ProcessExecutor(jobs) if jobs > 1 else InProcessExecutor()
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise DaskMissingError() from None
    # Dask keeps its last 1000 messages per connection for debugging, payloads included (the articles'
    # text, their terms): memory on the client would grow with the size of a batch. Keep a few.
    dask.config.set({"distributed.admin.low-level-log-length": RECENT_MESSAGES})
    # Dask sets its loggers to INFO (every worker start and stop); only its warnings and errors are news here.
    dask_log = logging.getLogger("distributed")
    if dask_log.getEffectiveLevel() < logging.WARNING:
        dask_log.setLevel(logging.WARNING)
    if scheduler is not None:
        address = scheduler if "://" in scheduler else f"tcp://{scheduler}"
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError):
            raise SchedulerUnreachableError(
                f"no Dask scheduler answers at {address}: start one with `dask scheduler` (and its workers with "
                f"`dask worker {address}`), or leave out --scheduler") from None
        try:  # a scheduler without workers would leave every task waiting, silently
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError):
            client.close()
            raise SchedulerUnreachableError(
                f"the Dask scheduler at {address} has no workers: start some with `dask worker {address}`") from None
        log.info("connected to the Dask scheduler at %s (%d workers)", address, len(client.nthreads()))
        return DaskExecutor(client)
    # Dashboard off; the scheduler's health endpoint on a free port, so two runs never clash over 8787; and
    # nothing listens beyond this machine.
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                           silence_logs=logging.ERROR)
    try:
        client = Client(cluster, set_as_default=False)
    except BaseException:
        cluster.close()
        raise
    log.info("started a local Dask cluster of %d workers", workers)
    return DaskExecutor(client, cluster)


def available_cores() -> int:
    """The cores this process may use (its CPU affinity where the platform says)."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def chunk_rng(seed: int, index: int) -> np.random.Generator:
    """The random generator of chunk ``index`` under ``seed``: independent streams, one per chunk.

    Chunks are cut at fixed sizes (never by the number of workers), and each draws only from its own
    generator, so seeded results are the same in process, on any number of workers, in any order.
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
