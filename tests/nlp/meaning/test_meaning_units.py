"""Meaning compared over the right units: outlets where each tendency has outlets of its own (with outlet
placebos), documents within outlets where the tendencies share them. Random word vectors (no training)."""
from __future__ import annotations

import random
from math import comb

import numpy as np

from nlp.documents import DocumentTerms
from nlp.meaning import analyse_term
from nlp.meaning.embeddings import Embeddings
from nlp.meaning.units import exact_splits, smallest_p, stratified_splits

FILLER = [f"f{i}" for i in range(40)]
FACTION = {"left": [f"lw{k}" for k in range(6)], "right": [f"rw{k}" for k in range(6)]}


def corpus(layout: dict[str, list[str]], n: int = 12, faction: bool = False, seed: int = 0) -> DocumentTerms:
    """Each outlet's writers say "ownership" among its own house words (and, with ``faction``, half the time
    among their tendency's words instead)."""
    rnd = random.Random(seed)
    terms, labels, outlets = [], [], []
    for outlet, tendencies in layout.items():
        house = [f"{outlet}_h{k}" for k in range(6)]
        for tendency in tendencies:
            for _ in range(n):
                doc = []
                for _ in range(15):
                    words = FACTION[tendency] if faction and rnd.random() < 0.5 else house
                    doc += rnd.sample(FILLER, 3) + rnd.sample(words, 3) + ["ownership"] + rnd.sample(words, 3)
                terms.append(doc)
                labels.append(tendency)
                outlets.append(outlet)
    return DocumentTerms.from_terms(terms, labels=labels, outlets=outlets)


def vectors(docs: DocumentTerms, dim: int = 16) -> Embeddings:
    rng = np.random.default_rng(0)
    n = len(docs.vocabulary)
    return Embeddings(list(docs.vocabulary), rng.normal(size=(n, dim)).astype(np.float32), np.full(n, 100),
                      np.eye(dim), {"source": "random vectors (test)"})


def meaning_of(docs: DocumentTerms) -> dict:
    return analyse_term(docs, ["ownership"], vectors(docs), n_boot=30, n_perm=199, senses=0).to_dict()


PRESS = {"l1": ["left"], "l2": ["left"], "r1": ["right"], "r2": ["right"], "r3": ["right"]}


def test_outlets_of_their_own_are_permuted_whole_and_named():
    out = meaning_of(corpus(PRESS))
    (c,) = out["comparisons"]
    assert (c["unit"], c["n_units"], c["exact"]) == ("outlet", 5, True)
    assert {(c["a"], c["n_units_a"]), (c["b"], c["n_units_b"])} == {("left", 2), ("right", 3)}
    assert c["min_p"] == 0.1 and c["p"] >= 0.1  # 10 splits of 5 outlets: no p below 1/10
    assert c["design"] == "constant within outlets" and "the outlet is the unit" in c["caveats"][0]
    # the placebo: two outlets of one tendency differ at document level (their house styles) ...
    placebos = {p["a"]: p for p in out["placebos"]}
    assert set(placebos) == {"left: l1", "right: r1"} and all(p["p"] < 0.05 for p in placebos.values())
    # ... as the two tendencies do when documents are shuffled (the old test; here on one unnamed outlet)
    same = corpus(PRESS)
    same.outlets = [""] * len(same)
    (old,) = meaning_of(same)["comparisons"]
    assert old["unit"] == "document" and old["p"] < 0.05 and meaning_of(same)["placebos"] == []


def test_shared_outlets_shuffle_documents_within_each_outlet():
    layout = {"o1": ["left", "right"], "o2": ["left", "right"], "o3": ["left", "right"]}
    (none,) = meaning_of(corpus(layout, n=8))["comparisons"]
    assert none["unit"] == "document within outlet" and none["n_units"] == 48 and none["caveats"] == []
    assert none["p"] > 0.05  # the same house words on both sides of each outlet
    (real,) = meaning_of(corpus(layout, n=8, faction=True))["comparisons"]
    assert real["p"] < 0.05 and real["cosine"] < real["null_cosine"]


def test_exact_splits_enumerate_every_deal_of_the_units():
    rng = np.random.default_rng(3)
    sums, counts = rng.normal(size=(6, 4)), rng.integers(1, 5, 6).astype(float)
    null = exact_splits(sums, counts, 2)
    assert len(null) == comb(6, 2) == 15
    observed = null[0]  # the first split is units 0 and 1 against the rest
    a, b = sums[:2].sum(0) / counts[:2].sum(), sums[2:].sum(0) / counts[2:].sum()
    assert np.isclose(observed, a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert smallest_p(2, 6) == 1 / 28 and smallest_p(3, 3) == 2 / 20


def test_stratified_splits_never_move_a_document_out_of_its_outlet():
    rng = np.random.default_rng(4)
    sums, counts = rng.normal(size=(8, 3)), np.ones(8)
    side = np.array([True] * 4 + [False] * 4)
    # each outlet holds one side only: nothing can move, every split is the observed one
    frozen = stratified_splits(sums, counts, side, np.array([0, 0, 0, 0, 1, 1, 1, 1]), rng, 50)
    a, b = sums[:4].mean(0), sums[4:].mean(0)
    assert np.allclose(frozen, a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    mixed = stratified_splits(sums, counts, side, np.array([0, 1, 0, 1, 0, 1, 0, 1]), rng, 50)
    assert len(np.unique(mixed.round(10))) > 1
