"""Import texts collected elsewhere (JSON lines, CSV) and export the corpus (JSON lines, CSV, Parquet)."""
from __future__ import annotations

import codecs
import csv
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from .dates import DateParseError, parse_date
from .errors import ImportFileError
from .labels import normalise_tendency
from .models import Article
from .store import CorpusStore

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv")
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
csv.field_size_limit(2**31 - 1)


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

    def summary(self) -> dict[str, int]:
        return {"imported": self.imported, "duplicates": self.duplicates, "skipped": self.skipped}


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


class BadRecord(ValueError):
    """One record that cannot be imported (the line is reported and skipped)."""


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix in ("csv", "tsv"):
        return "csv"
    raise ImportFileError(f"cannot tell the format of {path.name} from its extension; pass --format jsonl or --format csv")


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
    """Import every record of a JSON-lines or CSV file into ``store``, in one transaction.

    Parameters
    ----------
    store : CorpusStore
    path : str or Path
    fmt : {"jsonl", "csv"}, optional
        Guessed from the extension when omitted.
    fields : FieldMap, optional
        Which fields hold text, title, date, author(s), URL and label.
    outlet : str, optional
        Outlet of every record (else each record's ``outlet`` field, else ``"imported"``).
    tendency : str, optional
        Article label for every record (``fields.label`` takes precedence where a record has it).
    strict : bool
        Abort on the first bad record and import nothing; otherwise bad records are reported by line
        number and skipped.
    encoding : str
        The file's text encoding.
    progress : callable, optional
        Called with the number of bytes read since the last call.

    Returns
    -------
    ImportReport

    Raises
    ------
    ImportFileError
        The file is missing, empty, not in ``encoding``, or (``strict``) has a bad record. Nothing is
        imported then.
    """
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"{path} does not exist or is not a file")
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise ImportFileError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ImportFileError(f"unknown encoding {encoding!r}; try utf-8, cp1252 or latin-1") from None
    if path.stat().st_size == 0:
        raise ImportFileError(f"{path} is empty: nothing to import")
    fields = fields or FieldMap()
    report = ImportReport()
    records = _read_jsonl(path, encoding, progress) if fmt == "jsonl" else _read_csv(path, encoding, progress)
    n_records = 0
    with store.transaction():
        for line, record in records:
            n_records += 1
            try:
                if isinstance(record, BadRecord):
                    raise record
                article = record_to_article(record, fields, outlet, tendency, source)
            except BadRecord as exc:
                if strict:
                    raise ImportFileError(f"{path.name} line {line}: {exc} (--strict: nothing imported)") from None
                report.skipped += 1
                report.problems.append((line, str(exc)))
                log.warning("%s line %d: %s; skipped", path.name, line, exc)
                continue
            if store.insert_row(article):
                report.imported += 1
            else:
                report.duplicates += 1
                report.duplicate_lines.append(line)
    if n_records == 0:
        raise ImportFileError(f"{path} holds no records: nothing to import")
    return report


def record_to_article(record: dict[str, Any], fields: FieldMap, outlet: str | None, tendency: str | None,
                      source: str = "imported") -> Article:
    """Map one record to an :class:`Article`; raise :class:`BadRecord` with the reason."""
    if not isinstance(record, dict):
        raise BadRecord(f"expected an object, found {type(record).__name__}")
    used: set[str] = set()

    def pick(kind: str, named: str | None, required: bool = False) -> Any:
        if named is not None:
            if named not in record:
                if required:
                    raise BadRecord(f"no field {named!r} (fields: {', '.join(list(record)[:12])})")
                return None
            used.add(named)
            return record[named]
        for name in DEFAULT_FIELDS[kind]:
            if name in record:
                used.add(name)
                return record[name]
        if required:
            raise BadRecord(f"no text field (looked for {', '.join(DEFAULT_FIELDS[kind])}; name it with --text-field)")
        return None

    text = pick("text", fields.text, required=True)
    if not isinstance(text, str) or not text.strip():
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
    metadata = {k: v for k, v in record.items() if k not in used}
    published = None
    if raw_date not in (None, ""):
        try:
            published, precision = parse_date(raw_date)
        except DateParseError as exc:
            raise BadRecord(str(exc)) from None
        if precision not in ("day", "datetime"):
            metadata["date_precision"] = precision
    if isinstance(authors, str):
        authors = [a.strip() for a in authors.split(";")]
    elif isinstance(authors, list):
        authors = [str(a).strip() for a in authors]
    elif authors is not None:
        authors = [str(authors)]
    label_value = normalise_tendency(label) if label not in (None, "") else (tendency or None)
    return Article(
        outlet=str(outlet or record_outlet or "imported"),
        text=text.strip(),
        title=str(title).strip() if title not in (None, "") else None,
        url=str(url) if url else None,
        authors=tuple(authors or ()),
        published=published,
        label=label_value,
        source=source,
        metadata=metadata,
    )


def _decode_lines(path: Path, encoding: str, progress) -> Iterator[tuple[int, str]]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if progress:
                progress(len(raw))
            try:
                line = decoder.decode(raw)
            except UnicodeDecodeError as exc:
                bad = raw[exc.start:exc.start + 1].hex()
                raise ImportFileError(
                    f"{path.name} line {number} is not valid {encoding} (byte 0x{bad}); "
                    f"pass --encoding cp1252 (or the file's real encoding), or re-save the file as UTF-8"
                ) from None
            if number == 1:
                line = line.lstrip("\ufeff")
            yield number, line


def _read_jsonl(path: Path, encoding: str, progress) -> Iterator[tuple[int, Any]]:
    for number, line in _decode_lines(path, encoding, progress):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, BadRecord(f"invalid JSON ({exc.msg} at column {exc.colno})")


def _read_csv(path: Path, encoding: str, progress) -> Iterator[tuple[int, Any]]:
    lines = _decode_lines(path, encoding, progress)
    line_numbers: list[int] = []

    def text_lines() -> Iterator[str]:
        for number, line in lines:
            line_numbers.append(number)
            yield line

    try:
        sample_reader = csv.DictReader(text_lines(), dialect="excel-tab" if path.suffix.lower() == ".tsv" else "excel")
        for row in sample_reader:
            number = line_numbers[-1] if line_numbers else 0
            if None in row:
                yield number, BadRecord(f"more values than the {len(sample_reader.fieldnames or [])} columns of the header")
                continue
            yield number, {k: v for k, v in row.items() if k is not None}
    except csv.Error as exc:
        raise ImportFileError(f"{path.name} is not valid CSV near line {line_numbers[-1] if line_numbers else 1}: {exc}") from None


# -- export -----------------------------------------------------------------------------------
EXPORT_COLUMNS = ("id", "outlet", "tendency", "label_level", "title", "authors", "published", "section", "tags",
                  "url", "canonical_url", "word_count", "paywalled", "source", "fetched_at",
                  "scraper_version", "metadata", "text")


def export_records(store: CorpusStore, **filters: Any) -> Iterator[dict[str, Any]]:
    """Every article as a flat dict, with its resolved tendency and the level it was resolved at."""
    for article in store.articles(**filters):
        tendency, level = store.resolve(article)
        d = article.to_dict()
        yield {**{k: d.get(k) for k in EXPORT_COLUMNS}, "tendency": tendency, "label_level": level}


def export_file(store: CorpusStore, path: str | Path, fmt: str | None = None,
                progress: Callable[[int], None] | None = None, **filters: Any) -> int:
    """Write the corpus to ``path`` (written to a temporary file, then renamed); returns the count."""
    path = Path(path)
    fmt = fmt or {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}.get(path.suffix.lower())
    if fmt not in EXPORT_FORMATS:
        raise ImportFileError(f"cannot tell the export format from {path.name}; pass --format jsonl, csv or parquet")
    if not path.parent.resolve().is_dir():
        raise ImportFileError(f"folder {path.parent} does not exist")
    tmp = path.with_name(path.name + ".partial")
    n = 0
    try:
        records = export_records(store, **filters)
        if fmt == "jsonl":
            with tmp.open("w", encoding="utf-8") as fh:
                for rec in records:
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    n += 1
                    if progress:
                        progress(1)
        elif fmt == "csv":
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS)
                writer.writeheader()
                for rec in records:
                    writer.writerow({**rec, "authors": "; ".join(rec["authors"]), "tags": "; ".join(rec["tags"]),
                                     "metadata": json.dumps(rec["metadata"], ensure_ascii=False)})
                    n += 1
                    if progress:
                        progress(1)
        else:
            n = _write_parquet(tmp, records, progress)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def _write_parquet(path: Path, records: Iterator[dict[str, Any]], progress, batch_size: int = 2000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([
        ("id", pa.string()), ("outlet", pa.string()), ("tendency", pa.string()), ("label_level", pa.string()),
        ("title", pa.string()), ("authors", pa.list_(pa.string())), ("published", pa.string()),
        ("section", pa.string()), ("tags", pa.list_(pa.string())), ("url", pa.string()),
        ("canonical_url", pa.string()), ("word_count", pa.int64()), ("paywalled", pa.bool_()),
        ("source", pa.string()), ("fetched_at", pa.string()), ("scraper_version", pa.string()),
        ("metadata", pa.string()), ("text", pa.string()),
    ])
    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
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
