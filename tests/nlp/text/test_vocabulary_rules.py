"""Preprocessing that does not lie: term queries, audited lemma overrides, name-safe collocations and the
vocabulary's contextual, exact and new entries (see docs/preprocessing.md)."""
from __future__ import annotations

from collections import Counter

import pytest

from corpus import Article, CorpusStore
from nlp.documents import DocumentTerms, GroupError
from nlp.errors import InvalidParameterError
from nlp.tendencies.mentions import mentions
from nlp.text.kwic import kwic
from nlp.text.names import person_name_words
from nlp.text.preprocess import Collocations, Preprocessor
from nlp.text.vocabulary import load_vocabulary, nearest_terms
from nlp.topics.trends import term_trends


@pytest.fixture(scope="module")
def pre():
    return Preprocessor()


# ----------------------------------------------------------------------------- 1. term queries
@pytest.mark.parametrize("query", ["nhs", "NHS", "Nhs", "National Health Service", "national health service",
                                   "national_health_service", "national-health-service"])
def test_a_vocabulary_name_in_any_case_is_its_term(pre, query):
    assert pre.query_terms(query) == ("national_health_service",)


def test_case_sensitive_queries_keep_the_case(pre):
    assert pre.query_terms("nhs", case_sensitive=True) == ("nhs",)
    assert pre.query_terms("NHS", case_sensitive=True) == ("national_health_service",)
    assert pre.query_terms("soft_left", case_sensitive=True) == ("soft_left",)


def test_names_inside_a_longer_query_and_ordinary_words(pre):
    assert pre.query_terms("the nhs budget") == ("national_health_service", "budget")
    assert pre.query_terms("cuts to the Nhs and momentum") == ("cut", "national_health_service", "momentum")
    assert pre.query_terms("devolved powers") == ("devolve", "power")
    assert pre.query_terms("prime_minister") == ("prime", "minister")  # a collocation: its words
    assert pre.query_terms("the") == ()
    # a contextual spelling maps only as the whole query
    assert pre.query_terms("Campaign Group") == ("socialist_campaign_group",)
    assert pre.query_terms("a local campaign group") == ("local", "campaign", "group")
    assert pre.query_terms("the SCG vote") == ("socialist_campaign_group", "vote")


def _docs(pre, texts, years):
    return DocumentTerms.from_terms([pre.terms(t) for t in texts], published=[f"{y}-05-01" for y in years],
                                    raw_terms=[pre.terms(t) for t in texts])


def test_term_trends_count_nhs_and_NHS_alike(pre):
    docs = _docs(pre, ["The NHS needs money. The National Health Service is ours.",
                       "Save the NHS, said the nurse.", "Schools and teachers."], [2001, 2001, 2005])
    rows = term_trends(docs, ["nhs", "NHS", "National Health Service"], pre, by="none")
    counts = {(r["period"], r["term"]): r["count"] for r in rows}
    assert counts[("2001", "nhs")] == counts[("2001", "NHS")] == counts[("2001", "National Health Service")] == 3
    assert counts[("2005", "nhs")] == 0
    assert {r["terms"] for r in rows} == {"national_health_service"}


def test_a_query_used_nowhere_names_the_nearest_terms(pre):
    docs = _docs(pre, ["Teachers in schools.", "More teachers, better schools."], [2001, 2002])
    with pytest.raises(InvalidParameterError, match=r"^'teacherz' \(term 'teacherz'\) is used nowhere in this "
                                                    r"selection; nearest terms used: teacher"):
        term_trends(docs, ["teacherz"], pre, by="none")
    # case-sensitive "nhs" is the word nhs, which this corpus never uses
    docs = _docs(pre, ["The NHS."], [2001])
    with pytest.raises(InvalidParameterError, match="used nowhere"):
        term_trends(docs, ["nhs"], pre, by="none", case_sensitive=True)
    assert term_trends(docs, ["nhs"], pre, by="none")[0]["count"] == 1


def test_nearest_terms():
    assert nearest_terms("teacherz", ["teacher", "school", "preacher"])[0] == "teacher"
    assert nearest_terms("zzz", ["teacher"]) == []
    # a vocabulary spelling near the query suggests its term, if the corpus uses it
    vocab = load_vocabulary()
    assert nearest_terms("nhz", ["national_health_service", "health"], vocabulary=vocab) == ["national_health_service"]
    assert nearest_terms("nhz", ["health"], vocabulary=vocab) == []


@pytest.fixture
def nhs_store(tmp_path):
    store = CorpusStore(tmp_path / "k.db")
    store.add_many([
        Article(outlet="demo", source="demo", published="2001-01-01", title="a",
                text="We will fund the NHS. The National Health Service was founded in 1948."),
        Article(outlet="demo", source="demo", published="2002-01-01", title="b",
                text="The nhs in lower case is not the term, says the style guide."),
    ])
    yield store
    store.close()


def test_kwic_shows_every_spelling_its_term_counts(nhs_store):
    for query in ("nhs", "NHS", "national_health_service"):
        lines = kwic(nhs_store, query, window=2, limit=None)
        assert [line.match for line in lines] == ["NHS", "National Health Service"]
    assert [line.match for line in kwic(nhs_store, "nhs", limit=None, case_sensitive=True)] == ["nhs"]
    assert [line.match for line in kwic(nhs_store, "style guide", limit=None)] == ["style guide"]
    assert kwic(nhs_store, "Style Guide", limit=None, case_sensitive=True) == []


def test_cli_terms_trends_and_kwic_map_queries(run_cli, db):
    with CorpusStore(db) as store:
        store.add_many([Article(outlet="demo", source="demo", published=f"{2001 + i % 2}-03-01", title=str(i),
                                text=f"The NHS and the National Health Service, take {i}.") for i in range(6)])
    assert run_cli("nlp", "preprocess").exit_code == 0
    lower = run_cli("terms", "trends", "nhs", "--by", "none", "--json")
    upper = run_cli("terms", "trends", "NHS", "--by", "none", "--json")
    assert lower.exit_code == 0 and upper.exit_code == 0
    assert lower.output.replace('"nhs"', '"NHS"') == upper.output and '"count": 6' in lower.output
    missing = run_cli("terms", "trends", "nhs", "--case-sensitive", "--by", "none")
    assert missing.exit_code == 2 and "used nowhere in this selection; nearest terms used:" in missing.output
    none = run_cli("kwic", "hospitalz")
    assert none.exit_code == 0 and "No article uses 'hospitalz'" in none.output


# ----------------------------------------------------------------------------- 2. lemma overrides
@pytest.mark.parametrize("word,term", [
    ("politics", "politics"), ("media", "media"), ("agenda", "agenda"), ("data", "data"),
    ("criteria", "criterion"), ("founding", "founding"), ("tired", "tired"), ("housing", "housing"),
    ("living", "living"), ("lives", "life"), ("planning", "planning"), ("training", "training"),
    ("nursing", "nursing"), ("disabled", "disabled"), ("united", "united"), ("number", "number"),
    ("numbers", "number"), ("matter", "matter"), ("rent", "rent"),
    ("developing", "develop"), ("developed", "develop"), ("better", "good"), ("best", "good"),
    ("worse", "bad"), ("worst", "bad"), ("arms", "arms"), ("armed", "armed"), ("affairs", "affairs"),
    ("goods", "goods"), ("means", "means"), ("according", "according"), ("bargaining", "bargaining"),
    ("lasting", "lasting"), ("aids", "aids"), ("lay", "lay"), ("marketing", "marketing"),
])
def test_audited_lemma_overrides(pre, word, term):
    assert pre.terms(f"{word}") == [term]
    assert pre.terms(word.capitalize()) == [term]  # a heading or the start of a sentence


def test_putting_is_put_a_stop_word_not_putt(pre):
    assert pre.terms("putting patients") == ["patient"]


# ----------------------------------------------------------------------------- 3. collocations and names
def test_a_word_is_never_joined_to_itself():
    docs = [["thank", "thank", "thank", "you"], ["chapter", "chapter", "page"]] * 30
    colloc = Collocations.fit(docs, min_count=3, threshold=0.0)
    assert all(a != b for a, b in colloc.pairs)
    assert ("thank", "you") in colloc.pairs or ("chapter", "page") in colloc.pairs


NAME_TEXTS = (["Prime Minister Jane Doe spoke on housing."] * 12 + ["Jane Doe visited the hospital."] * 12
              + ["Doe said the budget was fair."] * 12 + ["Fiscal rules bind, fiscal rules again."] * 12)


def test_a_name_is_never_split_into_fragments(pre):
    colloc = Collocations.fit([pre.terms(t) for t in NAME_TEXTS], min_count=5, threshold=0.3)
    assert not any("doe" in pair or "jane" in pair for pair in colloc.pairs)
    assert ("fiscal", "rule") in colloc.pairs  # ordinary collocations still form
    counts = Counter(t for text in NAME_TEXTS for t in colloc.apply(pre.terms(text)))
    assert counts["doe"] == 36  # every form counts toward the surname
    assert not any(t.endswith("_doe") or t.startswith("doe_") for t in counts)


def test_a_surname_after_a_title_and_first_names():
    docs = ([["mrs", "thatcher", "say"]] * 3 + [["margaret", "thatcher", "policy"]] * 20
            + [["thatcher", "govern"]] * 5 + [["george", "bush", "war"]] * 20 + [["major", "road"]] * 300
            + [["mr", "major", "speak"]] * 2 + [["john", "major", "government"]] * 20)
    colloc = Collocations.fit(docs, min_count=5, threshold=0.1)
    assert ("margaret", "thatcher") not in colloc.pairs and ("mrs", "thatcher") not in colloc.pairs
    assert ("george", "bush") not in colloc.pairs and ("john", "major") not in colloc.pairs
    # "major" is mostly an ordinary word (a name in under a tenth of its uses): only never a second part
    assert ("major", "road") in colloc.pairs
    assert colloc.params["name_words"] >= 1


def test_person_name_words_need_a_share_of_uses():
    bigrams = Counter({("mrs", "thatcher"): 3, ("mr", "local"): 2, ("jane", "doe"): 4, ("jane", "said"): 2})
    words = Counter({"thatcher": 10, "local": 500, "doe": 8, "said": 300})
    names, surnames = person_name_words(bigrams, Counter(), words)
    assert names == {"thatcher", "doe"} and surnames == {"thatcher", "local"}


def test_a_vocabulary_term_stays_intact(pre):
    texts = ["Jeremy Corbyn and the soft left met Keir Starmer."] * 20
    colloc = Collocations.fit([pre.terms(t) for t in texts], min_count=3, threshold=0.0,
                              exclude=pre.vocabulary.entries)
    terms = colloc.apply(pre.terms(texts[0]))
    assert {"jeremy_corbyn", "soft_left", "keir_starmer"} <= set(terms)


# ----------------------------------------------------------------------------- 4. vocabulary gaps
def test_campaign_group_is_the_scg_where_labour_is_written(pre):
    assert pre.terms("The Campaign Group of Labour MPs met.") == ["socialist_campaign_group", "labour", "mp",
                                                                  "meet"]
    assert "socialist_campaign_group" in pre.terms("Labour's Campaign Group rebelled.")
    assert pre.terms("The Socialist Campaign Group met.") == ["socialist_campaign_group", "meet"]
    assert pre.terms("A local Campaign Group met.") == ["local", "campaign", "group", "meet"]
    assert pre.terms("A Labour campaign group met.") == ["labour", "campaign", "group", "meet"]


def test_cwb_and_power_terms(pre):
    assert pre.terms("CWB in Preston") == ["community_wealth_building", "preston"]
    assert pre.terms("cwb") == ["cwb"]  # only the acronym as written
    for text, term in (("power-seizing", "power_seizing"), ("power seizing", "power_seizing"),
                       ("Power-building", "power_building"), ("power building", "power_building")):
        assert pre.terms(f"the {text} left") == [term, "left"]
        assert pre.query_terms(text) == (term,)


def test_vocabulary_term_for_and_context_rules(tmp_path):
    vocab = load_vocabulary()
    assert vocab.term_for("scg") == vocab.term_for("campaign group") == "socialist_campaign_group"
    assert vocab.term_for("Soft-Left") == "soft_left" and vocab.term_for("nothing at all") is None
    bad = tmp_path / "bad.toml"
    bad.write_text('[terms.x]\ncontext_patterns = ["X Group"]\n')
    with pytest.raises(Exception, match="needs both context_patterns and context"):
        load_vocabulary(bad)


def test_mentions_faction_names_map_through_the_vocabulary(pre):
    texts = ["The Campaign Group and Labour's soft left disagree."] * 3
    docs = DocumentTerms.from_terms([pre.terms(t) for t in texts], raw_terms=[pre.terms(t) for t in texts],
                                    labels=["soft_left"] * 3)
    result = mentions(docs, factions=["Campaign Group", "SOFT LEFT"], min_count=1)
    assert {f.faction: f.mentions for f in result.factions} == {"socialist_campaign_group": 3, "soft_left": 3}
    with pytest.raises(GroupError, match="^Unknown faction 'moderates'"):
        mentions(docs, factions=["moderates"])
