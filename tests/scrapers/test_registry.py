"""The outlet registry and TOML-defined outlets."""
from __future__ import annotations

import pytest

from scrapers import get_scraper, list_outlets
from scrapers.errors import OutletConfigError, UnknownOutletError


def test_every_builtin_outlet_has_its_facts():
    rows = {r["name"]: r for r in list_outlets()}
    for name in ("renewal", "chartist", "tribune", "labourlist", "novara", "progressivebritain", "openlabour"):
        assert rows[name]["defined_in"] == "built-in"
        s = get_scraper(name)
        assert s.spec.domain and s.spec.feeds and s.spec.tendency != "unlabelled"


def test_unknown_outlet_names_the_known_ones():
    with pytest.raises(UnknownOutletError, match="Unknown outlet 'sun'; known outlets: chartist, compass"):
        get_scraper("sun")


def test_generic_outlet_from_toml_gets_wordpress_defaults(tmp_path):
    cfg = tmp_path / "o.toml"
    cfg.write_text('[outlets.branchnews]\nname = "Branch News"\ndomain = "branchnews.example.org"\n'
                   'tendency = "soft_left"\nfeed = "/feed/"\n[outlets.branchnews.selectors]\nbody = ".post-body"\n')
    s = get_scraper("branchnews", config=cfg)
    assert s.spec.display_name == "Branch News" and s.spec.wp_api and s.spec.feeds == ("/feed/",)
    assert s.spec.selectors.body == (".post-body",)
    assert s.spec.selectors.title  # defaults kept for selectors not given


def test_toml_entry_corrects_a_builtin_outlet(tmp_path):
    cfg = tmp_path / "fix.toml"
    cfg.write_text('[outlets.tribune.selectors]\ndate = ["time.new-date"]\n')
    s = get_scraper("tribune", config=cfg)
    assert s.spec.selectors.date == ("time.new-date",)
    assert s.spec.selectors.title == get_scraper("tribune").spec.selectors.title


@pytest.mark.parametrize("text, message", [
    ('[outlets.x]\nname = "X"\n', "needs a domain"),
    ('[outlets.x]\ndomain = "x.org"\ncolour = "red"\n', "unknown key 'colour'"),
    ('[outlets.x]\ndomain = "x.org"\n[outlets.x.selectors]\nheadline = "h1"\n', "unknown selector(s) headline"),
    ('[outlets.x\n', "not valid TOML"),
    ('title = "no outlets"\n', "no [outlets.NAME] tables"),
])
def test_bad_outlets_files_say_what_is_wrong(tmp_path, text, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    with pytest.raises(OutletConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        get_scraper("x", config=cfg)


def test_missing_outlets_file(tmp_path):
    with pytest.raises(OutletConfigError, match="does not exist"):
        list_outlets(tmp_path / "nope.toml")


@pytest.mark.parametrize("text, message", [
    ('[outlets.x]\ndomain = "https://x.org/news/"\n',
     '[outlets.x]: domain "https://x.org/news/" must be a host name such as "example.org" (no scheme, path or '
     'spaces); write "x.org"'),
    ('[outlets.x]\ndomain = "x org"\n', 'domain "x org" must be a host name such as "example.org" (no scheme, '
                                        'path or spaces); write it like "example.org"'),
    ('[outlets.x]\ndomain = "x.org"\ndomains = ["www.x.org", "x.org/blog"]\n', 'domains "x.org/blog" must be a host'),
    ("[outlets.x]\ndomain = \"x.org\"\narticle_patterns = ['^/(\\d{4}/']\n",
     "[outlets.x]: article_patterns '^/(\\d{4}/' is not a valid regular expression (missing ), unterminated "
     "subpattern at position 2); fix the pattern"),
    ('[outlets.x]\ndomain = "x.org"\ndrop_paragraphs = ["[unclosed"]\n', "drop_paragraphs '[unclosed' is not a valid"),
    ('[outlets.x]\ndomain = "x.org"\n[outlets.x.selectors]\nbody = 5\n',
     "[outlets.x.selectors] body must be a CSS selector string or a list of them, e.g. body = "),
    ('[outlets.x]\ndomain = "x.org"\n[outlets.x.selectors]\ntitle = ["h1", ["h2"]]\n',
     "[outlets.x.selectors] title must be a CSS selector string or a list of them"),
    ('[outlets.x]\ndomain = "x.org"\n[outlets.x.selectors]\nbody = "div["\n',
     "[outlets.x.selectors] body: 'div[' is not a valid CSS selector"),
    ('[outlets.x]\ndomain = "x.org"\nsitemap_urls = ["/s.xml"]\n',
     "unknown key 'sitemap_urls' in [outlets.x]; did you mean 'sitemaps'? known keys: archive, archive_start,"),
    ('[outlets.x]\ndomain = "x.org"\nfeeds = 3\n', 'feeds must be a string or a list of strings, e.g. feeds = ["/feed/"]'),
    ('[outlets.x]\ndomain = "x.org"\nwp_api = "yes"\n', "wp_api must be true or false, not 'yes'"),
    ('[outlets.x]\ndomain = "x.org"\nprefer_selectors = ["author"]\n', "prefer_selectors names 'author', which is not"),
    ('[outlets.tribune]\ndomain = "tribunemag.co.uk/"\n', '[outlets.tribune]: domain "tribunemag.co.uk/" must be'),
])
def test_outlets_file_values_are_checked_with_a_fix(tmp_path, text, message):
    cfg = tmp_path / "mine.toml"
    cfg.write_text(text)
    with pytest.raises(OutletConfigError) as info:
        get_scraper("x", config=cfg)
    assert str(info.value).startswith(f"{cfg}: ") and message in str(info.value)
    assert "\n" not in str(info.value)


def test_good_outlets_file_values_pass(tmp_path):
    cfg = tmp_path / "mine.toml"
    cfg.write_text('[outlets.x]\ndomain = "www.x-y.org.uk"\ndomains = "x.example"\narticle_patterns = \'^/\\d{4}/\'\n'
                   'wp_api = false\nmin_words = 5\n[outlets.x.selectors]\nbody = [".post-body", "article > div.text"]\n')
    s = get_scraper("x", config=cfg)
    assert s.spec.domains == ("www.x-y.org.uk", "x.example") and s.spec.article_patterns == (r"^/\d{4}/",)
    assert s.spec.selectors.body == (".post-body", "article > div.text") and s.spec.min_words == 5
