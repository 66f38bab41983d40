"""`update`: new articles are placed in the existing topic model (no refit, same run) and listed in the
report's "since the last report"; a report narrowed by outlet and date narrows every section."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from markupsafe import escape

from cli import cli
from corpus import Article, CorpusStore
from corpus.analyses import document_topics, get_state, list_topic_runs

pytestmark = pytest.mark.slow  # a whole pipeline or real texts


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The demo corpus with a fitted topic model."""
    from corpus.demo import fill_demo

    tmp = tmp_path_factory.mktemp("update")
    db = tmp / "c.db"
    with CorpusStore(db) as store:
        fill_demo(store)
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db), "-q", "nlp", "preprocess"]).exit_code == 0
    result = runner.invoke(cli, ["--db", str(db), "-q", "topics", "fit", "--k", "4", "--passes", "2",
                                 "--name", "weekly"])
    assert result.exit_code == 0, result.output
    return tmp, db


def _sections(html: str) -> list[str]:
    return re.findall(r'<section id="([a-z_]+)"', html)


def test_update_lists_new_articles_and_keeps_the_model(corpus):
    tmp, db = corpus
    runner = CliRunner()
    first = runner.invoke(cli, ["--db", str(db), "-q", "update", "-o", str(tmp / "r1.html"), "--bootstrap", "20"])
    assert first.exit_code == 0, first.output
    html = (tmp / "r1.html").read_text(encoding="utf-8")
    assert _sections(html)[:3] == ["now", "since", "findings"]
    assert "first report of the routine" in html
    from corpus.demo import iter_demo_articles

    known_text = " ".join(a.text for a in list(iter_demo_articles())[:2])  # words the model knows: no drift
    with CorpusStore(db) as store:
        runs_before = [(r["name"], r["created_at"]) for r in list_topic_runs(store)]
        store.add_many([
            Article(outlet="tribune", title="Councils take the buses back", url="https://example.org/buses",
                    published="2025-12-20", authors=("A New Writer",),
                    text=known_text),
            Article(outlet="tribune", title=None, url="javascript:alert(1)", published="2025-12-21",
                    authors=("A New Writer",),
                    text="Devolution to the regions and a green new deal were argued. " + known_text),
        ])
    second = runner.invoke(cli, ["--db", str(db), "-q", "update", "-o", str(tmp / "r2.html"), "--bootstrap", "20",
                                 "--json"])
    assert second.exit_code == 0, second.output
    html = (tmp / "r2.html").read_text(encoding="utf-8")
    since = html[html.index('<section id="since"'):html.index('<section id="findings"')]
    assert "2 articles added since the last report" in since
    assert '<a href="https://example.org/buses" rel="noopener noreferrer">Councils take the buses back</a>' in since
    assert "Devolution to the regions and a green new…" in since  # untitled: its first words
    assert "javascript:" not in html
    with CorpusStore(db) as store:
        assert [(r["name"], r["created_at"]) for r in list_topic_runs(store)] == runs_before, second.output  # no refit
        ids = [a.id for a in store.articles(outlet="tribune", since="2025-12-20")]
        shares = document_topics(store, "weekly", ids)
        assert set(shares) == set(ids) and all(abs(sum(s.values()) - 1) < 1e-3 for s in shares.values())
        assert set(ids) <= set(get_state(store, "last_report")["ids"])
    third = runner.invoke(cli, ["--db", str(db), "-q", "update", "-o", str(tmp / "r3.html"), "--bootstrap", "20"])
    assert third.exit_code == 0, third.output
    assert "No new article since the last report" in (tmp / "r3.html").read_text(encoding="utf-8")


def test_new_vocabulary_refits_under_the_same_name_only_on_enough_new_articles(corpus):
    """Articles in words the model has never seen drift it; two short ones are not enough to judge (no refit, and
    every section stays); ten are: the model is refitted, its name kept."""
    import json

    from nlp.update import MIN_DRIFT_ARTICLES

    tmp, db = corpus
    off_topic = "Quokka marmalade zeppelin harpsichord volcano {i} lighthouse. "
    with CorpusStore(db) as store:
        before = [(r["name"], r["created_at"]) for r in list_topic_runs(store)]
        store.add_many([Article(outlet="tribune", title=f"Short note {i}", published=f"2026-01-0{i + 1}",
                                text=off_topic.format(i=i) * 3) for i in range(2)])
    few = CliRunner().invoke(cli, ["--db", str(db), "-q", "update", "-o", str(tmp / "r4.html"), "--bootstrap", "10",
                                   "--json"])
    assert few.exit_code == 0, few.output
    done = json.loads(few.stdout)
    assert done["drift"] > 0.15 and not done["drift_measured"] and not done["refitted"]
    assert f"at least {MIN_DRIFT_ARTICLES} articles" in done["drift_note"]
    with CorpusStore(db) as store:
        assert [(r["name"], r["created_at"]) for r in list_topic_runs(store)] == before
    with CorpusStore(db) as store:
        store.add_many([Article(outlet="tribune", title=f"Off topic {i}", published=f"2026-01-{i + 10}",
                                text=off_topic.format(i=i) * 80) for i in range(MIN_DRIFT_ARTICLES)])
    result = CliRunner().invoke(cli, ["--db", str(db), "-q", "update", "-o", str(tmp / "r5.html"), "--bootstrap",
                                      "10", "--json"])
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)  # stdout is the JSON alone
    assert done["refitted"] and done["run"] == "weekly" and done["drift"] > 0.15 and done["drift_measured"], done
    assert "unknown to the model" in done["refit_reason"]
    with CorpusStore(db) as store:
        assert [r["name"] for r in list_topic_runs(store)] == ["weekly"]
    # no section is lost to the update: the report after the refit has every section the first one had
    first, last = ((tmp / name).read_text(encoding="utf-8") for name in ("r4.html", "r5.html"))
    assert set(_sections(first)) <= set(_sections(last)), (_sections(first), _sections(last))


def test_report_narrowed_by_outlet_and_date(corpus):
    tmp, db = corpus
    with CorpusStore(db) as store:
        outlet = max(store.outlet_counts().items(), key=lambda kv: kv[1])[0]
        others = [o for o in store.outlet_counts() if o != outlet]
        n = store.count(outlet=[outlet], since="2020-01-01")
    result = CliRunner().invoke(cli, ["--db", str(db), "-q", "report", "-o", str(tmp / "narrow.html"), "--outlet",
                                      outlet, "--since", "2020-01-01", "--bootstrap", "10", "--title", "Narrow <b>"])
    assert result.exit_code == 0, result.output
    html = (tmp / "narrow.html").read_text(encoding="utf-8")
    assert "<title>Narrow &lt;b&gt;</title>" in html
    assert f"{n:,} articles (outlet {outlet}; 2020-01-01 to …)" in html
    corpus_part = html[html.index('<section id="corpus"'):html.index('<section id="topics"')]
    assert f"<b>{n:,}</b><span>articles</span>" in corpus_part
    for other in others:  # no other outlet in the overview's tables
        assert f">{other}<" not in corpus_part
    assert not re.search(r">(201\d)-\d\d-\d\d<", corpus_part)  # nothing before 2020 in the latest articles


def test_untitled_and_year_only_display():
    from nlp.report.render import Link, display_date, display_title

    assert display_title(None, "one two three four", "x", words=2) == "one two…"
    assert display_title("", "", "abc") == "(untitled abc)"
    assert display_date("2019-01-01", "year") == "2019" and display_date("2019-03-04T10:00:00") == "2019-03-04"
    assert Link("x", "javascript:alert(1)").href == "" and Link("x", "http://a.org/").href == "http://a.org/"


def test_update_scrapes_a_fixture_site_and_lists_what_is_new(tmp_path):
    """End to end against the tribune fixture site on 127.0.0.1: the first update collects part of the site,
    the second the rest, which its report lists; the topic model keeps its name and is not refitted."""
    import json

    from corpus.demo import fill_demo
    from tests.scrapers.siteserver import SiteServer

    db = tmp_path / "c.db"
    with CorpusStore(db) as store:
        fill_demo(store)
    runner = CliRunner()
    with SiteServer("tribune") as server:
        fast = ["--base-url", server.url, "--delay", "0"]
        first = runner.invoke(cli, ["--db", str(db), "-q", "scrape", "tribune", *fast, "--max-articles", "1"])
        assert first.exit_code == 0, first.output
        assert runner.invoke(cli, ["--db", str(db), "-q", "nlp", "preprocess"]).exit_code == 0
        fit = runner.invoke(cli, ["--db", str(db), "-q", "topics", "fit", "--k", "4", "--passes", "2", "--name", "weekly"])
        assert fit.exit_code == 0, fit.output
        base = runner.invoke(cli, ["--db", str(db), "-q", "update", "-o", str(tmp_path / "r1.html"), "--bootstrap", "10"])
        assert base.exit_code == 0, base.output
        with CorpusStore(db) as store:
            before = {a.id for a in store.articles(outlet="tribune")}
            created = [r["created_at"] for r in list_topic_runs(store)]
        result = runner.invoke(cli, ["--db", str(db), "-q", "update", "--outlet", "tribune", *fast, "-o", str(tmp_path / "r2.html"),
                                     "--bootstrap", "10", "--json"])
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    with CorpusStore(db) as store:
        new = [a for a in store.articles(outlet="tribune") if a.id not in before]
        assert [r["created_at"] for r in list_topic_runs(store)] == created and done["run"] == "weekly"
    assert new and done["new_articles"] == len(new) and not done["refitted"]
    html = (tmp_path / "r2.html").read_text(encoding="utf-8")
    since = html[html.index('<section id="since"'):html.index('<section id="findings"')]
    for article in new:
        assert str(escape(article.title)) in since


def test_update_with_no_outlet_reached_exits_1_and_writes_no_report(tmp_path):
    """A weekly cron job must see the failure: before, `update tribune` with no network exited 0."""
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "c.db"), "update", "tribune", "--base-url",
                                      "http://127.0.0.1:9", "--delay", "0", "--retries", "0", "-o", str(out)])
    assert result.exit_code == 1
    assert "tribune: 0 new (cannot reach 127.0.0.1:9" in result.stderr and "0 of 1 outlet reached" in result.stderr
    assert result.stderr.rstrip().endswith("no report was written") and "Traceback" not in result.output
    assert not out.exists()
