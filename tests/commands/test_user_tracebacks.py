"""Mistakes a user can make that used to end in a traceback: text that is not UTF-8 (arguments, standard input,
a reference file), reference scores of ±1e308 or a title listed twice, standard output on a full device."""
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from nlp.scaling.errors import ScalingError
from nlp.scaling.positions import parse_label_scores, read_reference
from tests.conftest import ROOT

DOCS = SimpleNamespace(titles=["The coup nobody voted for", "A country of many nations", "Power in place"])


@pytest.fixture
def corpus(run_cli, write_jsonl):
    run_cli("corpus", "import", str(write_jsonl("a.jsonl", [{"text": "Synthetic text on ownership."}])))
    return run_cli


def test_an_argument_that_is_not_utf8_is_a_usage_error_naming_it(corpus):
    # What Python makes of the bytes b"own\xffership" on the command line (surrogateescape).
    r = corpus("meaning", "own\udcffership", "--by", "tendency")
    assert r.exit_code == 2
    assert r.stderr.endswith("Error: the argument 'own\\\\xffership' is not valid UTF-8 (byte 0xff); write it in "
                             "UTF-8 (set your terminal to UTF-8, or re-save the script that passes it)\n")
    assert corpus("scale", "place", "--text", "\udc92 interview").exit_code == 2


@pytest.mark.parametrize("command", [("scale", "place", "--text", "-"), ("classify", "predict", "--text", "-")])
def test_standard_input_that_is_not_utf8_is_one_line(corpus, command):
    r = corpus(*command, input=b"A speech\non \xff ownership")
    assert r.exit_code == 1
    assert r.stderr == ("Error: the text on standard input is not valid UTF-8 (byte 0xff on line 2); re-save it as "
                        "UTF-8, e.g. iconv -f cp1252 -t utf-8\n")


def test_a_reference_file_that_is_not_utf8_is_one_line(corpus, tmp_path):
    refs = tmp_path / "refs.csv"
    refs.write_bytes("title,score\nThe coup nobody voted for,1\nLabour’s answer,-1\n".encode("cp1252"))
    r = corpus("scale", "wordscores", "--reference", str(refs))
    assert r.exit_code == 1
    assert r.stderr == (f"Error: {refs} line 3 is not valid UTF-8 (byte 0x92); re-save it as UTF-8 (e.g. iconv -f "
                        "cp1252 -t utf-8)\n")


@pytest.mark.parametrize("score", ["1e308", "-1e308", "1e7"])
def test_huge_reference_scores_are_refused_before_any_fit(score):
    rows = [{"title": "The coup nobody voted for", "score": score}, {"title": "Power in place", "score": "1"}]
    with pytest.raises(ScalingError, match=rf"reference line 2: score '{score}' is too large: reference scores are "
                                           r"positions on a scale"):
        read_reference(rows, DOCS)
    with pytest.raises(ScalingError, match="is too large"):
        parse_label_scores([f"hard_left={score}", "soft_right=1"])


def test_a_title_listed_twice_with_different_scores_is_an_error_naming_it():
    rows = [{"title": "The coup nobody voted for", "score": "1"}, {"title": "Power in place", "score": "-1"},
            {"title": "the coup nobody voted for ", "score": "3"}]
    with pytest.raises(ScalingError, match=r"reference line 4: 'the coup nobody voted for ' is listed twice, with the "
                                           r"score 1 on line 2 and 3 here; keep one line per reference document"):
        read_reference(rows, DOCS)
    same = rows[:2] + [{"title": "The coup nobody voted for", "score": "1.0"}]
    assert read_reference(same, DOCS) == {0: 1.0, 2: -1.0}
    with pytest.raises(ScalingError, match="'hard_left' is given twice"):
        parse_label_scores(["hard_left=-1", "hard_left=1"])


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [("corpus", "stats"), ("corpus", "stats", "--json"), ("corpus", "export", "-o", "-")])
def test_standard_output_on_a_full_device_is_one_line(corpus, db, args):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--db", str(db), *args], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == "Error: cannot write to standard output: no space left on device"
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
