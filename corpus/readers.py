"""Read import files as ``(line, record)`` pairs: JSON lines, JSON arrays (streamed), CSV/TSV and Parquet.

What a reader cannot read as a whole (wrong encoding, a runaway quoted field, a broken JSON array) raises
:class:`~corpus.errors.ImportFileError` with the line and the fix; one record it cannot read is yielded as
a :class:`BadRecord`, so the importer reports the line and goes on.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import math
import statistics
from pathlib import Path
from typing import Any, Callable, Iterator

from .errors import ImportFileError

__all__ = ["BadRecord", "detect_format", "check_encoding", "check_file_encoding", "check_record", "open_records",
           "MAX_RECORD_CHARS", "MAX_NESTING"]

csv.field_size_limit(2**31 - 1)
#: A record (a CSV row, a JSON array element) longer than this stops the import: it is a broken file.
MAX_RECORD_CHARS = 64 * 2**20
#: A CSV record spanning more lines than this stops the import (a quote left open swallows the file).
RUNAWAY_MAX_LINES = 20_000
#: CSV records spanning at least this many lines are checked for swallowed rows.
RUNAWAY_MIN_LINES = 10
#: Deeper nesting in a record is refused (SQLite's JSON functions stop at 1,000 levels).
MAX_NESTING = 100


class BadRecord(ValueError):
    """One record that cannot be imported (the line is reported and skipped)."""


# -- formats and encodings --------------------------------------------------------------------
def detect_format(path: Path) -> str:
    """The import format of ``path`` from its extension (``.json`` is sniffed: array or JSON lines)."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix in ("csv", "tsv"):
        return "csv"
    if suffix in ("parquet", "pq"):
        return "parquet"
    raise ImportFileError(f"cannot tell the format of {path.name} from its extension; "
                          f"pass --format jsonl, json, csv or parquet")


def check_encoding(name: str) -> str:
    """The canonical name of a *text* encoding; :class:`ImportFileError` for anything else.

    ``rot13`` (text to text) and ``base64`` (bytes to bytes) are codecs Python knows but not encodings
    a file can be read in.
    """
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ImportFileError(f"unknown encoding {name!r}; try utf-8, cp1252 or latin-1") from None
    if not getattr(info, "_is_text_encoding", True):
        raise ImportFileError(f"{name!r} is not a text encoding (it is a {info.name} transform); "
                              f"try utf-8, cp1252 or latin-1")
    return info.name


def _ascii_compatible(encoding: str) -> bool:
    return "\n".encode(encoding) == b"\n" and "a,{".encode(encoding) == b"a,{"


def _utf16_byte_order(head: bytes) -> str | None:
    """"le" or "be" when ``head`` looks like UTF-16 text without a byte-order mark (NULs every other byte)."""
    pairs = len(head) // 2
    if pairs < 8:
        return None
    even = sum(1 for i in range(0, pairs * 2, 2) if head[i] == 0)
    odd = sum(1 for i in range(1, pairs * 2, 2) if head[i] == 0)
    if odd > 0.3 * pairs and even < 0.05 * pairs:
        return "le"
    if even > 0.3 * pairs and odd < 0.05 * pairs:
        return "be"
    return None


def check_file_encoding(path: Path, encoding: str) -> None:
    """Stop early, with the fix, when the file's first bytes show it is not in ``encoding``."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    name = codecs.lookup(encoding).name
    has_bom = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if name in ("utf-16", "utf-32"):
        if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            order = _utf16_byte_order(head) or "le"
            raise ImportFileError(f"{path.name} has no byte-order mark, so its {name.upper()} byte order is unknown; "
                                  f"pass --encoding {name}-{order} (it looks {'little' if order == 'le' else 'big'}-endian)")
        return
    if name.startswith(("utf-16", "utf-32")):
        return
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ImportFileError(f"{path.name} starts with a UTF-32 byte-order mark; pass --encoding utf-32")
    if has_bom:
        raise ImportFileError(f"{path.name} starts with a UTF-16 byte-order mark; pass --encoding utf-16")
    order = _utf16_byte_order(head)
    if order:
        raise ImportFileError(f"{path.name} looks like UTF-16 ({'little' if order == 'le' else 'big'}-endian) "
                              f"without a byte-order mark; pass --encoding utf-16-{order}, or re-save the file as UTF-8")


def _not_valid(path: Path, line: int, encoding: str, detail: str = "") -> ImportFileError:
    return ImportFileError(f"{path.name} line {line} is not valid {encoding}{detail}; pass --encoding cp1252 "
                           f"(or the file's real encoding), or re-save the file as UTF-8")


def _decode_lines(path: Path, encoding: str, progress) -> Iterator[tuple[int, str]]:
    """The file's lines (with their line ends), numbered from 1; a decoding error stops with the line."""
    if not _ascii_compatible(encoding):
        with path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
            number, done = 0, 0
            try:
                for number, line in enumerate(text, start=1):
                    if progress and raw.tell() > done:
                        progress(raw.tell() - done)
                        done = raw.tell()
                    yield number, line.lstrip("\ufeff") if number == 1 else line
            except UnicodeDecodeError:
                raise _not_valid(path, number + 1, encoding) from None
        return
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as fh:
        for number, raw_line in enumerate(iter(lambda: fh.readline(MAX_RECORD_CHARS + 1), b""), start=1):
            if len(raw_line) > MAX_RECORD_CHARS:
                raise ImportFileError(f"{path.name} line {number} is longer than {MAX_RECORD_CHARS // 2**20} MB, "
                                      f"too long for one record: check the file and --format (nothing imported)")
            if progress:
                progress(len(raw_line))
            try:
                line = decoder.decode(raw_line)
            except UnicodeDecodeError as exc:
                bad = raw_line[exc.start:exc.start + 1].hex()
                raise _not_valid(path, number, encoding, f" (byte 0x{bad})") from None
            yield number, line.lstrip("\ufeff") if number == 1 else line


def _decode_chunks(path: Path, encoding: str, progress, size: int = 1 << 20) -> Iterator[str]:
    """The file's text in chunks of about ``size`` characters (for files that are not line-based)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    newlines = 0
    with path.open("rb") as fh:
        first = True
        while True:
            raw = fh.read(size)
            try:
                text = decoder.decode(raw, final=not raw)
            except UnicodeDecodeError as exc:
                raise _not_valid(path, newlines + raw[:exc.start].count(b"\n") + 1, encoding) from None
            newlines += raw.count(b"\n")
            if progress:
                progress(len(raw))
            if first:
                text, first = text.lstrip("\ufeff"), False
            if text:
                yield text
            if not raw:
                return


# -- JSON -------------------------------------------------------------------------------------
class _Invalid:
    """A JSON value that cannot be stored faithfully (NaN, a 5,000-digit number); reported per record."""

    def __init__(self, why: str):
        self.why = why


def _parse_int(s: str) -> Any:
    try:
        return int(s)
    except ValueError:
        return _Invalid(f"a number with {len(s.lstrip('-'))} digits (too long)")


def _parse_float(s: str) -> Any:
    value = float(s)
    return value if math.isfinite(value) else _Invalid(f"the number {s[:24]} is out of range")


_JSON = json.JSONDecoder(parse_int=_parse_int, parse_float=_parse_float,
                         parse_constant=lambda name: _Invalid(f"{name} is not valid JSON"))


def check_record(record: Any) -> None:
    """Raise :class:`BadRecord` when a record holds something the store cannot keep faithfully.

    That is: NaN or Infinity, numbers too long to read, lone surrogates (``"\\ud800"``, not Unicode),
    NUL characters (PostgreSQL cannot store them in text, so neither store takes them), or nesting deeper
    than :data:`MAX_NESTING` levels.
    """
    if type(record) is dict:
        # Fast path for the usual flat record of strings and numbers; anything else is walked in full.
        for key, value in record.items():
            kind = type(value)
            if (kind is str and value.isascii() and "\x00" not in value) or kind is int or kind is bool \
                    or value is None:
                if type(key) is str and key.isascii() and "\x00" not in key:
                    continue
            break
        else:
            return
    stack: list[tuple[Any, int, str]] = [(record, 0, "")]
    while stack:
        value, depth, name = stack.pop()
        where = f"field {name!r}: " if name else ""
        if depth > MAX_NESTING:
            raise BadRecord(f"{where}nested more than {MAX_NESTING} levels deep")
        if isinstance(value, _Invalid):
            raise BadRecord(where + value.why)
        if isinstance(value, str):
            if "\x00" in value:
                raise BadRecord(f"{where}a NUL character (\\x00), which the corpus cannot store (PostgreSQL "
                                "refuses it); remove it, e.g. with tr -d '\\000'")
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError as exc:
                    raise BadRecord(f"{where}lone surrogate {value[exc.start]!r} (not valid Unicode); "
                                    f"fix the text or its \\u escapes") from None
        elif isinstance(value, float) and not math.isfinite(value):
            raise BadRecord(f"{where}{value} is not a number the corpus can store")
        elif isinstance(value, dict):
            for key, item in value.items():
                stack.append((key, depth + 1, name or str(key)))
                stack.append((item, depth + 1, name or str(key)))
        elif isinstance(value, (list, tuple)):
            stack.extend((item, depth + 1, name) for item in value)


def _parse_json(text: str) -> Any:
    try:
        return _JSON.decode(text)
    except json.JSONDecodeError as exc:
        return BadRecord(f"invalid JSON ({exc.msg} at column {exc.colno})")
    except RecursionError:
        return BadRecord("invalid JSON (nested too deeply to read)")


def _read_jsonl(path: Path, encoding: str, progress) -> Iterator[tuple[int, Any]]:
    for number, line in _decode_lines(path, encoding, progress):
        if line.strip():
            yield number, _parse_json(line)


def _sniff_json(path: Path, encoding: str) -> str:
    """"json" for a file holding one JSON array, "jsonl" for JSON lines; refuse a lone JSON object."""
    with path.open("rb") as fh:
        raw = fh.read(1 << 16)
        truncated = bool(fh.read(1))
    head = codecs.getincrementaldecoder(encoding)(errors="replace").decode(raw).lstrip("\ufeff \t\r\n")
    first_line, newline, rest = head.partition("\n")
    if not head.startswith(("[", "{")):
        return "jsonl"
    if not newline and truncated:  # one long first line: a minified array, or a long first JSON line
        return "json" if head.startswith("[") else "jsonl"
    try:
        first = json.loads(first_line)
    except (ValueError, RecursionError):
        first = None
    if head.startswith("["):
        return "jsonl" if first is not None and rest.strip() else "json"
    if isinstance(first, dict) and (rest.strip() or truncated):
        return "jsonl"
    obj = first
    if obj is None and path.stat().st_size <= MAX_RECORD_CHARS:
        try:
            with path.open(encoding=encoding) as fh:
                obj = json.load(fh)
        except (ValueError, RecursionError):
            obj = None
    lists = [k for k, v in obj.items() if isinstance(v, list) and v and isinstance(v[0], dict)] \
        if isinstance(obj, dict) else []
    if isinstance(first, dict) and not lists:
        return "jsonl"  # a JSON-lines file of one record
    hint = "put the records in a JSON array ([{...}, {...}]) or write one object per line (JSON lines)"
    if lists:
        hint = (f"its field {lists[0]!r} holds the list: extract it (e.g. jq '.{lists[0]}' {path.name} > records.json) "
                f"and import that")
    raise ImportFileError(f"{path.name} holds one JSON object, not a list of records; {hint}")


def _read_json_array(path: Path, encoding: str, progress) -> Iterator[tuple[int, Any]]:
    """The elements of a file holding one JSON array, streamed (one element in memory at a time)."""
    chunks = _decode_chunks(path, encoding, progress)
    buf, pos, line, eof = "", 0, 1, False

    def fail(message: str) -> ImportFileError:
        return ImportFileError(f"{path.name} line {line}: {message}; the records of a JSON array cannot be "
                               f"skipped one by one, so fix the file (nothing imported)")

    def more(at_least: int = 1) -> bool:
        """Read on (at least ``at_least`` characters, so a long record is re-parsed only log-many times)."""
        nonlocal buf, pos, eof
        if pos > (1 << 20):
            buf, pos = buf[pos:], 0
        added = []
        size = 0
        for chunk in chunks:
            added.append(chunk)
            size += len(chunk)
            if size >= at_least:
                break
        else:
            eof = True
        buf += "".join(added)
        return bool(added)

    def skip_space() -> None:
        nonlocal pos, line
        while True:
            end = pos
            while end < len(buf) and buf[end] in " \t\r\n":
                end += 1
            line += buf.count("\n", pos, end)
            pos = end
            if pos < len(buf) or not more():
                return

    skip_space()
    if buf[pos:pos + 1] != "[":
        raise fail("expected a JSON array ([ ... ])")
    pos += 1
    skip_space()
    if buf[pos:pos + 1] == "]":
        return
    while True:
        try:
            value, end = _JSON.raw_decode(buf, pos)
            if end == len(buf) and not eof and more():
                continue  # a number may go on in the next chunk
        except json.JSONDecodeError as exc:
            if len(buf) - pos > MAX_RECORD_CHARS:
                raise fail(f"a record longer than {MAX_RECORD_CHARS // 2**20} MB (is the JSON broken?)") from None
            if not eof and more(len(buf) - pos):
                continue
            raise fail(f"invalid JSON ({exc.msg})") from None
        except RecursionError:
            raise fail("invalid JSON (nested too deeply to read)") from None
        yield line, value
        line += buf.count("\n", pos, end)
        pos = end
        skip_space()
        sep = buf[pos:pos + 1]
        pos += 1
        if sep == "]":
            break
        if not sep:
            raise fail("the array is not closed (the file ends before its ])")
        if sep != ",":
            raise fail("expected ',' or ']' after a record")
        skip_space()
    skip_space()
    if pos < len(buf):
        raise fail("text after the closing ]")


# -- CSV --------------------------------------------------------------------------------------
def _row_like(lines: list[str], ncols: int, dialect: str) -> tuple[int, int]:
    """How many of ``lines`` (non-blank) parse on their own as a row of ``ncols`` values, and of how many."""
    filled = [ln for ln in lines if ln.strip()]
    if ncols < 2:
        return 0, len(filled)
    rows = 0
    for ln in filled:
        try:
            rows += len(next(csv.reader([ln], dialect), [])) == ncols
        except csv.Error:
            pass
    return rows, len(filled)


def _quoting_error(lines: list[str], dialect: str) -> str | None:
    """Why ``lines`` do not parse as CSV with every quote closed right before a delimiter or line end."""
    try:
        for _ in csv.reader(lines, dialect, strict=True):
            pass
    except csv.Error as exc:
        return str(exc)
    return None


def _runaway(path: Path, start: int, end: int, rows: int, finished: bool = True) -> ImportFileError:
    swallowed = f", swallowing {rows} lines that look like rows of their own" if rows else ""
    span = f"for {end - start + 1} lines (to line {end})" if finished else f"past line {end}"
    return ImportFileError(f"{path.name} line {start}: a quoted field starts here and runs on {span}{swallowed}; "
                           f"a quote is probably unbalanced. Fix the quoting there (a quote inside a quoted "
                           f"field is written twice: \"\"); nothing imported")


def _read_csv(path: Path, encoding: str, progress) -> tuple[list[str], Iterator[tuple[int, Any]]]:
    """The header and the rows of a CSV (or TSV) file; stops at a runaway quoted field."""
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    lines = _decode_lines(path, encoding, progress)
    current: list[str] = []
    span = {"start": 0, "end": 0, "chars": 0}

    def text_lines() -> Iterator[str]:
        for number, text in lines:
            if not current:
                span["start"], span["chars"] = number, 0
            current.append(text)
            span["end"] = number
            span["chars"] += len(text)
            if len(current) > RUNAWAY_MAX_LINES or span["chars"] > MAX_RECORD_CHARS:
                rows, _ = _row_like(current[1:], len(header), dialect)
                raise _runaway(path, span["start"], number, rows, finished=False)
            yield text

    def take() -> tuple[int, int, list[str]]:
        taken = (span["start"], span["end"], current[:])
        current.clear()
        return taken

    reader = csv.reader(text_lines(), dialect)
    header: list[str] = []
    try:
        while not header:
            header = next(reader)
            take()
    except StopIteration:
        return [], iter(())
    except csv.Error as exc:
        raise ImportFileError(f"{path.name} is not valid CSV near line {span['end']}: {exc}") from None
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ImportFileError(f"{path.name} names the column {repeated[0]!r} more than once in its header; "
                              f"rename one so no values are lost")
    lengths: list[int] = []

    def rows() -> Iterator[tuple[int, Any]]:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ImportFileError(f"{path.name} is not valid CSV near line {span['end']}: {exc}") from None
            start, end, raw = take()
            if not row:
                continue
            size = sum(map(len, raw))
            quoting = _quoting_error(raw, dialect) if end > start else None
            if quoting:
                # A quote opened on one line closed in the middle of a value (or never): lines were merged.
                longer = len(lengths) >= 3 and size > 20 * statistics.median(lengths[-50:])
                if end - start + 1 >= RUNAWAY_MIN_LINES:
                    swallowed, filled = _row_like(raw[1:], len(header), dialect)
                    needed = 0.5 if len(header) >= 3 else 0.8
                    if (swallowed >= 3 and swallowed >= (needed / 2 if longer else needed) * filled) \
                            or (len(header) == 1 and longer):
                        raise _runaway(path, start, end, swallowed)
                where = "is never closed" if "end of data" in quoting else \
                    f"closes in the middle of a value on line {end}"
                yield start, BadRecord(f"a quote opened on line {start} {where} (lines {start}–{end} would be "
                                       f"merged); fix the quoting")
                continue
            lengths.append(size)
            if len(row) > len(header):
                hint = f" (the record runs over lines {start}–{end}: is a quote unbalanced?)" if end > start else ""
                yield start, BadRecord(f"more values ({len(row)}) than the {len(header)} columns of the header{hint}")
                continue
            yield start, {name: (row[i] if i < len(row) else None) for i, name in enumerate(header)}

    return header, rows()


# -- Parquet ----------------------------------------------------------------------------------
def _read_parquet(path: Path, progress) -> tuple[list[str], Iterator[tuple[int, Any]]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise ImportFileError(f"{path.name} is not a readable Parquet file ({exc})") from None
    total_rows = max(parquet.metadata.num_rows, 1)
    size = path.stat().st_size

    def rows() -> Iterator[tuple[int, Any]]:
        number = 0
        for batch in parquet.iter_batches(batch_size=1000):
            for record in batch.to_pylist():
                number += 1
                yield number, record
            if progress:
                progress(size * batch.num_rows // total_rows)

    return list(parquet.schema_arrow.names), rows()


def open_records(path: Path, fmt: str, encoding: str = "utf-8",
                 progress: Callable[[int], None] | None = None) -> tuple[list[str] | None, Iterator[tuple[int, Any]]]:
    """The columns (``None`` for JSON, whose records may differ) and the ``(line, record)`` pairs of a file.

    A record that cannot be read is yielded as a :class:`BadRecord`; a file that cannot be read as a whole
    raises :class:`ImportFileError`.
    """
    if fmt == "parquet":
        return _read_parquet(path, progress)
    check_file_encoding(path, encoding)
    if fmt == "csv":
        return _read_csv(path, encoding, progress)
    if fmt == "jsonl" and path.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        fmt = _sniff_json(path, encoding)
    elif fmt == "json" and _sniff_json(path, encoding) == "jsonl":
        fmt = "jsonl"
    return None, (_read_json_array if fmt == "json" else _read_jsonl)(path, encoding, progress)
