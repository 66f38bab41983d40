"""export → import → export gives the same records in every format, into the same corpus (all duplicates)
and into a fresh one; what import flags instead of storing silently (NUL characters, dates in the future)."""
import csv
import json

import pytest

from corpus import Article, CorpusStore
from corpus.io import export_file, import_file
from corpus.labels import LabelSet

FORMATS = ("jsonl", "csv", "parquet")


def _articles() -> list[Article]:
    """Synthetic articles with every field a round trip could lose, split or nest."""
    return [
        Article(outlet="renewal", text="=1+1 looks like a formula to a spreadsheet, and this is a test text.",
                title="=SUM(A1:A9)", authors=("Doe; Jane", "Smith"), published="2020-01-02", label="soft_left"),
        Article(outlet="tribune", text="@admin is how a sentence could start in a synthetic article.",
                title="@admin", authors=("[Editor]",), tags=("ownership", "=tag"), section="News"),
        Article(outlet="imported", text="'A quoted opening, and a - dash", title="'=not a formula",
                metadata={"k": {"nested": [1, 2]}, "date_precision": "month"}, published="2019-03-01"),
        Article(outlet="labourlist", text="A scraped page of a synthetic outlet.\n\nIts second paragraph.",
                title="Scraped", url="https://ll.example/a?utm=1", canonical_url="https://ll.example/a",
                source="scraped", fetched_at="2024-05-01T10:00:00+00:00", scraper_version="labourlist/3",
                paywalled=True, published="2024-04-30T09:15:00+01:00", tags=("a", "b")),
        Article(outlet="chartist", text="-\tTab and minus first; non-ASCII: café, “quotes”, 123 ₤.",
                title="+plus", authors=("Ann", "Ben"), metadata={"source_file": "x.csv"}),
    ]


@pytest.fixture
def filled(tmp_path):
    store = CorpusStore(tmp_path / "a.db")
    store.add_many(_articles())
    # An article label stored in the labels table resolves at the article level without being the
    # article's own label: the export's `label` column keeps the two apart.
    store.load_labels(LabelSet.from_mapping({"articles": {_articles()[4].id: {"tendency": "hard_left"}}}))
    yield store
    store.close()


def _read(path, fmt):
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    import pyarrow.parquet as pq
    return pq.read_table(path).to_pylist()


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_import_export_is_exact_into_the_same_and_a_fresh_corpus(filled, tmp_path, fmt):
    first = tmp_path / f"first.{fmt}"
    assert export_file(filled, first) == 5
    again = import_file(filled, first)
    assert again.summary() == {"imported": 0, "duplicates": 5, "skipped": 0}
    assert filled.count() == 5
    fresh = CorpusStore(tmp_path / "fresh.db")
    assert import_file(fresh, first).summary() == {"imported": 5, "duplicates": 0, "skipped": 0}
    before = {a.id: a for a in filled.articles()}
    after = {a.id: a for a in fresh.articles()}
    assert before.keys() == after.keys()
    for id_, article in before.items():
        assert after[id_] == article and after[id_].metadata == article.metadata, id_
    second = tmp_path / f"second.{fmt}"
    export_file(fresh, second)
    rows = {r["id"]: r for r in _read(second, fmt)}
    original = {r["id"]: r for r in _read(first, fmt)}
    # Identical but for the article label held in the first corpus's labels table (not part of an export).
    labelled = _articles()[4].id
    assert original[labelled]["tendency"] == "hard_left" and original[labelled]["label"] in ("", None)
    assert rows[labelled]["tendency"] != "hard_left"
    del rows[labelled], original[labelled]
    assert rows == original
    fresh.close()


def test_csv_export_guards_formulas_and_says_so(filled, tmp_path):
    out = tmp_path / "c.csv"
    export_file(filled, out)
    rows = _read(out, "csv")
    assert list(rows[0])[-1] == "formula_guard" and {r["formula_guard"] for r in rows} == {"'"}
    formula = next(r for r in rows if r["text"].startswith("'=1+1"))
    assert formula["title"] == "'=SUM(A1:A9)" and formula["authors"] == '["Doe; Jane", "Smith"]'
    quoted = next(r for r in rows if r["text"].startswith("''A quoted"))
    assert quoted["title"] == "''=not a formula"
    assert next(r for r in rows if r["title"] == "'@admin")["tags"] == "ownership; =tag"
    import_file(fresh := CorpusStore(tmp_path / "f.db"), out)
    texts = {a.text for a in fresh.articles()}
    assert "=1+1 looks like a formula to a spreadsheet, and this is a test text." in texts
    assert "'A quoted opening, and a - dash" in texts
    assert {a.authors for a in fresh.articles()} >= {("Doe; Jane", "Smith"), ("[Editor]",)}
    fresh.close()


def test_an_export_from_before_the_guard_column_is_read_back_too(tmp_path):
    """Exports written before this release: no `label` or `formula_guard` column; `'` only before formulas."""
    old = tmp_path / "old.csv"
    header = ["id", "outlet", "tendency", "label_level", "title", "authors", "published", "section", "tags", "url",
              "canonical_url", "word_count", "paywalled", "source", "fetched_at", "scraper_version", "metadata", "text"]
    with old.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerow(["h1", "renewal", "soft_left", "article", "'=x", "A; B", "2020-01-02", "", "", "", "", "3", "False",
                    "imported", "", "", '{"k": 1}', "'@admin was here"])
        w.writerow(["h2", "renewal", "soft_left", "outlet", "t", "", "", "", "", "", "", "3", "False", "imported",
                    "", "", "{}", "'plain quote stays"])
    store = CorpusStore(tmp_path / "s.db")
    assert import_file(store, old).imported == 2
    by_text = {a.text: a for a in store.articles()}
    admin = by_text["@admin was here"]
    assert (admin.title, admin.label, admin.metadata, admin.authors) == ("=x", "soft_left", {"k": 1}, ("A", "B"))
    assert by_text["'plain quote stays"].label is None  # resolved from the outlet, not the article's own
    store.close()


def test_a_records_own_metadata_object_is_merged_not_nested(store, write_jsonl):
    path = write_jsonl("m.jsonl", [{"text": "Synthetic text one.", "metadata": {"k": 1}, "extra": "e"}])
    import_file(store, path)
    (article,) = store.articles()
    assert article.metadata == {"k": 1, "extra": "e"}


def test_nul_characters_are_a_problem_of_their_record_and_good_records_still_import(store, tmp_path):
    path = tmp_path / "nul.jsonl"
    path.write_text('{"text": "good one"}\n{"text": "bad \\u0000 text"}\n{"text": "good two", "x": "a\\u0000"}\n'
                    '{"text": "good three"}\n', encoding="utf-8")
    report = import_file(store, path)
    assert report.summary() == {"imported": 2, "duplicates": 0, "skipped": 2}
    assert [line for line, _ in report.problems] == [2, 3]
    assert "field 'text': a NUL character" in report.problems[0][1]
    with pytest.raises(ValueError, match="NUL character"):
        store.add(Article(outlet="x", text="direct \x00 write"))
    assert store.count() == 2


def test_a_publication_date_in_the_future_is_a_problem_of_its_record(store, write_jsonl):
    path = write_jsonl("f.jsonl", [{"text": "From the future.", "published": "2999-01-01"},
                                   {"text": "From the past.", "published": "2019-01-01"}])
    report = import_file(store, path)
    assert report.summary() == {"imported": 1, "duplicates": 0, "skipped": 1}
    assert report.problems[0][0] == 1 and "the date 2999-01-01 is in the future" in report.problems[0][1]


def test_tomorrow_is_within_the_margin():
    from datetime import date

    from corpus.dates import future_date_problem

    assert future_date_problem("2025-01-02", today=date(2025, 1, 1)) is None
    assert future_date_problem("2025-01-03T23:00:00+00:00", today=date(2025, 1, 1)) is None
    assert "in the future" in future_date_problem("2025-01-04", today=date(2025, 1, 1))


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_read_into_postgresql_exports_the_same(filled, tmp_path, pg_url, fmt):
    first, second = tmp_path / f"first.{fmt}", tmp_path / f"second.{fmt}"
    export_file(filled, first)
    with CorpusStore(pg_url) as pg:
        assert import_file(pg, first).imported == 5
        assert import_file(pg, first).duplicates == 5
        export_file(pg, second)
    labelled = _articles()[4].id
    rows = {r["id"]: r for r in _read(second, fmt) if r["id"] != labelled}
    assert rows == {r["id"]: r for r in _read(first, fmt) if r["id"] != labelled}
