"""Ordered, named schema migrations.

Each migration runs once, in a transaction, and is recorded in ``schema_migrations``; running
:func:`apply_migrations` again is a no-op. Append new migrations at the end with a new name; never edit
one that has shipped.

A PostgreSQL corpus runs the same migrations, under the same names: the DDL is written in SQLite's
spelling and :func:`postgres_ddl` maps its few types (``INTEGER PRIMARY KEY`` to an identity column,
``REAL`` to ``DOUBLE PRECISION``, ``BLOB`` to ``BYTEA``, ``TEXT`` to text in byte order); a migration that cannot be mapped (the full-text
index) has its own PostgreSQL text in :data:`POSTGRES_VARIANTS`.
"""
from __future__ import annotations

import re
import sqlite3
from typing import Any

from .backend import POSTGRESQL, begin_write, dialect, tables
from .dates import now_utc

MIGRATIONS: list[tuple[str, str]] = [
    ("0001_articles", """
        CREATE TABLE articles (
            pk INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            outlet TEXT NOT NULL,
            url TEXT,
            canonical_url TEXT,
            title TEXT,
            authors TEXT NOT NULL DEFAULT '[]',
            published TEXT,
            year INTEGER,
            section TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            text TEXT NOT NULL,
            word_count INTEGER NOT NULL DEFAULT 0,
            paywalled INTEGER NOT NULL DEFAULT 0,
            label TEXT,
            source TEXT NOT NULL CHECK (source IN ('scraped', 'imported', 'demo')),
            fetched_at TEXT,
            content_hash TEXT NOT NULL,
            scraper_version TEXT,
            metadata TEXT NOT NULL DEFAULT '{}',
            added_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX idx_articles_canonical_url ON articles(canonical_url)
            WHERE canonical_url IS NOT NULL;
        CREATE UNIQUE INDEX idx_articles_text_hash ON articles(content_hash)
            WHERE source != 'scraped';
        CREATE INDEX idx_articles_outlet ON articles(outlet);
        CREATE INDEX idx_articles_published ON articles(published);
    """),
    # The layout sqlite-utils writes and Datasette detects: an external-content FTS5 table named
    # <table>_fts with content=[<table>], kept in sync by <table>_ai/_ad/_au triggers.
    ("0002_articles_fts", """
        CREATE VIRTUAL TABLE [articles_fts] USING FTS5 (
            [title], [authors], [text],
            content=[articles], content_rowid=[pk],
            tokenize='porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER [articles_ai] AFTER INSERT ON [articles] BEGIN
            INSERT INTO [articles_fts] (rowid, [title], [authors], [text])
            VALUES (new.pk, new.title, new.authors, new.text);
        END;
        CREATE TRIGGER [articles_ad] AFTER DELETE ON [articles] BEGIN
            INSERT INTO [articles_fts] ([articles_fts], rowid, [title], [authors], [text])
            VALUES ('delete', old.pk, old.title, old.authors, old.text);
        END;
        CREATE TRIGGER [articles_au] AFTER UPDATE ON [articles] BEGIN
            INSERT INTO [articles_fts] ([articles_fts], rowid, [title], [authors], [text])
            VALUES ('delete', old.pk, old.title, old.authors, old.text);
            INSERT INTO [articles_fts] (rowid, [title], [authors], [text])
            VALUES (new.pk, new.title, new.authors, new.text);
        END;
    """),
    ("0003_labels", """
        CREATE TABLE labels (
            kind TEXT NOT NULL CHECK (kind IN ('outlet', 'author', 'article')),
            key TEXT NOT NULL,
            tendency TEXT NOT NULL,
            contested INTEGER NOT NULL DEFAULT 0,
            note TEXT,
            name TEXT,
            PRIMARY KEY (kind, key)
        );
    """),
    # Crawl state for resumable scraping: one row per URL seen, and the raw page (zlib) of each fetch
    # so pages can be re-parsed without fetching again.
    ("0004_crawl_state", """
        CREATE TABLE crawl_urls (
            url TEXT PRIMARY KEY,
            outlet TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            http_status INTEGER,
            last_error TEXT,
            lastmod TEXT,
            discovered_at TEXT NOT NULL,
            fetched_at TEXT,
            article_id TEXT
        );
        CREATE INDEX idx_crawl_urls_outlet_status ON crawl_urls(outlet, status);
        CREATE TABLE raw_pages (
            url TEXT PRIMARY KEY,
            outlet TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            http_status INTEGER,
            content_type TEXT,
            encoding TEXT,
            html_zlib BLOB NOT NULL
        );
        CREATE TABLE crawl_runs (
            id INTEGER PRIMARY KEY,
            outlet TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            summary TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE http_cache (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            checked_at TEXT NOT NULL
        );
    """),
    # Preprocessed terms per article, with the fingerprint of the pipeline that made them, so a
    # re-run only processes new or changed articles.
    ("0005_article_terms", """
        CREATE TABLE article_terms (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            fingerprint TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            terms TEXT NOT NULL,
            n_terms INTEGER NOT NULL
        );
        CREATE INDEX idx_article_terms_fingerprint ON article_terms(fingerprint);
    """),
    # nlp: pipeline state (which preprocessor made the cached terms, the fitted collocations).
    ("0020_nlp_state", """
        CREATE TABLE nlp_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
    """),
    # nlp: fitted topic models (the model files live in a run directory next to the db), their topics,
    # and each document's topic shares (one row per document and topic; shares of a document sum to 1).
    ("0021_topic_runs", """
        CREATE TABLE topic_runs (
            name TEXT PRIMARY KEY,
            k INTEGER NOT NULL,
            seed INTEGER,
            created_at TEXT NOT NULL,
            path TEXT NOT NULL,
            corpus_fingerprint TEXT,
            coherence_c_v REAL,
            coherence_npmi REAL,
            manifest TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE topic_run_topics (
            run TEXT NOT NULL REFERENCES topic_runs(name) ON DELETE CASCADE,
            topic INTEGER NOT NULL,
            label TEXT NOT NULL,
            terms TEXT NOT NULL,
            frex TEXT NOT NULL,
            coherence_c_v REAL,
            coherence_npmi REAL,
            prevalence REAL,
            seeded TEXT,
            PRIMARY KEY (run, topic)
        );
        CREATE TABLE document_topics (
            run TEXT NOT NULL REFERENCES topic_runs(name) ON DELETE CASCADE,
            article_id TEXT NOT NULL,
            topic INTEGER NOT NULL,
            share REAL NOT NULL,
            PRIMARY KEY (run, article_id, topic)
        ) WITHOUT ROWID;
        CREATE INDEX idx_document_topics_article ON document_topics(article_id);
    """),
    # nlp: a saved classifier's predictions for articles without a usable label (class probabilities as
    # JSON), one row per article and model id; a later run of the same model replaces its rows.
    ("0030_predictions", """
        CREATE TABLE predictions (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            label TEXT NOT NULL,
            probabilities TEXT NOT NULL,
            predicted_at TEXT NOT NULL,
            PRIMARY KEY (article_id, model)
        );
        CREATE INDEX idx_predictions_model ON predictions(model);
    """),
    # scrapers: the public URL a raw page was finally read from (after redirects), so `scrape reparse`
    # rebuilds the same article ids without fetching and without the --base-url it was fetched through.
    ("0010_scrape_raw_final_url", """
        ALTER TABLE raw_pages ADD COLUMN final_url TEXT;
    """),
    # scrapers: the URL as the outlet spelled it (tracking stripped), fetched instead of the canonical
    # spelling, whose trailing slash or www. the server may not answer to.
    ("0011_scrape_crawl_fetch_url", """
        ALTER TABLE crawl_urls ADD COLUMN fetch_url TEXT;
    """),
    # scrapers: the publication date of a page left out by --since/--until, so a later run with another
    # window reconsiders it even when the feed or sitemap that listed it answers "304 Not Modified".
    ("0012_scrape_crawl_published", """
        ALTER TABLE crawl_urls ADD COLUMN published TEXT;
    """),
    # nlp: the results of a run's stages (nlp.engine), keyed by everything they depend on, so a second run,
    # a report or a colleague on the same corpus reuses them: the result as JSON, its arrays as .npy bytes.
    ("0040_stage_results", """
        CREATE TABLE stage_results (
            key TEXT PRIMARY KEY,
            stage TEXT NOT NULL,
            record TEXT NOT NULL,
            created_at TEXT NOT NULL,
            used_at TEXT NOT NULL
        );
        CREATE INDEX idx_stage_results_stage ON stage_results(stage, used_at);
        CREATE TABLE stage_result_files (
            key TEXT NOT NULL REFERENCES stage_results(key) ON DELETE CASCADE,
            name TEXT NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (key, name)
        );
    """),
    # corpus: near-duplicates (print and online editions, syndication). Each article's MinHash signature of
    # its 5-word shingles (128 unsigned 32-bit values, little-endian), made from the text whose hash it
    # keeps, so a changed text is sketched again; and the pairs whose exact Jaccard similarity reaches the
    # stored floor (article_a < article_b). See corpus/duplicates.py.
    ("0041_near_duplicates", """
        CREATE TABLE article_minhash (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            n_shingles INTEGER NOT NULL,
            signature BLOB NOT NULL
        );
        CREATE TABLE near_duplicates (
            article_a TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            article_b TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            similarity REAL NOT NULL,
            PRIMARY KEY (article_a, article_b)
        );
        CREATE INDEX idx_near_duplicates_b ON near_duplicates(article_b);
    """),
    # coding: people's codes of articles (one row per article, coder and codebook variable; re-importing a
    # coder replaces that coder's rows), decisions on ties, and the codebook in force (its TOML text).
    ("0042_coding", """
        CREATE TABLE codes (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            coder TEXT NOT NULL,
            variable TEXT NOT NULL,
            value TEXT NOT NULL,
            note TEXT,
            source TEXT,
            imported_at TEXT NOT NULL,
            PRIMARY KEY (article_id, coder, variable)
        );
        CREATE INDEX idx_codes_variable ON codes(variable);
        CREATE INDEX idx_codes_coder ON codes(coder);
        CREATE TABLE code_decisions (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            variable TEXT NOT NULL,
            value TEXT NOT NULL,
            note TEXT,
            decided_at TEXT NOT NULL,
            PRIMARY KEY (article_id, variable)
        );
        CREATE TABLE codebooks (
            name TEXT PRIMARY KEY,
            body TEXT NOT NULL,
            stored_at TEXT NOT NULL
        );
    """),
    # corpus: one search on both stores. SQLite's FTS5 index already stems with Porter and keeps stop words;
    # PostgreSQL's search column is rebuilt to do the same (see POSTGRES_VARIANTS).
    ("0043_search_same_on_both_stores", """
        -- nothing to change on SQLite
    """),
]


def _search_column(config: str) -> str:
    """The DDL of PostgreSQL's search column in the text search configuration ``config``, and its index."""
    return f"""
        ALTER TABLE articles ADD COLUMN fts tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('{config}', coalesce(title, '')), 'A')
            || setweight(to_tsvector('{config}', coalesce(authors, '')), 'B')
            || setweight(to_tsvector('{config}', coalesce(text, '')), 'C')
        ) STORED;
        CREATE INDEX articles_fts ON articles USING GIN (fts);
    """


#: PostgreSQL's text of the migrations :func:`postgres_ddl` cannot map. The full-text index is a generated
#: ``tsvector`` column (title weighs most, then authors, then text) with a GIN index, kept current by
#: PostgreSQL itself: no triggers.
POSTGRES_VARIANTS: dict[str, str] = {
    "0002_articles_fts": _search_column("english"),
    # The Porter stemmer SQLite's FTS5 uses (Snowball's "porter", not its "english" = Porter2) and no stop
    # words, so a query matches the same articles on both stores; a hyphenated word is indexed as its parts
    # only (as FTS5 splits it), so phrases count positions alike. Rebuilding the column re-indexes every row.
    "0043_search_same_on_both_stores": """
        CREATE TEXT SEARCH DICTIONARY softleft_porter_stem (TEMPLATE = snowball, Language = porter);
        CREATE TEXT SEARCH CONFIGURATION softleft_porter (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION softleft_porter ALTER MAPPING FOR asciiword, word, hword_part,
            hword_asciipart WITH softleft_porter_stem;
        ALTER TEXT SEARCH CONFIGURATION softleft_porter DROP MAPPING FOR asciihword, hword, numhword;
        DROP INDEX articles_fts;
        ALTER TABLE articles DROP COLUMN fts;
    """ + _search_column("softleft_porter"),
}

_POSTGRES_TYPES = (
    # Byte order, as SQLite compares text: ids, dates and names sort the same on both engines.
    (r"\bTEXT\b", 'TEXT COLLATE "C"'),
    (r"\bINTEGER PRIMARY KEY\b", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (r"\bREAL\b", "DOUBLE PRECISION"),
    (r"\bBLOB\b", "BYTEA"),
    (r"\)\s*WITHOUT ROWID", ")"),
)


def postgres_ddl(name: str, sql: str) -> str:
    """A migration's DDL for PostgreSQL: its variant if it has one, else its types mapped."""
    if name in POSTGRES_VARIANTS:
        return POSTGRES_VARIANTS[name]
    for pattern, replacement in _POSTGRES_TYPES:
        sql = re.sub(pattern, replacement, sql)
    return sql


def apply_migrations(conn: Any) -> list[str]:
    """Apply every migration not yet recorded; return the names applied now.

    Takes the write lock first (``BEGIN IMMEDIATE``, or PostgreSQL's advisory lock) so two processes
    opening a new store at once cannot both run the same migration.
    """
    postgres = dialect(conn) == POSTGRESQL
    if "schema_migrations" not in tables(conn):  # (a user who may only read cannot even CREATE ... IF NOT EXISTS)
        begin_write(conn)
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        conn.execute("COMMIT")
    applied_now: list[str] = []
    for name, sql in MIGRATIONS:
        if conn.execute("SELECT 1 FROM schema_migrations WHERE name = ?", (name,)).fetchone():
            continue
        begin_write(conn)
        try:
            if conn.execute("SELECT 1 FROM schema_migrations WHERE name = ?", (name,)).fetchone():
                conn.execute("COMMIT")
                continue
            for statement in _split_statements(postgres_ddl(name, sql) if postgres else sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", (name, now_utc()))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied_now.append(name)
    return applied_now


def _split_statements(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN ... END;) whole."""
    statements, buf = [], ""
    for line in sql.strip().splitlines():
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements
