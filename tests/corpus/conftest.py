"""The corpus tests run against both stores: every test taking ``store`` runs on SQLite and on PostgreSQL
(skipped where no PostgreSQL server is at hand); ``sqlite_store`` is for what only SQLite has."""
from __future__ import annotations

import pytest

from corpus import CorpusStore


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    target = tmp_path / "test.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    s = CorpusStore(target)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path):
    s = CorpusStore(tmp_path / "test.db")
    yield s
    s.close()
