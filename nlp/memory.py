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


def release_memory() -> None:
    """Hand the memory a finished stage freed back to the system.

    A stage allocates and frees many mid-sized blocks (sparse matrices, fold copies); glibc keeps the freed
    heap in the process, so without this the resident memory only ever grows from stage to stage (at 50,000
    articles the classifier stage left 350 MB behind). ``malloc_trim`` returns it, as Dask's workers do for
    "unmanaged memory"; elsewhere than glibc it is a no-op.
    """
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
