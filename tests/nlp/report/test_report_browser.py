"""The report in a real browser: Debian's headless Chromium, driven by Playwright (no browser download).

Skips cleanly where Chromium or Playwright is absent. Screenshots land in the test's tmp folder (and in
$SOFTLEFT_SCREENSHOTS when set, for a person to look at).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from corpus import Article, CorpusStore
from nlp.pipeline import RunConfig, run_analysis

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")]

EVIL_TITLE = "<script>alert(1)</script>"
EVIL_AUTHOR = '<img src=x onerror="alert(2)">'


SECTIONS = ["Now against before: what changed lately", "Findings at a glance", "The corpus at a glance", "The topics",
            "Topic trends over time", "Where each tendency stands", "Can a classifier tell the tendencies apart?",
            "What sets each tendency apart", "Explore every word", "How each faction is talked about", "Method"]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The full analysis of the demo corpus, plus one article whose title and byline are markup."""
    from corpus.demo import fill_demo

    out = tmp_path_factory.mktemp("report")
    with CorpusStore(out / "c.db") as store:
        fill_demo(store)
        store.add(Article(outlet="commonweal", title=EVIL_TITLE, authors=(EVIL_AUTHOR,), published="2026-01-02",
                          text="The soft left argues for devolution, pluralism and a Green New Deal. " * 30))
        return run_analysis(store, out, RunConfig(seed=0, k=6, title="Browser test"))


def open_page(report: Path, width: int, height: int, shot: Path):
    pw = playwright.sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"])
    page = browser.new_page(viewport={"width": width, "height": height})
    messages, requests = [], []
    page.on("console", lambda m: messages.append((m.type, m.text)))
    page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
    page.on("dialog", lambda d: (messages.append(("dialog", d.message)), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("SOFTLEFT_SCREENSHOTS"):
        shutil.copy(shot, Path(os.environ["SOFTLEFT_SCREENSHOTS"]) / shot.name)
    return pw, browser, page, messages, requests


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["laptop", "phone"])
def test_report_renders_without_console_errors(report, tmp_path, width, height):
    shot = tmp_path / f"report-{width}.png"
    pw, browser, page, messages, requests = open_page(report, width, height, shot)
    try:
        assert page.locator("section h2").all_inner_texts() == SECTIONS
        assert page.locator("figure svg").count() >= 6
        for svg in page.locator("figure svg").all()[:3]:
            box = svg.bounding_box()
            natural = svg.evaluate("s => s.viewBox.baseVal.width")
            assert box["width"] >= natural - 1 and box["height"] > 100  # real charts, never drawn below natural size
        assert [m for m in messages if m[0] in ("error", "pageerror", "dialog")] == []
        assert [u for u in requests if not u.startswith("file:")] == []  # self-contained: no external requests
        # Readable at this width: nothing wider than the viewport except inside scrollable tables.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1
        assert shot.stat().st_size > 10_000
        assert page.evaluate("document.querySelector('main section').id") == "now"  # the editor's view leads
        # Chart text is text (no glyph paths), every chart has a tooltip-bearing mark and its CSV one click away.
        assert page.evaluate("document.querySelectorAll('figure svg text').length") > 50
        assert page.evaluate("document.querySelectorAll('figure svg defs path[id*=\"DejaVu\"]').length") == 0
        charts = page.evaluate("""[...document.querySelectorAll('figure')].map(f => ({
            marks: f.querySelectorAll('svg g > title').length,
            csv: [...f.querySelectorAll('a[download]')].filter(a => a.href.startsWith('data:text/csv')).length}))""")
        assert charts and all(c["marks"] > 0 and c["csv"] == 1 for c in charts), charts
        # Legible: body text and chart labels at least 11 px as drawn at this width.
        small = page.evaluate("""(() => {
            const out = [];
            for (const el of document.querySelectorAll('p, li, td, th, figcaption, summary, a')) {
                if (el.offsetParent && parseFloat(getComputedStyle(el).fontSize) < 11) out.push(el.tagName);
            }
            for (const t of document.querySelectorAll('figure svg text')) {
                const svg = t.ownerSVGElement, vb = svg.viewBox.baseVal;
                const scale = svg.getBoundingClientRect().width / vb.width;
                if (parseFloat(getComputedStyle(t).fontSize) * scale < 10.99) out.push('svg:' + t.textContent);
            }
            return out; })()""")
        assert small == [], small[:10]
    finally:
        browser.close()
        pw.stop()


def test_one_colour_per_tendency_in_every_chart(report):
    """The same tendency is drawn in the same colour wherever it appears (the labels file's [tendencies])."""
    import re

    from nlp.report.styles import Styles
    from corpus.demo import demo_labels

    html = report.read_text(encoding="utf-8")
    from corpus.labels import LabelSet

    styles = Styles.from_labels(LabelSet.default().merged(demo_labels()))
    for key in ("soft_left", "hard_left", "soft_right"):
        colour = styles.colour(key).lower()
        charts_with_colour = sum(1 for svg in re.findall(r"<svg .*?</svg>", html, flags=re.S)
                                 if colour in svg.lower())
        assert charts_with_colour >= 3, key


def test_script_in_a_title_shows_as_text_and_runs_nothing(report, tmp_path):
    html = report.read_text()
    assert EVIL_TITLE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    pw, browser, page, messages, _ = open_page(report, 1280, 900, tmp_path / "xss.png")
    try:
        # the only scripts: the explorer's data (JSON, never run) and its own script, allowed by its hash
        scripts = page.evaluate("[...document.querySelectorAll('script')].map(s => [s.type, s.id])")
        assert scripts == [["application/json", "te-data"], ["", ""]]
        csp = page.evaluate("document.querySelector('meta[http-equiv=Content-Security-Policy]').content")
        assert "script-src 'sha256-" in csp and "unsafe-inline' ;" not in csp and "script-src 'unsafe" not in csp
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        assert ("dialog", "1") not in messages and ("dialog", "2") not in messages
    finally:
        browser.close()
        pw.stop()


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["laptop", "phone"])
def test_the_term_explorer_searches_sorts_and_opens_contexts(report, tmp_path, width, height):
    """Every contrast term in a table: look a word up, sort a column, open a word to its sentences; drawn by the
    page's own script under its content-security policy (no console error, no request), at both widths."""
    pw, browser, page, messages, requests = open_page(report, width, height, tmp_path / f"explore-{width}.png")
    try:
        rows = page.locator("#te-rows tr")
        assert page.locator("#term-explorer").is_visible() and rows.count() == 10  # a page of rows
        total = page.evaluate("JSON.parse(document.getElementById('te-data').textContent).contrasts[0].rows.length")
        assert total > 100  # every term, not only the top list
        assert page.locator("#te-contrast option").first.inner_text() == "Soft left against the rest"
        page.fill("#te-search", "devol")
        words = page.locator("#te-rows tr").evaluate_all("rows => rows.map(r => r.dataset.term)")
        assert words and all(any(w.startswith("devol") for w in t.split()) for t in words), words
        page.fill("#te-search", "")
        page.click("th button[data-sort='2']")  # uses by the first side, most first
        uses = page.locator("#te-rows tr td:nth-child(3)").evaluate_all(
            "cells => cells.map(c => Number(c.textContent.replace(/,/g, '')))")
        assert uses == sorted(uses, reverse=True) and uses[0] > uses[-1]
        assert page.locator("#term-explorer th:nth-child(3)").get_attribute("aria-sort") == "descending"
        page.click("th button[data-sort='2']")  # and again: fewest first
        again = page.locator("#te-rows tr td:nth-child(3)").evaluate_all(
            "cells => cells.map(c => Number(c.textContent.replace(/,/g, '')))")
        assert again == sorted(again)
        page.fill("#te-search", "devolution")
        page.locator("#te-rows tr[data-term='devolution'] button.term").click()
        contexts = page.locator("#te-contexts")
        assert contexts.locator("h4").inner_text().startswith("\u201cdevolution\u201d in Soft left writing")
        quotes = contexts.locator("blockquote").all_inner_texts()
        assert quotes and all("devolution" in q.lower() for q in quotes), quotes
        page.select_option("#te-contrast", label="Soft left against Hard left")
        assert page.locator("#te-contexts blockquote").count() == 0 and rows.count() >= 1
        assert [m for m in messages if m[0] in ("error", "pageerror", "dialog")] == []
        assert [u for u in requests if not u.startswith("file:")] == []
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
        page.locator("#explore").screenshot(path=str(tmp_path / f"explorer-{width}.png"))
    finally:
        browser.close()
        pw.stop()
