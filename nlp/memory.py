"""The command process's memory: how much it holds (recorded per stage in a run's manifest) and handing
freed memory back to the system between stages."""
from __future__ import annotations


def memory_mb() -> dict[str, float] | None:
    """This process's resident memory now and its peak so far, in MB (``/proc/self/status``: VmRSS and VmHWM);
    None where there is no ``/proc`` (macOS, Windows)."""
    found: dict[str, float] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    found["rss" if line.startswith("VmRSS") else "peak"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return found if len(found) == 2 else None


#: A stage that leaves the process at least this many MB larger is followed by :func:`release_memory`; after a
#: smaller one the full collection (about 0.1 s of CPU once spaCy, gensim and scikit-learn are loaded, 0.7 s of
#: a demo run's 12) would cost more than the memory it hands back.
RELEASE_AFTER_MB = 100.0


def release_memory(grown_mb: float | None = None) -> bool:
    """Hand the memory a finished stage freed back to the system; returns whether it did.

    A stage allocates and frees many mid-sized blocks (sparse matrices, fold copies); glibc keeps the freed
    heap in the process, so without this the resident memory only ever grows from stage to stage (at 50,000
    articles the classifier stage left 350 MB behind). ``malloc_trim`` returns it, as Dask's workers do for
    "unmanaged memory"; elsewhere than glibc it is a no-op. With ``grown_mb`` (how much larger the stage left
    the process), nothing is done below :data:`RELEASE_AFTER_MB`.
    """
    import ctypes
    import gc

    if grown_mb is not None and grown_mb < RELEASE_AFTER_MB:
        return False
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    return True
