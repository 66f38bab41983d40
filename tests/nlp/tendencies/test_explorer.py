"""The term explorer's data: every term of a contrast with the contrast's own z, its uses and articles on each
side, its stability and the articles to quote; bounded in size."""
from __future__ import annotations

import random

from nlp.documents import DocumentTerms
from nlp.report.explorer import explorer_data, snippet
from nlp.report.examples import ArticleText
from nlp.report.styles import Styles
from nlp.tendencies.contrast import contrast, contrast_each_against_rest
from nlp.tendencies.explorer import explore_contrast


def _docs(seed: int = 0) -> DocumentTerms:
    """Soft left writes of devolution, hard left of strikes; both of the party; twelve writers a side."""
    rng = random.Random(seed)
    filler = ["party", "member", "vote", "council", "year", "policy", "people", "labour"]
    terms, labels, authors = [], [], []
    for i in range(48):
        side = ("soft_left", "hard_left", "soft_right")[i % 3]
        own = {"soft_left": ["devolution", "pluralism"], "hard_left": ["strike", "picket"],
               "soft_right": ["voter", "credibility"]}[side]
        terms.append(own + [rng.choice(own) for _ in range(rng.randint(1, 4))] + rng.choices(filler, k=40))
        labels.append(side)
        authors.append((f"{side}-{i % 12}",))
    return DocumentTerms.from_terms(terms, labels=labels, authors=authors)


def test_every_term_with_the_contrasts_own_scores():
    docs = _docs()
    rest = contrast_each_against_rest(docs, top=3, bootstrap=0)
    soft = next(r for r in rest if r.a == "soft_left")
    explored = explore_contrast(docs, soft, bootstrap=20)
    rows = {r[0]: r for r in explored["terms"]}
    assert explored["columns"] == ["term", "z", "count_a", "count_b", "docs_a", "docs_b", "stability"]
    assert explored["n_terms"] == len(explored["terms"]) == len(rows) == 14  # every term used 3 times or more
    for t in soft.terms_a + soft.terms_b:  # the top lists are the explorer's strongest rows, same figures
        assert rows[t.term][1] == round(t.z, 3) and rows[t.term][2:4] == [t.count_a, t.count_b]
    assert rows["devolution"][4] == 16 and rows["devolution"][5] == 0  # every soft left article, no other
    assert rows["devolution"][6] == 1.0  # distinctive in every resample
    assert all(0 <= r[6] <= 1 for r in explored["terms"])
    assert [abs(r[1]) for r in explored["terms"]] == sorted((abs(r[1]) for r in explored["terms"]), reverse=True)
    # contexts: the favoured side's articles using the word most
    soft_ids = {docs.ids[i] for i in range(len(docs)) if docs.labels[i] == "soft_left"}
    assert set(explored["contexts"]["devolution"]) <= soft_ids and len(explored["contexts"]["devolution"]) == 2
    assert not set(explored["contexts"]["strike"]) & soft_ids  # favours the rest: quoted from the rest


def test_pairwise_and_the_bound():
    docs = _docs()
    pair = contrast(docs, "soft_left", "hard_left", top=3, bootstrap=0)
    explored = explore_contrast(docs, pair, bootstrap=0, max_terms=5)
    assert len(explored["terms"]) == 5 and explored["n_terms"] > 5
    assert explored["docs_a"] == explored["docs_b"] == 16
    assert {r[0] for r in explored["terms"][:4]} == {"devolution", "pluralism", "strike", "picket"}
    assert all(r[6] is None for r in explored["terms"])  # no bootstrap: no stability


def test_the_pages_data_quotes_a_sentence_for_each_term():
    docs = _docs()
    soft = next(r for r in contrast_each_against_rest(docs, top=3, bootstrap=0) if r.a == "soft_left")
    explored = explore_contrast(docs, soft, bootstrap=0)
    texts = {i: ArticleText(i, f"Title <{i}>", "A first sentence. Devolution came up again! The strike went on.",
                            "Outlet", "2024-05-01", "https://example.org/" + i) for i in docs.ids}
    read = []
    data = explorer_data([explored], Styles.default(), lambda ids: (read.extend(ids), texts)[1])
    rows = {r[0]: r for r in data["contrasts"][0]["rows"]}
    assert data["contrasts"][0]["label"] == "Soft left against the rest"
    devolution = [data["snippets"][k] for k in rows["devolution"][7]]
    assert [s[1] for s in devolution] == ["Devolution came up again!"] * 2
    title, url, outlet, date = data["articles"][devolution[0][0]]
    assert title.startswith("Title <") and url.startswith("https://example.org/") and date == "2024-05-01"
    assert len(set(read)) == len(read)  # each article read once
    assert snippet("word " * 100 + "devolution" + " word" * 100, ["devol"], 60).count("devolution") == 1
