"""One full-text query syntax on both stores: the same articles for the same query, and a clear error (the
same on both) for a query that does not parse, instead of a search for something else."""
import pytest

from corpus import CorpusStore, SearchQueryError
from corpus.demo import fill_demo
from corpus.search_query import parse, to_fts5, to_tsquery

#: Queries the two stores answered differently before (19 vs 42, 130 vs 0, 4 vs 12), and the syntax's forms.
QUERIES = ("ownership", "a", "the", "it", "ownership OR democracy", '"green new deal"', "nationalis*", "run*",
           '"soft left"', "title:ownership", "text:power", "ownership -private", "ownership NOT public",
           "(ownership OR democracy) -strike", "Labour's", "left-wing", "trigger ballot*", "2019", "café", "naïve",
           "ownership, democracy", "title:(ownership OR power) community")


@pytest.mark.parametrize("query,message", [
    ("ownership OR", "OR needs a word on both sides, e.g. ownership OR nationalisation"),
    ("a:*", "'a:*': 'a' is not a part of an article one can search (title:, authors:, text:); to search the text "
            "'a:*', put it in quotes"),
    ("NEAR(", "NEAR( is never closed; write NEAR(word1 word2) or NEAR(word1 word2, 5)"),
    ('"unbalanced', "the quote opened at '\"unbalanced' is never closed"),
    ("NOT private", "NOT needs a word before it, the one to keep"),
    ("-private", "a query of exclusions alone (-word, NOT word) matches nearly everything"),
    ("ownership OR -private", "a query of exclusions alone"),
    ("(ownership", "a ( is never closed; close the group with )"),
    ("ownership)", "')' closes a group that was never opened"),
    ("%", "'%' has no letters or digits to search for"),
    ("", "the search query is empty"),
])
def test_a_query_that_does_not_parse_says_what_to_write(query, message):
    with pytest.raises(SearchQueryError) as caught:
        parse(query)
    assert str(caught.value).startswith(message)


def test_every_word_reaches_either_engine_quoted():
    node = parse('title:"soft left"* -private OR (NEAR(a b, 3) co-op)')
    assert to_fts5(node) == ('(((title : "soft left"*)) NOT ("private")) OR ((NEAR("a" "b", 3)) AND ("co op"))')
    assert to_tsquery(parse('title:"soft left"* -private OR café')) == \
        "(('soft':A <-> 'left':*A) & !('private')) | (('café' | 'cafe'))"
    with pytest.raises(SearchQueryError, match=r"NEAR\(\.\.\.\) works on an SQLite corpus only"):
        to_tsquery(node)


@pytest.fixture(scope="module")
def both(tmp_path_factory, pg_server):
    url = pg_server.fresh_database()
    lite, pg = CorpusStore(tmp_path_factory.mktemp("search") / "demo.db"), CorpusStore(url)
    fill_demo(lite)
    fill_demo(pg)
    yield lite, pg
    lite.close()
    pg.close()
    pg_server.drop_database(url)


@pytest.mark.parametrize("query", QUERIES)
def test_both_stores_match_the_same_articles(both, query):
    lite, pg = both
    on_sqlite = sorted(h["id"] for h in lite.search(query, limit=1000))
    assert on_sqlite, query
    assert sorted(h["id"] for h in pg.search(query, limit=1000)) == on_sqlite


@pytest.mark.parametrize("query", ("ownership OR", "a:*", "NEAR("))
def test_both_stores_refuse_the_same_broken_query_alike(both, query):
    messages = []
    for store in both:
        with pytest.raises(SearchQueryError) as caught:
            store.search(query)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and messages[0].startswith(f"cannot search {query!r}: ")


def test_near_works_on_sqlite_and_is_refused_on_postgresql_with_the_alternative(both):
    lite, pg = both
    assert lite.search("NEAR(soft left, 2)")
    with pytest.raises(SearchQueryError, match='search the "phrase", or the words together'):
        pg.search("NEAR(soft left, 2)")


def test_the_cli_says_it_in_one_line(run_cli, write_jsonl):
    run_cli("corpus", "import", str(write_jsonl("a.jsonl", [{"text": "Ownership and democracy, synthetic."}])))
    r = run_cli("corpus", "search", "ownership OR")
    assert r.exit_code == 1
    assert r.stderr == ("Error: cannot search 'ownership OR': OR needs a word on both sides, e.g. ownership OR "
                        "nationalisation\n")
    assert run_cli("corpus", "search", "ownership OR democracy", "--json").exit_code == 0
