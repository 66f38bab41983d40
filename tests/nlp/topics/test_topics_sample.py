"""Topic models fitted on a stratified sample, every document's shares inferred (nlp/topics/sampling.py,
nlp/topics/infer.py)."""
from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from corpus import CorpusStore
from nlp.documents import DocumentTerms, load_documents
from nlp.errors import InvalidParameterError
from nlp.text.preprocess import preprocess_corpus
from nlp.topics.sampling import AUTO_FIT_SAMPLE, resolve_fit_sample, stratified_sample

from tests.nlp.conftest import synthetic_articles


def _strata_docs(seed: int = 0) -> DocumentTerms:
    """1,200 documents over 3 tendencies x 4 years x 2 outlets, of very unequal sizes (a few strata of 1-3)."""
    rnd = random.Random(seed)
    labels, outlets, published = [], [], []
    weights = {"soft_left": 8, "hard_left": 3, "soft_right": 1}
    for tendency, w in weights.items():
        for year in range(2019, 2023):
            for outlet, share in (("tribune", 3), ("renewal", 1)):
                n = max(1, w * share * (year - 2017) * 8 - 40) if tendency != "soft_right" or year < 2021 else 2
                labels += [tendency] * n
                outlets += [outlet] * n
                published += [f"{year}-{rnd.randint(1, 12):02d}-01"] * n
    order = list(range(len(labels)))
    rnd.shuffle(order)
    pick = lambda xs: [xs[i] for i in order]  # noqa: E731
    return DocumentTerms.from_terms([["word"]] * len(labels), labels=pick(labels), outlets=pick(outlets),
                                    published=pick(published))


def _stratum(docs: DocumentTerms, i: int) -> tuple[str, str, str]:
    return docs.labels[i], docs.published[i][:4], docs.outlets[i]


def test_the_sample_is_stratified_proportional_and_seeded():
    docs = _strata_docs()
    in_corpus = Counter(_stratum(docs, i) for i in range(len(docs)))
    assert min(in_corpus.values()) <= 2 and len(in_corpus) == 24  # small strata a plain random sample would miss
    sample = stratified_sample(docs, 150, seed=0)
    idx = sample.indices
    assert len(idx) == 150 and len(set(idx.tolist())) == 150 and np.all(np.diff(idx) > 0)
    in_sample = Counter(_stratum(docs, int(i)) for i in idx)
    assert set(in_sample) == set(in_corpus)  # every stratum represented
    for key, n in in_corpus.items():  # proportional, but for the floor of one and rounding
        assert abs(in_sample[key] - 150 * n / len(docs)) <= 2, key
    summary = sample.to_dict()
    assert summary["used"] == 150 and summary["of"] == len(docs) and summary["seed"] == 0
    assert summary["n_strata"] == summary["strata_in_sample"] == 24
    assert sum(s["corpus"] for s in summary["strata"]) == len(docs)
    assert {(s["tendency"], s["period"], s["outlet"]): s["sample"] for s in summary["strata"]} == dict(in_sample)

    assert np.array_equal(stratified_sample(docs, 150, seed=0).indices, idx)  # deterministic for a seed
    assert not np.array_equal(stratified_sample(docs, 150, seed=1).indices, idx)  # another seed, another sample


def test_small_and_whole_samples():
    docs = _strata_docs()
    few = stratified_sample(docs, 10, seed=3)  # fewer documents than strata: one from each of 10 strata
    assert len(few.indices) == 10 and len({_stratum(docs, int(i)) for i in few.indices}) == 10
    assert np.array_equal(stratified_sample(docs, len(docs) + 5, seed=0).indices, np.arange(len(docs)))
    with pytest.raises(InvalidParameterError, match="at least 1"):
        stratified_sample(docs, 0)


def test_fit_sample_values():
    assert resolve_fit_sample(None, 10**6) is None
    assert resolve_fit_sample("auto", AUTO_FIT_SAMPLE) is None  # not larger: every document
    assert resolve_fit_sample("auto", AUTO_FIT_SAMPLE + 1) == AUTO_FIT_SAMPLE
    assert resolve_fit_sample("500", 1000) == resolve_fit_sample(500, 1000) == 500
    assert resolve_fit_sample(1000, 1000) is None  # no fewer documents than asked for: no sample
    for bad in ("many", "0", -3):
        with pytest.raises(InvalidParameterError, match="fit-sample"):
            resolve_fit_sample(bad, 1000)


def test_inferred_shares_match_gensim_and_do_not_depend_on_chunks(tmp_path):
    from nlp.topics.fit import bags_of_words, fit_models, prepare_corpus
    from nlp.topics.infer import infer_shares, iter_shares, model_arrays

    rnd = random.Random(0)
    themes = [[f"{t}{j}" for j in range(12)] for t in "abc"]
    docs = DocumentTerms.from_terms([[rnd.choice(themes[i % 3] * 5 + themes[(i + 1) % 3]) for _ in range(60)]
                                     for i in range(240)])
    prepared = prepare_corpus(docs, tmp_path)
    model = fit_models(prepared, [dict(k=3, random_state=0, passes=5)])[0]
    bows, _ = bags_of_words(docs, prepared.dictionary, prepared.chunk_terms)
    beta, alpha = model_arrays(model)
    whole = infer_shares(bows, beta, alpha, model.iterations)
    assert np.allclose(whole.sum(axis=1), 1)
    chunked = np.vstack(list(iter_shares(bows, beta, alpha, model.iterations, max_nnz=97)))
    assert np.array_equal(chunked, whole)  # each row depends on that row alone
    gensim = np.array(list(model.transform(prepared.corpus())))
    assert np.abs(gensim - whole).mean() < 0.005


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from corpus.demo import fill_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with CorpusStore(path) as store:
        fill_demo(store)
        preprocess_corpus(store)
    return path


def test_topics_fit_on_a_sample_records_it_and_gives_every_document_shares(demo_db):
    from click.testing import CliRunner

    from cli import cli
    from nlp.topics.fit import draw_fit_sample
    from nlp.topics.runs import document_topic_matrix, load_run

    result = CliRunner().invoke(cli, ["--db", str(demo_db), "topics", "fit", "--k", "4", "--passes", "2",
                                      "--fit-sample", "40", "--stability-seeds", "2", "--name", "sampled"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with CorpusStore(demo_db) as store:
        n = store.count()  # the demo's articles
        assert f"stratified sample of 40 of {n} documents" in result.stderr
        run = load_run(store, "sampled")
        docs = load_documents(store, preprocess=False)
        fitted = run.manifest["fit_sample"]
        assert (fitted["requested"], fitted["used"], fitted["of"], fitted["seed"]) == (40, 40, n, 0)
        assert sum(s["sample"] for s in fitted["strata"]) == 40 and fitted["fitted_docs"] == 40
        assert sum(s["corpus"] for s in fitted["strata"]) == run.manifest["n_docs"] == len(docs) == n
        theta = document_topic_matrix(store, run, docs)
        assert not np.isnan(theta).any() and np.allclose(theta.sum(axis=1), 1, atol=1e-6)
        # the model (and the stability seeds, refitted on the same sample drawn again) saw the sample only
        assert len(draw_fit_sample(docs, fitted["requested"], fitted["seed"]).indices) == 40
        assert run.manifest["trust"]["seeds"] == 2 and None not in run.manifest["trust"]["stability"]

    bad = CliRunner().invoke(cli, ["--db", str(demo_db), "topics", "fit", "--k", "4", "--fit-sample", "lots"])
    assert bad.exit_code == 2
    assert "'lots' is not a number of documents or 'auto'" in bad.output


def test_a_sample_fit_finds_the_full_fits_topics_and_shares(tmp_path):
    from nlp.topics.fit import draw_fit_sample, fit_topics, load_gensim_model
    from nlp.topics.runs import document_topic_matrix
    from nlp.topics.stability import align_vocabularies, match_topics

    store = CorpusStore(tmp_path / "easy.db")
    store.add_many(synthetic_articles(n=300, seed=4, words=80))  # three themes, each article mostly one
    preprocess_corpus(store)
    docs = load_documents(store, preprocess=False)
    full = fit_topics(store, 3, seed=0, passes=10, name="full", runs_dir=tmp_path / "runs")
    part = fit_topics(store, 3, seed=0, passes=10, name="part", runs_dir=tmp_path / "runs", fit_sample=100)
    (full_lda, full_dict), (part_lda, part_dict) = load_gensim_model(full), load_gensim_model(part)
    phi_full, phi_part = align_vocabularies(full_lda.get_topics(), [full_dict[i] for i in range(len(full_dict))],
                                            part_lda.get_topics(), [part_dict[i] for i in range(len(part_dict))])
    matches, similarity = match_topics(phi_full, phi_part)
    assert similarity.min() > 0.75 and similarity.mean() > 0.85  # 1 - Jensen-Shannon divergence
    theta_full = document_topic_matrix(store, full, docs)
    theta_part = document_topic_matrix(store, part, docs)[:, matches]
    rows = draw_fit_sample(docs, 100, 0).indices.tolist()  # the documents the sampled model was fitted on
    assert len(rows) == 100
    assert np.abs(theta_full[rows] - theta_part[rows]).mean() < 0.02  # the fitted documents
    assert np.abs(theta_full - theta_part).mean() < 0.02  # and every other one
    store.close()


def test_a_stored_model_is_reused_only_for_the_same_sample_size(small_store):
    from nlp.engine import ResultCache, run_stages
    from nlp.stages import TopicsParams, stage_named

    preprocess_corpus(small_store)
    docs = load_documents(small_store, preprocess=False, raw=True)

    def stage(**params):
        out = run_stages([stage_named("topics")], docs, {"topics": TopicsParams(k=3, passes=2, stability_seeds=1,
                                                                              **params)},
                         cache=ResultCache(small_store))
        return "topics" in out.reused, out.keys["topics"], out.results["topics"].manifest.get("fit_sample")

    reused, first, sample = stage(fit_sample=20)
    assert not reused and sample["used"] == 20
    assert stage(fit_sample=20)[:2] == (True, first)
    reused, other, _ = stage(fit_sample=24)
    assert not reused and other != first
    reused, everything, sample = stage()
    assert not reused and sample is None and len({first, other, everything}) == 3
    # a sample no smaller than the selection is a fit on every document: the same model; its parameters differ,
    # so it has a key of its own
    reused, whole, sample = stage(fit_sample=1000)
    assert sample is None and whole != everything
