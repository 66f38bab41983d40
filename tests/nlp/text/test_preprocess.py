"""Preprocessing: the phrase layer, term rules, the cache and its errors (spacy.blank only)."""
from __future__ import annotations

import pytest

from corpus import Article, CorpusStore
from nlp.errors import NotPreprocessedError, UnknownModelError
from nlp.text.preprocess import Collocations, Preprocessor, iter_terms, preprocess_corpus
from nlp.text.vocabulary import load_vocabulary

ACCEPTANCE = "The soft left and the hard left disagree about Labour First"


@pytest.fixture(scope="module")
def pre():
    return Preprocessor()


def test_acceptance_sentence(pre):
    terms = pre.terms(ACCEPTANCE)
    assert {"soft_left", "hard_left", "labour_first"} <= set(terms)
    assert "leave" not in terms and "soft_leave" not in terms


def test_phrases_before_lemmas_and_term_rules(pre):
    terms = pre.terms("A Green New Deal and community wealth-building, said the Soft-Left in 2019: "
                      "see https://example.org or mail a@b.org. The left is running.")
    assert "green_new_deal" in terms and "community_wealth_building" in terms and "soft_left" in terms
    assert "left" in terms and "leave" not in terms and "run" in terms
    assert not any(t.isdigit() or "http" in t or "@" in t for t in terms)
    assert "the" not in terms and "is" not in terms and "," not in terms


def test_case_sensitive_names(pre):
    assert "labour_first" not in pre.terms("We must always put labour first.")
    assert "momentum" in pre.terms("Momentum organised the rally.")


def test_vocabulary_has_categories_and_factions():
    vocab = load_vocabulary()
    assert vocab.entries["soft_left"].category == "faction"
    assert vocab.entries["green_new_deal"].category == "policy"
    assert {"soft_left", "labour_first", "momentum"} <= {e.term for e in vocab.factions}


def test_user_vocabulary_extends(tmp_path):
    extra = tmp_path / "mine.toml"
    extra.write_text('[terms.red_wall]\ncategory = "concept"\npatterns = ["red wall"]\n')
    pre = Preprocessor(phrases_file=extra)
    assert "red_wall" in pre.terms("Winning back the red wall.")
    assert pre.fingerprint != Preprocessor().fingerprint


def test_pipe_keeps_ids_and_long_texts(pre, monkeypatch):
    import nlp.text.preprocess as mod
    monkeypatch.setattr(mod, "CHUNK_CHARS", 200)
    long_text = " ".join(["devolution matters"] * 100)
    out = list(pre.pipe([("the soft left", "a"), (long_text, "b"), ("", "c")]))
    assert [i for _, i in out] == ["a", "b", "c"]
    assert out[1][0].count("devolution") == 100 and out[2][0] == []


def test_unknown_model():
    with pytest.raises(UnknownModelError, match=r"python -m spacy download en_nope_sm"):
        Preprocessor(model="en_nope_sm")


def _fill(store: CorpusStore, n: int, prefix: str = "doc") -> None:
    store.add_many(Article(outlet="demo", source="demo", published=f"2020-0{1 + i % 9}-01",
                           text=f"{prefix} {i}: the soft left and community wealth building; trade union "
                                f"power and public ownership of energy number {i}.") for i in range(n))


def test_not_preprocessed(tmp_path):
    store = CorpusStore(tmp_path / "c.db")
    _fill(store, 3)
    with pytest.raises(NotPreprocessedError) as err:
        list(iter_terms(store))
    assert str(err.value) == "no preprocessed terms: run `python cli.py nlp preprocess` first"


def test_cache_processes_only_new_or_changed(tmp_path, pre):
    store = CorpusStore(tmp_path / "c.db")
    _fill(store, 5)
    first = preprocess_corpus(store, pre)
    assert (first["processed"], first["cached"]) == (5, 0)
    again = preprocess_corpus(store, pre)
    assert (again["processed"], again["cached"]) == (0, 5)
    _fill(store, 2, prefix="new")
    changed = next(iter(store.articles()))
    store.update(changed.id, text="Labour First and Momentum")
    third = preprocess_corpus(store, pre)
    assert (third["processed"], third["cached"]) == (3, 4)
    terms = dict((a.id, t) for a, t in iter_terms(store))
    assert len(terms) == 7 and terms[changed.id] == ["labour_first", "momentum"]


def test_collocations_are_fitted_and_applied():
    colloc = Collocations.fit([["public", "ownership", "energy"]] * 20 + [["energy", "price"]] * 5,
                              min_count=3, threshold=0.3)
    assert ("public", "ownership") in colloc.pairs
    assert colloc.apply(["public", "ownership", "now"]) == ["public_ownership", "now"]
    assert Collocations.from_dict(colloc.to_dict()).pairs == colloc.pairs


def test_two_processes_give_the_same_terms(pre):
    texts = [(f"The soft left {i} and Labour First on devolution, running councils.", i) for i in range(40)]
    parallel = Preprocessor(n_process=2, batch_size=8)
    assert list(parallel.pipe(texts)) == list(pre.pipe(texts))


def test_two_processes_split_long_texts_into_pieces_and_join_them(pre, monkeypatch):
    """A long text travels to the workers as pieces (so one long document does not hold up the end of a
    run); its terms come back whole and equal the one-process terms."""
    import nlp.text.preprocess as mod
    monkeypatch.setattr(mod, "CHUNK_CHARS", 120)
    texts = [((f"Paragraph {i} on devolution and councils.\n" * (1 + 7 * (i % 3))) + "The soft left closes.", i)
             for i in range(24)]
    assert sum(1 for _ in mod._pieces(texts)) > 2 * len(texts)  # the long ones are cut
    parallel = Preprocessor(n_process=2, batch_size=3)
    assert list(parallel.pipe(texts)) == list(pre.pipe(texts))


def test_joined_reassembles_pieces_in_any_order():
    import random

    from nlp.text.preprocess import _joined
    pieces = [(["a0"], ("a", 0, False)), (["a1", "a2"], ("a", 1, False)), (["a3"], ("a", 2, True)),
              (["b"], ("b", 0, True)), ([], ("c", 0, False)), (["c1"], ("c", 1, True))]
    for seed in range(20):
        shuffled = pieces[:]
        random.Random(seed).shuffle(shuffled)
        assert sorted(_joined(shuffled), key=lambda r: r[1]) == [
            (["a0", "a1", "a2", "a3"], "a"), (["b"], "b"), (["c1"], "c")]


def test_names_are_never_joined_by_collocations(tmp_path, pre):
    store = CorpusStore(tmp_path / "c.db")
    store.add_many(Article(outlet="demo", source="demo", text=f"The soft left and the hard left, take {i}. "
                           "Fiscal rules bind; fiscal rules again.") for i in range(30))
    assert preprocess_corpus(store, pre, collocation_min_count=5)["collocations"] >= 1
    colloc = Collocations.from_store(store)
    assert ("fiscal", "rule") in colloc.pairs and not any("soft_left" in p for p in colloc.pairs)
    terms = next(iter(iter_terms(store)))[1]
    assert terms[:2] == ["soft_left", "hard_left"] and "fiscal_rule" in terms


@pytest.mark.parametrize("text,expected", [
    ("the centre ground", ["centre_ground"]),
    ("higher taxes", ["high", "tax"]),
    ("a government-in-waiting", ["government_in_waiting"]),
    ("working class voters", ["working_class", "voter"]),
    ("on these grounds", ["ground"]),
])
def test_lookup_lemmas_mended_for_political_words(pre, text, expected):
    assert pre.terms(text) == expected
