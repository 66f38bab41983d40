"""`parse_page` and `scrape parse`: the outlet by domain, the generic path, and the body chosen by evidence
(scrapers/body.py) rather than by a word-count threshold. Synthetic pages only."""
from __future__ import annotations

import json

from click.testing import CliRunner

from cli import cli
from scrapers import parse_page
from scrapers.body import Block, agreement, choose_body

from .pages import article_html, paragraphs, redesigned_html

#: Furniture whose class names no boilerplate rule knows: only evidence can tell it from the article.
MORE_STORIES = ("<div class='more-stories'>" + "".join(
    f"<p><a href='/2020/01/story-{i}/'>More invented stories number {i}: the party, its rules, its ballots and "
    f"the many motions on its conference floor</a></p>" for i in range(8)) + "</div>")


def test_a_long_container_full_of_furniture_no_longer_wins():
    """The issue's case: the default selectors match a container holding the article and more text of
    furniture. The old rule (trafilatura only under 40 selector words) kept it all."""
    html = article_html("Buses before roads", "2024-03-01T10:00:00+00:00", "Ann Example", 3, extra_body=MORE_STORIES)
    a = parse_page(html, "https://branchnews.example/2024/03/buses-before-roads/")
    assert a.outlet == "branchnews.example" and a.title == "Buses before roads" and a.authors == ("Ann Example",)
    assert a.published == "2024-03-01T10:00:00+00:00"
    assert "More invented stories" not in a.text
    for p in paragraphs(3):
        assert p in a.text
    assert a.metadata["extracted_by"]["text"] == "consensus" and a.metadata["body"]["words"]["selectors"] > a.word_count


def test_a_redesigned_page_of_an_unknown_site_reads_the_article_not_the_teasers():
    html = redesigned_html("Devolution with revenue", "2024-04-01T09:00:00+01:00", "Raj Example", 5)
    a = parse_page(html, "https://branchnews.example/2024/04/devolution/")
    assert a.title == "Devolution with revenue"
    assert "Teaser" not in a.text and paragraphs(5)[0] in a.text and paragraphs(5)[-1] in a.text


def test_the_url_names_the_outlet_and_outlet_overrides_it():
    html = article_html("Selections settled early", "2024-05-02T08:00:00+01:00", "Ann Example", 7)
    a = parse_page(html, "https://www.labourlist.org/2024/05/selections-settled-early/?utm_source=x")
    assert a.outlet == "labourlist" and a.url == "https://labourlist.org/2024/05/selections-settled-early/"
    assert a.metadata["extracted_by"]["text"] == "selectors" and a.metadata["drift"] == []
    b = parse_page(html, "http://127.0.0.1:1/mirror/2024/05/x/", outlet="chartist")
    assert b.outlet == "chartist"


def test_choose_body_keeps_a_paragraph_only_the_selectors_found_between_two_agreed_ones():
    paras = paragraphs(11, 6)
    blocks = [Block(p) for p in paras]
    generic = "\n".join(paras[:2] + paras[3:])  # the generic extractor dropped the third paragraph
    choice = choose_body(blocks, generic, generic)
    assert choice.text.split("\n\n") == paras
    furniture = [Block("Read the invented story about the party and all its many rules and motions", 1.0)]
    assert "invented story" not in choose_body(blocks + furniture, generic, generic).text


def test_own_selectors_win_while_they_agree_and_drift_when_they_do_not():
    paras = paragraphs(12, 5)
    generic = "\n".join(paras)
    agree = choose_body([Block(p) for p in paras], generic, generic, own_selectors=True)
    assert agree.layer == "selectors" and not agree.drift and agree.agreement == 1.0
    teasers = [Block(p) for p in paragraphs(40, 5)]
    drift = choose_body(teasers, generic, generic, own_selectors=True)
    assert drift.layer == "generic" and drift.drift and drift.text == "\n\n".join(paras)
    assert drift.agreement == agreement("\n\n".join(b.text for b in teasers), generic) < 0.6
    assert choose_body([], generic, generic, own_selectors=True).drift


def test_scrape_parse_prints_fields_and_json(tmp_path):
    page = tmp_path / "saved.html"
    page.write_text(article_html("Buses before roads", "2024-03-01T10:00:00+00:00", "Ann Example", 3,
                                 extra_body=MORE_STORIES), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["scrape", "parse", str(page), "--url", "https://branchnews.example/2024/03/b/"])
    assert result.exit_code == 0, result.output
    assert "title:      Buses before roads  [metadata]" in result.stdout and paragraphs(3)[0] in result.stdout
    as_json = runner.invoke(cli, ["scrape", "parse", str(page), "--url", "https://labourlist.org/2024/03/b/", "--json"])
    doc = json.loads(as_json.stdout)
    assert doc["outlet"] == "labourlist" and doc["title"] == "Buses before roads" and doc["metadata"]["body"]["layer"]


def test_scrape_parse_errors(tmp_path):
    runner = CliRunner()
    page = tmp_path / "p.html"
    page.write_text("<html></html>")
    bad_url = runner.invoke(cli, ["scrape", "parse", str(page), "--url", "labourlist.org/x"])
    assert bad_url.exit_code == 2 and "Invalid value for --url: must start with http:// or https://" in bad_url.output
    missing = runner.invoke(cli, ["scrape", "parse", str(tmp_path / "none.html"), "--url", "https://a.example/x"])
    assert missing.exit_code == 1 and f"Error: {tmp_path / 'none.html'} does not exist or is not a file" in missing.output
    unknown = runner.invoke(cli, ["scrape", "parse", str(page), "--url", "https://a.example/x", "--outlet", "sun"])
    assert unknown.exit_code == 2 and "Unknown outlet 'sun'" in unknown.output
