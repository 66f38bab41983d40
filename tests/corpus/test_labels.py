import pytest

from corpus import LabelSet, LabelsError
from tests.conftest import make_article


def test_resolution_is_most_specific_first():
    labels = LabelSet.from_mapping({
        "outlets": {"labourlist": "mixed"},
        "authors": {"Rosa Quayle": "soft_left", "Dan Merriweather": "hard_left"},
        "articles": {"https://l/x": "soft_right"},
    })
    assert labels.resolve("labourlist", ["Nobody"]) == ("mixed", "outlet")
    assert labels.resolve("labourlist", ["rosa quayle"]) == ("soft_left", "author")
    assert labels.resolve("labourlist", ["Rosa Quayle"], article_label="hard_left") == ("hard_left", "article")
    assert labels.resolve("labourlist", ["Rosa Quayle"], keys=["https://l/x"]) == ("soft_right", "article")
    assert labels.resolve("labourlist", ["Rosa Quayle", "Dan Merriweather"]) == ("mixed", "author")
    assert labels.resolve("unknown") == ("unlabelled", "none")


def test_default_labels_cover_the_named_outlets_and_mark_contested():
    labels = LabelSet.default()
    assert labels.outlets["renewal"].tendency == "soft_left"
    assert labels.outlets["tribune"].tendency == "hard_left"
    assert labels.outlets["labourlist"].tendency == "mixed"
    assert labels.outlets["chartist"].contested


def test_stored_labels_override_defaults_and_reach_every_reader(store):
    store.add(make_article("A piece.", outlet="labourlist", authors=("Kate Ellingham",)))
    assert store.stats()["by_tendency"] == {"mixed": 1}
    store.load_labels(LabelSet.from_mapping({"authors": {"Kate Ellingham": "soft_right"}}))
    assert store.stats()["by_tendency"] == {"soft_right": 1}


def test_bad_labels_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[outlets.x]\nnote = 'no tendency'\n")
    with pytest.raises(LabelsError, match=r"outlets\.x: needs tendency"):
        LabelSet.from_toml(bad)
    bad.write_text("[factions]\n")
    with pytest.raises(LabelsError, match="unknown section"):
        LabelSet.from_toml(bad)
