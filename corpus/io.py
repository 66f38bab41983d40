"""Import texts collected elsewhere (JSON lines, JSON arrays, CSV, Parquet) and export the corpus.

Reading is strict about what would lose or merge records silently: a runaway quoted field in a CSV file,
a field name the file does not have, a file in another encoding all stop the import with the line and the
fix; one bad record is reported by line and skipped. Exports are written whole or not at all
(:mod:`corpus.output`).
"""
from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator

from .dates import DateParseError, future_date_problem, parse_date
from .errors import ImportFileError
from .exported import GUARD_COLUMN, export_layout, exported_to_article, join_names, split_names, unguard
from .labels import normalise_tendency
from .models import Article
from .output import GUARD, atomic_output, guard_cell
from .readers import BadRecord, check_encoding, check_record, detect_format, open_records
from .store import CorpusStore

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "json", "csv", "parquet")
EXPORT_FORMATS = ("jsonl", "csv", "parquet")
# Field names tried, in order, when the user names none.
DEFAULT_FIELDS = {
    "text": ("text", "body", "content"),
    "title": ("title", "headline"),
    "date": ("published", "date", "year"),
    "author": ("authors", "author", "byline"),
    "url": ("url", "link"),
    "outlet": ("outlet",),
    "label": ("tendency",),
}


@dataclass
class FieldMap:
    """Which field of each record holds what (``None``: try :data:`DEFAULT_FIELDS`)."""

    text: str | None = None
    title: str | None = None
    date: str | None = None
    author: str | None = None
    url: str | None = None
    label: str | None = None
    #: "auto": texts that look like HTML are converted to plain text; "yes": always; "no": never.
    html: str = "auto"


@dataclass
class ImportReport:
    """Summary of one import: counts, plus the line numbers of what was skipped and why."""

    imported: int = 0
    duplicates: int = 0
    skipped: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    duplicate_lines: list[int] = field(default_factory=list)
    #: Duplicates whose label differs from the stored copy's: ``{"id", "stored_label", "new_label", "line"}``.
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    #: What the numbers in ``problems`` count: "line" (text files) or "row" (Parquet).
    unit: str = "line"

    def summary(self) -> dict[str, Any]:
        """``{"imported", "duplicates", "skipped"}``, plus ``"conflicts"`` when there are any."""
        out: dict[str, Any] = {"imported": self.imported, "duplicates": self.duplicates, "skipped": self.skipped}
        if self.conflicts:
            out["conflicts"] = self.conflicts
        return out


_HTML_TAG = re.compile(r"</?(p|br|div|span|a|em|strong|b|i|h[1-6]|li|ul|ol|blockquote|figure|img)\b[^>]*>", re.I)
_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "tr", "pre")


def looks_like_html(text: str) -> bool:
    """True when a text holds paragraph or inline markup (e.g. a WordPress export's post body)."""
    return len(_HTML_TAG.findall(text[:20_000])) >= 2


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: one paragraph per block element, scripts and styles dropped.

    Uses BeautifulSoup (with lxml), which copes with the broken markup that exports carry.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(["script", "style", "noscript", "iframe"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_BLOCKS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    paragraphs = (" ".join(p.split()) for p in soup.get_text().split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


# -- import -----------------------------------------------------------------------------------
_FIELD_OPTIONS = ("text", "title", "date", "author", "url", "label")


def _lookup(record: dict[str, Any], name: str, folded: dict[str, str] | None = None) -> str | None:
    """The key of ``record`` called ``name``, matched exactly or else case-insensitively.

    ``folded`` (case-folded key -> key) saves folding every key again when one record is asked many times.
    """
    if name in record:
        return name
    if folded is None:
        folded = _folded(record)
    return folded.get(name.casefold())


def _folded(record: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in record:
        if isinstance(key, str):
            out.setdefault(key.casefold(), key)
    return out


def _resolve_columns(path: Path, columns: list[str], fields: FieldMap) -> FieldMap:
    """Named fields matched against a file's header (case-insensitively); an unknown name is an error."""
    header = dict.fromkeys(columns, None)
    resolved = {}
    for kind in _FIELD_OPTIONS:
        named = getattr(fields, kind)
        if named is None:
            continue
        found = _lookup(header, named)
        if found is None:
            raise ImportFileError(f"{path.name} has no column {named!r} (--{kind}-field); "
                                  f"its columns are: {_names(columns)}")
        resolved[kind] = found
    return dataclasses.replace(fields, **resolved)


def _names(names: Iterable[str], limit: int = 30) -> str:
    names = list(names)
    more = f", … ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(str(n) for n in names[:limit]) + more if names else "(none)"


def import_file(
    store: CorpusStore,
    path: str | Path,
    fmt: str | None = None,
    fields: FieldMap | None = None,
    outlet: str | None = None,
    tendency: str | None = None,
    strict: bool = False,
    encoding: str = "utf-8",
    source: str = "imported",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import every record of a JSON-lines, JSON-array, CSV or Parquet file into ``store``, in one transaction.

    Parameters
    ----------
    store : CorpusStore
    path : str or Path
    fmt : {"jsonl", "json", "csv", "parquet"}, optional
        Guessed from the extension when omitted (a ``.json`` file holding one array is read as records).
    fields : FieldMap, optional
        Which fields hold text, title, date, author(s), URL and label; names match case-insensitively.
    outlet : str, optional
        Outlet of every record (else each record's ``outlet`` field, else ``"imported"``).
    tendency : str, optional
        Article label for every record (``fields.label`` takes precedence where a record has it).
    strict : bool
        Abort on the first bad record and import nothing; otherwise bad records are reported by line
        number and skipped.
    encoding : str
        The file's text encoding (a text encoding: ``rot13`` or ``base64`` are refused).
    progress : callable, optional
        Called with the number of bytes read since the last call.

    Returns
    -------
    ImportReport
        Counts, the skipped lines with their reasons, and the duplicates whose labels conflict.

    Raises
    ------
    ImportFileError
        The file is missing, empty, not in ``encoding``, has a runaway quoted field, names a field the file
        does not have, yields no importable record, or (``strict``) has a bad record. Nothing is imported
        then (the exception's ``report`` attribute holds what was found, where there is one).
    """
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"{path} does not exist or is not a file")
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise ImportFileError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    check_encoding(encoding)
    if path.stat().st_size == 0:
        raise ImportFileError(f"{path} is empty: nothing to import")
    fields = fields or FieldMap()
    report = ImportReport(unit="row" if fmt == "parquet" else "line")
    columns, records = open_records(path, fmt, encoding, progress)
    if columns is not None:
        fields = _resolve_columns(path, columns, fields)
    named = {kind: getattr(fields, kind) for kind in _FIELD_OPTIONS if getattr(fields, kind) is not None}
    unseen = dict(named) if columns is None else {}
    # softleft's own export is read back field for field (its fields are not the user's to name).
    own_export = not (set(named) - {"label"})
    layout = export_layout(columns) if columns is not None and own_export else None
    keys_seen: dict[str, None] = {}
    n_records = 0
    with store.transaction(), store.bulk_writer() as writer:
        for line, record in records:
            n_records += 1
            if columns is None and isinstance(record, dict):
                if len(keys_seen) < 200:
                    keys_seen.update(dict.fromkeys(record))
                for kind in [k for k in unseen if _lookup(record, unseen[k]) is not None]:
                    del unseen[kind]
            try:
                if isinstance(record, BadRecord):
                    raise record
                check_record(record)
                exported = layout or (own_export and columns is None and isinstance(record, dict)
                                      and "label_level" in record and export_layout(record))
                if exported:
                    if fmt == "csv":
                        record = unguard(record, exported)
                    article = exported_to_article(record, outlet, tendency, fields.label)
                else:
                    article = record_to_article(record, fields, outlet, tendency, source)
                inserted = writer.insert(article)
            except (BadRecord, ValueError, TypeError, OverflowError, UnicodeError) as exc:
                reason = str(exc) if isinstance(exc, BadRecord) else f"cannot import this record ({exc})"
                if strict:
                    raise ImportFileError(f"{path.name} {report.unit} {line}: {reason} "
                                          f"(--strict: nothing imported)") from None
                report.skipped += 1
                report.problems.append((line, reason))
                log.debug("%s %s %d: %s; skipped", path.name, report.unit, line, reason)
                continue
            if inserted:
                report.imported += 1
            else:
                report.duplicates += 1
                report.duplicate_lines.append(line)
                _note_conflict(store, article, line, report)
        if unseen and n_records:
            kind, name = next(iter(unseen.items()))
            raise ImportFileError(f"no record of {path.name} has a field {name!r} (--{kind}-field); "
                                  f"its fields are: {_names(keys_seen)}")
    if n_records == 0:
        raise ImportFileError(f"{path} holds no records: nothing to import")
    if report.imported == 0 and report.duplicates == 0:
        line, reason = report.problems[0]
        exc = ImportFileError(f"nothing imported from {path.name}: all {report.skipped} records were skipped "
                              f"(first, {report.unit} {line}: {reason})")
        exc.report = report  # type: ignore[attr-defined]
        raise exc
    if report.skipped:
        log.info("%s: %d records skipped", path.name, report.skipped)
    return report


def _note_conflict(store: CorpusStore, article: Article, line: int, report: ImportReport) -> None:
    """Record a duplicate whose label differs from the stored copy's (the stored label is kept)."""
    if article.label is None:
        return
    stored = store.duplicate_of(article)
    if stored is None or stored[1] == article.label:
        return
    report.conflicts.append({"id": stored[0], "stored_label": stored[1], "new_label": article.label, "line": line})
    log.debug("%s %d: duplicate of %s labelled %r in the corpus, %r here (kept %r)",
              report.unit, line, stored[0], stored[1], article.label, stored[1])


def record_to_article(record: dict[str, Any], fields: FieldMap, outlet: str | None, tendency: str | None,
                      source: str = "imported") -> Article:
    """Map one record to an :class:`Article`; raise :class:`BadRecord` with the reason.

    Field names match exactly or else case-insensitively (``Year`` for ``year``); every field not mapped
    is kept in the article's metadata.
    """
    if not isinstance(record, dict):
        raise BadRecord(f"expected an object, found {type(record).__name__}")
    used: set[str] = set()
    folded: dict[str, str] = {}

    def pick(kind: str, named: str | None, required: bool = False) -> Any:
        for name in (named,) if named is not None else DEFAULT_FIELDS[kind]:
            if name in record:
                key: str | None = name
            else:
                if not folded:
                    folded.update(_folded(record))
                key = folded.get(name.casefold())
            if key is not None:
                used.add(key)
                return record[key]
        if required and named is not None:
            raise BadRecord(f"no field {named!r} (fields: {_names(record, 12)})")
        if required:
            raise BadRecord(f"no text field (looked for {', '.join(DEFAULT_FIELDS[kind])}; name it with --text-field)")
        return None

    text = pick("text", fields.text, required=True)
    if not isinstance(text, str) and text is not None:
        raise BadRecord(f"field {fields.text or 'text'!r} holds a {type(text).__name__}, not text")
    if not text or not text.strip():
        raise BadRecord(f"empty text in field {fields.text or 'text'!r}")
    if fields.html == "yes" or (fields.html == "auto" and looks_like_html(text)):
        text = html_to_text(text)
        if not text:
            raise BadRecord(f"no text left in field {fields.text or 'text'!r} once its HTML markup is removed")
    title = pick("title", fields.title)
    raw_date = pick("date", fields.date)
    authors = pick("author", fields.author)
    url = pick("url", fields.url)
    label = pick("label", fields.label) if fields.label else None
    record_outlet = pick("outlet", None)
    metadata = {str(k): _jsonable(v) for k, v in record.items() if k not in used}
    if isinstance(metadata.get("metadata"), dict):  # a record's own metadata object is merged, not nested
        nested = metadata.pop("metadata")
        metadata = {**nested, **metadata}
    published = None
    if raw_date not in (None, ""):
        try:
            published, precision = parse_date(raw_date)
        except DateParseError as exc:
            raise BadRecord(str(exc)) from None
        if precision not in ("day", "datetime"):
            metadata["date_precision"] = precision
        if (problem := future_date_problem(published)) is not None:
            raise BadRecord(problem)
    if isinstance(authors, str):
        authors = split_names(authors)
    elif isinstance(authors, list):
        authors = [str(a).strip() for a in authors]
    elif authors is not None:
        authors = [str(authors)]
    label_value = normalise_tendency(label) if label not in (None, "") else (tendency or None)
    if title is None or not str(title).strip():
        title = untitled_title(record, text)
    return Article(
        outlet=str(outlet or record_outlet or "imported"),
        text=text.strip(),
        title=str(title).strip(),
        url=str(url) if url else None,
        authors=tuple(authors or ()),
        published=published,
        label=label_value,
        source=source,
        metadata=metadata,
    )


#: Where an untitled record's id may be, tried in order (names match case-insensitively).
ID_FIELDS = ("id", "doc_id", "docid", "identifier")
#: An untitled record without an id is named by its text's first line, cut to about this many characters.
FIRST_LINE_CHARS = 80


def untitled_title(record: dict[str, Any], text: str) -> str:
    """A title for a record without one: its id (``id``, ``doc_id``… — titles are how ``scale --high/--low`` and
    the report's references name documents), else the first line of its text, cut at a word."""
    folded = _folded(record)
    for name in ID_FIELDS:
        key = name if name in record else folded.get(name)
        value = record.get(key) if key is not None else None
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    first = text.strip().splitlines()[0].strip()
    if len(first) <= FIRST_LINE_CHARS:
        return first
    return first[:FIRST_LINE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _jsonable(value: Any) -> Any:
    """A metadata value as JSON can hold it (Parquet gives dates, decimals and bytes)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


# -- export -----------------------------------------------------------------------------------
#: ``tendency`` and ``label_level``: the label the labels in force resolve and the level that decided it;
#: ``label``: the article's own label (what ``corpus import`` reads back).
EXPORT_COLUMNS = ("id", "outlet", "tendency", "label_level", "label", "title", "authors", "published", "section",
                  "tags", "url", "canonical_url", "word_count", "paywalled", "source", "fetched_at",
                  "scraper_version", "metadata", "text")


def export_records(store: CorpusStore, **filters: Any) -> Iterator[dict[str, Any]]:
    """Every article as a flat dict, with its resolved tendency and the level it was resolved at."""
    for article in store.articles(**filters):
        tendency, level = store.resolve(article)
        d = article.to_dict()
        yield {**{k: d.get(k) for k in EXPORT_COLUMNS}, "tendency": tendency, "label_level": level}


def export_file(store: CorpusStore, path: str | Path | BinaryIO, fmt: str | None = None,
                progress: Callable[[int], None] | None = None, **filters: Any) -> int:
    """Write the corpus to ``path``, whole or not at all; returns the number of articles written.

    Parameters
    ----------
    store : CorpusStore
    path : str, Path or binary stream
        A regular file is replaced atomically, a symlink is written through, a device such as
        ``/dev/stdout`` is written directly (see :func:`corpus.output.atomic_output`). A binary stream
        (standard output, for ``-o -``) is written as it goes; ``fmt`` must then be given.
    fmt : {"jsonl", "csv", "parquet"}, optional
        Guessed from the extension when omitted.
    progress : callable, optional
        Called with the number of articles written since the last call.
    **filters
        As for :meth:`CorpusStore.articles` (outlet, tendency, since, until, ...).

    Raises
    ------
    ImportFileError
        The format cannot be told from the extension.
    OutputError
        The file cannot be written (missing folder, full disk, ...); no partial file is left.

    Notes
    -----
    CSV cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading ``'`` so a
    spreadsheet shows them as text (OWASP CSV injection); so do cells starting with ``'``, and the last
    column, ``formula_guard``, says so: :func:`import_file` takes the guard off again, and every format
    round-trips exactly (see :mod:`corpus.exported`).
    """
    stream = hasattr(path, "write")
    if not stream:
        path = Path(path)  # type: ignore[arg-type]
        fmt = fmt or {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}.get(
            path.suffix.lower())
    if fmt not in EXPORT_FORMATS:
        shown = "standard output" if stream else path.name  # type: ignore[union-attr]
        raise ImportFileError(f"cannot tell the export format from {shown}; pass --format jsonl, csv or parquet")
    records = export_records(store, **filters)
    if stream:
        if fmt == "parquet":
            return _write_parquet(path, records, progress)
        text = io.TextIOWrapper(path, encoding="utf-8", newline="" if fmt == "csv" else None)  # type: ignore[arg-type]
        try:
            return _write_text(text, fmt, records, progress)
        finally:
            text.flush()
            text.detach()  # the stream stays open: it is the caller's
    if fmt == "parquet":
        with atomic_output(path, "wb") as fh:
            return _write_parquet(fh, records, progress)
    with atomic_output(path, "w", newline="" if fmt == "csv" else None) as fh:
        return _write_text(fh, fmt, records, progress)


def _write_text(fh: Any, fmt: str, records: Iterator[dict[str, Any]], progress) -> int:
    """JSON lines or CSV (every cell guarded reversibly; the last column names the guard, so import can take
    it off) to a text file object."""
    n = 0
    if fmt == "jsonl":
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
            if progress:
                progress(1)
        return n
    writer = csv.writer(fh)
    writer.writerow((*EXPORT_COLUMNS, GUARD_COLUMN))
    for rec in records:
        rec = {**rec, "authors": join_names(rec["authors"]), "tags": join_names(rec["tags"]),
               "metadata": json.dumps(rec["metadata"], ensure_ascii=False)}
        writer.writerow([*(guard_cell(rec[k]) for k in EXPORT_COLUMNS), GUARD])
        n += 1
        if progress:
            progress(1)
    return n


def _write_parquet(sink: Any, records: Iterator[dict[str, Any]], progress, batch_size: int = 2000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([
        ("id", pa.string()), ("outlet", pa.string()), ("tendency", pa.string()), ("label_level", pa.string()),
        ("label", pa.string()), ("title", pa.string()), ("authors", pa.list_(pa.string())), ("published", pa.string()),
        ("section", pa.string()), ("tags", pa.list_(pa.string())), ("url", pa.string()),
        ("canonical_url", pa.string()), ("word_count", pa.int64()), ("paywalled", pa.bool_()),
        ("source", pa.string()), ("fetched_at", pa.string()), ("scraper_version", pa.string()),
        ("metadata", pa.string()), ("text", pa.string()),
    ])
    n = 0
    with pq.ParquetWriter(sink, schema) as writer:
        batch: list[dict[str, Any]] = []
        for rec in records:
            batch.append({**rec, "metadata": json.dumps(rec["metadata"], ensure_ascii=False)})
            if len(batch) >= batch_size:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                if progress:
                    progress(len(batch))
                batch = []
        if batch or n == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
            if progress:
                progress(len(batch))
    return n
