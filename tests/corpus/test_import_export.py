import json

import pandas as pd
import pytest

from corpus import ImportFileError
from corpus.io import FieldMap, export_file, import_file
from tests.conftest import SPEECHES

FIELDS = FieldMap(author="speaker", label="party", date="date")


def test_import_maps_fields_and_dates(store, write_jsonl):
    path = write_jsonl("s.jsonl", SPEECHES)
    report = import_file(store, path, fields=FIELDS)
    assert report.summary() == {"imported": 4, "duplicates": 0, "skipped": 0}
    stats = store.stats()
    assert stats["by_tendency"] == {"Lab": 2, "Con": 1, "LD": 1}
    cat = next(a for a in store.articles() if a.authors == ("Cat Example",))
    assert cat.published == "2019-03-05"  # day-first British date
    assert cat.metadata == {}
    assert cat.label == "LD"


def test_reimport_imports_nothing_and_reports_duplicates(store, write_jsonl):
    path = write_jsonl("s.jsonl", SPEECHES)
    import_file(store, path, fields=FIELDS)
    again = import_file(store, path, fields=FIELDS)
    assert again.summary() == {"imported": 0, "duplicates": 4, "skipped": 0}
    assert again.duplicate_lines == [1, 2, 3, 4]
    assert store.count() == 4


def test_broken_line_and_record_without_text_are_skipped_with_line_numbers(store, write_jsonl):
    path = write_jsonl("s.jsonl", SPEECHES[:2] + [{"speaker": "No Text"}],
                       raw_lines=['{"text": "broken', '["not", "an", "object"]'])
    report = import_file(store, path, fields=FIELDS)
    assert report.summary() == {"imported": 2, "duplicates": 0, "skipped": 3}
    assert [line for line, _ in report.problems] == [3, 4, 5]
    assert "no text field" in report.problems[0][1]
    assert "invalid JSON" in report.problems[1][1]
    assert "expected an object" in report.problems[2][1]


def test_strict_aborts_and_imports_nothing(store, write_jsonl):
    path = write_jsonl("s.jsonl", SPEECHES, raw_lines=["{oops"])
    with pytest.raises(ImportFileError, match=r"s.jsonl line 5: invalid JSON .*--strict: nothing imported"):
        import_file(store, path, fields=FIELDS, strict=True)
    assert store.count() == 0


def test_empty_file_is_an_error(store, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(ImportFileError, match="is empty: nothing to import"):
        import_file(store, empty)
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n\n")
    with pytest.raises(ImportFileError, match="holds no records"):
        import_file(store, blank)


def test_non_utf8_bytes_are_a_clear_error_and_encoding_option_fixes_it(store, tmp_path):
    path = tmp_path / "cp.jsonl"
    path.write_bytes(json.dumps({"text": "x"}).encode() + b"\n" + '{"text": "Labour’s “soft left”"}\n'.encode("cp1252"))
    with pytest.raises(ImportFileError, match=r"line 2 is not valid utf-8 \(byte 0x92\); pass --encoding cp1252"):
        import_file(store, path)
    assert store.count() == 0
    report = import_file(store, path, encoding="cp1252")
    assert report.imported == 2
    assert any("“soft left”" in a.text for a in store.articles())


def test_csv_import_with_field_mapping_and_ragged_row(store, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('speech,who,when,side\n"Multi-line\ntext, with comma",A,2020-01-01,Lab\n'
                    "Second,B,1 February 2020,Con\nThird,C,2020-03-01,LD,extra\n", encoding="utf-8")
    report = import_file(store, path, fields=FieldMap(text="speech", author="who", date="when", label="side"))
    assert report.summary() == {"imported": 2, "duplicates": 0, "skipped": 1}
    assert report.problems[0][0] == 5
    assert {a.published for a in store.articles()} == {"2020-01-01", "2020-02-01"}


def test_unparseable_date_skips_the_line(store, write_jsonl):
    path = write_jsonl("d.jsonl", [{"text": "a", "date": "next Tuesday"}, {"text": "b", "date": "2020-01-02"}])
    report = import_file(store, path, fields=FieldMap(date="date"))
    assert report.skipped == 1 and report.imported == 1 and "unrecognised date" in report.problems[0][1]


@pytest.mark.parametrize("fmt,reader", [("jsonl", lambda p: pd.read_json(p, lines=True)),
                                        ("csv", pd.read_csv), ("parquet", pd.read_parquet)])
def test_export_round_trips_through_pandas(store, write_jsonl, tmp_path, fmt, reader):
    import_file(store, write_jsonl("s.jsonl", SPEECHES), fields=FIELDS)
    out = tmp_path / f"out.{fmt}"
    assert export_file(store, out) == 4
    df = reader(out)
    assert len(df) == 4
    assert sorted(df["tendency"]) == ["Con", "LD", "Lab", "Lab"]
    assert set(df["text"]) == {s["text"] for s in SPEECHES}
    assert not (tmp_path / f"out.{fmt}.partial").exists()


def test_html_bodies_become_plain_paragraphs(store, write_jsonl):
    body = ('<div class="entry"><p>The <a href="/x">soft left</a> argues for <em>devolution</em>.</p>'
            '<script>track()</script><p>Second<br>line &amp; more</p><ul><li>One</li><li>Two</li></ul>')
    path = write_jsonl("wp.jsonl", [{"text": body}, {"text": "Plain text with a < sign and no tags."}])
    assert import_file(store, path).imported == 2
    texts = sorted(a.text for a in store.articles())
    assert texts[1] == "The soft left argues for devolution.\n\nSecond line & more\n\nOne\n\nTwo"
    assert texts[0] == "Plain text with a < sign and no tags."
    raw = write_jsonl("raw.jsonl", [{"text": "<p>kept as written</p><p>markup</p>"}])
    import_file(store, raw, fields=FieldMap(html="no"))
    assert any(a.text.startswith("<p>kept") for a in store.articles())
