"""Every function of corpus.analyses and corpus.crawlstate, and the store's remaining public methods, on both
stores (the ``store`` fixture of tests/corpus/conftest.py runs each test on SQLite and on PostgreSQL)."""
import zlib

from corpus import Article, LabelSet, analyses, crawlstate
from tests.conftest import make_article


def _three(store):
    docs = [make_article("Public ownership of the railways and water.", outlet="tribune", published="2019-01-02",
                         authors=("Ann Example",), title="Ownership"),
            make_article("Devolution to the nations and regions, and a new settlement.", outlet="renewal",
                         published="2020-05-06", authors=("Ben Example", "Ann Example")),
            make_article("Fiscal rules for a government in waiting.", outlet="renewal", published="2021-07-08")]
    assert store.add_many(docs).inserted == 3
    return [d.id for d in docs]


def test_term_cache_round_trips_and_tracks_changed_texts(store):
    ids = _three(store)
    assert analyses.count_unprocessed(store, "fp1") == 3 and not analyses.has_terms(store, "fp1")
    hashes = {i: s[0] for i, s in analyses.term_cache_status(store, ids).items()}
    assert set(hashes) == set(ids) and all(s[1] is None for s in analyses.term_cache_status(store, ids).values())
    analyses.write_terms(store, [(i, "fp1", hashes[i], [f"term_{n}", "ünïcode"]) for n, i in enumerate(ids)])
    analyses.write_terms(store, [(ids[0], "fp1", hashes[ids[0]], ["replaced"])])  # a second write replaces
    assert analyses.has_terms(store, "fp1") and analyses.count_unprocessed(store, "fp1") == 0
    assert analyses.terms_for(store, "fp1", ids)[ids[0]] == ["replaced"]
    assert list(analyses.iter_cached_terms(store, "fp1")) == [
        analyses.terms_for(store, "fp1", [i])[i] for i in sorted(ids)]
    assert list(analyses.cached_hashes(store, "fp1")) == sorted((i, hashes[i]) for i in ids)
    store.update(ids[1], text="A changed text about devolution.")
    assert analyses.count_unprocessed(store, "fp1") == 1
    assert ids[1] not in analyses.terms_for(store, "fp1", ids)
    store.delete(ids[2])  # the cache row goes with its article
    assert len(list(analyses.cached_hashes(store, "fp1"))) == 2


def test_state_topic_runs_shares_and_predictions(store):
    ids = _three(store)
    assert analyses.get_state(store, "preprocessor") is None
    analyses.set_state(store, "preprocessor", {"phrases": ["soft_left"], "n": 1})
    analyses.set_state(store, "preprocessor", {"phrases": ["soft_left"], "n": 2})
    assert analyses.get_state(store, "preprocessor") == {"phrases": ["soft_left"], "n": 2}

    with store.transaction():
        analyses.begin_topic_run(store, "run1", 2, 0, "/runs/run1")
        analyses.write_document_topics(store, [("run1", i, t, 0.5) for i in ids for t in (0, 1)])
    topics = [{"id": t, "label": f"topic {t}", "terms": ["a", "b"], "frex": ["c"], "coherence_c_v": 0.4,
               "coherence_npmi": 0.1 * t, "prevalence": 0.5, "seeded": None} for t in (0, 1)]
    manifest = {"created_at": "2026-01-01T00:00:00+00:00", "corpus_fingerprint": store.fingerprint(),
                "coherence": {"c_v": 0.41, "c_npmi": 0.05}}
    analyses.save_topic_run(store, "run1", 2, 0, "/runs/run1", manifest, topics)
    analyses.update_topic_run_manifest(store, "run1", {"stability": 0.9})
    analyses.relocate_topic_run(store, "run1", "/elsewhere/run1")
    run = analyses.get_topic_run(store, "run1")
    assert run["path"] == "/elsewhere/run1" and run["manifest"]["stability"] == 0.9
    assert run["manifest"]["path"] == "/elsewhere/run1" and run["topics"] == topics
    assert [r["name"] for r in analyses.list_topic_runs(store)] == ["run1"]
    assert analyses.list_topic_runs(store)[0]["coherence_c_v"] == 0.41
    assert analyses.document_topics(store, "run1", ids[:2]) == {i: {0: 0.5, 1: 0.5} for i in ids[:2]}
    assert analyses.get_topic_run(store, "missing") is None

    probabilities = {"soft_left": 0.7, "hard_left": 0.3}
    analyses.save_predictions(store, "m1", [{"id": i, "label": "soft_left", "probabilities": probabilities}
                                            for i in ids], "2026-01-02T00:00:00+00:00")
    analyses.save_predictions(store, "m2", [{"id": ids[0], "label": "hard_left", "probabilities": probabilities}],
                              "2026-01-03T00:00:00+00:00")
    assert analyses.latest_prediction_model(store) == "m2"
    rows = sorted(analyses.iter_predictions(store, "m1"))
    assert len(rows) == 3 and rows[0] == ("renewal", [], probabilities)


def test_crawl_state_round_trips(store):
    html = zlib.compress("<html><body>A page £ with ünïcode</body></html>".encode())
    with store.transaction() as conn:
        run = crawlstate.start_crawl_run(conn, "tribune")
        crawlstate.add_discovered(conn, [("https://t.example/a", "tribune", "2024-01-01", "2024-01-02T00:00:00",
                                          "https://t.example/a?x", None),
                                         ("https://t.example/b", "tribune", None, "2024-01-02T00:00:01", None,
                                          "2023-12-31")])
        crawlstate.add_discovered(conn, [("https://t.example/a", "tribune", None, "2024-01-03T00:00:00", None, None)])
        crawlstate.save_raw_page(conn, "https://t.example/a", "tribune", "2024-01-02T10:00:00", 200, "text/html",
                                 "utf-8", html, "https://t.example/a/")
        crawlstate.mark_url(conn, "https://t.example/a", "tribune", "done", 200, None, "u123", "2024-01-02T10:00:00")
        crawlstate.mark_url(conn, "https://t.example/b", "tribune", "failed", 503, "server error", None, None)
        crawlstate.mark_url(conn, "https://t.example/b", "tribune", "failed", None, "again", None, None)
        crawlstate.set_url_published(conn, "https://t.example/a", "2024-01-01")
        crawlstate.save_http_cache(conn, "https://t.example/feed", '"etag1"', None)
        crawlstate.save_http_cache(conn, "https://t.example/feed", '"etag2"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert not crawlstate.last_run_complete(store, "tribune")
    with store.transaction() as conn:
        crawlstate.finish_crawl_run(conn, run, {"complete": True})
        assert crawlstate.start_crawl_run(conn, "renewal") == run + 1
    assert crawlstate.last_run_complete(store, "tribune")
    assert crawlstate.crawl_urls(store, "tribune") == [
        ("https://t.example/a", "https://t.example/a?x", "done", 1, "2024-01-01", "2024-01-01"),
        ("https://t.example/b", None, "failed", 2, None, "2023-12-31")]
    assert crawlstate.http_cache(store) == {"https://t.example/feed": ('"etag2"', "Mon, 01 Jan 2024 00:00:00 GMT")}
    assert crawlstate.raw_pages(store, "tribune") == [
        ("https://t.example/a", "https://t.example/a/", "2024-01-02T10:00:00", "2024-01-01")]
    assert bytes(crawlstate.raw_page(store, "https://t.example/a")) == html


def test_labels_duplicates_upsert_and_summaries(store):
    ids = _three(store)
    n = store.load_labels(LabelSet.from_mapping({"outlets": {"renewal": {"tendency": "soft_left"}},
                                                 "authors": {"Ann Example": {"tendency": "hard_left",
                                                                             "contested": True}}}))
    assert n == 2 and store.stored_labels().authors["ann example"].contested
    assert store.load_labels(LabelSet.from_mapping({"outlets": {"renewal": {"tendency": "soft_right"}}}),
                             replace=True) == 1
    assert set(store.stored_labels().authors) == set() and store.labels.outlets["renewal"].tendency == "soft_right"
    assert store.resolve(store.get(ids[2])) == ("soft_right", "outlet")
    copy = make_article("FISCAL rules for a  government in waiting.", outlet="other")
    assert store.duplicate_of(copy) == (ids[2], None)
    assert store.upsert(store.get(ids[0]).replace(title="Owned")) == "updated"
    assert store.get(ids[0]).title == "Owned"
    assert store.outlet_counts() == {"tribune": 1, "renewal": 2}
    assert store.author_counts() == {"Ann Example": 2, "Ben Example": 1}
    assert [a.id for a in store.articles(author="Ben Example")] == [ids[1]]
    assert [a.id for a in store.articles(ids=[ids[2], ids[0]])] == [ids[0], ids[2]]
    assert [a.year for a in store.articles(until="2020-05-06")] == [2019, 2020]
    assert store.stats()["by_year"] == {"2019": 1, "2020": 1, "2021": 1}
    assert store.match_ids('text : ("public" + "ownership")') == [ids[0]]
    assert store.match_ids('text : "regions" OR text : "fiscal"') == ids[1:]
    store.update(ids[2], text="Fiscal rules and nationalisation.")
    assert ids[2] in store.match_ids('text : "nationalis"*')  # PostgreSQL: every article is a candidate
    with store.snapshot():
        assert store.count() == 3
    assert len(store.fingerprint()) == 16


def test_streamed_reads_and_interleaved_writes(store):
    """A reader streaming articles while the same connection writes (as preprocessing caches terms)."""
    store.add_many(Article(outlet="o", text=f"text number {i}", source="imported") for i in range(1200))
    seen = 0
    for article in store.articles(batch_size=100):
        if seen % 400 == 0:
            analyses.set_state(store, f"k{seen}", {"seen": seen})
        seen += 1
    assert seen == 1200 and analyses.get_state(store, "k800") == {"seen": 800}


def test_a_reader_stopped_early_leaves_no_open_cursor(store):
    store.add_many(Article(outlet="o", text=f"text number {i}", source="imported") for i in range(50))
    for _ in range(5):
        reader = iter(store.articles(batch_size=10))
        next(reader)
        reader.close()
    if store.dialect == "postgresql":
        assert store.conn.execute("SELECT COUNT(*) FROM pg_cursors").fetchone()[0] == 0
    assert store.count() == 50


def test_name_lists_are_stored_as_the_json_encoder_writes_them():
    import json

    from corpus.store import _names

    cases = [(), ("Ann Smith",), ('A "quoted" name',), ("back\\slash",), ("tab\there",), ("Zoë Ørsted", "Ló"),
             ("\u2028line",), ("a", "b", "c"), ("",), ("\x7f",), ("emoji 🙂",)]
    for names in cases:
        assert _names(names) == json.dumps(list(names), ensure_ascii=False, separators=(",", ":"))
        assert json.loads(_names(names)) == list(names)
