"""Boilerplate lines: what an outlet repeats across its articles is dropped from the terms, never from the text."""
from __future__ import annotations

import random

import pytest

from corpus import Article, CorpusStore
from corpus.analyses import get_state
from nlp.text.boilerplate import BOILERPLATE_KEY, PARAGRAPH, Boilerplate, LineCounts
from nlp.text.preprocess import Collocations, iter_terms, preprocess_corpus

WORDS = ("housing rent council tenant landlord budget school hospital nurse wage pension railway energy water "
         "climate carbon farm trade border defence debt bank loan bridge river library museum").split()
HEADER = "GRDN\nGuardian News & Media Ltd\n"  # invented stamps on every article of one outlet
FOOTER = "\nFollow Guardian News on every platform."


def body(rng: random.Random, paragraphs: int = 3) -> str:
    return "\n".join(" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(paragraphs))


def press(n: int = 12, stamped: bool = True, seed: int = 0) -> list[Article]:
    """Two outlets; the first stamps a header and a footer on every article when ``stamped``."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        for outlet in ("guardian", "herald"):
            text = body(rng)
            if stamped and outlet == "guardian":
                text = HEADER + text + FOOTER
            out.append(Article(outlet=outlet, source="imported", title=f"{outlet} {i}", text=text))
    return out


def lines_of(*articles: tuple[str, list[list[str]]]) -> LineCounts:
    counts = LineCounts()
    for outlet, paragraphs in articles:
        terms: list[str] = []
        for p in paragraphs:
            terms += ([PARAGRAPH] if terms else []) + p
        counts.add(outlet, terms)
    return counts


def test_a_line_in_enough_of_an_outlets_articles_is_boilerplate():
    rng = random.Random(1)
    docs = [("post", [["grdn"], [rng.choice(WORDS) for _ in range(6)], ["quote", "repeat"] if i < 4 else [f"x{i}"]])
            for i in range(20)]
    docs += [("other", [["grdn"], [rng.choice(WORDS) for _ in range(6)]]) for _ in range(3)]
    found = lines_of(*docs).boilerplate()
    assert set(found.lines["post"]) == {("grdn",)}  # 20 of 20; "quote repeat" in 4 (< 5 articles) stays
    assert found.lines["post"][("grdn",)] == (20, 20)
    assert "other" not in found.lines  # 3 articles: under the floor of 5
    assert found.summary() == {"lines": 1, "outlets": 1, "dropped": 20, "min_docs": 5, "min_share": 0.05}


def test_a_line_under_the_share_is_not_boilerplate():
    docs = [("post", [["sign", "off"] if i < 6 else ["w" + str(i)], ["body" + str(i)]]) for i in range(200)]
    assert not len(lines_of(*docs).boilerplate())  # 6 of 200 articles: 3 %, under 5 %
    assert len(lines_of(*docs).boilerplate(min_share=0.02)) == 1


def test_strip_drops_the_lines_and_keeps_the_paragraphs_tidy():
    found = Boilerplate({"post": {("grdn",): (9, 9), ("media", "ltd"): (9, 9)}}, {"post": 9}, {})
    terms = ["grdn", PARAGRAPH, "media", "ltd", PARAGRAPH, "cut", "rent", PARAGRAPH, "grdn", "said", PARAGRAPH, "grdn"]
    assert found.strip("post", terms) == ["cut", "rent", PARAGRAPH, "grdn", "said"]
    untouched = ["cut", PARAGRAPH, "rent"]
    assert found.strip("post", untouched) is untouched and found.strip("other", terms) is terms
    assert Boilerplate.from_dict(found.to_dict()) == found and found.fingerprint


def test_preprocessing_drops_an_outlets_header_from_the_terms_but_not_the_text(tmp_path):
    store = CorpusStore(tmp_path / "p.db")
    store.add_many(press())
    summary = preprocess_corpus(store, collocation_min_count=5)
    assert summary["boilerplate"]["lines"] == 3 and summary["boilerplate"]["outlets"] == 1
    assert summary["boilerplate"]["dropped"] == 36  # three lines in each of the 12 stamped articles
    stored = get_state(store, BOILERPLATE_KEY)["outlets"]["guardian"]["lines"]
    assert sorted(" ".join(line["terms"]) for line in stored) == [
        "follow guardian news platform", "grdn", "guardian news media ltd"]
    for article, terms in iter_terms(store):
        assert not {"grdn", "ltd", "platform"} & set(terms), article.outlet
        assert len(terms) == 36  # three paragraphs of twelve words
    assert all(a.text.startswith("GRDN\n") for a in store.articles(outlet="guardian"))
    # the header's words never became collocations (they would, counted 12 times over)
    pairs = Collocations.from_store(store).pairs
    assert not {("guardian", "news"), ("medium", "ltd"), ("media", "ltd"), ("news", "media")} & pairs
    store.close()


def test_an_unstamped_corpus_has_no_boilerplate(tmp_path):
    store = CorpusStore(tmp_path / "p.db")
    store.add_many(press(stamped=False))
    assert preprocess_corpus(store)["boilerplate"]["lines"] == 0
    assert Boilerplate.from_store(store).fingerprint is None
    store.close()


def test_boilerplate_follows_the_corpus_and_its_documents(tmp_path):
    """Found again when articles are added later (read from the cache); a stale state is refitted; the
    documents read once carry its fingerprint."""
    from nlp.documents import load_documents

    articles = press(n=12)
    once = CorpusStore(tmp_path / "once.db")
    once.add_many(articles)
    preprocess_corpus(once)
    twice = CorpusStore(tmp_path / "twice.db")
    twice.add_many(articles[:8])  # four stamped articles: not yet boilerplate
    assert preprocess_corpus(twice)["boilerplate"]["lines"] == 0
    twice.add_many(articles[8:])
    assert preprocess_corpus(twice)["boilerplate"] == preprocess_corpus(once)["boilerplate"]
    docs = load_documents(twice)
    assert docs.meta["boilerplate"] == Boilerplate.from_store(once).fingerprint
    assert "grdn" not in docs.vocabulary
    # a corpus preprocessed before boilerplate was looked for gets it when next read
    twice.conn.execute("DELETE FROM nlp_state WHERE key = ?", (BOILERPLATE_KEY,))
    twice.conn.commit()
    assert "grdn" not in load_documents(twice).vocabulary
    assert get_state(twice, BOILERPLATE_KEY) is not None
    once.close()
    twice.close()


@pytest.mark.parametrize("stamped", [True, False])
def test_the_preprocess_command_counts_the_boilerplate(db, run_cli, stamped):
    with CorpusStore(db) as store:
        store.add_many(press(stamped=stamped))
    r = run_cli("nlp", "preprocess", "--jobs", "1")
    assert r.exit_code == 0, r.output
    lines = "3 boilerplate lines in 1 outlets (36 uses left out of the terms)" if stamped else \
        "0 boilerplate lines in 0 outlets (0 uses left out of the terms)"
    assert lines in r.stderr
