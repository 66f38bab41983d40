"""Self-names from the corpus itself (outlets, domains, authors, a names file, compounds) and the caveat when
people's names dominate a class's top features."""
from __future__ import annotations

import random

import pytest

from corpus.labels import LabelSet
from nlp.documents import DocumentTerms
from nlp.errors import NlpError
from nlp.tendencies.masking import (
    SelfNames, author_names, domain_names, masked_columns, person_names_in_top_features, self_names,
)
from nlp.text.names import person_names_in_texts


def press_docs(urls=True) -> DocumentTerms:
    return DocumentTerms.from_terms(
        [["guardian_news", "cut"], ["tax", "labour_market"], ["human_right"]], labels=["left", "right", "left"],
        outlets=["guardian", "times", "guardian"], authors=[("Polly Toynbee",), ("Matthew Parris",), ()],
        urls=["https://www.theguardian.com/politics/1", "https://www.thetimes.co.uk/article/2", None] if urls else None)


def test_names_come_from_the_corpus_outlets_domains_and_authors():
    names = self_names(press_docs(), labels=LabelSet())
    for expected in ("guardian", "times", "theguardian", "theguardiancom", "thetimes", "thetimescouk",
                     "polly_toynbee", "toynbee", "parris", "left", "right"):
        assert expected in names, expected
    # compounds of an outlet's name or domain are self-names; of a label value (an ordinary word) they are not
    assert "guardian_news" in names and "guardian_media_group" in names and "thetimescouk_edition" in names
    assert "human_right" not in names and "right_wing" not in names and "left" in names
    assert list(masked_columns(["guardian_news", "cut", "human_right", "toynbee said", "tax"], names)) == [0, 3]


def test_party_aliases_are_whole_terms_only():
    names = self_names(extra=["Lab", "Con"], labels=LabelSet())
    assert {"labour", "labour_party", "tory"} <= set(names)
    assert "labour_market" not in names and "tory_government" not in names


def test_domain_and_author_names():
    assert domain_names(["https://www.theguardian.com/x", "http://guardian.co.uk/y", "https://m.bbc.co.uk/z",
                         None, "not a url"]) == {"theguardian", "theguardiancom", "guardian", "guardiancouk", "bbc",
                                                 "bbccouk"}
    assert author_names([("Polly Toynbee", "Jo Ng"), ("Polly Toynbee",)]) == {"polly_toynbee", "toynbee", "jo_ng"}


def test_a_names_file_brings_another_party_system(tmp_path):
    """Nothing in the generic path knows only UK Labour: German party codes come from a names file."""
    path = tmp_path / "names.toml"
    path.write_text('names = ["Die Linke"]\n[aliases]\nSPD = ["sozialdemokrat", "sozialdemokraten"]\n'
                    'CDU = ["union", "christdemokrat"]\n', encoding="utf-8")
    docs = DocumentTerms.from_terms([["a"], ["b"]], labels=["SPD", "CDU"], outlets=["vorwaerts", "faz"])
    shipped = self_names(docs, labels=LabelSet())
    assert "sozialdemokrat" not in shipped and "die_linke" not in shipped
    names = self_names(docs, labels=LabelSet(), names_file=path)
    assert {"spd", "sozialdemokrat", "christdemokrat", "die_linke", "vorwaerts"} <= set(names)
    assert "die_linke_fraktion" in names  # a names-file name masks its compounds
    assert "union_member" not in names  # an alias masks only itself


@pytest.mark.parametrize("content,message", [
    ("names = [", "is not valid TOML"),
    ("names = 3\n", "write `names = [\"...\"]` and an [aliases] table"),
    ("people = [\"x\"]\n", "unknown keys: people"),
])
def test_a_bad_names_file_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "names.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(NlpError, match=message.replace("[", r"\[").replace("`", ".")):
        self_names(names_file=path)


def test_self_names_still_iterate_as_a_list():
    names = SelfNames(frozenset({"labour"}), frozenset({"guardian"}))
    assert list(names) == ["guardian", "labour"] and len(names) == 2
    assert "guardian_news labour" in names and "labour_market" not in names


# ----------------------------------------------------------------------------- people's names
FILLER = "budget cut tax spending deficit growth investment school hospital pension".split()
SPEAKERS = {"gov": ["Lenihan", "Cowen", "Gormley", "Ryan"], "opp": ["Kenny", "Bruton", "Gilmore", "Burton"]}


def speeches(names_dominate: bool, n: int = 12, seed: int = 0):
    """Debate speeches: each side names its own people ("Minister Lenihan", "Deputy Kenny") when
    ``names_dominate``; otherwise each side has its own policy words and names nobody."""
    rng = random.Random(seed)
    words = {"gov": "stability recovery prudence adjustment".split(), "opp": "unfair burden jobless cuts".split()}
    texts, labels = [], []
    for side in ("gov", "opp"):
        for _ in range(n):
            sentences = []
            for _ in range(8):
                parts = rng.sample(FILLER, 5)
                if names_dominate:
                    title = "Minister" if side == "gov" else "Deputy"
                    parts.insert(2, f"{title} {rng.choice(SPEAKERS[side])}")
                    parts.append(f"and {rng.choice(SPEAKERS[side])}")
                else:
                    parts.insert(2, rng.choice(words[side]))
                sentences.append("We say the " + " ".join(parts) + ".")
            texts.append(" ".join(sentences))
            labels.append(side)
    terms = [[w.lower().strip(".") for w in t.split() if w.lower().strip(".") not in {"we", "say", "the", "and"}]
             for t in texts]
    return DocumentTerms.from_terms(terms, labels=labels, texts=texts)


def test_people_named_from_capitals_and_titles():
    texts = ["Deputy Kenny spoke. Then Enda Kenny and Mr Kenny said the budget failed in Dublin.",
             "In Dublin, Deputy Kenny and Deputy Bruton met; the budget, said Kenny, failed Dublin."]
    assert person_names_in_texts(["kenny", "dublin", "budget", "bruton"], texts) == {"kenny"}


def test_a_caveat_when_peoples_names_dominate_the_top_features():
    from nlp.tendencies.classify import evaluate

    result = evaluate(speeches(True), group_by="none", folds=3, seed=0)
    assert set(result.person_names_in_top_features["gov"]) >= {"lenihan", "cowen"}
    assert any(c.startswith("People's names dominate the top features of gov") for c in result.caveats)


def test_no_caveat_when_the_top_features_are_what_is_argued():
    from nlp.tendencies.classify import evaluate

    result = evaluate(speeches(False), group_by="none", folds=3, seed=0)
    assert result.person_names_in_top_features == {"gov": [], "opp": []}
    assert not any(c.startswith("People's names") for c in result.caveats)


def test_no_texts_no_claim():
    docs = speeches(True)
    docs.text_source = None
    flagged, caveats = person_names_in_top_features(docs, {"gov": [{"term": "lenihan", "weight": 1.0}]})
    assert flagged == {"gov": []} and caveats == []
