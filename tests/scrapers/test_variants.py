"""Markup variants the fixture sites do not use: the parsers must not depend on one page layout."""
from __future__ import annotations

from scrapers import get_scraper

TRIBUNE = """<!doctype html><html><head><title>Why We Strike | Tribune</title></head><body>
<header class="site-header"><nav><a href="/">Tribune</a></nav></header>
<article class="po"><div class="po-hr"><div class="po-hr-cn"><h1 class="po-hr-cn__title">Why We Strike</h1>
<p class="po-hr-cn__dek">A dek line.</p>
<dl><dt>Author</dt><dd class="po-hr-cn__author"><a class="po-hr-cn__author-link" href="/author/a">Ann Bell</a> and
<a class="po-hr-cn__author-link" href="/author/b">Bob Carr</a></dd></dl></div>
<div class="po-hr-fl"><time class="po-hr-fl__date">March 12, 2024</time>
<ul class="po-hr-fl__taxonomies"><li><a href="/tag/unions">Unions</a></li><li><a href="/tag/nhs">NHS</a></li></ul></div></div>
<div id="post-content"><section class="po-cn__intro"><p>Intro paragraph about the strike and its causes.</p></section>
<section class="po-cn__section"><p>Second paragraph about nurses, pay, and the long winter ahead of them all.</p>
<h2>A heading</h2><p>Third paragraph: the ballot result was clear and the executive accepted it.</p>
<blockquote><p>A pulled quote from a nurse.</p></blockquote></section></div>
<div class="po-ft"><p>Share this article</p></div></article><footer>Footer</footer></body></html>"""

LABOURLIST = """<html><head><title>Council leaders back land reform - LabourList</title>
<meta property="og:title" content="Council leaders back land reform - LabourList">
<meta property="article:published_time" content="2024-02-01T10:15:00+00:00"></head><body>
<article><header class="entry-header"><h1 class="entry-title">Council leaders back land reform</h1>
<span class="byline"> by <span class="author vcard"><a class="url fn n" href="/author/zk/">Zara Khan</a></span></span>
<span class="posted-on">2 weeks ago</span></header>
<div class="entry-content"><p>Twelve council leaders signed a letter calling for compulsory purchase reform this week.</p>
<h4>READ MORE: Another story about something else</h4>
<p>They argue that land value capture would pay for thousands of social homes in their areas.</p>
<div class="donate"><p>We are a small team. Please donate to keep us going.</p></div>
<p>Sign up to LabourList’s morning email for everything Labour, every weekday morning.</p></div>
</article></body></html>"""

CHARTIST = """<html><head><title>Local Power - Chartist</title></head><body><div class="td-main-content-wrap">
<div class="tdb_title"><h1 class="tdb-title-text">Local Power</h1></div>
<div class="tdb-author-name-wrap"><span class="tdb-author-by">By</span> <a class="tdb-author-name" href="/author/x/">Peter Lane</a></div>
<div class="tdb_single_date"><time class="entry-date updated td-module-date" datetime="2023-10-02T09:00:00+00:00">2 October 2023</time></div>
<div class="tdb_single_content"><div class="tdb-block-inner td-fix-index"><p>The case for local power rests on trust.</p>
<p>Councils need revenue-raising powers as well as duties, or devolution is only delegation.</p>
<div class="td-a-rec td-a-rec-id-content_bottom"><p>Advertisement text</p></div></div></div>
<div class="tdb_single_tags"><ul class="tdb-tags"><li><a href="/tag/devolution/">Devolution</a></li></ul></div>
</div></body></html>"""


def test_tribune_variant():
    a = get_scraper("tribune", base_url="http://127.0.0.1:5555").parse(TRIBUNE, "http://127.0.0.1:5555/2024/03/why-we-strike")
    assert (a.title, a.authors, a.published, a.tags) == ("Why We Strike", ("Ann Bell", "Bob Carr"), "2024-03-12",
                                                         ("Unions", "NHS"))
    assert a.canonical_url == "https://tribunemag.co.uk/2024/03/why-we-strike"
    assert a.text.count("A pulled quote from a nurse.") == 1
    assert "Intro paragraph" in a.text and "Third paragraph" in a.text
    assert "Share this" not in a.text and "Footer" not in a.text


def test_labourlist_variant_underscores_byline_and_calls_to_action():
    a = get_scraper("labourlist").parse(LABOURLIST, "https://labourlist.org/2024/02/land-reform/")
    assert (a.title, a.authors, a.published) == ("Council leaders back land reform", ("Zara Khan",),
                                                 "2024-02-01T10:15:00+00:00")
    assert "Twelve council leaders" in a.text and "land value capture" in a.text
    for junk in ("READ MORE", "donate", "Sign up", "2 weeks ago"):
        assert junk not in a.text


def test_chartist_tdb_variant():
    a = get_scraper("chartist").parse(CHARTIST, "https://chartist.org.uk/local-power/")
    assert (a.title, a.authors, a.published, a.tags) == ("Local Power", ("Peter Lane",), "2023-10-02T09:00:00+00:00",
                                                         ("Devolution",))
    assert "revenue-raising powers" in a.text and "Advertisement" not in a.text
