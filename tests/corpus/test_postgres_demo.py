"""The demo corpus on PostgreSQL gives what it gives on SQLite: the same articles and labels, overlapping search
hits, and (same seed) the same topics and classifier scores from a whole `run` (skipped without PostgreSQL)."""
import csv
import subprocess
import sys

import pytest

from corpus import CorpusStore
from corpus.demo import fill_demo
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # a whole pipeline or real texts

QUERIES = ("devolution", "pluralism", "ownership", "strike", "green new deal")
RUN = ["run", "--k", "6", "--passes", "5", "--stability-seeds", "1", "--bootstrap", "0", "--jobs", "1"]


def _load_demo(target) -> None:
    with CorpusStore(target) as store:
        fill_demo(store)


def _csv(path):
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_demo_on_postgresql_matches_sqlite(tmp_path, pg_url):
    lite = tmp_path / "demo.db"
    _load_demo(lite)
    _load_demo(pg_url)
    # The whole pipeline, on both stores at once (two processes).
    runs = {name: subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "-q", "--db", db, *RUN, "-o",
                                    str(tmp_path / name)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
            for name, db in (("sqlite", str(lite)), ("postgresql", pg_url))}
    with CorpusStore(lite) as sq, CorpusStore(pg_url) as pg:
        assert list(pg.articles()) == list(sq.articles()) and pg.count() >= 100
        assert pg.stored_labels() == sq.stored_labels()
        assert [pg.resolve(a) for a in pg.articles()] == [sq.resolve(a) for a in sq.articles()]
        assert pg.stats() == sq.stats()
        for query in QUERIES:
            sq_hits = [h["id"] for h in sq.search(query, limit=10)]
            pg_hits = pg.search(query, limit=10)
            assert len(pg_hits) == len(sq_hits) > 0, query
            overlap = len({h["id"] for h in pg_hits} & set(sq_hits)) / len(sq_hits)
            assert overlap >= 0.6, (query, overlap)
            stem = query.split()[-1][:5]
            for hit in pg_hits:
                article = pg.get(hit["id"])
                assert stem in f"{article.title} {article.text}".lower(), (query, hit["id"])
                assert "«" in hit["snippet"] or stem not in article.text.lower()
    for name, proc in runs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, (name, err[-2000:])
    sq_dir, pg_dir = tmp_path / "sqlite" / "data", tmp_path / "postgresql" / "data"
    topics = {name: [(r["topic"], r["terms"]) for r in _csv(d / "topics.csv")]
              for name, d in (("sqlite", sq_dir), ("postgresql", pg_dir))}
    assert topics["postgresql"] == topics["sqlite"] and len(topics["sqlite"]) == 6
    assert _csv(pg_dir / "classifier_evaluation.csv") == _csv(sq_dir / "classifier_evaluation.csv")
    assert _csv(pg_dir / "classifier_predictions_by_author.csv") == \
        _csv(sq_dir / "classifier_predictions_by_author.csv")
    with CorpusStore(pg_url) as pg:
        assert pg.conn.execute("SELECT COUNT(*) FROM predictions").fetchone()[0] > 0
        assert pg.conn.execute("SELECT COUNT(*) FROM topic_run_topics").fetchone()[0] == 6
