"""Topic names that read as phrases: each topic's most particular phrases, from its collocations and the pairs
of words that recur together, shared among topics by the model's shares."""
from __future__ import annotations

import random

import numpy as np

from nlp.documents import DocumentTerms
from nlp.topics.names import topic_name
from nlp.topics.phrases import topic_phrases


def _corpus(seed: int = 0):
    """Two topics: rail and ownership ("public ownership", "rail line", the collocation "trade_union"), and
    climate ("green new_deal" as a collocation, "carbon tax" as a pair); filler words shared by both."""
    rng = random.Random(seed)
    filler = ["party", "member", "policy", "vote", "year", "people"]
    topics = {0: [["public", "ownership"], ["rail", "line"], ["trade_union"], ["worker"]],
              1: [["green_new_deal"], ["carbon", "tax"], ["climate"], ["emission"]]}
    terms, theta = [], []
    for i in range(40):
        t = i % 2
        doc: list[str] = []
        for _ in range(30):  # a topic's piece, then a filler word (as sentences run on)
            doc += (rng.choice(topics[t]) if rng.random() < 0.6 else []) + [rng.choice(filler)]
        terms.append(doc)
        theta.append([0.9, 0.1] if t == 0 else [0.1, 0.9])
    docs = DocumentTerms.from_terms(terms)
    vocabulary = sorted(docs.vocabulary)
    phi = np.full((2, len(vocabulary)), 0.01)
    for t, pieces in topics.items():
        for piece in pieces:
            for w in piece:
                phi[t, vocabulary.index(w)] = 1.0
    return docs, np.array(theta), phi / phi.sum(axis=1, keepdims=True), vocabulary


def test_each_topic_gets_its_own_phrases():
    docs, theta, phi, vocabulary = _corpus()
    phrases = topic_phrases(docs, theta, phi, vocabulary, n=3)
    assert set(phrases[0]) == {"public ownership", "rail line", "trade union"}
    assert set(phrases[1]) == {"green new deal", "carbon tax"}  # "climate", "emission" are single words
    # a pair of words that only meet by chance (filler next to filler) is never a phrase
    assert not any(w in p for p in phrases[0] + phrases[1] for w in ("party member", "vote year"))


def test_a_name_reads_as_phrases_unless_the_editor_named_it():
    topic = {"id": 0, "label": "rail · ownership · worker", "terms": ["rail", "ownership", "worker"],
             "phrases": ["public ownership", "rail line"]}
    assert topic_name(topic) == "public ownership, rail line"
    assert topic_name({**topic, "phrases": ["public ownership"]}) == "public ownership, rail"  # one phrase + a word
    assert topic_name({**topic, "phrases": []}) == "rail, ownership, worker"  # an older run: its FREX words
    assert topic_name(topic, {0: "Rail and energy ownership"}) == "Rail and energy ownership"
    given = topic_name({**topic, "phrases": None}, phrases=["carbon tax", "green new deal"])  # from the manifest
    assert given == "carbon tax, green new deal"


def test_unplaced_documents_give_no_phrases_and_a_small_sample_only_collocations():
    docs, theta, phi, vocabulary = _corpus()
    assert topic_phrases(docs, np.full_like(theta, np.nan), phi, vocabulary) == [[], []]
    # four documents: no pair recurs in three documents, so only the corpus' collocations are left
    assert topic_phrases(docs, theta, phi, vocabulary, sample=4) == [["trade union"], ["green new deal"]]
