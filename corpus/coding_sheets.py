"""Coding sheets: writing a sample for coders, and reading their codes back.

Two formats, both checked line by line against the corpus and the codebook before anything is stored:

* a **CSV sheet** (``id``, ``title``, ``outlet``, ``published``, ``url``, ``text``, one empty column per
  codebook variable and ``notes``), filled in a spreadsheet; read back by its ``id`` and variable columns
  (any order, any case; comma, semicolon or tab separated; UTF-8, else Windows-1252 as Excel saves);
* **Label Studio** tasks (a JSON list of ``{"data": {"id", "title", "text", ...}}``) with the labelling
  config of the codebook (:meth:`corpus.codebook.Codebook.label_studio_config`); read back from Label
  Studio's JSON export: each task's ``data.id`` and its annotation's ``result`` entries, ``from_name``
  naming the variable (``choices``, ``number`` and ``rating`` results; a ``textarea`` named ``notes``).

:func:`read_sheet` returns every code with the line it came from, or raises one :class:`CodingError`
listing each problem by line (unknown ids, unknown categories, duplicate rows, a truncated file), so a bad
sheet changes nothing.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Container, Iterable, Iterator, Mapping, Sequence

from .codebook import SHEET_COLUMNS, Codebook, CodingError
from .coding import Code
from .models import Article
from .output import SafeDictWriter, atomic_output, write_text_atomic

csv.field_size_limit(2**31 - 1)

#: Characters of an article's text written to a sheet; Excel keeps at most 32,767 in a cell.
MAX_CHARS = 32_000
#: Problems listed in an error before "and N more".
MAX_LISTED = 12
SHEET_FORMATS = ("csv", "labelstudio")


@dataclass
class Sheet:
    """The codes read from one coder's sheet, and what was passed over."""

    path: str
    format: str
    codes: list[Code] = field(default_factory=list)
    blank: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def articles(self) -> int:
        return len({c.article_id for c in self.codes})

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.format, "articles": self.articles, "codes": len(self.codes),
                "blank": self.blank, "ignored_columns": self.ignored_columns}


# ----------------------------------------------------------------------------- writing
def excerpt(text: str, max_chars: int = MAX_CHARS) -> str:
    """``text``, or its first ``max_chars`` characters cut at a word and marked ``[…]``."""
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars - 4]
    space = cut.rfind(" ")
    return (cut[:space] if space > max_chars // 2 else cut).rstrip() + " […]"


def sheet_format(path: str | Path) -> str:
    """``csv`` or ``labelstudio`` from a file name (``.csv``, ``.json``)."""
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix == ".json":
        return "labelstudio"
    raise CodingError(f"cannot tell the sheet format of {Path(path).name}: name it .csv (a spreadsheet) or .json "
                      "(Label Studio)")


def _row(article: Article, max_chars: int, blind: bool) -> dict[str, Any]:
    return {"id": article.id, "title": article.title or "", "outlet": "" if blind else article.outlet,
            "published": (article.published or "")[:10], "url": "" if blind else (article.url or ""),
            "text": excerpt(article.text, max_chars)}


def write_csv_sheet(path: str | Path, articles: Iterable[Article], codebook: Codebook, max_chars: int = MAX_CHARS,
                    blind: bool = False) -> int:
    """Write a CSV coding sheet (written whole or not at all); returns the number of rows.

    ``blind`` leaves the outlet and URL cells empty, so coders judge the text, not its source.
    """
    columns = [c for c in SHEET_COLUMNS if c != "notes"] + codebook.names + ["notes"]
    n = 0
    with atomic_output(path, "w", encoding="utf-8", newline="") as fh:
        writer = SafeDictWriter(fh, columns)
        writer.writeheader()
        for article in articles:
            writer.writerow({**_row(article, max_chars, blind), **{name: "" for name in codebook.names}, "notes": ""})
            n += 1
    return n


def write_tasks(path: str | Path, articles: Iterable[Article], codebook: Codebook, max_chars: int = MAX_CHARS,
                blind: bool = False) -> tuple[int, Path]:
    """Write Label Studio tasks and, beside them, the labelling config (``NAME.label_config.xml``).

    Returns
    -------
    (int, Path)
        The number of tasks and the config's path.
    """
    tasks = [{"data": _row(article, max_chars, blind)} for article in articles]
    path = Path(path)
    config = path.with_name(path.stem + ".label_config.xml")
    write_text_atomic(path, json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
    write_text_atomic(config, codebook.label_studio_config())
    return len(tasks), config


# ----------------------------------------------------------------------------- reading
class _Problems:
    """Problems found in a sheet, each with its line; raised together at the end."""

    def __init__(self, path: str):
        self.path, self.items = path, []

    def add(self, line: int | None, message: str) -> None:
        self.items.append(f"line {line}: {message}" if line else message)

    def raise_any(self) -> None:
        if not self.items:
            return
        shown = "; ".join(self.items[:MAX_LISTED])
        more = f"; and {len(self.items) - MAX_LISTED} more" if len(self.items) > MAX_LISTED else ""
        raise CodingError(f"{self.path}: {len(self.items)} problem(s), nothing imported: {shown}{more}; "
                          "correct the sheet and import it again")


def read_sheet(path: str | Path, codebook: Codebook, known_ids: Callable[[list[str]], Container[str]],
               fmt: str | None = None, annotator: str | None = None) -> Sheet:
    """Read one coder's sheet and check every code against the corpus and the codebook.

    Parameters
    ----------
    path : str or Path
    codebook : Codebook
    known_ids : callable
        ``known_ids(ids)`` -> which of the sheet's ``ids`` are articles of the corpus (:func:`known_ids`).
    fmt : {"csv", "labelstudio"}, optional
        Default: from the file name (:func:`sheet_format`).
    annotator : str, optional
        Label Studio only: use only the annotations completed by this annotator (its id or e-mail), for an
        export holding several people's work.

    Raises
    ------
    CodingError
        The file cannot be read, or has problems; the message lists them by line.
    """
    path = Path(path)
    fmt = fmt or sheet_format(path)
    if fmt not in SHEET_FORMATS:
        raise CodingError(f"unknown sheet format {fmt!r}; use csv or labelstudio")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CodingError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise CodingError(f"{path} is a folder; give the sheet's file") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if fmt != "csv":
            raise CodingError(f"{path} is not UTF-8 text; export it from Label Studio again") from None
        text = raw.decode("cp1252", errors="replace")  # what Excel's plain "CSV" saves on Windows
    problems = _Problems(str(path))
    sheet = Sheet(str(path), fmt)
    if annotator is not None and fmt != "labelstudio":
        raise CodingError("--annotator picks one person's annotations in a Label Studio export; a CSV sheet is "
                          "one coder's already")
    rows = list(_csv_rows(text, codebook, sheet, problems) if fmt == "csv"
                else _label_studio_rows(text, annotator, problems))
    known = known_ids(sorted({r[1] for r in rows if r[1]}))
    seen: dict[str, int] = {}
    for line, article_id, answers, note in rows:
        if not article_id:
            problems.add(line, "no article id")
            continue
        if article_id not in known:
            problems.add(line, f"unknown article id {article_id!r} (not in this corpus)")
            continue
        if article_id in seen:
            problems.add(line, f"duplicate row for article {article_id} (first at line {seen[article_id]})")
            continue
        seen[article_id] = line
        codes: list[Code] = []
        for name, raw_value in answers:
            variable = codebook.find(name)
            if variable is None:
                problems.add(line, f"unknown variable {name!r} (the codebook's: {', '.join(codebook.names)})")
                continue
            if any(c.variable == variable.name for c in codes):
                problems.add(line, f"{variable.name} is answered twice for article {article_id}")
                continue
            try:
                value = variable.parse(raw_value)
            except CodingError as exc:
                problems.add(line, str(exc))
                continue
            if value is not None:
                codes.append(Code(article_id, variable.name, value, note or None, line))
        if codes:
            sheet.codes.extend(codes)
        else:
            sheet.blank += 1
    problems.raise_any()
    if not sheet.codes:
        raise CodingError(f"{path}: no codes in it (every coding cell is empty); fill in "
                          f"{', '.join(codebook.names)} and import it again")
    return sheet


def _csv_rows(text: str, codebook: Codebook, sheet: Sheet,
              problems: _Problems) -> Iterator[tuple[int, str, list[tuple[str, Any]], str]]:
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise CodingError(f"{sheet.path} is empty; a sheet has a header row (id, {', '.join(codebook.names)})") from None
    except csv.Error as exc:
        raise CodingError(f"{sheet.path} is not a readable CSV file ({exc})") from None
    columns = [h.strip().casefold() for h in header]
    if "id" not in columns:
        raise CodingError(f"{sheet.path}: no id column (the header is {', '.join(header) or 'empty'}); a sheet "
                          f"needs id and the codebook's variables ({', '.join(codebook.names)})")
    wanted = [i for i, c in enumerate(columns) if codebook.find(c) is not None]
    twice = sorted({columns[i] for i in wanted if [columns[j] for j in wanted].count(columns[i]) > 1})
    if twice:
        raise CodingError(f"{sheet.path}: the header names {twice[0]!r} more than once; keep one column per variable")
    if not wanted:
        raise CodingError(f"{sheet.path}: no column for any codebook variable ({', '.join(codebook.names)}); "
                          "is it the sheet `code sample` wrote, with the same codebook?")
    sheet.ignored_columns = [h for h, c in zip(header, columns)
                             if c not in SHEET_COLUMNS and codebook.find(c) is None and h.strip()]
    id_at, note_at = columns.index("id"), columns.index("notes") if "notes" in columns else None
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.add(line, f"unreadable row ({exc})")
            return
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            problems.add(start, f"{len(row)} cells under a header of {len(header)} (a stray {delimiter!r}?)")
            continue
        cell = lambda i: row[i] if i is not None and i < len(row) else ""  # noqa: E731
        yield (start, cell(id_at).strip().lstrip("'"), [(columns[i], cell(i)) for i in wanted], cell(note_at).strip())


def _label_studio_rows(text: str, annotator: str | None,
                       problems: _Problems) -> Iterator[tuple[int, str, list[tuple[str, Any]], str]]:
    for line, task in _json_array(text, problems.path):
        if not isinstance(task, Mapping) or not isinstance(task.get("data"), Mapping):
            problems.add(line, "not a Label Studio task (no \"data\"); export the project with the JSON format")
            continue
        article_id = str(task["data"].get("id") or "").strip()
        annotations = [a for a in task.get("annotations") or () if isinstance(a, Mapping)
                       and not a.get("was_cancelled")]
        if annotator is not None:
            annotations = [a for a in annotations if _annotator(a) == annotator.casefold()]
        if not annotations:
            yield line, article_id, [], ""  # not annotated: a blank row
            continue
        if len(annotations) > 1:
            who = sorted({_annotator(a) or "?" for a in annotations})
            problems.add(line, f"task {task.get('id', '?')} (article {article_id}) has {len(annotations)} annotations "
                               f"(by {', '.join(who)}); import one person at a time with --annotator ID")
            continue
        answers, note = [], ""
        for result in annotations[0].get("result") or ():
            if not isinstance(result, Mapping):
                continue
            name, value = str(result.get("from_name") or ""), result.get("value") or {}
            kind = str(result.get("type") or "").casefold()
            if kind == "textarea" and name == "notes":
                note = " ".join(str(t) for t in value.get("text") or ())
            elif kind == "choices":
                choices = value.get("choices") or []
                if len(choices) != 1:
                    problems.add(line, f"{name}: {len(choices)} choices where one belongs")
                    continue
                answers.append((name, choices[0]))
            elif kind in ("number", "rating"):
                answers.append((name, value.get(kind)))
            elif kind:
                problems.add(line, f"{name}: a {kind!r} result, which a codebook variable cannot take "
                                   "(use Choices or Number controls: the config `code sample` writes)")
        yield line, article_id, answers, note


def _annotator(annotation: Mapping[str, Any]) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, Mapping):  # some exports spell out the user
        who = who.get("email") or who.get("id")
    return str(who).casefold() if who is not None else ""


def _json_array(text: str, where: str) -> Iterator[tuple[int, Any]]:
    """The items of a top-level JSON array with the line each starts on; a broken or cut-short file is a
    :class:`CodingError` naming the line."""
    decoder = json.JSONDecoder()
    cut_short = not text.rstrip().endswith("]")  # an export always ends its list
    pos = _skip(text, 0)
    if pos >= len(text) or text[pos] != "[":
        if pos < len(text) and text[pos] == "{":
            raise CodingError(f"{where} is one JSON object, not Label Studio's export (a list of tasks); export "
                              "the project with the JSON format")
        raise CodingError(f"{where} is not a Label Studio JSON export (a list of tasks)")
    pos = _skip(text, pos + 1)
    if pos < len(text) and text[pos] == "]":
        return
    while True:
        line = text.count("\n", 0, pos) + 1
        try:
            item, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise CodingError(_broken(where, exc.lineno, exc.msg, cut_short)) from None
        yield line, item
        pos = _skip(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip(text, pos + 1)
            continue
        if pos < len(text) and text[pos] == "]":
            if _skip(text, pos + 1) < len(text):
                raise CodingError(_broken(where, text.count("\n", 0, pos) + 1, "text after the end of the list", False))
            return
        raise CodingError(_broken(where, text.count("\n", 0, pos) + 1, "expecting ',' or ']'", cut_short))


def _broken(where: str, line: int, msg: str, at_end: bool) -> str:
    why = "it ends before the JSON does: the file is cut short" if at_end else msg
    return (f"{where} is not complete JSON (line {line}: {why}); nothing imported: export it from Label Studio "
            "again")


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def known_ids(store: Any) -> Callable[[Sequence[str]], set[str]]:
    """``lookup(ids)`` -> which of ``ids`` are articles of ``store`` (for :func:`read_sheet`)."""
    return lambda ids: {a.id for a in store.articles(ids=list(ids), with_text=False)}
