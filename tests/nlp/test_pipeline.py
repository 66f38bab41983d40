"""The one-command pipeline: run directory, manifest, chart data, and honest handling of thin corpora."""
import json
from pathlib import Path

import pytest

from corpus import Article, CorpusStore
from nlp.pipeline import RunConfig, run_analysis


def test_thin_corpus_reports_what_could_not_run(tmp_path):
    with CorpusStore(tmp_path / "c.db") as store:
        store.add(Article(outlet="renewal", title="One", published="2020-01-02", text="Devolution and pluralism. " * 20))
        store.add(Article(outlet="tribune", title="Two", published="2021-01-02", text="Strikes and ownership. " * 20))
        report = run_analysis(store, tmp_path / "run", RunConfig(seed=0))
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert "topic model" in manifest["metrics"]["stages_not_run"]
    html = report.read_text()
    assert "Not run: topic model" in html
    assert "The topics" not in html  # no placeholder section


def test_run_on_an_empty_corpus_is_an_error(tmp_path):
    from click.testing import CliRunner

    from cli import cli

    db = tmp_path / "empty.db"
    CorpusStore(db).close()
    r = CliRunner().invoke(cli, ["--db", str(db), "run", "-o", str(tmp_path / "run")])
    assert r.exit_code == 1
    assert r.stderr == f"Error: the corpus {db} is empty; add articles with `corpus import` or `scrape` first\n"


def test_topic_shifts_weigh_cells_by_articles():
    from nlp.topics.trends import topic_shifts

    rows = []
    for period, n, shares in (("2020", 10, (0.8, 0.2)), ("2021", 10, (0.8, 0.2)), ("2022", 1, (0.0, 1.0)),
                              ("2023", 3, (0.5, 0.5))):
        for label, share in zip(("ownership", "devolution"), shares):
            rows.append({"period": period, "group": "soft_left", "label": label, "share": share, "n_docs": n})
    shift = topic_shifts(rows, min_support=4)["soft_left"]
    assert (shift["label"], shift["n_after"]) == ("devolution", 4)
    assert round(shift["change"]) == round(100 * ((1.0 * 1 + 0.5 * 3) / 4 - 0.2))  # weighted by articles, not years
    assert topic_shifts(rows, min_support=5) == {}  # 4 recent articles: below the minimum, no finding


def test_meaning_trains_on_a_bounded_sample_of_a_large_corpus():
    from nlp.documents import DocumentTerms
    from nlp.stages.scaling import training_sample

    docs = DocumentTerms.from_terms([["word"] * 100 for _ in range(50)])
    assert training_sample(docs, 10_000) is docs  # small enough: the corpus itself
    sample = training_sample(docs, 1_000, seed=0)
    assert 1_000 <= len(sample.tokens) <= 1_100 and len(sample) in (10, 11)
    assert training_sample(docs, 1_000, seed=0).ids == sample.ids  # seeded


def _demo_store(path):
    from corpus.demo import fill_demo

    store = CorpusStore(path)
    fill_demo(store)
    return store


def _prefetched(store, tmp_path, jobs):
    """What the run starts on a spare core before its stages: the runtime and the documents."""
    from nlp import pipeline
    from nlp.documents import load_documents
    from nlp.engine import ResultCache
    from nlp.parallel import executor
    from nlp.stages import stage_params

    config = RunConfig(seed=0, n_process=jobs)
    docs = load_documents(store, raw=True)
    ex = executor(jobs=jobs)
    runtime = pipeline._runtime(store, config, ex, None, tmp_path)
    params = stage_params(config, store)
    pipeline._prefetch_word_vectors(runtime, docs, params, ResultCache(store), config)
    return runtime, docs, params


@pytest.mark.slow
def test_word_vectors_are_trained_on_a_spare_core_and_found_by_the_meaning_stage(tmp_path, monkeypatch):
    """With two processes the meaning stage's vectors are trained in another process during the topic stage;
    the meaning stage then loads them from the cache instead of training them again."""
    from nlp.meaning import embeddings
    from nlp.stages.scaling import meaning_stage

    monkeypatch.setattr(embeddings, "MIN_TRAINING_TERMS", 1_000)  # the demo is far below the real floor
    with _demo_store(tmp_path / "d.db") as store:
        runtime, docs, params = _prefetched(store, tmp_path, jobs=2)
        assert set(runtime.resources) >= {"word vectors"}
        folder = runtime.resources["word vectors"].result()
        runtime.executor.close()
        assert (tmp_path / "d.db.runs" / "meaning").is_dir()
        assert (Path(folder) / "manifest.json").is_file()
        trained = []
        monkeypatch.setattr(embeddings, "train_embeddings", lambda *a, **k: trained.append(1))
        result = meaning_stage(docs, params["meaning"], runtime)  # would fail on the demo's size if it trained here
        assert not trained and result.terms


def test_one_process_trains_nothing_in_the_background(tmp_path, monkeypatch):
    from nlp.meaning import embeddings

    monkeypatch.setattr(embeddings, "MIN_TRAINING_TERMS", 1_000)
    with _demo_store(tmp_path / "d.db") as store:
        runtime, _, _ = _prefetched(store, tmp_path, jobs=1)
        assert "word vectors" not in runtime.resources


def test_a_failed_run_stops_its_background_work():
    import time

    from nlp.parallel import ProcessExecutor

    ex = ProcessExecutor(2)
    ex.submit(time.sleep, 120)
    workers = list(ex.pool()._pool)
    ex.terminate()
    assert not any(w.is_alive() for w in workers)


@pytest.mark.parametrize("block", [1, 4, 5000])
def test_example_ids_are_each_tendencys_articles_using_the_term_most(block):
    from collections import Counter

    from nlp.documents import DocumentTerms
    from nlp.tendencies.analysis import example_ids

    terms = [["ownership", "public", "ownership"], ["ownership"], ["strike", "ownership", "strike", "strike"],
             ["public"], ["strike"], [], ["ownership"], ["strike"]]  # ties (a1, a6; a4, a7) go by id
    docs = DocumentTerms.from_terms(terms, labels=["soft_left", "soft_left", "hard_left", "soft_left", "hard_left",
                                                   "soft_left", "soft_left", "hard_left"],
                                    ids=["a0", "a6", "a2", "a3", "a7", "a5", "a1", "a4"])
    pairs = [("soft_left", "ownership"), ("hard_left", "strike"), ("hard_left", "ownership"),
             ("soft_left", "strike"), ("soft_left", "nowhere")]
    got = example_ids(docs, pairs, n=2, block=block)
    expected = {}
    for group, term in pairs:  # the plain definition
        ranked = sorted((-Counter(t)[term], docs.ids[i]) for i, t in enumerate(terms)
                        if docs.labels[i] == group and term in t)
        expected[(group, term)] = [id_ for _, id_ in ranked[:2]]
    assert got == expected
    assert got[("soft_left", "ownership")] == ["a0", "a1"] and got[("soft_left", "strike")] == []
    assert got[("hard_left", "strike")] == ["a2", "a4"]
    assert example_ids(docs, [("soft_left", "nowhere")]) == {("soft_left", "nowhere"): []}


def test_memory_a_stage_freed_goes_back_to_the_system():
    """Between stages the run returns the heap a stage freed (glibc keeps it otherwise)."""
    import platform

    import pytest

    from nlp.memory import release_memory

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        pytest.skip("malloc_trim is glibc's")

    def rss_mb() -> float:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024

    blocks = [bytearray(2000) for _ in range(150_000)]  # ~300 MB of heap in mid-sized blocks
    keep = blocks[::50]  # a few survivors scattered through it: free() alone cannot give the pages back
    del blocks
    before = rss_mb()
    release_memory()
    assert rss_mb() < before - 150
    assert len(keep) == 3000


def test_memory_is_released_only_after_a_stage_that_grew_the_process(monkeypatch):
    """The full collection costs about 0.1 s once the libraries are loaded: a stage that left the process barely
    larger is not followed by one; one that grew it past RELEASE_AFTER_MB is (as is any when growth is unknown)."""
    import gc

    from nlp.memory import RELEASE_AFTER_MB, release_memory

    collections = []
    monkeypatch.setattr(gc, "collect", lambda *a: collections.append(1) or 0)
    assert release_memory(RELEASE_AFTER_MB / 10) is False and collections == []
    assert release_memory(RELEASE_AFTER_MB * 2) is True and collections == [1]
    assert release_memory(None) is True and collections == [1, 1]
