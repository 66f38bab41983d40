"""`corpus import FILE.warc[.gz]`: WARC files written here with warcio (synthetic pages): HTML responses
only, each parsed as its outlet's page by domain (else generic), the record's URL and date kept."""
from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cli import cli
from corpus import CorpusStore

from .pages import FURNITURE, article_html, paragraphs

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def write_warc(path, records, gzip=True) -> None:
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        for url, kind, status, ctype, body, date in records:
            http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1") if kind == "response" else \
                StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "x")], is_http_request=True)
            record = writer.create_warc_record(url, kind, payload=io.BytesIO(body), http_headers=http,
                                               warc_headers_dict={"WARC-Date": date})
            writer.write_record(record)


def records():
    one = article_html("Buses before roads", "2024-03-01T10:00:00+00:00", "Ann Example", 1, around=FURNITURE)
    two = article_html("Wealth building works", "2024-04-02T09:00:00+01:00", "Raj Example", 2)
    return [
        ("https://labourlist.org/2024/03/buses-before-roads/", "request", "", "", b"", "2024-05-01T10:00:00Z"),
        ("https://labourlist.org/2024/03/buses-before-roads/", "response", "200 OK", "text/html; charset=utf-8",
         one.encode(), "2024-05-01T10:00:01Z"),
        ("https://labourlist.org/wp-content/uploads/chart.png", "response", "200 OK", "image/png", PNG,
         "2024-05-01T10:00:02Z"),
        ("https://www.branchnews.example/2024/04/wealth-building-works/", "response", "200 OK", "text/html",
         two.encode("cp1252"), "2024-05-01T10:00:03Z"),
        ("https://labourlist.org/2024/03/gone/", "response", "404 Not Found", "text/html", b"<html>gone</html>",
         "2024-05-01T10:00:04Z"),
    ]


@pytest.mark.parametrize("name,gzip", [("crawl.warc.gz", True), ("crawl.warc", False)])
def test_a_warc_with_two_articles_and_an_image_imports_the_two(tmp_path, name, gzip):
    warc, db = tmp_path / name, tmp_path / "w.db"
    write_warc(warc, records(), gzip=gzip)
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db), "corpus", "import", str(warc), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {k: doc[k] for k in ("imported", "duplicates", "skipped", "pages")} == \
        {"imported": 2, "duplicates": 0, "skipped": 0, "pages": 2}
    assert doc["outlets"] == {"labourlist": 1, "branchnews.example": 1}
    assert f"Imported 2 articles from {name} (2 HTML pages in 4 responses)" in result.stderr
    with CorpusStore(db) as store:
        got = {a.title: a for a in store.articles()}
    assert set(got) == {"Buses before roads", "Wealth building works"}
    buses, wealth = got["Buses before roads"], got["Wealth building works"]
    assert buses.url == "https://labourlist.org/2024/03/buses-before-roads/" and buses.outlet == "labourlist"
    assert buses.fetched_at == "2024-05-01T10:00:01+00:00" and buses.published == "2024-03-01T10:00:00+00:00"
    assert buses.metadata["warc"]["file"] == name and "Another invented headline" not in buses.text
    assert wealth.url == "https://branchnews.example/2024/04/wealth-building-works/" and paragraphs(2)[0] in wealth.text
    again = runner.invoke(cli, ["--db", str(db), "corpus", "import", str(warc), "--json"], catch_exceptions=False)
    assert json.loads(again.stdout)["imported"] == 0 and json.loads(again.stdout)["duplicates"] == 2


def test_a_file_that_is_not_a_warc_is_one_line_and_leaves_no_corpus(tmp_path):
    fake = tmp_path / "notes.warc"
    fake.write_text("these are not WARC records\n")
    db = tmp_path / "x.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "corpus", "import", str(fake)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {fake} is not a readable WARC file (") and "Traceback" not in result.output
    assert not db.exists()
