"""Import the HTML pages of a WARC file (Webrecorder, Archive-It, Browsertrix, ``wget --warc-file``).

Only ``response`` records of HTML answered with 200 are read (requests, metadata, images, scripts and
redirects are passed over); each is parsed like a scraped page, by the scraper of the outlet whose domain
the record's URL is on, else by the generic path (:func:`scrapers.page.scraper_for_url`), with the
record's URL as the article's URL and its ``WARC-Date`` as when it was fetched. An article already in the
corpus (collected live, from an archive, or by an earlier import) is counted as a duplicate and left as
stored, so importing a file twice adds nothing.

This lives in ``scrapers/`` because it parses pages; ``corpus import FILE.warc[.gz]`` dispatches here.
"""
from __future__ import annotations

import gzip
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from corpus.store import CorpusStore

from .errors import ScraperError
from .http import decode_html
from .page import scraper_for_url

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Largest record body read (after decompression); bigger ones are skipped, as a crawl would.
MAX_RECORD_BYTES = 8_000_000


def is_warc(path: str | Path) -> bool:
    """Whether a file name says WARC (``.warc`` or ``.warc.gz``)."""
    name = str(path).lower()
    return name.endswith((".warc", ".warc.gz"))


@dataclass
class WarcReport:
    """What an import did; ``summary()`` is the ``corpus import --json`` document."""

    records: int = 0  # response records seen
    pages: int = 0  # HTML pages answered with 200
    imported: int = 0
    duplicates: int = 0
    skipped: int = 0  # HTML pages that are not articles (too short, a tag page) or could not be parsed
    outlets: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (URL, why skipped)

    def summary(self) -> dict[str, Any]:
        return {"imported": self.imported, "duplicates": self.duplicates, "skipped": self.skipped,
                "records": self.records, "pages": self.pages, "outlets": dict(self.outlets)}


def _iso(warc_date: str | None) -> str | None:
    if not warc_date:
        return None
    return warc_date.replace("Z", "+00:00")


def import_warc(store: CorpusStore, path: str | Path, config: str | Path | None = None,
                progress: Callable[[int], None] | None = None) -> WarcReport:
    """Import every HTML article page of a WARC file into ``store``.

    Parameters
    ----------
    store : CorpusStore
    path : path
        A ``.warc`` or ``.warc.gz`` file.
    config : path, optional
        An outlets TOML file (else ``$SOFTLEFT_OUTLETS``): more domains to recognise.
    progress : callable, optional
        Called with the number of bytes of the file read so far.

    Returns
    -------
    WarcReport

    Raises
    ------
    ScraperError
        The file is not a WARC file (one line naming it).
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    path = Path(path)
    report = WarcReport()
    if _head(path) != b"WARC/":
        raise ScraperError(f"{path} is not a readable WARC file (it does not start with a WARC record); pass a "
                           ".warc or .warc.gz file written by a web archiving tool")
    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if progress:
                    progress(stream.tell())
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                report.records += 1
                _import_record(store, record, path.name, config, report)
    except ArchiveLoadFailed as exc:
        raise ScraperError(f"{path} is not a readable WARC file ({exc}); pass a .warc or .warc.gz file "
                           "written by a web archiving tool") from None
    return report


def _head(path: Path) -> bytes:
    """The first five bytes of the (possibly gzipped) file: ``WARC/`` for a WARC file."""
    with path.open("rb") as fh:
        magic = fh.read(2)
    try:
        opener = gzip.open if magic == b"\x1f\x8b" else open
        with opener(path, "rb") as fh:
            return fh.read(5)
    except (OSError, EOFError):
        return b""


def _import_record(store: CorpusStore, record: Any, file_name: str, config: str | Path | None,
                   report: WarcReport) -> None:
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    ctype = record.http_headers.get_header("Content-Type") or ""
    status = record.http_headers.get_statuscode()
    if status != "200" or not ctype.split(";", 1)[0].strip().lower().startswith(HTML_TYPES):
        return
    if not url.startswith(("http://", "https://")):
        return
    report.pages += 1
    body = record.content_stream().read(MAX_RECORD_BYTES + 1)
    if len(body) > MAX_RECORD_BYTES:
        report.skipped += 1
        report.problems.append((url, f"larger than {MAX_RECORD_BYTES} bytes"))
        return
    scraper = scraper_for_url(url, config=config)
    if not scraper.is_article_url(url):
        report.skipped += 1
        report.problems.append((url, "not an article page (a listing, tag or home page)"))
        return
    fetched_at = _iso(record.rec_headers.get_header("WARC-Date"))
    try:
        html, _ = decode_html(body, ctype)
        article = scraper.parse(html, url)
    except Exception as exc:  # one bad record is reported and skipped
        log.warning("cannot parse %s from %s: %s", url, file_name, exc)
        report.skipped += 1
        report.problems.append((url, f"parse error: {exc}"))
        return
    if article.word_count < scraper.spec.min_words and not article.paywalled:
        report.skipped += 1
        report.problems.append((url, f"{article.word_count} words: not an article"))
        return
    article = article.replace(url=scraper.canonical(url), fetched_at=fetched_at, metadata={
        **article.metadata, "warc": {"file": file_name, "record_date": fetched_at,
                                     "record_id": record.rec_headers.get_header("WARC-Record-ID")}})
    with store.transaction():
        if store.get(article.id) is not None:
            report.duplicates += 1
            return
        store.upsert(article)
    report.imported += 1
    report.outlets[article.outlet] = report.outlets.get(article.outlet, 0) + 1
