"""Friction a researcher met: untitled records, impossible dates, classes too small to evaluate."""
from __future__ import annotations

import json
import random

import pytest

from corpus import CorpusStore
from tests.conftest import SPEECHES


def test_an_untitled_record_is_named_by_its_id_or_its_first_line(run_cli, write_jsonl, db):
    records = [{"doc_id": "UK_natl_1997_en_Lab", "Party": "Lab",
                "text": "New Labour, because Britain deserves better."},
               {"text": "A first line that runs on well past the point where a title should stop, and then further "
                        "still.\nThe second line."},
               {"Id": 42, "text": "Numbered."},
               {"title": "  ", "text": "Short first line\nmore."}]
    result = run_cli("corpus", "import", str(write_jsonl("m.jsonl", records)), "--label-field", "Party")
    assert result.exit_code == 0, result.output
    with CorpusStore(db) as store:
        titles = sorted(a.title for a in store.articles())
        by_id = next(a for a in store.articles() if a.title == "UK_natl_1997_en_Lab")
    assert titles == sorted(["UK_natl_1997_en_Lab", "42", "Short first line",
                             "A first line that runs on well past the point where a title should stop, and…"])
    assert by_id.metadata["doc_id"] == "UK_natl_1997_en_Lab"  # the id stays in the metadata too


@pytest.mark.parametrize("value", ["2024-13-01", "2023-02-29", "2024-00", "2024-1-5"])
def test_an_impossible_date_is_a_usage_error(run_cli, write_jsonl, value):
    assert run_cli("corpus", "import", str(write_jsonl("s.jsonl", SPEECHES))).exit_code == 0
    for command in (["contrast", "Lab", "Con"], ["kwic", "railways"]):
        result = run_cli(*command, "--since", value)
        assert result.exit_code == 2, (command, result.output)
        assert (f"Error: --since '{value}' is not a date: use an ISO date such as 2024-03-31 (or a year, 2024, or a "
                "month, 2024-03)") in result.stderr
    assert run_cli("kwic", "railways", "--since", "2024-02-29", "--until", "2025").exit_code == 0  # a leap day


def test_classify_evaluate_leaves_tiny_classes_out_with_a_note(run_cli, write_jsonl):
    rng = random.Random(0)
    words = {"Lab": "railways ownership council homes", "Con": "taxes families enterprise markets",
             "LD": "representation democracy reform liberty", "UKIP": "independence sovereignty"}
    records = [{"text": " ".join(rng.choices(words[p].split(), k=30) + ["policy"] * 5), "party": p,
                "speaker": f"{p} speaker {i % 4}"}
               for p, n in (("Lab", 12), ("Con", 12), ("LD", 3), ("UKIP", 1)) for i in range(n)]
    assert run_cli("corpus", "import", str(write_jsonl("p.jsonl", records)), "--label-field", "party",
                   "--author-field", "speaker").exit_code == 0
    result = run_cli("classify", "evaluate", "--by", "none", "--folds", "3", "--json")
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    assert done["dropped_classes"] == {"UKIP": 1} and set(done["per_class"]) == {"Lab", "Con", "LD"}
    assert ("1 tendency class with fewer than 2 articles left out: UKIP (1) (--min-class sets the floor)"
            in done["caveats"])
    strict = run_cli("classify", "evaluate", "--by", "none", "--folds", "3", "--min-class", "5")
    assert strict.exit_code == 0, strict.output
    assert "Caveat: 2 tendency classes with fewer than 5 articles left out: LD (3), UKIP (1)" in strict.stderr
    assert run_cli("classify", "evaluate", "--min-class", "1").exit_code == 2  # below two cannot cross-validate
