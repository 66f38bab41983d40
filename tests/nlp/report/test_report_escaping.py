"""The report escapes every name from the corpus by construction, and shows each tendency with the display
name and colour of the labels file in every chart."""
from __future__ import annotations

import random
import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from corpus import Article, CorpusStore
from corpus.labels import LabelSet
from nlp.pipeline import RunConfig, run_analysis
from tests.nlp.tendencies.corpus_fixture import article_text

HOSTILE = ["<script>alert(1)</script>", "</style><b>x</b>", "<svg onload=alert(1)>",
           '"><img src=x onerror=alert(1)>']
OUTLETS = {"soft_left": ("sl_one", "sl_two"), "hard_left": ("hl_one", "hl_two"),
           "soft_right": ("sr_one", "sr_two")}
SOFT_LEFT_COLOUR = "#0a7e3c"  # not a palette colour: where it shows, it came from the labels file
LABELS_FILE = f"""
[tendencies.soft_left]
name = "Soft {HOSTILE[0]} left"
colour = "{SOFT_LEFT_COLOUR}"
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> str:
    """A small analysed corpus whose outlets, titles and authors are markup."""
    tmp = tmp_path_factory.mktemp("hostile")
    (tmp / "labels.toml").write_text(LABELS_FILE, encoding="utf-8")
    rng = random.Random(0)
    outlets, articles = {}, []
    for tendency, keys in OUTLETS.items():
        for key in keys:
            outlet = key + HOSTILE[len(outlets) % len(HOSTILE)]  # outlet ids are free text too
            outlets[outlet] = {"tendency": tendency, "name": f"The {HOSTILE[len(outlets) % len(HOSTILE)]} Review"}
            for i in range(6):
                articles.append(Article(
                    outlet=outlet, text=article_text(rng, tendency) + f" Piece {key} {i}.",
                    title=f"{HOSTILE[i % len(HOSTILE)]} {key} {i}", authors=(f"{HOSTILE[i % 2 + 2]} {key} {i % 2}",),
                    published=f"{2016 + i}-03-1{i}"))
    for i, hostile in enumerate(HOSTILE):  # the latest pieces, by unlabelled writers: to be predicted
        articles.append(Article(outlet="blog", text=article_text(rng, "soft_left") + f" Blog {i}.",
                                title=f"Latest {hostile}", authors=(f"Blogger {hostile}",), published=f"2024-0{i + 1}-01"))
    with CorpusStore(tmp / "c.db", labels_file=tmp / "labels.toml") as store:
        store.load_labels(LabelSet.from_mapping({"outlets": outlets}))
        store.add_many(articles)
        path = run_analysis(store, tmp / "run", RunConfig(seed=0, k=2, passes=2, title=f"Report {HOSTILE[1]}",
                                                          notice=HOSTILE[3]))
    return path.read_text(encoding="utf-8")


class _Tags(HTMLParser):
    """Every start tag and attribute name in a document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.update(name for name, _ in attrs)


def test_hostile_names_are_escaped_everywhere(report):
    from nlp.report.render import TEMPLATES

    # the only scripts are ours: the term explorer's data (JSON, never run) and its script, exactly as shipped
    ours = re.findall(r"<script[^>]*>.*?</script>", report, flags=re.S)
    assert len(ours) == 2 and ours[0].startswith('<script type="application/json" id="te-data">')
    assert ours[1] == "<script>" + (TEMPLATES / "explorer.js").read_text(encoding="utf-8") + "</script>"
    assert "\\u003cscript\\u003ealert(1)" in ours[0]  # a hostile title in the data is a JSON escape, never markup
    report = report.replace(ours[0], "").replace(ours[1], "")
    for raw in ("<script", "<svg onload", "</style><b>", "<b>x</b>", "<img", "onerror=alert(1)>"):
        assert raw not in report, raw
    outside_charts = re.sub(r"<svg .*?</svg>", "", report, flags=re.S)
    assert outside_charts.count("</style>") == 1  # the page's own stylesheet; charts carry theirs
    for hostile in HOSTILE:
        assert str(escape(hostile)) in report, hostile
    tags = _Tags()
    tags.feed(report)
    assert "script" not in tags.tags and "img" not in tags.tags
    assert not {a for a in tags.attributes if a.startswith("on")}
    assert tags.tags.count("svg") == report.count('class="chart"')  # every <svg> is a chart
    for section in ("findings", "corpus", "topics", "trends", "classifier", "contrasts", "mentions", "method"):
        assert f'<section id="{section}">' in report
    # The hostile names reached the tables: outlet names, titles and authors of the latest articles.
    assert f"The {escape(HOSTILE[2])} Review" in report
    assert f"Latest {escape(HOSTILE[0])}" in report and f"Blogger {escape(HOSTILE[3])}" in report


def test_a_tendency_has_the_labels_files_name_and_colour_in_every_chart(report):
    figures = re.findall(r"<figure>.*?</figure>", report, flags=re.S)
    assert len(figures) >= 3
    with_colour = [f for f in figures if SOFT_LEFT_COLOUR in f]
    # Articles per year, per outlet, and the trend lines by tendency at least: one colour in each.
    assert len(with_colour) >= 3
    assert "#d35400" not in report  # the shipped soft-left colour is overridden, not hard-coded anywhere
    assert f"Soft {escape(HOSTILE[0])} left" in report  # its display name, in the tables
    assert "#a50026" in with_colour[0] and "#a50026" in with_colour[1]  # hard left keeps its shipped colour
