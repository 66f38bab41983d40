"""Import never loses or merges records silently: runaway quotes, bad records, encodings, field names,
JSON arrays, Parquet, label conflicts, and no empty corpus left behind by a failed import."""
import codecs
import csv
import json

import pytest

from corpus import ImportFileError
from corpus.io import FieldMap, export_file, import_file
from corpus.readers import check_encoding


def write_rows(path, rows):
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def speeches_csv(path, n=999, open_quote_at=None, columns=4):
    """``n`` unquoted rows; row ``open_quote_at`` opens a quote it never closes."""
    rows = ["text,speaker,date,party" if columns == 4 else "text,party"]
    for i in range(1, n + 1):
        text = f"Speech {i} on council housing and rail in the north, and the case for public ownership"
        text = text.replace(",", ";")
        if i == open_quote_at:
            text = '"' + text
        rows.append(f"{text},Speaker {i},2019-01-{1 + i % 28:02d},Lab" if columns == 4 else f"{text},Lab")
    return write_rows(path, rows)


RUNAWAY = ("{name} line 6: a quoted field starts here and runs on for {n} lines (to line {end}), swallowing "
           "{rows} lines that look like rows of their own; a quote is probably unbalanced. Fix the quoting "
           "there (a quote inside a quoted field is written twice: \"\"); nothing imported")


# -- runaway CSV fields -----------------------------------------------------------------------
def test_unbalanced_quote_stops_the_import_at_the_line_it_began(store, tmp_path):
    path = speeches_csv(tmp_path / "speeches.csv", open_quote_at=5)
    with pytest.raises(ImportFileError) as err:
        import_file(store, path)
    assert str(err.value) == RUNAWAY.format(name="speeches.csv", n=995, end=1000, rows=994)
    assert store.count() == 0


def test_unbalanced_quote_in_a_two_column_file(store, tmp_path):
    path = speeches_csv(tmp_path / "two.csv", n=40, open_quote_at=5, columns=2)
    with pytest.raises(ImportFileError, match=r"^two\.csv line 6: a quoted field starts here and runs on for 36 lines"):
        import_file(store, path)


def test_cli_runaway_is_exit_1_one_line_and_leaves_no_database(run_cli, db, tmp_path):
    path = speeches_csv(tmp_path / "speeches.csv", open_quote_at=5)
    r = run_cli("corpus", "import", str(path), "--json")
    assert r.exit_code == 1
    assert r.stdout == ""
    assert r.stderr == "Error: " + RUNAWAY.format(name="speeches.csv", n=995, end=1000, rows=994) + "\n"
    assert not db.exists() and not db.with_name(db.name + "-wal").exists()


def test_a_failed_import_keeps_an_existing_database(run_cli, db, tmp_path, write_jsonl):
    run_cli("corpus", "import", str(write_jsonl("a.jsonl", [{"text": "kept"}])))
    r = run_cli("corpus", "import", str(speeches_csv(tmp_path / "s.csv", n=30, open_quote_at=5)))
    assert r.exit_code == 1 and db.exists()
    assert json.loads(run_cli("corpus", "stats", "--json").stdout)["articles"] == 1


def test_a_runaway_too_long_to_hold_stops_early(store, tmp_path, monkeypatch):
    import corpus.readers

    monkeypatch.setattr(corpus.readers, "RUNAWAY_MAX_LINES", 50)
    path = speeches_csv(tmp_path / "s.csv", n=300, open_quote_at=5)
    with pytest.raises(ImportFileError, match=r"^s\.csv line 6: a quoted field starts here and runs on past line 56, "
                                              r"swallowing 50 lines"):
        import_file(store, path)


def test_long_multiline_texts_with_commas_are_not_mistaken_for_runaways(store, tmp_path):
    path = tmp_path / "long.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "speaker", "date", "party"])
        for i in range(12):
            paragraphs = [f"Paragraph {j} of speech {i}: housing, rail and water, said the member, again."
                          for j in range(40)]
            writer.writerow(["\n\n".join(paragraphs), f"Speaker {i}", "2020-01-01", "Lab"])
        writer.writerow(["A short one.", "Speaker x", "2020-01-02", "Con"])
    report = import_file(store, path)
    assert report.summary() == {"imported": 13, "duplicates": 0, "skipped": 0}
    assert max(len(a.text) for a in store.articles()) > 3000


def test_a_quote_closing_mid_value_on_a_later_line_is_skipped_not_merged(store, tmp_path):
    path = write_rows(tmp_path / "q.csv", ["text,party", "one,Lab", '"two opens a quote,Con', '"three" here,LD',
                                           "four,Lab", '"five, quoted properly",Lab'])
    report = import_file(store, path)
    assert report.summary() == {"imported": 3, "duplicates": 0, "skipped": 1}
    assert report.problems == [(3, "a quote opened on line 3 closes in the middle of a value on line 4 "
                                   "(lines 3–4 would be merged); fix the quoting")]
    assert sorted(a.text for a in store.articles()) == ["five, quoted properly", "four", "one"]


def test_a_quote_left_open_to_the_end_of_a_short_file_is_skipped_not_merged(store, tmp_path):
    path = write_rows(tmp_path / "q.csv", ["text,party", "one,Lab", "two,Con", '"three,LD', "four,Lab"])
    report = import_file(store, path)
    assert report.summary() == {"imported": 2, "duplicates": 0, "skipped": 1}
    assert report.problems == [(4, "a quote opened on line 4 is never closed (lines 4–5 would be merged); "
                                   "fix the quoting")]


# -- one bad record ---------------------------------------------------------------------------
BAD_LINES = [
    json.dumps({"text": "The first good speech."}),
    "[" * 5000 + "]" * 5000,
    '{"text": "A number too long", "n": ' + "7" * 5001 + "}",
    '{"text": "A lone surrogate \\ud800 here"}',
    '{"text": "Not a number", "score": NaN}',
    '{"text": "Out of range", "score": -Infinity}',
    '{"text": "Too big", "score": 1e999}',
    '{"text": "Deep", "meta": ' + "[" * 150 + "]" * 150 + "}",
    json.dumps({"text": "The second good speech."}),
]


def test_bad_records_are_reported_by_line_and_the_good_ones_imported(store, tmp_path):
    path = write_rows(tmp_path / "bad.jsonl", BAD_LINES)
    report = import_file(store, path)
    assert report.summary() == {"imported": 2, "duplicates": 0, "skipped": 7}
    assert report.problems == [
        (2, "invalid JSON (nested too deeply to read)"),
        (3, "field 'n': a number with 5001 digits (too long)"),
        (4, "field 'text': lone surrogate '\\ud800' (not valid Unicode); fix the text or its \\u escapes"),
        (5, "field 'score': NaN is not valid JSON"),
        (6, "field 'score': -Infinity is not valid JSON"),
        (7, "field 'score': the number 1e999 is out of range"),
        (8, "field 'meta': nested more than 100 levels deep"),
    ]
    assert sorted(a.text for a in store.articles()) == ["The first good speech.", "The second good speech."]


def test_strict_aborts_at_the_first_bad_record(run_cli, tmp_path):
    path = write_rows(tmp_path / "bad.jsonl", BAD_LINES)
    r = run_cli("corpus", "import", str(path), "--strict")
    assert r.exit_code == 1
    assert r.stderr == "Error: bad.jsonl line 2: invalid JSON (nested too deeply to read) (--strict: nothing imported)\n"


def test_cli_reports_each_skipped_line_once(run_cli, tmp_path):
    path = write_rows(tmp_path / "bad.jsonl", BAD_LINES)
    for args in ([], ["-v"]):
        r = run_cli(*args, "corpus", "import", str(path)) if not args else \
            run_cli("-v", "corpus", "import", str(write_rows(tmp_path / "bad2.jsonl", BAD_LINES[:-1] + ['{"text": "3rd"}'])))
        assert r.exit_code == 0
        for line in range(2, 9):
            assert r.stderr.count(f"line {line}:") == 1, (args, line, r.stderr)


def test_cli_lists_twenty_skipped_lines_then_counts_the_rest(run_cli, tmp_path):
    path = write_rows(tmp_path / "many.jsonl", ['{"text": "ok"}'] + ['{"title": "no text"}'] * 25)
    r = run_cli("corpus", "import", str(path))
    assert r.exit_code == 0
    assert r.stderr.count("no text field") == 20
    assert "... and 5 more skipped lines (pass -v to list them all)" in r.stderr


# -- encodings --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["rot13", "base64", "zlib", "hex"])
def test_codecs_that_are_not_text_encodings_are_a_usage_error(run_cli, write_jsonl, name):
    r = run_cli("corpus", "import", str(write_jsonl("a.jsonl", [{"text": "x"}])), "--encoding", name)
    assert r.exit_code == 2
    assert r.stderr.splitlines()[-1].startswith(f"Error: Invalid value for '--encoding': '{name}' is not a text encoding")


def test_unknown_encoding_is_a_usage_error(run_cli, write_jsonl):
    r = run_cli("corpus", "import", str(write_jsonl("a.jsonl", [{"text": "x"}])), "--encoding", "klingon")
    assert r.exit_code == 2
    assert r.stderr.splitlines()[-1] == ("Error: Invalid value for '--encoding': unknown encoding 'klingon'; "
                                         "try utf-8, cp1252 or latin-1")
    assert check_encoding("UTF8") == "utf-8"


UTF16_CSV = "text,party\nLabour’s soft left,Lab\nA second text,Con\n"


def test_utf16_without_bom_says_so_and_how_to_fix_it(run_cli, tmp_path):
    path = tmp_path / "u.csv"
    path.write_bytes(UTF16_CSV.encode("utf-16-le"))
    r = run_cli("corpus", "import", str(path))
    assert r.exit_code == 1
    assert r.stderr == ("Error: u.csv looks like UTF-16 (little-endian) without a byte-order mark; "
                        "pass --encoding utf-16-le, or re-save the file as UTF-8\n")
    r = run_cli("corpus", "import", str(path), "--encoding", "utf-16")
    assert r.stderr == ("Error: u.csv has no byte-order mark, so its UTF-16 byte order is unknown; "
                        "pass --encoding utf-16-le (it looks little-endian)\n")
    r = run_cli("corpus", "import", str(path), "--encoding", "utf-16-le", "--label-field", "party", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout) == {"imported": 2, "duplicates": 0, "skipped": 0}


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_utf16_with_bom_needs_and_reads_with_encoding_utf16(store, tmp_path, fmt):
    text = UTF16_CSV if fmt == "csv" else '{"text": "Labour’s soft left"}\n{"text": "A second text"}\n'
    path = tmp_path / f"u.{fmt}"
    path.write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    with pytest.raises(ImportFileError, match=r"^u\.\w+ starts with a UTF-16 byte-order mark; pass --encoding utf-16$"):
        import_file(store, path)
    report = import_file(store, path, encoding="utf-16")
    assert report.imported == 2
    assert {a.text for a in store.articles()} == {"Labour’s soft left", "A second text"}


# -- JSON arrays and objects ------------------------------------------------------------------
def test_a_json_array_is_read_as_records_with_line_numbers(store, tmp_path):
    records = [{"text": f"Array record {i}.", "Year": 2000 + i} for i in range(5)]
    records[2] = {"title": "no text here"}
    path = tmp_path / "a.json"
    path.write_text(json.dumps(records, indent=2))
    report = import_file(store, path, fields=FieldMap(date="year"))
    assert report.summary() == {"imported": 4, "duplicates": 0, "skipped": 1}
    assert report.problems[0][0] == 10  # the line where the third element begins
    assert sorted(a.published for a in store.articles()) == ["2000-01-01", "2001-01-01", "2003-01-01", "2004-01-01"]


def test_a_large_json_array_is_streamed_across_chunks(store, tmp_path):
    path = tmp_path / "big.json"
    with path.open("w") as fh:
        fh.write("[")
        for i in range(3000):
            fh.write(("," if i else "") + json.dumps({"text": f"Record {i} " + "word " * 100, "n": i}))
        fh.write("]")
    assert path.stat().st_size > 1.5 * 2**20
    assert import_file(store, path).imported == 3000


def test_a_json_record_longer_than_a_chunk_is_read_whole(store, tmp_path, monkeypatch):
    import corpus.readers

    real = corpus.readers._decode_chunks
    monkeypatch.setattr(corpus.readers, "_decode_chunks", lambda p, e, pr: real(p, e, pr, size=64))
    texts = ["short", "long " * 2000, "after the long one"]
    path = tmp_path / "a.json"
    path.write_text(json.dumps([{"text": t, "n": 12345678901234567890} for t in texts]))
    assert import_file(store, path).imported == 3
    assert {len(a.text) for a in store.articles()} == {5, len(texts[1].strip()), 18}
    assert {a.metadata["n"] for a in store.articles()} == {12345678901234567890}


def test_a_broken_json_array_stops_with_its_line(store, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"text": "one"},\n  {"text": "two",,}\n]\n')
    with pytest.raises(ImportFileError) as err:
        import_file(store, path)
    assert str(err.value) == ("broken.json line 3: invalid JSON (Expecting property name enclosed in double quotes); "
                              "the records of a JSON array cannot be skipped one by one, so fix the file "
                              "(nothing imported)")
    assert store.count() == 0


def test_a_json_object_is_refused_with_the_fix(run_cli, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"site": "x", "articles": [{"text": "one"}, {"text": "two"}]}, indent=2))
    r = run_cli("corpus", "import", str(path))
    assert r.exit_code == 1
    assert r.stderr == ("Error: export.json holds one JSON object, not a list of records; its field 'articles' "
                        "holds the list: extract it (e.g. jq '.articles' export.json > records.json) and import that\n")


def test_json_lines_in_a_json_file_still_import(store, tmp_path):
    path = tmp_path / "lines.json"
    path.write_text('{"text": "one"}\n{"text": "two"}\n')
    assert import_file(store, path).imported == 2


# -- Parquet ----------------------------------------------------------------------------------
def test_parquet_round_trips_an_export(store, tmp_path, write_jsonl):
    import_file(store, write_jsonl("s.jsonl", [{"text": "One speech.", "author": "Ann; Ben", "date": "2019-03-01",
                                                 "title": "First"}, {"text": "Two speech.", "party": "Lab"}]))
    export_file(store, tmp_path / "c.parquet")
    from corpus import CorpusStore

    with CorpusStore(tmp_path / "copy.db") as copy:
        report = import_file(copy, tmp_path / "c.parquet")
        assert report.summary() == {"imported": 2, "duplicates": 0, "skipped": 0}
        first = next(a for a in copy.articles() if a.title == "First")
        assert first.authors == ("Ann", "Ben") and first.published == "2019-03-01"


def test_cli_imports_parquet_by_format_option(run_cli, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "data.bin"
    pq.write_table(pa.table({"Body": ["One text.", "Two text.", None], "Side": ["Lab", "Con", "LD"]}), path)
    r = run_cli("corpus", "import", str(path), "--format", "parquet", "--text-field", "body", "--label-field", "side",
                "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout) == {"imported": 2, "duplicates": 0, "skipped": 1}
    assert "row 3: empty text in field 'Body' (skipped)" in r.stderr


# -- field names ------------------------------------------------------------------------------
def test_a_column_the_file_lacks_is_an_error_listing_its_columns(run_cli, db, tmp_path):
    path = write_rows(tmp_path / "m.csv", ["Text,Party,Year", "One manifesto.,Lab,1997"])
    r = run_cli("corpus", "import", str(path), "--date-field", "yeer")
    assert r.exit_code == 1
    assert r.stderr == "Error: m.csv has no column 'yeer' (--date-field); its columns are: Text, Party, Year\n"
    assert not db.exists()


def test_a_repeated_column_name_is_an_error(store, tmp_path):
    path = write_rows(tmp_path / "d.csv", ["text,party,party", "One.,Lab,Con"])
    with pytest.raises(ImportFileError, match=r"^d\.csv names the column 'party' more than once in its header; "
                                              r"rename one so no values are lost$"):
        import_file(store, path)


def test_field_names_match_case_insensitively(store, tmp_path):
    path = write_rows(tmp_path / "m.csv", ["Text,Party,Year", "One manifesto.,Lab,1997"])
    report = import_file(store, path, fields=FieldMap(date="year", label="party"))
    assert report.imported == 1
    article = next(iter(store.articles()))
    assert (article.published, article.label, article.metadata) == ("1997-01-01", "Lab", {"date_precision": "year"})


def test_a_json_field_no_record_has_is_an_error(store, write_jsonl):
    path = write_jsonl("s.jsonl", [{"text": "a", "when": "2001"}, {"text": "b", "who": "Ann"}])
    with pytest.raises(ImportFileError) as err:
        import_file(store, path, fields=FieldMap(author="speaker"))
    assert str(err.value) == "no record of s.jsonl has a field 'speaker' (--author-field); its fields are: text, when, who"
    assert store.count() == 0


# -- nothing imported -------------------------------------------------------------------------
def test_an_import_where_every_record_is_skipped_fails(run_cli, db, write_jsonl):
    path = write_jsonl("t.jsonl", [{"title": "no text"}, {"title": "none here either"}])
    r = run_cli("corpus", "import", str(path), "--json")
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.splitlines() == [
        "line 1: no text field (looked for text, body, content; name it with --text-field) (skipped)",
        "line 2: no text field (looked for text, body, content; name it with --text-field) (skipped)",
        "Error: nothing imported from t.jsonl: all 2 records were skipped (first, line 1: no text field "
        "(looked for text, body, content; name it with --text-field))",
    ]
    assert not db.exists()


def test_an_empty_file_fails_and_duplicates_only_succeed(run_cli, tmp_path, write_jsonl):
    empty = tmp_path / "e.csv"
    empty.write_text("")
    r = run_cli("corpus", "import", str(empty))
    assert r.exit_code == 1 and r.stderr == f"Error: {empty} is empty: nothing to import\n"
    header_only = write_rows(tmp_path / "h.csv", ["text,party"])
    r = run_cli("corpus", "import", str(header_only))
    assert r.exit_code == 1 and r.stderr == f"Error: {header_only} holds no records: nothing to import\n"
    path = write_jsonl("a.jsonl", [{"text": "x"}])
    run_cli("corpus", "import", str(path))
    r = run_cli("corpus", "import", str(path), "--json")
    assert r.exit_code == 0 and json.loads(r.stdout) == {"imported": 0, "duplicates": 1, "skipped": 0}


# -- label conflicts --------------------------------------------------------------------------
def test_duplicates_with_conflicting_labels_are_named(run_cli, write_jsonl, tmp_path):
    first = write_jsonl("a.jsonl", [{"text": "Own the railways.", "side": "Lab"}])
    run_cli("corpus", "import", str(first), "--label-field", "side")
    second = write_jsonl("b.jsonl", [
        {"text": "Own  the RAILWAYS.", "side": "Con"},  # the same text once normalised
        {"text": "Balance the books.", "side": "Con"},
        {"text": "Balance the books.", "side": "LD"},
        {"text": "Balance the books.", "side": "Con"},  # agrees with the stored label: no conflict
    ])
    r = run_cli("corpus", "import", str(second), "--label-field", "side", "--json")
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert {k: out[k] for k in ("imported", "duplicates", "skipped")} == {"imported": 1, "duplicates": 3, "skipped": 0}
    ids = {a["text"]: a["id"] for a in map(json.loads, _export_lines(run_cli, tmp_path))}
    assert out["conflicts"] == [
        {"id": ids["Own the railways."], "stored_label": "Lab", "new_label": "Con", "line": 1},
        {"id": ids["Balance the books."], "stored_label": "Con", "new_label": "LD", "line": 3},
    ]
    assert (f"line 1: same text as {ids['Own the railways.']}, labelled 'Lab' in the corpus and labelled 'Con' "
            f"here; kept the stored label") in r.stderr
    assert "2 duplicates carry a label that differs from the stored one." in r.stderr


def _export_lines(run_cli, tmp_path):
    run_cli("corpus", "export", "-o", str(tmp_path / "all.jsonl"))
    return (tmp_path / "all.jsonl").read_text().splitlines()


def test_an_absurdly_long_line_is_refused_not_loaded(store, tmp_path, monkeypatch):
    import corpus.readers

    monkeypatch.setattr(corpus.readers, "MAX_RECORD_CHARS", 1000)
    path = write_rows(tmp_path / "long.jsonl", ['{"text": "short"}', '{"text": "' + "x" * 5000 + '"}'])
    with pytest.raises(ImportFileError) as err:
        import_file(store, path)
    assert str(err.value) == ("long.jsonl line 2 is longer than 0 MB, too long for one record: check the file and "
                              "--format (nothing imported)")
    assert store.count() == 0


def test_a_label_for_a_stored_unlabelled_text_is_a_conflict(run_cli, write_jsonl):
    run_cli("corpus", "import", str(write_jsonl("a.jsonl", [{"text": "Unlabelled first."}])))
    r = run_cli("corpus", "import", str(write_jsonl("b.jsonl", [{"text": "Unlabelled first."}])), "--tendency",
                "soft_left", "--json")
    assert r.exit_code == 0
    conflicts = json.loads(r.stdout)["conflicts"]
    assert [(c["stored_label"], c["new_label"], c["line"]) for c in conflicts] == [(None, "soft_left", 1)]
    assert "unlabelled in the corpus and labelled 'soft_left' here; kept the stored label" in r.stderr


def test_a_truncated_json_array_and_non_text_texts(store, tmp_path, write_jsonl):
    path = tmp_path / "t.json"
    path.write_text('[{"text": "a"},\n {"text": "b"}')
    with pytest.raises(ImportFileError, match=r"^t\.json line 2: the array is not closed \(the file ends before its \]\)"):
        import_file(store, path)
    report = import_file(store, write_jsonl("w.jsonl", [{"text": {"nested": 1}}, {"text": ["a"]}, {"text": "ok"}]))
    assert report.problems == [(1, "field 'text' holds a dict, not text"), (2, "field 'text' holds a list, not text")]
