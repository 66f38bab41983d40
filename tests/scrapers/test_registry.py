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
