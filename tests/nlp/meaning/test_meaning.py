"""Meaning in context on small synthetic corpora: training, the transform, inference, files, the command."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest
from click.testing import CliRunner

from cli import cli
from corpus import CorpusStore
from nlp.documents import DocumentTerms, load_documents
from nlp.meaning import MeaningError, analyse_term, load_embeddings, save_embeddings, train_embeddings
from tests.nlp.conftest import synthetic_articles

FILLER = ("government plan people work year support new local service country policy future change right "
          "system national family child school health tax cost job economy town city region").split()
PUBLIC = "public nationalise rail water energy utility steel mine industry".split()
HOME = "home buy house mortgage tenant estate owner property saving".split()
SMALL = {"vector_size": 20, "epochs": 4}


def synthetic_docs(n_a: int = 20, n_b: int = 20, seed: int = 3) -> DocumentTerms:
    """Group A says "ownership" among public-industry words, group B among home-owning words."""
    rnd = random.Random(seed)
    terms, labels = [], []
    for label, n, own in (("A", n_a, PUBLIC), ("B", n_b, HOME)):
        for _ in range(n):
            doc = []
            for _ in range(30):
                doc += rnd.sample(FILLER, 4)
                if rnd.random() < 0.3:
                    doc += rnd.sample(own, 6) + ["ownership"] + rnd.sample(own, 6)
                else:
                    doc += rnd.sample(PUBLIC + HOME, 3)
            terms.append(doc)
            labels.append(label)
    return DocumentTerms.from_terms(terms, labels=labels, published=[f"{1990 + i % 20}" for i in range(len(terms))])


@pytest.fixture(scope="module")
def trained():
    docs = synthetic_docs()
    return docs, train_embeddings(docs, seed=0, min_terms=0, **SMALL)


def test_transform_is_fitted_on_frequent_words_and_scored_on_held_out_ones(trained):
    # (that it beats the plain context means is checked on real text: test_meaning_manifestos.py)
    _, emb = trained
    fit = emb.info["fit"]
    assert fit["words"] >= 20 and fit["heldout_words"] == round(fit["words"] * 0.2) and fit["ridge"]
    assert 0 < fit["heldout_cosine"] <= 1
    assert emb.transform.shape == (20, 20) and emb.info["n_terms"] > 5_000


def test_same_seed_same_numbers(trained):
    docs, emb = trained
    again = train_embeddings(docs, seed=0, min_terms=0, **SMALL)
    other = train_embeddings(docs, seed=1, min_terms=0, **SMALL)
    assert np.array_equal(again.vectors, emb.vectors) and np.array_equal(again.transform, emb.transform)
    assert not np.array_equal(other.vectors, emb.vectors)
    first = analyse_term(docs, ["ownership"], emb, n_boot=20, n_perm=99, seed=5).to_dict()
    second = analyse_term(docs, ["ownership"], again, n_boot=20, n_perm=99, seed=5).to_dict()
    assert first == second
    # neighbour lists tallied over two word-vector seeds: stability over 2 x (1 + 20) lists
    both = analyse_term(docs, ["ownership"], [emb, other], n_boot=20, n_perm=99, seed=5, senses=0).to_dict()
    assert both["params"]["models"] == 2 and both["comparisons"] == first["comparisons"]
    stabilities = [n["stability"] for g in both["groups"] for n in g["neighbours"]]
    assert stabilities and all(abs(s * 42 - round(s * 42)) < 0.1 for s in stabilities)


def test_a_real_contrast_is_detected_at_document_level(trained):
    docs, emb = trained
    out = analyse_term(docs, ["ownership"], emb, n_boot=30, n_perm=199, senses=2).to_dict()
    assert set(out) >= {"term", "groups", "comparisons", "senses"}
    (c,) = out["comparisons"]
    assert {c["a"], c["b"]} == {"A", "B"} and c["p"] < 0.05 and c["cosine"] < c["null_cosine"]
    groups = {g["group"]: g for g in out["groups"]}
    assert set(groups["A"]) >= {"group", "n_occurrences", "n_documents", "neighbours", "distinctive"}
    near_a = [n["term"] for n in groups["A"]["distinctive"][:5]]
    near_b = [n["term"] for n in groups["B"]["distinctive"][:5]]
    assert sum(w in PUBLIC for w in near_a) >= 3 and sum(w in HOME for w in near_b) >= 3
    assert all(0 < n["stability"] <= 1 for n in groups["A"]["neighbours"])
    around_a = [t["term"] for t in (c["context_terms_a"] if c["a"] == "A" else c["context_terms_b"])]
    assert set(around_a[:3]) <= set(PUBLIC)
    assert all("[ownership]" in e for e in groups["A"]["examples"]) and len(groups["A"]["examples"]) == 3
    # senses: one mostly A's, one mostly B's
    shares = [s["shares"] for s in out["senses"]]
    assert any(s["A"] > 0.8 and s["B"] < 0.2 for s in shares) and any(s["B"] > 0.8 and s["A"] < 0.2 for s in shares)


def test_a_group_below_min_support_is_listed_without_claims(trained):
    _, emb = trained
    docs = synthetic_docs(n_a=20, n_b=3)
    out = analyse_term(docs, ["ownership"], emb, n_boot=20, n_perm=99, min_support=5, senses=0).to_dict()
    small = next(g for g in out["groups"] if g["group"] == "B")
    assert not small["supported"] and small["n_documents"] == 3 and small["n_occurrences"] > 0
    assert small["neighbours"] == [] and small["distinctive"] == [] and small["embedding"] == []
    assert out["comparisons"] == [] and len(next(g for g in out["groups"] if g["group"] == "A")["embedding"]) == 20


def test_period_splits_groups(trained):
    docs, emb = trained
    out = analyse_term(docs, ["ownership"], emb, period="decade", n_boot=10, n_perm=19, senses=0).to_dict()
    assert {g["group"] for g in out["groups"]} == {"A 1990s", "A 2000s", "B 1990s", "B 2000s"}


def test_unknown_and_empty_terms_are_refused(trained):
    from nlp.meaning.occurrences import resolve_sequence

    docs, _ = trained
    with pytest.raises(MeaningError, match="does not occur"):
        resolve_sequence(docs, ["socialism"], "socialism")
    with pytest.raises(MeaningError, match="maps to no term"):
        resolve_sequence(docs, [], "the")
    assert resolve_sequence(docs, ["public_ownership"], "public ownership") == ("public", "ownership")


def test_model_folder_round_trip_and_tampering(trained, tmp_path):
    _, emb = trained
    save_embeddings(emb, tmp_path / "m")
    back = load_embeddings(tmp_path / "m")
    assert back.vocabulary == emb.vocabulary and np.array_equal(back.transform, emb.transform)
    assert not any(p.suffix in (".pkl", ".pickle") for p in (tmp_path / "m").iterdir())
    vectors = np.load(tmp_path / "m" / "vectors.npy")
    vectors[0, 0] += 1
    np.save(tmp_path / "m" / "vectors.npy", vectors)
    with pytest.raises(MeaningError, match="vectors.npy does not match its checksum"):
        load_embeddings(tmp_path / "m")
    with pytest.raises(MeaningError, match="no readable manifest.json"):
        load_embeddings(tmp_path)


def test_small_corpus_is_refused_without_a_background_model(small_store):
    docs = load_documents(small_store, raw=True)
    with pytest.raises(MeaningError, match="fewer than the 400,000 needed"):
        train_embeddings(docs)
    res = CliRunner().invoke(cli, ["--db", small_store.path, "meaning", "ownership", "--by", "outlet"])
    assert res.exit_code == 1
    assert "terms, fewer than the 400,000 needed to train word vectors" in res.output
    assert "use --background DIR" in res.output


@pytest.fixture(scope="module")
def background(tmp_path_factory):
    """A corpus store and a background model trained on a larger synthetic corpus of the same kind."""
    tmp = tmp_path_factory.mktemp("background")
    big = CorpusStore(tmp / "big.db")
    big.add_many(synthetic_articles(n=150, seed=2, words=80))
    save_embeddings(train_embeddings(load_documents(big, raw=True), seed=0, min_terms=0, **SMALL), tmp / "bg")
    big.close()
    store = CorpusStore(tmp / "small.db")
    store.add_many(synthetic_articles())
    store.close()
    return tmp


def test_cli_with_background_model(background):
    args = ["--db", str(background / "small.db"), "-q", "meaning", "ownership", "public ownership", "--by", "outlet",
            "--min-support", "3", "--background", str(background / "bg"), "--bootstraps", "10",
            "--permutations", "19", "--json"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert isinstance(out, list) and [o["term"] for o in out] == ["ownership", "public ownership"]
    assert {g["group"] for g in out[0]["groups"]} == {"renewal", "tribune", "labourfirst"}
    assert all(set(c) >= {"a", "b", "cosine", "lo", "hi", "p"} for c in out[0]["comparisons"])
    assert len(out[0]["comparisons"]) == 3 and out[0]["embeddings"]["source"].startswith("background")
    # KWIC examples from the stored text, the match in brackets
    assert any("[ownership]" in e.lower() for g in out[0]["groups"] for e in g["examples"])
    text = CliRunner().invoke(cli, args[:-1])
    assert text.exit_code == 0 and "-- renewal:" in text.output and "p = " in text.output
    one = CliRunner().invoke(cli, args[:5] + args[6:])
    assert isinstance(json.loads(one.stdout), dict)


def test_cli_refuses_bad_terms_groups_and_model_folders(background):
    base = ["--db", str(background / "small.db"), "meaning"]
    bg = ["--background", str(background / "bg")]
    res = CliRunner().invoke(cli, base + ["the"] + bg)
    assert res.exit_code == 1 and "'the' maps to no term" in res.output
    res = CliRunner().invoke(cli, base + ["zeitgeist"] + bg)
    assert res.exit_code == 1 and "'zeitgeist' (terms: zeitgeist) does not occur in the selection" in res.output
    res = CliRunner().invoke(cli, base + ["ownership", "--by", "outlet", "--group", "sun"] + bg)
    assert res.exit_code == 1 and "Unknown outlet 'sun'; known outlet groups" in res.output
    res = CliRunner().invoke(cli, base + ["ownership", "--background", str(background)])
    assert res.exit_code == 1 and "no readable manifest.json; not a meaning model folder" in res.output


def test_report_section_states_only_document_level_differences(trained):
    from nlp.report.meaning_section import meaning_section

    docs, emb = trained
    real = analyse_term(docs, ["ownership"], emb, n_boot=20, n_perm=99, seed=0, query="ownership")
    placebo_docs = docs.subset([i for i, t in enumerate(docs.labels) if t == "A"])
    placebo_docs.labels = [("A", "B")[i % 2] for i in range(len(placebo_docs))]  # one group split at random
    placebo = analyse_term(placebo_docs, ["ownership"], emb, n_boot=20, n_perm=99, seed=0, query="ownership")
    section = meaning_section([real])
    assert section.id == "meaning" and len(section.context["sentences"]) == 1
    assert "use \u201cownership\u201d differently" in section.context["sentences"][0]
    assert {r["group"] for r in section.data["meaning"]} == {"A", "B"}
    assert meaning_section([placebo]).context["sentences"] == []


def test_occurrences_are_found_in_one_pass_as_document_by_document(trained):
    """Every start of a one- or two-term sequence, never across two documents, with its context clipped
    to its own document; phrase terms ending in the target count, their other words joining the left."""
    from nlp.meaning.occurrences import find_occurrences

    _, emb = trained
    terms = [["public_ownership", "rail", "water"], ["ownership", "energy"], [], ["ownership"],
             ["steel", "public", "ownership", "mine", "public"], ["ownership", "public", "ownership"]]
    docs = DocumentTerms.from_terms(terms, labels=["A"] * len(terms))
    for sequence in (("ownership",), ("public", "ownership")):
        expected = []  # the plain definition, document by document
        for i, doc in enumerate(terms):
            for s in range(len(doc) - len(sequence) + 1):
                word = doc[s]
                if tuple(doc[s:s + len(sequence)]) == sequence:
                    prefix = []
                elif len(sequence) == 1 and word.endswith("_" + sequence[0]):
                    prefix = word[: -len(sequence[0]) - 1].split("_")
                else:
                    continue
                left, right = doc[max(0, s - 6):s] + prefix, doc[s + len(sequence):s + len(sequence) + 6]
                if any(w in emb.index for w in left + right):
                    expected.append((i, (left, right)))
        got = find_occurrences(docs, sequence, emb)
        assert list(zip(got.doc.tolist(), got.contexts)) == expected
        assert len(expected) >= 2


def test_senses_fitted_on_a_sample_of_occurrences_still_cover_every_occurrence(trained, monkeypatch):
    from nlp.meaning import analysis

    docs, emb = trained
    whole = analyse_term(docs, ["ownership"], emb, n_boot=10, n_perm=99, senses=2).to_dict()
    monkeypatch.setattr(analysis, "SENSE_SAMPLE", 40)  # far fewer than the occurrences
    sampled = analyse_term(docs, ["ownership"], emb, n_boot=10, n_perm=99, senses=2).to_dict()
    total = sum(g["n_occurrences"] for g in whole["groups"])
    assert total > 40 and sum(s["n_occurrences"] for s in sampled["senses"]) == total
    shares = [s["shares"] for s in sampled["senses"]]  # the two senses are still found from the sample
    assert any(s["A"] > 0.8 and s["B"] < 0.2 for s in shares) and any(s["B"] > 0.8 and s["A"] < 0.2 for s in shares)


def test_permutation_blocks_give_the_splits_of_one_draw(monkeypatch):
    """The permutation test runs a block of splits at a time; its null cosines equal one draw of them all."""
    import numpy as np

    from nlp.meaning import analysis

    rng = np.random.default_rng(1)
    sums, counts = rng.standard_normal((300, 8)), rng.integers(1, 4, 300).astype(float)
    whole = analysis._permutation(sums, counts, 120, np.random.default_rng(5), 99)
    monkeypatch.setattr(analysis, "PERMUTATION_CELLS", 7 * 300)  # blocks of 7 splits, the last one short
    blocked = analysis._permutation(sums, counts, 120, np.random.default_rng(5), 99)
    # the same splits; the cosines agree to rounding (the matrix products run on blocks of another shape)
    assert len(blocked) == 99 and np.allclose(whole, blocked, rtol=0, atol=1e-12)


def test_occurrences_and_senses_worked_a_block_at_a_time_are_the_same(trained, monkeypatch):
    """Occurrence vectors are transformed, and occurrences assigned to senses, a block at a time: blocks of
    seven give the vectors, senses and examples of one block holding them all."""
    import numpy as np

    from nlp.meaning import analysis, occurrences

    docs, emb = trained
    whole_occ = occurrences.find_occurrences(docs, ("ownership",), emb)
    whole = analyse_term(docs, ["ownership"], emb, n_boot=10, n_perm=99, senses=2).to_dict()
    monkeypatch.setattr(occurrences, "BLOCK", 7)
    monkeypatch.setattr(analysis, "BLOCK", 7)
    blocked_occ = occurrences.find_occurrences(docs, ("ownership",), emb)
    blocked = analyse_term(docs, ["ownership"], emb, n_boot=10, n_perm=99, senses=2).to_dict()
    assert len(whole_occ.vectors) > 7 and np.allclose(whole_occ.vectors, blocked_occ.vectors, rtol=0, atol=1e-12)
    assert [(s["n_occurrences"], s["examples"], s["shares"]) for s in whole["senses"]] == \
        [(s["n_occurrences"], s["examples"], s["shares"]) for s in blocked["senses"]]
