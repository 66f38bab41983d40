"""Tiny synthetic corpora for the nlp tests (built in the test, no downloaded model)."""
from __future__ import annotations

import random

import pytest

from corpus import Article, CorpusStore

THEMES = {
    "devolution": "devolution federal local council mayor region community_wealth_building power place town".split(),
    "ownership": "public ownership energy water rail nationalise company profit price bill".split(),
    "leadership": "leader ballot nomination member rulebook conference selection vote candidate slate".split(),
}
OUTLETS = ("renewal", "tribune", "labourfirst")


def synthetic_articles(n: int = 36, seed: int = 1, words: int = 40) -> list[Article]:
    """``n`` articles over three themes, three outlets and four years (2019-2022), reproducible."""
    rnd = random.Random(seed)
    names = list(THEMES)
    out = []
    for i in range(n):
        theme = names[i % 3]
        other = names[(i + 1) % 3]
        vocab = THEMES[theme] * 8 + THEMES[other][:3]
        body = " ".join(rnd.choice(vocab) for _ in range(words)).replace("_", " ")
        out.append(Article(outlet=OUTLETS[(i // 3) % 3], source="imported", title=f"{theme} {i}",
                           published=f"{2019 + i % 4}-{1 + (i * 5) % 12:02d}-15",
                           text=f"The soft left and the hard left on {theme}: {body}. Piece {i}."))
    return out


@pytest.fixture
def small_store(tmp_path):
    s = CorpusStore(tmp_path / "small.db")
    s.add_many(synthetic_articles())
    yield s
    s.close()


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """A preprocessed store with one fitted run named ``base`` (K=3, seed 0)."""
    from nlp.text.preprocess import preprocess_corpus
    from nlp.topics.fit import fit_topics

    path = tmp_path_factory.mktemp("fitted") / "fitted.db"
    s = CorpusStore(path)
    s.add_many(synthetic_articles())
    preprocess_corpus(s)
    run = fit_topics(s, 3, seed=0, name="base", passes=5)
    yield s, run
    s.close()
