"""Pure parsing: each outlet's fixture pages -> Article (no network). Must/must-not substrings + exact metadata."""
from __future__ import annotations

import json

import pytest

from scrapers import get_scraper
from scrapers.extract import to_aware_iso

from .siteserver import CP1252_PAGE, SITES


def page(outlet: str, path: str) -> str:
    routes = json.loads((SITES / outlet / "site.json").read_text())["routes"]
    return (SITES / outlet / routes[path]["file"]).read_text(encoding="utf-8")


def parse(outlet: str, path: str, public: str):
    config = SITES / "faults.toml" if outlet == "faults" else None
    return get_scraper(outlet, config=config).parse(page(outlet, path), public + path)


BOILERPLATE = ("READ MORE", "DONATE HERE", "Share this", "reader comment", "Invented related piece",
               "Subscribe to Tribune", "Advertisement", "author biography", "Sign up to the Renewal", "Home")


def assert_clean(text: str) -> None:
    for junk in BOILERPLATE:
        assert junk.lower() not in text.lower(), junk


def test_tribune_with_metadata():
    a = parse("tribune", "/2024/03/the-depot-that-said-no", "https://www.tribunemag.co.uk")
    assert a.title == "The Depot That Said No"
    assert a.authors == ("Maria Okonjo",)
    assert a.published == "2024-03-12T08:30:00+00:00"
    assert a.tags == ("Trade Unions", "Transport")
    assert a.canonical_url == "https://tribunemag.co.uk/2024/03/the-depot-that-said-no"  # www. stripped
    assert "drivers voted by a wide margin" in a.text and "‘We run the service,’" in a.text
    assert "Another invented Tribune piece" not in a.text
    assert not a.paywalled and a.source == "scraped" and a.scraper_version.startswith("tribune/")
    assert_clean(a.text)


def test_tribune_selectors_alone_when_there_is_no_metadata():
    a = parse("tribune", "/2024/02/rent-caps-and-the-council-estate", "https://tribunemag.co.uk")
    assert a.title == "Rent Caps and the Council Estate"
    assert a.authors == ("Jo Whitcombe", "Samir Haddad")
    assert a.published == "2024-02-20"  # visible date only: a day, no invented time
    assert a.metadata["date_precision"] == "day"
    assert a.section == "Housing"
    assert "rent strike committee" in a.text
    assert a.metadata["extracted_by"]["title"] == "selectors"


def test_tribune_paywalled_piece_is_flagged_with_its_teaser():
    a = parse("tribune", "/2023/12/a-winter-of-picket-lines", "https://tribunemag.co.uk")
    assert a.paywalled
    assert "Postal workers in three cities" in a.text
    assert "subscribers only" not in a.text


def test_labourlist_metadata_first_and_boilerplate_stripped():
    a = parse("labourlist", "/2024/05/conference-motion-on-devolution/", "https://labourlist.org")
    assert a.title == "Conference motion on devolution wins backing of 40 CLPs"
    assert a.authors == ("Priya Raman",)
    assert a.published == "2024-05-14T11:05:00+01:00"  # from metadata, never "5 months ago"
    assert a.section == "News" and a.tags == ("Devolution", "Conference")
    assert "community wealth building" in a.text
    assert_clean(a.text)
    assert "5 months ago" not in a.text


def test_labourlist_two_authors_from_the_yoast_graph():
    a = parse("labourlist", "/2023/10/nec-results-slates/", "https://labourlist.org")
    assert a.authors == ("Hannah Blythe", "Kwame Asante")


@pytest.mark.parametrize("path, title, author", [
    ("/green-new-deal-local/", "The Green New Deal Begins at the Town Hall", "Ruth Delaney"),
    ("/europe-after-the-election/", "Europe After the Election", "Glyn Ford"),
    ("/what-democratic-socialism-means-now/", "What Democratic Socialism Means Now", "Nina Bakshi"),
])
def test_chartist_classic_and_tdb_templates(path, title, author):
    a = parse("chartist", path, "https://chartist.org.uk")
    assert a.title == title and a.authors == (author,)
    assert a.published and a.published[:4] in ("2023", "2024") and "+" in a.published
    assert len(a.tags) >= 1 and "TAGS" not in a.tags
    assert a.word_count > 60
    assert_clean(a.text)


def test_renewal_old_template_falls_back_to_the_generic_extractor():
    a = parse("renewal", "/blog/federalism-and-the-union", "https://renewal.org.uk")
    assert a.title == "Federalism and the Union"
    assert a.authors == ("Owen Teague",)
    assert a.published == "2023-03-15"
    assert a.text.startswith("A federal settlement")  # the heading is not body text
    assert a.metadata["extracted_by"]["text"] == "generic" and a.metadata["drift"] == ["body"]
    assert_clean(a.text)


def test_renewal_json_ld_article():
    a = parse("renewal", "/articles/power-builders-not-power-seizers", "https://renewal.org.uk")
    assert (a.title, a.authors, a.section) == ("Power Builders, Not Power Seizers", ("Clare Whitfield",), "Essay")
    assert a.tags == ("Pluralism", "Strategy")
    assert "power must be built" in a.text
    assert_clean(a.text)


def test_novara_contributors_outrank_the_wrong_wordpress_author():
    a = parse("novara", "/2024/02/11/the-case-for-public-energy/", "https://novaramedia.com")
    assert a.authors == ("Remi Adeyemi",)
    assert "Novara Media Staff" not in a.authors


def test_malformed_html_still_parses():
    a = parse("faults", "/malformed/", "https://faults.example")
    assert a.title == "Malformed but readable"
    assert a.published == "2024-01-07T10:00:00+00:00"
    assert "nests tags badly" in a.text


def test_parse_is_pure_and_handles_garbage():
    s = get_scraper("labourlist")
    a = s.parse("", "https://labourlist.org/2024/01/x/")
    assert a.text == "" and a.title is None
    b = s.parse("<html><body><p>just words", "https://labourlist.org/2024/01/y/")
    assert b.outlet == "labourlist"


def test_cp1252_text_after_decoding_keeps_its_punctuation():
    a = get_scraper("openlabour").parse(CP1252_PAGE.format(meta=""), "https://openlabour.org/rents/")
    assert a.title == "Rents ‘must come first’ – says branch" and "£40" in a.text


@pytest.mark.parametrize("value, expected", [
    ("2024-03-12T08:30:00Z", "2024-03-12T08:30:00+00:00"),
    ("2024-07-01T09:00:00", "2024-07-01T09:00:00+01:00"),  # naive: Europe/London (BST)
    ("12 March 2024", "2024-03-12"),
    ("03.14.2024", "2024-03-14"),  # month-first when it can only be that
    ("14.03.2024", "2024-03-14"),
    ("Tue, 12 Mar 2024 08:30:00 +0000", "2024-03-12T08:30:00+00:00"),
])
def test_dates_are_timezone_aware(value, expected):
    assert to_aware_iso(value)[0] == expected


def test_title_site_suffix_is_stripped_from_og_title():
    html = '<html><head><meta property="og:title" content="A Title - LabourList"></head><body></body></html>'
    assert get_scraper("labourlist").parse(html, "https://labourlist.org/2024/01/a/").title == "A Title"


def test_generic_extractor_fallback_is_repeatable():
    """trafilatura's cross-call deduplication must stay off, or a re-parse would lose the body."""
    first = parse("renewal", "/blog/federalism-and-the-union", "https://renewal.org.uk")
    second = parse("renewal", "/blog/federalism-and-the-union", "https://renewal.org.uk")
    assert first.text == second.text and first.word_count > 60


def test_site_wide_og_title_is_not_the_article_title():
    html = ('<html><head><meta property="og:title" content="Tribune"></head><body>'
            '<h1 class="po-hr-cn__title">The Real Title</h1></body></html>')
    assert get_scraper("tribune").parse(html, "https://tribunemag.co.uk/2024/01/x").title == "The Real Title"


def test_json_ld_article_nested_as_main_entity():
    html = ('<html><head><script type="application/ld+json">{"@context": "https://schema.org", "@type": "WebPage",'
            ' "mainEntity": {"@type": "NewsArticle", "headline": "Nested &amp; Found", "datePublished":'
            ' "2024-05-14T11:05:00", "author": [{"@type": "Person", "name": "Priya Raman"}]}}</script></head>'
            '<body><div class="entry-content"><p>Body text.</p></div></body></html>')
    a = get_scraper("labourlist").parse(html, "https://labourlist.org/2024/05/nested/")
    assert a.title == "Nested & Found" and a.authors == ("Priya Raman",)
    assert a.published == "2024-05-14T11:05:00+01:00"  # naive: UK time (BST in May)
