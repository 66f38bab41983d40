"""Topic models: reproducibility, stored shares, manifests, guided topics, bad input."""
from __future__ import annotations

import json

import numpy as np
import pytest

from corpus import CorpusStore
from nlp.errors import InvalidParameterError, NotPreprocessedError, TopicModelError, UnknownModelError
from nlp.text.preprocess import preprocess_corpus
from nlp.topics.fit import fit_topics, list_runs, load_run, show_topics, sweep_topics
from nlp.topics.model import frex_scores


def test_same_seed_same_topics(fitted):
    store, run = fitted
    again = fit_topics(store, 3, seed=0, name="again", passes=5)
    assert [t["terms"] for t in again.topics] == [t["terms"] for t in run.topics]
    assert [t["label"] for t in again.topics] == [t["label"] for t in run.topics]
    shares = lambda name: store.conn.execute(  # noqa: E731
        "SELECT article_id, topic, share FROM document_topics WHERE run = ? ORDER BY 1, 2", (name,)).fetchall()
    assert shares("again") == shares("base")


def test_shares_sum_to_one_and_manifest(fitted):
    store, run = fitted
    sums = store.conn.execute(
        "SELECT SUM(share) FROM document_topics WHERE run = 'base' GROUP BY article_id").fetchall()
    assert len(sums) == 36 and all(abs(s - 1) < 1e-6 for (s,) in sums)
    manifest = json.loads((run.path / "manifest.json").read_text())
    assert manifest["seed"] == 0 and manifest["reproducible"] is True
    assert manifest["corpus_fingerprint"] == store.fingerprint()
    assert {"gensim", "spacy", "numpy"} <= set(manifest["versions"])
    assert manifest["coherence"]["c_v"] is not None and manifest["coherence"]["c_npmi"] is not None
    assert len(manifest["coherence"]["per_topic"]["c_v"]) == 3
    assert all((run.path / name).is_file() for name in ("lambda.npy", "alpha.npy", "eta.npy", "vocabulary.json"))
    assert set(manifest["model"]["checksums"]) == {"lambda.npy", "alpha.npy", "eta.npy", "vocabulary.json"}
    assert all(t["coherence_c_v"] is not None and t["label"] for t in run.topics)


def test_topics_recover_themes(fitted):
    _, run = fitted
    from tests.nlp.conftest import THEMES
    tops = [set(t["terms"][:6]) for t in run.topics]
    for words in THEMES.values():  # every theme is one topic's top words
        assert max(len(set(words) & top) for top in tops) >= 4


def test_show_and_list(fitted):
    store, _ = fitted
    shown = show_topics(store, "base")
    assert shown["name"] == "base" and shown["k"] == 3 and len(shown["topics"]) == 3
    assert "base" in [r["name"] for r in list_runs(store)]


def test_guided_topics(fitted):
    store, _ = fitted
    run = fit_topics(store, 3, seed=0, name="guided", passes=5,
                     seed_words={"decentralisation": ["devolution", "federal", "local", "community wealth building"]})
    assert run.topics[0]["seeded"] == "decentralisation" and run.topics[0]["label"].startswith("decentralisation:")
    assert {"devolution", "federal"} <= set(run.topics[0]["terms"])


def test_frex_prefers_exclusive_words():
    import numpy as np
    phi = np.array([[0.30, 0.25, 0.2, 0.15, 0.1], [0.30, 0.01, 0.2, 0.29, 0.2]])
    frex = frex_scores(phi)
    assert frex[0, 1] > frex[0, 0]  # word 1: a little less frequent than word 0, but exclusive to topic 0


def test_bad_k(fitted):
    store, _ = fitted
    with pytest.raises(InvalidParameterError) as err:
        fit_topics(store, 1)
    assert str(err.value) == "K must be at least 2 (got 1)"
    with pytest.raises(InvalidParameterError) as err:
        fit_topics(store, 50, passes=1)
    assert str(err.value) == "K = 50 is more than the number of documents (36): choose K of at most 36"


def test_unknown_and_missing_runs(fitted, tmp_path):
    store, _ = fitted
    with pytest.raises(UnknownModelError, match=r"^unknown topic model 'nope'; known: .*base"):
        load_run(store, "nope")
    empty = CorpusStore(tmp_path / "empty.db")
    with pytest.raises(TopicModelError) as err:
        load_run(empty)
    assert str(err.value) == "no topic model fitted yet: run `python cli.py topics fit --k K` first"


def test_empty_corpus_and_not_preprocessed(small_store, tmp_path):
    empty = CorpusStore(tmp_path / "empty.db")
    with pytest.raises(TopicModelError, match="^the corpus is empty"):
        fit_topics(empty, 3)
    with pytest.raises(NotPreprocessedError, match=r"run `python cli.py nlp preprocess` first"):
        fit_topics(small_store, 3)


def test_sweep(small_store, tmp_path):
    preprocess_corpus(small_store)
    result = sweep_topics(small_store, [2, 3], seed=0, passes=2, runs_dir=tmp_path / "runs")
    assert [r["k"] for r in result["rows"]] == [2, 3] and result["best_k"] in (2, 3)
    assert all(r["coherence_c_v"] is not None for r in result["rows"])
    from pathlib import Path
    from nlp.report.plots import plot_sweep
    assert plot_sweep(result["rows"], tmp_path / "sweep.png").stat().st_size > 1000
    assert Path(result["csv"]).read_text().startswith("k,")


def test_long_documents_as_passages(fitted):
    store, _ = fitted
    run = fit_topics(store, 3, seed=0, name="passages", passes=3, chunk_terms=10)
    assert run.manifest["n_passages"] > run.manifest["n_docs"] == 36
    assert run.manifest["parameters"]["chunk_terms"] == 10
    sums = store.conn.execute("SELECT SUM(share) FROM document_topics WHERE run = 'passages' "
                              "GROUP BY article_id").fetchall()
    assert len(sums) == 36 and all(abs(s - 1) < 1e-6 for (s,) in sums)


def test_topic_stop_words(fitted, tmp_path):
    from nlp.topics.fit import TOPIC_STOP_WORDS, topic_stop_words
    extra = tmp_path / "stop.txt"
    extra.write_text("energy rail  # transport\nballot\n")
    assert topic_stop_words(extra) == TOPIC_STOP_WORDS | {"energy", "rail", "ballot"}
    store, _ = fitted
    run = fit_topics(store, 3, seed=0, name="stopped", passes=2, stop_words=extra)
    assert not {"energy", "rail", "ballot"} & {w for t in run.topics for w in t["terms"]}


def test_workers_are_labelled_not_reproducible(fitted):
    store, _ = fitted
    run = fit_topics(store, 3, seed=0, name="multicore", passes=2, workers=2)
    assert run.manifest["reproducible"] is False and run.manifest["estimator"].endswith("LdaMulticore")
    assert run.to_dict()["reproducible"] is False


def test_topic_model_follows_the_estimator_contract():
    from sklearn.base import clone

    from nlp.topics.model import TopicModel

    model = TopicModel(k=4, random_state=3, passes=2)
    copy = clone(model)
    assert copy is not model and copy.get_params(deep=True) == model.get_params(deep=True)
    assert copy.set_params(k=5).k == 5 and model.k == 4
    assert not hasattr(copy, "model_")  # nothing learnt before fit


def test_topic_model_files_hold_no_pickle_and_are_verified(fitted, tmp_path):
    import shutil

    import numpy as np

    from nlp.errors import TopicModelError
    from nlp.topics.runs import load_gensim_model

    store, run = fitted
    stored = load_run(store, run.name)
    assert not list(stored.path.glob("*.model*")) and not list(stored.path.glob("*.gensim"))
    model, dictionary = load_gensim_model(stored)
    bow = dictionary.doc2bow("pluralism devolution council mayor".split())
    theta = np.array([p for _, p in model.get_document_topics(bow, minimum_probability=0)])
    assert theta.shape == (3,) and abs(theta.sum() - 1) < 1e-6
    # a copy whose weights were changed by hand is refused: the corpus holds the checksums
    copy = tmp_path / "copy"
    shutil.copytree(stored.path, copy)
    lam = np.load(copy / "lambda.npy")
    np.save(copy / "lambda.npy", lam * 2)
    stored.path, original = copy, stored.path
    with pytest.raises(TopicModelError, match="does not match its checksum recorded in the corpus"):
        load_gensim_model(stored)
    stored.path = original


def test_long_documents_are_cut_into_passages_at_paragraphs(tmp_path):
    """A long article becomes passages of whole paragraphs; no paragraph mark ever reaches an analysis."""
    from corpus import Article, CorpusStore
    from nlp.documents import load_documents
    from nlp.text.preprocess import PARAGRAPH, preprocess_corpus
    from nlp.topics.fit import _passages, passage_cuts

    assert passage_cuts(3000, 1000, [0, 700, 1400, 2100, 2800]) == [700, 2100]  # snapped to paragraph starts
    assert passage_cuts(3000, 1000) == [1000, 2000] and passage_cuts(1400, 1000) == []
    store = CorpusStore(tmp_path / "p.db")
    paragraph = "Council housing and local ownership decide the shape of every town and region. "
    text = "\n\n".join(f"{paragraph * 6} Paragraph {i} ends here." for i in range(40))
    store.add(Article(outlet="x", source="imported", text=text, title="long"))
    preprocess_corpus(store)
    docs = load_documents(store, preprocess=False)
    terms = docs.terms(0)
    assert PARAGRAPH not in terms and PARAGRAPH not in docs.vocabulary
    breaks = docs.paragraph_breaks(0)
    assert len(breaks) == 39 and all(0 < b < len(terms) for b in breaks)
    pieces = list(_passages(terms, 100, breaks))
    assert len(pieces) > 1 and sum(map(len, pieces)) == len(terms)
    starts = np.cumsum([0] + [len(p) for p in pieces[:-1]])[1:]
    assert set(starts.tolist()) <= set(breaks.tolist())  # every cut at a paragraph start
    store.close()


def test_auto_passes_keep_ten_on_small_corpora_and_a_fixed_number_of_updates_on_large_ones():
    from nlp.topics.model import AUTO_UPDATES, auto_passes

    assert [auto_passes(n) for n in (50, 2_000, 10_000)] == [10, 10, 10]
    sizes = [10_000, 20_000, 50_000, 200_000, 10**7]
    passes = [auto_passes(n) for n in sizes]
    assert passes == sorted(passes, reverse=True) and passes[-1] == 2  # never below 2
    for n, p in zip(sizes, passes):  # at least the updates a 10,000-document fit makes
        assert p * -(-n // 2000) >= AUTO_UPDATES


@pytest.mark.parametrize("cache_cells", [0, 10**6])
def test_rows_corpus_reads_as_the_matrix_market_file_on_every_pass(tmp_path, cache_cells):
    """A CSR corpus gives gensim the documents its Matrix Market file gives, pass after pass, whether its lists
    are kept after the first pass (a small corpus) or made again (a large one); a pickled copy carries no lists."""
    import pickle

    from gensim.corpora import MmCorpus
    from scipy import sparse

    from nlp.topics.bags import RowsCorpus, write_mm

    rows = sparse.random(30, 50, density=0.2, random_state=np.random.default_rng(0), format="csr")
    rows.data = np.ceil(rows.data * 5)
    write_mm(tmp_path / "c.mm", rows, 50)
    expected = [[(int(t), float(c)) for t, c in doc] for doc in MmCorpus(str(tmp_path / "c.mm"))]
    corpus = RowsCorpus(rows, cache_cells=cache_cells)
    assert len(corpus) == 30 and list(corpus) == expected and list(corpus) == expected
    assert (corpus._bows is not None) == (cache_cells > 0)
    copy = pickle.loads(pickle.dumps(corpus))
    assert copy._bows is None and list(copy) == expected
