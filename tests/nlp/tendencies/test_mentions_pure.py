"""The mention miner on hand-made term lists."""
from __future__ import annotations

import json

import pytest

from nlp.documents import EmptySelectionError, GroupError
from nlp.tendencies.mentions import (AroundTerm, MentionedFaction, MentionsResult, WriterMentions, WriterTotals,
                                     format_mentions, load_affiliations, mine_mentions)

FACTIONS = {"soft_left": "soft left", "hard_left": "hard left", "momentum": "Momentum"}
AFFILIATIONS = {"soft_left": "soft_left", "hard_left": "hard_left", "momentum": "hard_left"}


def docs():
    filler = ["conference", "motion", "branch", "meeting", "vote", "member"]
    out = []
    for i in range(6):
        out.append(("soft_left", "plural", filler + ["soft_left", "pluralist", "democratic"] + filler))
        out.append(("hard_left", "redcorner", filler + ["soft_left", "careerist", "fence", "soft_left"] + filler))
        out.append(("soft_right", "forwardbench", filler + ["naive", "soft_left", "useful"] + filler))
    out.append(("hard_left", "redcorner", filler + ["momentum", "grow"]))
    return out


def test_counts_self_and_others():
    result = mine_mentions(docs(), FACTIONS, AFFILIATIONS, window=3, top=5, min_count=2)
    sl = result.factions[0]
    assert sl.faction == "soft_left" and sl.mentions == 24 and sl.articles == 18
    assert sl.self_mentions == 6 and sl.other_mentions == 18
    assert sl.by_tendency["hard_left"].mentions == 12 and sl.by_tendency["hard_left"].articles == 6
    assert sl.by_outlet == {"redcorner": 12, "forwardbench": 6, "plural": 6}
    assert [t.term for t in sl.by_tendency["soft_left"].distinctive[:2]] == ["democratic", "pluralist"]
    assert {t.term for t in sl.by_tendency["hard_left"].terms[:2]} == {"careerist", "fence"}
    assert {t.term for t in sl.by_tendency["soft_right"].distinctive[:2]} == {"naive", "useful"}
    # the faction's own name is never a word "around" it
    assert all(t.term != "soft_left" for by in sl.by_tendency.values() for t in by.terms + by.distinctive)
    hl = {f.faction: f for f in result.factions}["hard_left"]
    assert hl.mentions == 0 and hl.by_tendency == {}
    lines = format_mentions(result)
    assert lines[0] == "soft left (soft_left; a soft_left faction): 24 mentions in 18 articles, 6 by itself, 18 by others"
    assert lines[-1] == "Not mentioned: hard left"


def test_the_result_is_typed_and_its_dict_is_the_json_document():
    result = mine_mentions(docs(), FACTIONS, AFFILIATIONS, window=3, top=5, min_count=2)
    assert isinstance(result, MentionsResult) and isinstance(result.factions[0], MentionedFaction)
    assert isinstance(result.factions[0].by_tendency["hard_left"], WriterMentions)
    assert isinstance(result.factions[0].by_tendency["hard_left"].terms[0], AroundTerm)
    assert result.tendencies["soft_left"] == WriterTotals(articles=6, terms=6 * 15)
    data = result.to_dict()
    assert list(data) == ["window", "articles", "tendencies", "factions"]
    assert data["tendencies"]["soft_left"] == {"articles": 6, "terms": 90}
    first = data["factions"][0]
    assert list(first) == ["faction", "name", "tendency", "mentions", "articles", "self_mentions", "other_mentions",
                           "by_outlet", "by_tendency"]
    by = first["by_tendency"]["hard_left"]
    assert list(by) == ["mentions", "articles", "per_10k_terms", "self", "terms", "distinctive"]
    assert list(by["terms"][0]) == ["term", "z", "count"] and by["self"] is False
    assert MentionsResult.from_dict(data) == result
    assert MentionsResult.from_dict(json.loads(json.dumps(data))) == result
    frame = result.to_frame()
    assert list(frame.columns) == ["faction", "name", "faction_tendency", "writer_tendency", "self", "mentions",
                                   "articles", "per_10k_terms", "terms", "distinctive"]
    assert len(frame) == sum(len(f.by_tendency) for f in result.factions)


def test_errors():
    with pytest.raises(EmptySelectionError):
        mine_mentions([], FACTIONS)
    with pytest.raises(GroupError, match="--window must be at least 1, not 0"):
        mine_mentions(docs(), FACTIONS, window=0)


def test_shipped_affiliations_and_bad_file(tmp_path):
    shipped = load_affiliations()
    assert shipped["open_labour"] == "soft_left" and shipped["momentum"] == "hard_left"
    assert shipped["labour_first"] == "soft_right" and "starmerism" not in shipped
    bad = tmp_path / "a.toml"
    bad.write_text("[affiliations]\nmomentum = 3\n")
    with pytest.raises(GroupError, match=r"needs an \[affiliations\] table"):
        load_affiliations(bad)
