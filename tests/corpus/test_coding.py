"""Codebooks, coding sheets (CSV and Label Studio exports), stored codes and the coded labels they give."""
from __future__ import annotations

import json

import pytest

from corpus import LabelSet
from corpus.codebook import Codebook, CodingError
from corpus.coding import (Code, coded_labels, consensus, majority, replace_coder_codes, set_decision)
from corpus.coding_sample import allocate, draw_sample
from corpus.coding_sheets import known_ids, read_sheet, write_csv_sheet, write_tasks
from tests.conftest import make_article

SCORE_BOOK = """
name = "test"
[[variables]]
name = "label"
level = "nominal"
tendency = true
categories = [{ value = "soft_left", name = "Soft left" }, { value = "hard_left" },
              { value = "cannot_tell", label = false }, { value = "other", label = "unlabelled" }]
[[variables]]
name = "position"
level = "interval"
min = 1
max = 7
"""


@pytest.fixture
def coded_store(store):
    """Six articles at two outlets (soft_left and hard_left by the lists); ids a0..a5."""
    store.load_labels(LabelSet.from_mapping({"outlets": {"left": "soft_left", "right": "hard_left"},
                                             "authors": {"Ann Author": "hard_left"}}))
    for i in range(6):
        store.add(make_article(f"Synthetic article number {i} about the party.", outlet="left" if i < 3 else "right",
                               stored_id=f"a{i}", authors=("Ann Author",) if i == 2 else ()))
    return store


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "book.toml"
    path.write_text(SCORE_BOOK)
    return Codebook.from_toml(path)


def test_default_codebook_has_the_five_tendency_answers():
    book = Codebook.default()
    label = book.tendency_variable
    assert label.name == "label" and label.level == "nominal"
    assert label.values == ["soft_left", "hard_left", "soft_right", "other", "cannot_tell"]
    assert label.parse("Soft left") == label.parse("soft-left") == "soft_left"
    assert label.label_of("cannot_tell") is None and label.label_of("other") == "unlabelled"
    with pytest.raises(CodingError, match=r"unknown category 'softleft' for label \(known: soft_left, hard_left"):
        label.parse("softleft")
    assert Codebook.from_text(book.to_toml()).variables == book.variables


def test_codebook_mistakes_are_named(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[variables]]\nname = "label"\nlevel = "nomnal"\n')
    with pytest.raises(CodingError, match="variable label: level must be one of nominal, ordinal, interval"):
        Codebook.from_toml(bad)
    bad.write_text('[[variables]]\nname = "id"\n')
    with pytest.raises(CodingError, match="name must be a lower-case word"):
        Codebook.from_toml(bad)
    bad.write_text('[[variables]]\nname = "x"\nlevel = "interval"\nmin = 5\nmax = 1\n')
    with pytest.raises(CodingError, match="min must be below max"):
        Codebook.from_toml(bad)


def test_numbers_are_checked_against_their_range(book):
    position = book.variable("position")
    assert position.parse("3") == "3" and position.parse(" 6.5 ") == "6.5" and position.parse("") is None
    with pytest.raises(CodingError, match="position must lie between 1 and 7, not 9"):
        position.parse("9")
    with pytest.raises(CodingError, match="position must be a number, not 'high'"):
        position.parse("high")


def test_label_studio_config_names_each_variable(book):
    xml = book.label_studio_config()
    assert '<Choices name="label" toName="text" choice="single"' in xml
    assert '<Choice value="Soft left" alias="soft_left"' in xml
    assert '<Number name="position" toName="text" min="1" max="7"/>' in xml


def _csv(tmp_path, text, name="sheet.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_sheet_is_read_by_line_with_display_names_and_blanks(coded_store, book, tmp_path):
    path = _csv(tmp_path, "id,title,label,position,notes\n"
                          "a0,One,Soft left,2,\n"
                          "a1,\"Two,\nwith a line break\",hard_left,,unsure\n"
                          "a2,Three,,,\n")
    sheet = read_sheet(path, book, known_ids(coded_store))
    assert [(c.article_id, c.variable, c.value, c.line) for c in sheet.codes] == [
        ("a0", "label", "soft_left", 2), ("a0", "position", "2", 2), ("a1", "label", "hard_left", 3)]
    assert sheet.codes[2].note == "unsure" and sheet.blank == 1


def test_bad_csv_rows_are_all_reported_by_line(coded_store, book, tmp_path):
    path = _csv(tmp_path, "id;label;position\nzz;soft_left;1\na0;softish;2\na1;hard_left;8\na0;soft_left;1\n")
    with pytest.raises(CodingError) as err:
        read_sheet(path, book, known_ids(coded_store))
    message = str(err.value)
    assert message.startswith(f"{path}: 4 problem(s), nothing imported: ")
    assert "line 2: unknown article id 'zz' (not in this corpus)" in message
    assert "line 3: unknown category 'softish' for label (known: soft_left, hard_left, cannot_tell, other)" in message
    assert "line 4: position must lie between 1 and 7, not 8" in message
    assert "line 5: duplicate row for article a0 (first at line 3)" in message
    assert "\n" not in message


def test_a_sheet_without_an_id_column_or_codes_is_refused(coded_store, book, tmp_path):
    with pytest.raises(CodingError, match="no id column"):
        read_sheet(_csv(tmp_path, "article,label\na0,soft_left\n"), book, known_ids(coded_store))
    with pytest.raises(CodingError, match="no column for any codebook variable"):
        read_sheet(_csv(tmp_path, "id,tendency\na0,soft_left\n"), book, known_ids(coded_store))
    with pytest.raises(CodingError, match="no codes in it"):
        read_sheet(_csv(tmp_path, "id,label\na0,\n"), book, known_ids(coded_store))
    with pytest.raises(CodingError, match="the header names 'label' more than once"):
        read_sheet(_csv(tmp_path, "id,label,Label\na0,soft_left,hard_left\n"), book, known_ids(coded_store))


def ls_task(task_id, article_id, choice=None, number=None, completed_by=1, cancelled=False):
    """One task as Label Studio's JSON export writes it (fields from its documented format)."""
    result = []
    if choice is not None:
        result.append({"id": f"c{task_id}", "type": "choices", "value": {"choices": [choice]}, "origin": "manual",
                       "to_name": "text", "from_name": "label"})
    if number is not None:
        result.append({"id": f"n{task_id}", "type": "number", "value": {"number": number}, "origin": "manual",
                       "to_name": "text", "from_name": "position"})
    return {"id": task_id, "annotations": [{
        "id": 1000 + task_id, "completed_by": completed_by, "result": result, "was_cancelled": cancelled,
        "ground_truth": False, "created_at": "2025-05-01T10:00:00.000000Z", "updated_at": "2025-05-01T10:00:00.000000Z",
        "lead_time": 31.2, "prediction": {}, "result_count": 0, "task": task_id, "project": 7}],
        "file_upload": "sample.json", "drafts": [], "predictions": [],
        "data": {"id": article_id, "title": "A synthetic title", "text": "Synthetic text."}, "meta": {},
        "created_at": "2025-04-30T09:00:00.000000Z", "updated_at": "2025-05-01T10:00:00.000000Z",
        "inner_id": task_id, "total_annotations": 1, "cancelled_annotations": 0, "total_predictions": 0,
        "comment_count": 0, "unresolved_comment_count": 0, "last_comment_updated_at": None, "project": 7,
        "updated_by": completed_by, "comment_authors": []}


def test_label_studio_export_is_read(coded_store, book, tmp_path):
    path = tmp_path / "export.json"
    tasks = [ls_task(1, "a0", "soft_left", 3), ls_task(2, "a1", "Hard left"), ls_task(3, "a2", cancelled=True,
                                                                                       choice="other")]
    path.write_text(json.dumps(tasks, indent=2))
    sheet = read_sheet(path, book, known_ids(coded_store))
    assert [(c.article_id, c.variable, c.value) for c in sheet.codes] == [
        ("a0", "label", "soft_left"), ("a0", "position", "3"), ("a1", "label", "hard_left")]
    assert sheet.blank == 1  # the cancelled annotation codes nothing


def test_label_studio_problems_name_their_lines(coded_store, book, tmp_path):
    path = tmp_path / "export.json"
    two = ls_task(2, "a1", "hard_left")
    two["annotations"].append({**two["annotations"][0], "completed_by": 9})
    four = ls_task(4, "a3", "soft_left")
    four["annotations"][0]["result"] *= 2
    path.write_text(json.dumps([ls_task(1, "nope", "soft_left"), two, ls_task(3, "a2", "leftish"), four], indent=2))
    with pytest.raises(CodingError) as err:
        read_sheet(path, book, known_ids(coded_store))
    lines = [i + 1 for i, line in enumerate(path.read_text().splitlines()) if line == "  {"]
    assert f"line {lines[0]}: unknown article id 'nope'" in str(err.value)
    assert f"line {lines[1]}: task 2 (article a1) has 2 annotations (by 1, 9); import one person at a time" in str(err.value)
    assert f"line {lines[2]}: unknown category 'leftish'" in str(err.value)
    assert f"line {lines[3]}: label is answered twice for article a3" in str(err.value)
    one = tmp_path / "one.json"
    one.write_text(json.dumps([two]))
    sheet = read_sheet(one, book, known_ids(coded_store), annotator="9")
    assert [(c.article_id, c.value) for c in sheet.codes] == [("a1", "hard_left")]


def test_a_truncated_export_is_a_clear_error(coded_store, book, tmp_path):
    full = json.dumps([ls_task(i, f"a{i}", "soft_left") for i in range(3)], indent=2)
    path = tmp_path / "cut.json"
    path.write_text(full[: len(full) // 2])
    with pytest.raises(CodingError, match=r"cut\.json is not complete JSON \(line \d+: it ends before the JSON does: "
                                          r"the file is cut short\); nothing imported: export it from Label Studio again"):
        read_sheet(path, book, known_ids(coded_store))
    path.write_text('{"data": {}}')
    with pytest.raises(CodingError, match="one JSON object, not Label Studio's export"):
        read_sheet(path, book, known_ids(coded_store))


def test_sheets_round_trip(coded_store, book, tmp_path):
    articles = list(coded_store.articles(ids=["a0", "a3"]))
    assert write_csv_sheet(tmp_path / "s.csv", articles, book, blind=True) == 2
    header, first = (tmp_path / "s.csv").read_text().splitlines()[:2]
    assert header == "id,title,outlet,published,url,text,label,position,notes"
    assert first.startswith("a0,,,,,Synthetic article number 0")
    n, config = write_tasks(tmp_path / "s.json", articles, book)
    assert n == 2 and config.name == "s.label_config.xml" and "<Choices" in config.read_text()
    assert [t["data"]["id"] for t in json.loads((tmp_path / "s.json").read_text())] == ["a0", "a3"]


def test_majority_and_ties():
    assert majority(["a", "a", "b"]) == "a"
    assert majority(["a", "b"]) is None
    assert majority(["a", "b", "b", "c", "c"]) is None
    assert majority([]) is None


def codes(*rows):
    return [Code(a, v, x) for a, v, x in rows]


def test_coded_labels_outrank_every_list_label(coded_store, book):
    coded_store.update("a1", label="hard_left")  # a stored article label
    replace_coder_codes(coded_store, "ann", codes(("a0", "label", "hard_left"), ("a1", "label", "soft_left"),
                                                  ("a2", "label", "soft_left"), ("a3", "label", "cannot_tell"),
                                                  ("a4", "label", "other"), ("a5", "label", "soft_left")), book)
    replace_coder_codes(coded_store, "ben", codes(("a0", "label", "hard_left"), ("a1", "label", "soft_left"),
                                                  ("a2", "label", "soft_left"), ("a3", "label", "cannot_tell"),
                                                  ("a4", "label", "other"), ("a5", "label", "hard_left")), book)
    resolved = {a.id: coded_store.resolve(a) for a in coded_store.articles()}
    assert resolved["a0"] == ("hard_left", "coded")     # over the outlet label
    assert resolved["a1"] == ("soft_left", "coded")     # over a stored article label
    assert resolved["a2"] == ("soft_left", "coded")     # over an author label
    assert resolved["a3"] == ("hard_left", "outlet")    # "cannot tell": the lists decide
    assert resolved["a4"] == ("unlabelled", "coded")    # "other": no tendency
    assert resolved["a5"] == ("hard_left", "outlet")    # a tie stays unresolved ...
    set_decision(coded_store, "a5", "label", "soft_left", note="argues for devolution")
    assert coded_store.resolve(coded_store.get("a5")) == ("soft_left", "coded")  # ... until it is decided
    assert coded_labels(coded_store)["a5"].note.startswith("coded soft_left, decided: argues for devolution")
    assert coded_store.stats()["label_levels"] == {"coded": 5, "outlet": 1}


def test_reimporting_a_coder_replaces_their_codes(coded_store, book):
    replace_coder_codes(coded_store, "ann", codes(("a0", "label", "hard_left"), ("a1", "label", "hard_left")), book)
    counts = replace_coder_codes(coded_store, "ann", codes(("a2", "label", "soft_left")), book)
    assert counts == {"replaced": 2, "imported": 1}
    assert list(consensus(coded_store, "label")) == ["a2"]
    assert coded_store.resolve(coded_store.get("a0")) == ("soft_left", "outlet")


def test_a_failed_import_writes_nothing(coded_store, book, monkeypatch):
    replace_coder_codes(coded_store, "ann", codes(("a0", "label", "hard_left")), book)
    bad = codes(("a1", "label", "soft_left"), ("no-such-article", "label", "soft_left"))
    with pytest.raises(Exception):
        replace_coder_codes(coded_store, "ann", bad, book)  # the foreign key fails half-way
    assert {a: u.coders for a, u in consensus(coded_store, "label").items()} == {"a0": {"ann": "hard_left"}}


def test_a_codebook_that_drops_a_category_in_use_is_refused(coded_store, book):
    replace_coder_codes(coded_store, "ann", codes(("a0", "label", "cannot_tell")), book)
    with pytest.raises(CodingError, match="has no 'cannot_tell' for label, which coder ann used"):
        replace_coder_codes(coded_store, "ben", codes(("a0", "label", "soft_left")), Codebook.from_text(
            '[[variables]]\nname = "label"\ntendency = true\ncategories = ["soft_left", "hard_left"]\n'))


def test_allocation_shares_the_sample_out():
    assert allocate({"a": 50, "b": 5, "c": 50}, 30) == {"a": 13, "b": 5, "c": 12}
    assert allocate({"a": 50, "b": 5, "c": 45}, 20, "proportional") == {"a": 10, "b": 1, "c": 9}
    assert allocate({"a": 2, "b": 1}, 10) == {"a": 2, "b": 1}


def test_a_sample_is_stratified_seeded_and_skips_what_is_coded(coded_store, book):
    one = draw_sample(coded_store, 4, by=["tendency"], seed=3)
    assert one.ids == draw_sample(coded_store, 4, by=["tendency"], seed=3).ids
    assert one.strata == {"hard_left": {"available": 4, "drawn": 2}, "soft_left": {"available": 2, "drawn": 2}}
    replace_coder_codes(coded_store, "ann", codes(("a0", "label", "soft_left"), ("a1", "label", "soft_left")), book)
    rest = draw_sample(coded_store, 6, exclude={"a0", "a1"}, by=["outlet"])
    assert sorted(rest.ids) == ["a2", "a3", "a4", "a5"] and rest.excluded_coded == 2
    least_sure = draw_sample(coded_store, 2, by=[], priority={"a3": 0.9, "a4": 0.1, "a5": 0.05})
    assert sorted(least_sure.ids) == ["a4", "a5"]
