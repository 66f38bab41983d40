"""Per-document work on Dask workers gives exactly what the in-process path gives (nlp/parallel.py).

The cluster tests start a 2-worker ``LocalCluster`` and skip cleanly where Dask is not installed.
"""
from __future__ import annotations

import importlib.util
import os
import signal
import sys
from pathlib import Path

import pytest

from bench.synthetic import articles as synthetic_articles
from corpus import CorpusStore
from corpus.analyses import cached_hashes, terms_for, write_terms
from nlp.parallel import (DaskMissingError, InProcessExecutor, SchedulerUnreachableError, executor)
from nlp.text.preprocess import Preprocessor, preprocess_corpus, tokenise_chunk

needs_dask = pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                                reason="dask[distributed] is not installed")

N_ARTICLES = 240


@pytest.fixture(scope="module")
def cluster():
    """Two local single-threaded worker processes, shared by the tests that do not kill one."""
    if importlib.util.find_spec("distributed") is None:
        pytest.skip("dask[distributed] is not installed")
    with executor(workers=2) as ex:
        yield ex


@pytest.fixture(scope="module")
def corpus_articles():
    return list(synthetic_articles(N_ARTICLES, seed=3))


def _store(path, arts) -> CorpusStore:
    store = CorpusStore(path)
    store.add_many(arts)
    return store


def _all_terms(store: CorpusStore, fp: str) -> dict[str, list[str]]:
    ids = [id_ for id_, _ in cached_hashes(store, fp)]
    return terms_for(store, fp, ids)


@pytest.fixture(scope="module")
def reference(tmp_path_factory, corpus_articles):
    """The in-process path's terms and summary: what every Dask run must reproduce."""
    store = _store(tmp_path_factory.mktemp("ref") / "ref.db", corpus_articles)
    summary = preprocess_corpus(store, Preprocessor(batch_size=16))
    terms = _all_terms(store, summary["fingerprint"])
    store.close()
    return summary, terms


# ----------------------------------------------------------------------------- without a cluster
def test_in_process_executor_is_a_plain_loop_in_order():
    seen = []
    with executor() as ex:
        assert isinstance(ex, InProcessExecutor)
        out = list(ex.map_chunks(len, [("a", "xy"), ("b", "xyz")], on_result=lambda k, r: seen.append(k)))
    assert out == [("a", 2), ("b", 3)] and seen == ["a", "b"]


def test_the_in_process_path_never_imports_dask(tmp_path):
    import subprocess

    code = ("import sys; from nlp.parallel import executor\n"
            "with executor() as ex: list(ex.map_chunks(len, [(0, 'ab')]))\n"
            "assert 'distributed' not in sys.modules and 'dask' not in sys.modules")
    root = str(Path(__file__).resolve().parents[2])
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)


def test_without_dask_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now raises ImportError
    with pytest.raises(DaskMissingError, match=r"pip install 'dask\[distributed\]'"):
        executor(workers=2)


def test_workers_and_scheduler_exclude_each_other():
    with pytest.raises(ValueError, match="not both"):
        executor(workers=2, scheduler="tcp://127.0.0.1:8786")


def test_a_task_gives_the_terms_of_the_in_process_pipeline(corpus_articles):
    pre = Preprocessor(batch_size=16)
    batch = [(a.text, a.id) for a in corpus_articles[:10]]
    fp, results = tokenise_chunk(pre.settings, batch)
    assert fp == pre.fingerprint
    assert results == list(pre.pipe(batch, collocations=False))


# ----------------------------------------------------------------------------- on a 2-worker cluster
@needs_dask
def test_dask_preprocessing_gives_exactly_the_in_process_terms(tmp_path, cluster, corpus_articles, reference):
    ref_summary, ref_terms = reference
    store = _store(tmp_path / "dask.db", corpus_articles)
    summary = preprocess_corpus(store, Preprocessor(batch_size=16), executor=cluster)
    assert summary["processed"] == N_ARTICLES and summary["failed"] == 0
    assert summary["fingerprint"] == ref_summary["fingerprint"]
    assert summary["collocations"] == ref_summary["collocations"] > 0
    assert _all_terms(store, summary["fingerprint"]) == ref_terms
    # a second run finds everything cached: no task is even submitted
    again = preprocess_corpus(store, Preprocessor(batch_size=16), executor=cluster)
    assert again["processed"] == 0 and again["cached"] == N_ARTICLES
    store.close()


@needs_dask
def test_rerunning_the_same_chunks_never_duplicates_rows(tmp_path, cluster, corpus_articles, reference):
    store = _store(tmp_path / "rerun.db", corpus_articles[:60])
    pre = Preprocessor(batch_size=16)
    pairs = [(a.text, a.id) for a in corpus_articles[:60]]
    chunks = [(i, pairs[i:i + 15]) for i in range(0, 60, 15)]
    # every chunk twice, as a task re-run after a worker died would deliver it
    results = list(cluster.map_chunks(lambda c: tokenise_chunk(pre.settings, c), chunks + chunks))
    assert len(results) == 8
    hashes = {a.id: a.content_hash for a in store.articles()}
    for _, (fp, terms) in results:
        write_terms(store, [(id_, fp, hashes[id_], t) for t, id_ in terms])
    cached = list(cached_hashes(store, pre.fingerprint))
    assert len(cached) == 60 == len({id_ for id_, _ in cached})
    assert _all_terms(store, pre.fingerprint) == {id_: reference[1][id_] for _, id_ in pairs}
    store.close()


@needs_dask
@pytest.mark.slow
def test_a_worker_killed_mid_run_still_gives_every_article_once(tmp_path, corpus_articles, reference):
    store = _store(tmp_path / "kill.db", corpus_articles)
    killed: list[int] = []
    with executor(workers=2) as ex:
        pids = sorted(ex.client.run(os.getpid).values())
        done = [0]

        def progress(n: int) -> None:
            done[0] += n
            if not killed:
                os.kill(pids[0], signal.SIGKILL)  # the nanny starts a new worker; the scheduler re-runs its tasks
                killed.append(done[0])

        summary = preprocess_corpus(store, Preprocessor(batch_size=8), progress=progress, executor=ex)
        assert pids[0] not in ex.client.run(os.getpid).values()
    assert killed and killed[0] < N_ARTICLES  # it died with work still to do
    assert summary["processed"] == N_ARTICLES and done[0] == N_ARTICLES
    assert len(list(cached_hashes(store, summary["fingerprint"]))) == N_ARTICLES
    assert _all_terms(store, summary["fingerprint"]) == reference[1]
    store.close()


@needs_dask
def test_ordered_map_keeps_the_order_of_the_chunks(cluster):
    out = list(cluster.map_chunks(len, ((i, "x" * (40 - i)) for i in range(40)), ordered=True, max_in_flight=3))
    assert out == [(i, 40 - i) for i in range(40)]


@needs_dask
def test_an_error_in_a_task_reaches_the_caller(cluster):
    with pytest.raises(ZeroDivisionError):
        list(cluster.map_chunks(lambda x: 1 / x, [(0, 1), (1, 0)]))


@needs_dask
def test_an_unreachable_scheduler_is_a_one_line_error(monkeypatch):
    monkeypatch.setattr("nlp.parallel.CONNECT_TIMEOUT", 1)
    with pytest.raises(SchedulerUnreachableError, match=r"^no Dask scheduler answers at tcp://127\.0\.0\.1:9: start one"):
        executor(scheduler="127.0.0.1:9")


# ----------------------------------------------------------------------------- through the CLI
@pytest.fixture
def small_db(db, corpus_articles):
    _store(db, corpus_articles[:5]).close()
    return db


@needs_dask
def test_cli_bad_scheduler_is_a_one_line_error(run_cli, small_db, monkeypatch):
    monkeypatch.setattr("nlp.parallel.CONNECT_TIMEOUT", 1)
    result = run_cli("nlp", "preprocess", "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: no Dask scheduler answers at tcp://127.0.0.1:9: start one with `dask scheduler` (and its workers "
        "with `dask worker tcp://127.0.0.1:9`), or leave out --scheduler")
    assert "Traceback" not in result.output


def test_cli_workers_and_scheduler_together_is_a_usage_error(run_cli, small_db):
    result = run_cli("nlp", "preprocess", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786")
    assert result.exit_code == 2
    assert "--workers starts Dask workers here and --scheduler uses a running cluster: give one of them" in result.output


@needs_dask
def test_cli_preprocess_on_local_workers(run_cli, small_db):
    result = run_cli("nlp", "preprocess", "--workers", "2", "--json")
    assert result.exit_code == 0, result.output
    assert '"processed": 5' in result.output


# ----------------------------------------------------------------------------- topic inference, bootstrap
@pytest.fixture(scope="module")
def topic_model():
    """A small LDA on three planted topics of ten words each."""
    import numpy as np
    from gensim.corpora import Dictionary

    from nlp.topics.model import TopicModel

    rng = np.random.default_rng(5)
    words = [[f"w{t}_{i}" for i in range(10)] for t in range(3)]
    texts = [list(rng.choice(words[d % 3], size=30)) + list(rng.choice(words[(d + 1) % 3], size=5))
             for d in range(150)]
    dictionary = Dictionary(texts)
    bows = [dictionary.doc2bow(t) for t in texts]
    return TopicModel(k=3, passes=3, chunksize=40, random_state=2).fit(bows, dictionary), bows


def test_transform_is_chunk_wise_inference_and_finds_the_planted_topics(topic_model):
    import numpy as np

    from nlp.topics.infer import bows_matrix, infer_shares, model_arrays

    model, bows = topic_model
    exp_elog_beta, alpha = model_arrays(model)
    whole = infer_shares(bows_matrix(bows, exp_elog_beta.shape[1]), exp_elog_beta, alpha, model.iterations)
    np.testing.assert_allclose(np.array(list(model.transform(bows))), whole)  # chunks of 40 as one matrix
    dominant = whole.argmax(axis=1)  # the planted topics are found: documents d and d + 3 share theirs
    assert len(set(dominant[:3])) == 3 and all(dominant[d] == dominant[d % 3] for d in range(30))


@needs_dask
def test_topic_inference_on_workers_is_identical(topic_model, cluster):
    import numpy as np

    model, bows = topic_model
    here = np.array(list(model.transform(bows)))
    there = np.array(list(model.transform(bows, executor=cluster)))
    assert here.shape == (150, 3)
    np.testing.assert_allclose(here.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(here, there)


@needs_dask
def test_bootstrap_intervals_are_identical_with_the_executor(cluster):
    import numpy as np

    from nlp.uncertainty import bootstrap_means

    rng = np.random.default_rng(0)
    values = rng.random((300, 4))
    keys = [f"author{i % 37}" for i in range(300)]
    weights = rng.random(300) + 0.5
    here = bootstrap_means(values, keys, n_boot=230, seed=4, weights=weights)
    there = bootstrap_means(values, keys, n_boot=230, seed=4, weights=weights, executor=cluster)
    for a, b in zip(here, there):
        np.testing.assert_array_equal(a, b)
    assert np.all(here[0] < here[1])
    other = bootstrap_means(values, keys, n_boot=230, seed=5, weights=weights)
    assert not np.array_equal(other[0], here[0])  # the seed matters


@pytest.fixture(scope="module")
def wordfish_counts():
    """Counts drawn from a Wordfish model: 60 documents to fit on, 30 new ones to place."""
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(8)
    theta, beta = rng.normal(size=90), rng.normal(scale=0.8, size=40)
    psi, alpha = rng.normal(scale=0.5, size=40), rng.normal(0.5, 0.2, size=90)
    counts = rng.poisson(np.exp(alpha[:, None] + psi[None, :] + np.outer(theta, beta)))
    return sp.csr_matrix(counts[:60].astype(float)), sp.csr_matrix(counts[60:].astype(float)), theta[60:]


@needs_dask
@pytest.mark.parametrize("n_bootstrap", [0, 20])
def test_wordfish_placement_on_workers_is_identical(wordfish_counts, cluster, monkeypatch, n_bootstrap):
    import numpy as np

    from nlp.scaling.wordfish import Wordfish

    fit_on, new, true_theta = wordfish_counts
    model = Wordfish(n_bootstrap=n_bootstrap, random_state=3).fit(fit_on)
    whole = model.predict(new)  # one chunk
    monkeypatch.setattr("nlp.scaling.wordfish.PLACE_CHUNK", 7)  # five chunks, two of them on each worker
    here, there = model.predict(new), model.predict(new, executor=cluster)
    table = lambda r: np.array([[d.score, d.se, d.lo, d.hi] for d in r.documents])  # noqa: E731
    np.testing.assert_array_equal(table(here), table(there))
    np.testing.assert_allclose(table(here)[:, :2], table(whole)[:, :2], rtol=1e-9)  # a document's θ is its own
    assert abs(np.corrcoef(table(here)[:, 0], true_theta)[0, 1]) > 0.8


@needs_dask
def test_a_task_that_keeps_killing_workers_is_a_one_line_error():
    import dask

    from nlp.parallel import ClusterError

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), executor(workers=1) as ex:
        with pytest.raises(ClusterError, match="^Dask gave up on a task after the workers running it died"):
            list(ex.map_chunks(os._exit, [(0, 1)]))


@needs_dask
def test_a_running_scheduler_is_used_through_its_address(cluster):
    with executor(scheduler=cluster.cluster.scheduler_address) as ex:
        assert ex.cluster is None and ex.n_workers == 2
        assert sorted(ex.map_chunks(len, [(0, "ab"), (1, "abc")])) == [(0, 2), (1, 3)]
    assert cluster.client.status == "running"  # closing that client leaves the cluster alone


@needs_dask
def test_a_scheduler_without_workers_is_a_one_line_error(monkeypatch):
    from distributed import LocalCluster

    monkeypatch.setattr("nlp.parallel.CONNECT_TIMEOUT", 1)
    with LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as empty:
        with pytest.raises(SchedulerUnreachableError, match="has no workers: start some with `dask worker tcp://"):
            executor(scheduler=empty.scheduler_address)


@needs_dask
@pytest.mark.slow
def test_a_run_on_workers_gives_the_run_in_process(tmp_path):
    """`run --workers 2`: tokenising, topic inference and Wordfish placement as tasks, the same report data."""
    import csv

    from corpus import CorpusStore
    from corpus.demo import fill_demo
    from nlp.pipeline import RunConfig, run_analysis
    from nlp.stages import GRAPH

    tables = {}
    for mode, workers in (("here", None), ("workers", 2)):
        with CorpusStore(tmp_path / f"{mode}.db") as store:
            fill_demo(store)
            config = RunConfig(seed=0, k=6, passes=2, workers=workers, n_process=1, bootstrap=20, stability_seeds=1)
            run_analysis(store, tmp_path / mode, config)
        tables[mode] = {name: list(csv.DictReader((tmp_path / mode / "data" / f"{name}.csv").open()))
                        for name in ("topics", "topic_trends_by_tendency", "positions_by_tendency")}
    assert "positions" in {s.name for s in GRAPH}
    for name in tables["here"]:
        assert tables["here"][name], name
        assert tables["workers"][name] == tables["here"][name], name
