"""A tiny labelled corpus in a store, preprocessed with the default (blank English) pipeline."""
from __future__ import annotations

import random

from corpus import Article, CorpusStore
from corpus.labels import LabelSet

SENTENCES = {
    "soft_left": [
        "Pluralism and devolution must shape a democratic renewal of the party.",
        "We want a Green New Deal built through local cooperatives and councils.",
        "Proportional representation would give every region a real voice.",
        "The hard left behave like sectarian power seizers who crave control.",
        "The soft left is pluralist, democratic and patient in building coalitions.",
        "Federalism and devolution put power in towns and regions.",
    ],
    "hard_left": [
        "Socialism means solidarity with striking workers against the bosses.",
        "Nationalisation of rail, mail and water is what the working class needs.",
        "The soft left are fence-sitters and careerists who betrayed the movement.",
        "Momentum and the Socialist Campaign Group stand with the picket line.",
        "Capital and the bosses fear a mass movement of organised workers.",
        "The purge of socialists by the establishment must end.",
    ],
    "soft_right": [
        "Electability and credibility with voters decide every election.",
        "Fiscal responsibility and security reassure aspirational voters.",
        "The hard left are extremists and entryists who make Labour unelectable.",
        "The soft left are well-meaning but naive about what voters want.",
        "Labour First organises moderates for the centre ground.",
        "A credible government-in-waiting needs discipline and NATO.",
    ],
}
COMMON = [
    "Conference met on a wet Tuesday and the hall was full.",
    "Members argued late into the evening about the motion.",
    "The branch meeting agreed to write to the council.",
]
OUTLETS = {"soft_left": ("commonweal", "plural"), "hard_left": ("redcorner", "picketpen"),
           "soft_right": ("forwardbench", "newcentre")}


def article_text(rng: random.Random, tendency: str, n: int = 7) -> str:
    return " ".join(rng.choice(SENTENCES[tendency]) if rng.random() < 0.8 else rng.choice(COMMON) for _ in range(n))


def build_store(path, per_outlet: int = 6, seed: int = 0, preprocess: bool = True) -> CorpusStore:
    rng = random.Random(seed)
    store = CorpusStore(path)
    labels = {"outlets": {o: t for t, outs in OUTLETS.items() for o in outs}}
    labels["outlets"]["ledger"] = "mixed"
    store.load_labels(LabelSet.from_mapping(labels))
    articles = []
    for tendency, outlets in OUTLETS.items():
        for outlet in outlets:
            for i in range(per_outlet):
                articles.append(Article(
                    outlet=outlet, text=article_text(rng, tendency) + f" Piece {outlet} {i}.",
                    title=f"{outlet} {i}", authors=(f"{outlet.title()} Writer {i % 2}",),
                    published=f"{2016 + i % 6}-0{1 + i % 9}-15", source="demo"))
    for i in range(4):  # a mixed outlet and an unlabelled blog: to be predicted, never trained on
        tendency = ("soft_left", "hard_left", "soft_right", "soft_left")[i]
        articles.append(Article(outlet="ledger", text=article_text(rng, tendency) + f" Ledger {i}.",
                                title=f"ledger {i}", authors=(f"Ledger Writer {i}",), published="2020-01-01",
                                source="demo"))
        articles.append(Article(outlet="blog", text=article_text(rng, tendency) + f" Blog {i}.",
                                title=f"blog {i}", authors=("Blogger",), published="2021-01-01", source="demo"))
    store.add_many(articles)
    if preprocess:
        from nlp.text.preprocess import preprocess_corpus
        preprocess_corpus(store)
    return store
