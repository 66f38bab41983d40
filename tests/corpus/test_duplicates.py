"""Near-duplicates: print and online editions found, stored, kept current, and listed by `corpus duplicates`.

The fixture is synthetic (written for these tests): news-like texts drawn from an invented vocabulary, and
for some of them a second edition with another header, an edited opening and a cut ending, as a press
database holds the print and the online edition of one piece.
"""
from __future__ import annotations

import json
import random

import pytest

from corpus import Article
from corpus.duplicates import (
    DEFAULT_THRESHOLD, FLOOR, components, copy_clusters, jaccard, near_duplicate_clusters, shingles,
    update_near_duplicates,
)

SYLLABLES = ["ba", "ke", "lo", "mi", "nu", "ra", "se", "ti", "vo", "zu", "pa", "de", "go", "fi", "hu", "ja"]


def _words(rng: random.Random, n: int, vocab: list[str]) -> list[str]:
    return [rng.choice(vocab) for _ in range(n)]


def editions(n_pieces: int = 12, n_paired: int = 4, seed: int = 0) -> tuple[list[Article], list[set[int]]]:
    """``(articles, expected clusters as sets of article indices)``: ``n_pieces`` print pieces, the first
    ``n_paired`` of them also online (new header, rewritten first sentence, last sentence cut), and the first
    piece syndicated a third time by another outlet."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(2500)]
    arts: list[Article] = []
    clusters: list[set[int]] = []
    for i in range(n_pieces):
        sentences = [" ".join(_words(rng, rng.randint(12, 20), vocab)) + "." for _ in range(12)]
        print_text = f"THE EXAMPLE GAZETTE print edition, page {i + 2}, section Politics.\n\n" + " ".join(sentences)
        arts.append(Article(outlet="gazette", text=print_text, title=f"Piece {i}", source="imported",
                            published=f"2021-03-{i + 1:02d}", authors=(f"Writer {i % 5}",)))
        if i < n_paired:
            opening = " ".join(_words(rng, 16, vocab)) + "."
            online = (f"examplegazette.test | updated 10:{i:02d} | copyright Example Media Ltd\n\n"
                      + " ".join([opening] + sentences[1:-1]))
            arts.append(Article(outlet="gazette_online", text=online, title=f"Piece {i}, online",
                                source="imported", published=f"2021-03-{i + 2:02d}", authors=(f"Writer {i % 5}",)))
            clusters.append({len(arts) - 2, len(arts) - 1})
        if i == 0:
            arts.append(Article(outlet="syndicate", text="Syndicated. " + " ".join(sentences), source="imported",
                                title="Piece 0, syndicated", published="2021-03-05"))
            clusters[0].add(len(arts) - 1)
    return arts, clusters


def _ids(store, arts, indices):
    return {store.duplicate_of(arts[i])[0] for i in indices}


def test_shingles_and_exact_jaccard():
    assert shingles("One two three four five six") == {"one two three four five", "two three four five six"}
    assert shingles("Too short") == {"too short"} and shingles("  ") == set()
    a, b = shingles("a b c d e f g h"), shingles("a b c d e f g x")
    assert jaccard(a, b) == pytest.approx(3 / 5)
    assert components(["a", "b", "c", "d"], [("b", "c"), ("c", "d")]) == {"a": "a", "b": "b", "c": "b", "d": "b"}


def test_print_and_online_editions_are_found_and_nothing_else(store):
    arts, expected = editions()
    store.add_many(arts)
    summary = update_near_duplicates(store)
    assert summary.sketched == len(arts) and summary.rebuilt
    found = near_duplicate_clusters(store)
    assert found.threshold == DEFAULT_THRESHOLD and found.articles_checked == len(arts)
    assert {frozenset(c.ids) for c in found.clusters} == {frozenset(_ids(store, arts, c)) for c in expected}
    assert all(FLOOR <= c.similarity < 1 for c in found.clusters)
    # unrelated pieces share no 5-word shingle: no cluster at any threshold
    assert near_duplicate_clusters(store, FLOOR).n_articles == sum(len(c) for c in expected)
    ids = [a.id for a in store.articles(with_text=False)]
    keys = copy_clusters(store, ids)
    assert len(set(keys)) == len(ids) - sum(len(c) - 1 for c in expected)


def test_updates_are_incremental_and_follow_changed_and_deleted_texts(store):
    arts, expected = editions(n_pieces=6, n_paired=2)
    store.add_many(arts)
    update_near_duplicates(store)
    assert update_near_duplicates(store).sketched == 0  # nothing new: nothing read
    # a new copy of piece 3 joins a new cluster; only it is sketched
    piece3 = next(a for a in arts if a.title == "Piece 3")
    store.add(Article(outlet="syndicate", text="Reprinted: " + piece3.text, source="imported", title="copy"))
    again = update_near_duplicates(store)
    assert again.sketched == 1 and not again.rebuilt and again.pairs == 1
    assert len(near_duplicate_clusters(store).clusters) == len(expected) + 1
    # rewriting a copy's text takes it out of its cluster; deleting one removes its pairs
    online = store.duplicate_of(next(a for a in arts if a.title == "Piece 1, online"))[0]
    store.update(online, text="An entirely different text about something else, written again from scratch.")
    assert update_near_duplicates(store).sketched == 1
    assert online not in {i for c in near_duplicate_clusters(store).clusters for i in c.ids}
    copy_id = store.duplicate_of(Article(outlet="syndicate", text="Reprinted: " + piece3.text, source="imported"))[0]
    store.delete(copy_id)
    assert len(near_duplicate_clusters(store).clusters) == len(expected) - 1


def test_corpus_duplicates_json_and_threshold_range(run_cli, db):
    from corpus import CorpusStore

    arts, expected = editions(n_pieces=5, n_paired=2)
    with CorpusStore(db) as s:
        s.add_many(arts)
    out = run_cli("corpus", "duplicates", "--json")
    assert out.exit_code == 0
    doc = json.loads(out.output)
    assert {"threshold", "n_clusters", "n_articles", "clusters"} <= set(doc)
    assert doc["threshold"] == 0.5 and doc["n_clusters"] == 2 and doc["n_articles"] == 5
    assert [len(c["ids"]) for c in doc["clusters"]] == [3, 2]
    assert all(0.5 <= c["similarity"] <= 1 for c in doc["clusters"])
    strict = json.loads(run_cli("corpus", "duplicates", "--threshold", "0.99", "--json").output)
    assert strict["n_clusters"] == 0
    text = run_cli("corpus", "duplicates")
    assert text.exit_code == 0 and "Piece 0, syndicated" in text.output
    assert "[gazette_online, 2021-03-02]" in text.output
    low = run_cli("corpus", "duplicates", "--threshold", "0.3")
    assert low.exit_code == 2
    assert "Error: Invalid value for '--threshold': 0.3 is not in the range 0.4<=x<=1.0." in low.output


def test_the_command_range_is_the_library_floor():
    from commands.corpus import corpus_duplicates

    option = next(p for p in corpus_duplicates.params if p.name == "threshold")
    assert (option.type.min, option.default) == (FLOOR, DEFAULT_THRESHOLD)
