"""Safe outputs: files written whole or not at all, with one clear error when they cannot be.

Every file softleft writes (exports, reports, CSV tables) goes through :func:`atomic_output`:

- a *regular* file (or a new one) is written to a temporary file in the same folder, then renamed over
  the destination, so a reader never sees half a file and a failed write leaves the old file as it was;
- a *symlink* is written through: its target is replaced as above and the link stays a link;
- a *device* or *FIFO* (``-o /dev/stdout``, a named pipe) is written directly, never replaced;
- a missing or unwritable folder, a full disk or ``/dev/full`` raise :class:`OutputError` with a one-line
  message, and no partial file is left behind.

CSV cells that a spreadsheet would run as a formula are neutralised (OWASP "CSV injection") by
:func:`neutralise_cell`, :func:`safe_csv_writer` and :class:`SafeDictWriter`.
"""
from __future__ import annotations

import csv
import errno
import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Mapping, Sequence

from .errors import CorpusError

__all__ = ["OutputError", "atomic_output", "atomic_directory", "check_writable", "sha256_file", "verify_checksums", "read_format_manifest", "is_stream", "write_text_atomic", "write_bytes_atomic", "neutralise_cell",
           "safe_csv_writer", "SafeDictWriter", "FORMULA_PREFIXES", "GUARD", "guard_cell", "unguard_cell"]

#: First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: The character put before such a cell.
GUARD = "'"

_REASONS = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EFBIG: "the file is too large for this file system",
    errno.EISDIR: "it is a folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EPIPE: "the reader closed the pipe",
}


class OutputError(CorpusError):
    """An output file that cannot be written (the message says which file and why, on one line)."""


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _names_a_descriptor(path: Path) -> bool:
    """True for /dev/stdout, /dev/fd/N, /proc/self/fd/N and symlinks to them (the magic links to open files)."""
    current = str(path)
    for _ in range(20):
        if current.startswith(("/dev/fd/", "/proc/", "/dev/stdin", "/dev/stdout", "/dev/stderr")):
            return True
        if not os.path.islink(current):
            return False
        current = os.path.join(os.path.dirname(current), os.readlink(current))
    return False


def is_stream(path: str | os.PathLike) -> bool:
    """True when writing ``path`` writes to a stream (a device, FIFO, socket or ``/dev/stdout``), not a file.

    Commands use it to avoid printing the output's path into the output itself (``-o /dev/stdout``).
    """
    try:
        st = os.stat(path)
    except OSError:
        return False
    return not stat.S_ISREG(st.st_mode) or _names_a_descriptor(Path(path))


def _check_folder(shown: Path, folder: Path) -> None:
    """``folder`` is a folder, or can be made one: missing folders are created when the output is written
    (``run -o runs/first``), so the nearest one that exists must be a folder."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"cannot write {shown}: {existing} is not a folder")


def _make_folder(shown: Path, folder: Path) -> None:
    """Create ``folder`` (and its parents) for the output ``shown``."""
    _check_folder(shown, folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: cannot create folder {folder} ({_reason(exc)})") from None


def check_writable(path: str | os.PathLike) -> Path:
    """Fail early, before any work, when ``path`` cannot be written: it is a folder, or a file stands where
    its folder would be (missing folders are fine: they are created when the output is written).

    Raises
    ------
    OutputError
    """
    shown = Path(path)
    if is_stream(shown):
        return shown
    if shown.is_dir():
        raise OutputError(f"cannot write {shown}: it is a folder; give a file name")
    target = Path(os.path.realpath(shown)) if shown.is_symlink() else shown
    _check_folder(shown, target.parent if str(target.parent) else Path("."))
    return shown


@contextmanager
def atomic_output(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8",
                  newline: str | None = None) -> Iterator[IO[Any]]:
    """Open ``path`` for writing so that it is written whole or not at all.

    Parameters
    ----------
    path : str or path-like
        The destination. A regular file (or a new one) is replaced atomically; a symlink is written
        through to its target (and stays a symlink); a device or FIFO is written directly.
    mode : {"w", "wb"}
        Text or binary.
    encoding : str, optional
        Text encoding (text mode only).
    newline : str, optional
        As for :func:`open` (pass ``""`` for the :mod:`csv` module).

    Yields
    ------
    file object

    Raises
    ------
    OutputError
        The folder is missing or not writable, the disk is full, the destination is a folder, ...;
        no partial file is left behind.

    Examples
    --------
    >>> with atomic_output("counts.txt") as fh:  # doctest: +SKIP
    ...     fh.write("42\\n")
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    shown = Path(path)
    kwargs: dict[str, Any] = {} if "b" in mode else {"encoding": encoding, "newline": newline}
    try:
        st = shown.stat()  # follows symlinks: /dev/stdout -> /proc/self/fd/1 -> a pipe or terminal
    except (FileNotFoundError, NotADirectoryError):
        st = None
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {_reason(exc)}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write {shown}: it is a folder; give a file name")
    if st is not None and (not stat.S_ISREG(st.st_mode) or _names_a_descriptor(shown)):
        # A device, FIFO, socket or an open descriptor (/dev/stdout redirected to a file): write straight
        # to it; renaming over it would cut off whatever holds the descriptor.
        with _converting_errors(shown):
            # Append mode: "cmd -o /dev/stdout >> log" appends, as a shell redirection would.
            with open(shown, mode.replace("w", "a"), **kwargs) as fh:
                yield fh
        return
    # A symlink (chain) is written through: its final target is replaced and the link stays a link.
    target = Path(os.path.realpath(shown)) if shown.is_symlink() else shown
    folder = target.parent
    _make_folder(shown, folder)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        reason = _reason(exc)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            reason = f"folder {folder} is not writable ({reason})"
        raise OutputError(f"cannot write {shown}: {reason}") from None
    tmp = Path(tmp_name)
    try:
        with _converting_errors(shown, tmp):
            os.chmod(fd, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
            with os.fdopen(fd, mode, **kwargs) as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def _converting_errors(shown: Path, tmp: Path | None = None) -> Iterator[None]:
    """Turn OSErrors of writing to ``shown`` (or its temporary file) into one-line OutputErrors."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        # Errors of writing a file object carry no file name; errors about other files pass through.
        if exc.filename not in (None, str(shown), str(tmp) if tmp else None):
            raise
        raise OutputError(f"cannot write {shown}: {_reason(exc)}") from None


def write_text_atomic(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` whole or not at all (see :func:`atomic_output`)."""
    with atomic_output(path, "w", encoding=encoding) as fh:
        fh.write(text)


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (see :func:`atomic_output`)."""
    with atomic_output(path, "wb") as fh:
        fh.write(data)


@contextmanager
def atomic_directory(path: str | os.PathLike) -> Iterator[Path]:
    """A folder written whole or not at all: yields a new temporary folder beside ``path``; on success it
    replaces ``path`` (an earlier folder there is removed only then), on failure it is removed.

    So a run killed half-way never leaves a mix of two runs: the old folder stays as it was until the new
    one is complete.

    Raises
    ------
    OutputError
        The parent folder is missing or not writable, ``path`` is a file, the disk is full.
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise OutputError(f"cannot write {target}: it is a file, not a folder; give a folder name")
    parent = target.resolve().parent
    _make_folder(target, parent)
    try:
        work = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.partial-"))
    except OSError as exc:
        reason = _reason(exc)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            reason = f"folder {parent} is not writable ({reason})"
        raise OutputError(f"cannot write {target}: {reason}") from None
    import shutil

    try:
        with _converting_errors(target):
            yield work
            old = None
            if target.exists():
                old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.old-"))
                os.rmdir(old)
                os.replace(target, old)
            os.replace(work, target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def sha256_file(path: str | os.PathLike) -> str:
    """The SHA-256 of a file (hex), read in blocks: the checksums model manifests record and verify."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_format_manifest(directory: str | os.PathLike, name: str, fmt: str, version: int, error: type[Exception],
                         what: str, missing: str, redo: str) -> dict[str, Any]:
    """The JSON manifest ``name`` of a folder softleft wrote, refused unless it carries format ``fmt`` at
    ``version``: ``error(message)`` says what the folder is not (``what``), how to make one (``missing``) and
    what to do (``redo``)."""
    import json

    directory = Path(directory)
    path = directory / name
    if not path.is_file():
        raise error(f"{directory} is not {what} (no {name}); {missing}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise error(f"{path} is not valid JSON ({exc}); {redo}") from None
    except RecursionError:
        raise error(f"{path} is nested too deeply to be a manifest; {redo}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != fmt:
        raise error(f"{directory} was not written by softleft (format is not {fmt!r}); refusing to load it")
    if manifest.get("format_version") != version:
        raise error(f"{directory} has format version {manifest.get('format_version')}; this softleft reads "
                    f"version {version}: {redo}")
    return manifest


def verify_checksums(directory: str | os.PathLike, expected: Mapping[str, str], error: type[Exception],
                     redo: str, recorded: str = "") -> None:
    """Refuse a folder whose files are missing or differ from the SHA-256 checksums recorded when softleft
    wrote them: ``error(message)`` names the file and says what to do (``redo``); ``recorded`` says where the
    checksums were kept (" recorded in the corpus")."""
    directory = Path(directory)
    for name, checksum in expected.items():
        path = directory / name
        if not path.is_file():
            raise error(f"{directory}: {name} is missing; {redo}")
        if sha256_file(path) != checksum:
            raise error(f"{directory}: {name} does not match its checksum{recorded} (changed or damaged); "
                        f"refusing to load it: {redo}")


# -- CSV injection ----------------------------------------------------------------------------
def neutralise_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will show as text, never run as a formula.

    Strings starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading ``'``
    (OWASP's advice for CSV injection); other values are returned unchanged.

    Examples
    --------
    >>> neutralise_cell('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_cell(-3)
    -3
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def guard_cell(value: Any) -> Any:
    """:func:`neutralise_cell`, made reversible: a cell that already starts with the guard ``'`` gets one more.

    So :func:`unguard_cell` (drop one leading ``'``) gives back exactly what was written: ``=1+1`` is
    written ``'=1+1``, ``'quoted`` is written ``''quoted``, and both read back as they were.

    Examples
    --------
    >>> guard_cell("=1+1"), guard_cell("'quoted"), guard_cell("plain")
    ("'=1+1", "''quoted", 'plain')
    >>> unguard_cell(guard_cell("'=x")) == "'=x"
    True
    """
    if isinstance(value, str) and value.startswith((*FORMULA_PREFIXES, GUARD)):
        return GUARD + value
    return value


def unguard_cell(value: Any) -> Any:
    """The cell :func:`guard_cell` was given (one leading ``'`` dropped)."""
    if isinstance(value, str) and value.startswith(GUARD):
        return value[len(GUARD):]
    return value


class _SafeWriter:
    """A :func:`csv.writer` whose string cells are neutralised."""

    def __init__(self, fh: IO[str], **kwargs: Any):
        self._writer = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_csv_writer(fh: IO[str], **kwargs: Any) -> _SafeWriter:
    """Like :func:`csv.writer`, with every string cell passed through :func:`neutralise_cell`."""
    return _SafeWriter(fh, **kwargs)


class SafeDictWriter(csv.DictWriter):
    """Like :class:`csv.DictWriter`, with every string cell passed through :func:`neutralise_cell`
    (``reversible=True``: :func:`guard_cell`, which :func:`unguard_cell` undoes exactly)."""

    def __init__(self, fh: IO[str], fieldnames: Sequence[str], reversible: bool = False, **kwargs: Any):
        super().__init__(fh, fieldnames, **kwargs)
        self._guard = guard_cell if reversible else neutralise_cell

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: self._guard(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for rowdict in rowdicts:
            self.writerow(rowdict)
