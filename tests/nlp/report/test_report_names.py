"""Topic names editors can read: words instead of terms, and names an editor sets that survive a refit."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli import cli
from corpus import CorpusStore
from nlp.topics.names import topic_name


def test_topic_names_are_words():
    assert topic_name({"id": 2, "label": "national_executive_committee · jewish · antisemitism · nec"}) == \
        "national executive committee, jewish, antisemitism"
    assert topic_name({"id": 2, "label": "", "terms": ["green_new_deal", "rail"]}) == "green new deal, rail"
    assert topic_name({"id": 2, "label": "a · b"}, {2: "Rail and energy ownership"}) == "Rail and energy ownership"


@pytest.fixture(scope="module")
def db(demo_run, tmp_path_factory):
    """A copy of the shared demo run's corpus: preprocessed, with the run's stored results, so a report here
    computes only what depends on the topic model refitted below."""
    return demo_run.copy(tmp_path_factory.mktemp("names") / "demo")


def _fit(db) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db), "-q", "topics", "fit", "--k", "3", "--passes", "1",
                                      "--name", "weekly"])
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_names_set_by_the_editor_survive_a_refit(db, tmp_path):
    runner = CliRunner()
    _fit(db)
    named = runner.invoke(cli, ["--db", str(db), "-q", "topics", "name", "weekly", "--set", '1="Rail & <ownership>"'])
    assert named.exit_code == 0, named.output
    assert " 1  Rail & <ownership>" in named.stdout
    assert (db.parent / "softleft.db.runs" / "topic_names" / "weekly.toml").is_file()
    _fit(db)  # the same model refitted: the names stay
    report = runner.invoke(cli, ["--db", str(db), "-q", "report", "-o", str(tmp_path / "r.html")])
    assert report.exit_code == 0, report.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<b>Rail &amp; &lt;ownership&gt;</b>" in html
    # a names file given to the report wins
    (tmp_path / "names.toml").write_text('1 = "Buses and trains"\n', encoding="utf-8")
    report = runner.invoke(cli, ["--db", str(db), "-q", "report", "-o", str(tmp_path / "r2.html"),
                                 "--topic-names", str(tmp_path / "names.toml")])
    assert report.exit_code == 0, report.output
    assert "<b>Buses and trains</b>" in (tmp_path / "r2.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("value,message", [
    ("9=Too far", "topic 9 does not exist: this model has topics 0 to 2"),
    ("rail", "'rail' is not TOPIC=NAME"),
])
def test_bad_names_are_usage_errors(db, value, message):
    _fit(db)
    result = CliRunner().invoke(cli, ["--db", str(db), "-q", "topics", "name", "weekly", "--set", value])
    assert result.exit_code == 2 and message in result.stderr
