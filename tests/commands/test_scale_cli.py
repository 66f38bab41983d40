"""`scale wordfish|wordscores|place` through the command line, on the published references where present."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
PUBLISHED = {"Lenihan, Brian (FF)": 1.794, "Cowen, Brian (FF)": 1.778, "Gormley, John (Green)": 1.184,
             "Cuffe, Ciaran (Green)": 0.715, "Ryan, Eamon (Green)": 0.147, "OCaolain, Caoimhghin (SF)": -0.040,
             "Morgan, Arthur (SF)": -0.078, "ODonnell, Kieran (FG)": -0.476, "Gilmore, Eamon (LAB)": -0.584,
             "Bruton, Richard (FG)": -0.622, "Kenny, Enda (FG)": -0.754, "Quinn, Ruairi (LAB)": -0.926,
             "Higgins, Michael (LAB)": -1.004, "Burton, Joan (LAB)": -1.135}


def _run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["-q", *args], input=input)


@pytest.fixture(scope="module")
def irish(tmp_path_factory):
    path = DATA / "irish-budget-2010" / "speeches.jsonl"
    if not path.is_file():
        pytest.skip("../shared/data is absent")
    db = tmp_path_factory.mktemp("ib") / "ib.db"
    r = _run("--db", str(db), "corpus", "import", str(path), "--title-field", "doc_id", "--label-field", "party")
    assert r.exit_code == 0, r.output
    return db


def test_wordfish_reproduces_the_published_irish_budget_positions(irish):
    from scipy.stats import spearmanr

    r = _run("--db", str(irish), "scale", "wordfish", "--features", "words", "--high", "Lenihan, Brian (FF)",
             "--low", "Bruton, Richard (FG)", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    theta = {d["title"]: d["theta"] for d in out["documents"]}
    assert spearmanr([theta[t] for t in PUBLISHED], list(PUBLISHED.values())).statistic >= 0.95
    lenihan = next(d for d in out["documents"] if d["title"] == "Lenihan, Brian (FF)")
    assert abs(lenihan["theta"] - 1.79) <= 0.1 and abs(lenihan["se"] - 0.02) <= 0.01
    assert lenihan["lo"] < lenihan["theta"] < lenihan["hi"] and lenihan["author"] is not None
    assert {"term", "beta", "psi"} <= set(out["words"][0])
    # a new text is placed on the stored scale without refitting
    text = "The budget cuts public sector pay and social welfare to restore the public finances and stability."
    placed = _run("--db", str(irish), "scale", "place", "--text", "-", "--json", input=text)
    assert placed.exit_code == 0, placed.output
    p = json.loads(placed.stdout)
    assert p["lo"] <= p["position"] <= p["hi"] and p["known_words"] > 5


def test_scale_bad_input_is_one_clear_error(irish, tmp_path):
    r = _run("--db", str(irish), "scale", "wordfish", "--features", "words", "--high", "Nobody", "--low",
             "Bruton, Richard (FG)")
    assert r.exit_code == 1 and r.stderr.startswith("Error: --high 'Nobody': no document in the selection")
    r = _run("--db", str(irish), "scale", "wordfish", "--high", "Lenihan, Brian (FF)")
    assert r.exit_code == 1 and "give both --high TITLE and --low TITLE" in r.stderr
    ref = tmp_path / "ref.csv"
    ref.write_text("title,score\nLenihan, Brian (FF),1\n".replace("Lenihan, Brian (FF)", '"Lenihan, Brian (FF)"'))
    r = _run("--db", str(irish), "scale", "wordscores", "--reference", str(ref))
    assert r.exit_code == 1 and "at least two different scores" in r.stderr
    ref.write_text("name,score\nx,1\n")
    r = _run("--db", str(irish), "scale", "wordscores", "--reference", str(ref))
    assert r.exit_code == 1 and "header must be title,score" in r.stderr


def test_wordscores_orders_the_1997_manifestos(tmp_path):
    path = DATA / "uk-manifestos" / "manifestos.jsonl"
    if not path.is_file():
        pytest.skip("../shared/data is absent")
    db = tmp_path / "m.db"
    assert _run("--db", str(db), "corpus", "import", str(path), "--title-field", "doc_id", "--label-field", "Party",
                "--date-field", "Year").exit_code == 0
    ref = tmp_path / "refs.csv"
    ref.write_text("title,score\nUK_natl_1992_en_Lab,5.35\nUK_natl_1992_en_LD,8.21\nUK_natl_1992_en_Con,17.21\n")
    r = _run("--db", str(db), "scale", "wordscores", "--reference", str(ref), "--features", "words", "--since", "1992",
             "--until", "1997", "--tendency", "Lab", "--tendency", "LD", "--tendency", "Con", "--json")
    assert r.exit_code == 0, r.output
    scored = {d["title"]: d for d in json.loads(r.stdout)["documents"] if not d["reference"]}
    lab, ld, con = (scored[f"UK_natl_1997_en_{p}"]["score"] for p in ("Lab", "LD", "Con"))
    assert ld < lab < con and abs(lab - 9) < 1.0


def test_wordscores_with_whole_tendencies_as_references(tmp_path):
    """--reference-label pools a tendency's articles into one reference text; the others are placed between."""
    import random

    rng = random.Random(0)
    left = "strike union picket wage worker solidarity nationalise".split()
    right = "fiscal credible voter moderate market budget growth".split()
    lines = []
    for i in range(30):
        label = ("hard_left", "soft_right", "soft_left")[i % 3]
        vocab = left if label == "hard_left" else right if label == "soft_right" else left + right
        words = " ".join(rng.choice(vocab) for _ in range(80))
        lines.append(json.dumps({"text": f"{words} piece {i}", "title": f"t{i}", "label": label, "author": f"a{i % 9}",
                                 "date": f"{2018 + i % 4}-03-01"}))
    src = tmp_path / "c.jsonl"
    src.write_text("\n".join(lines) + "\n")
    db = tmp_path / "c.db"
    assert _run("--db", str(db), "corpus", "import", str(src), "--label-field", "label").exit_code == 0
    r = _run("--db", str(db), "scale", "wordscores", "--reference-label", "hard_left=-1", "--reference-label",
             "soft_right=1", "--rescale", "none", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    soft = next(g for g in out["groups"] if g["group"] == "soft_left" and g["period"] == "all")
    # two references cannot be checked against each other: the position is given, but not as a finding
    assert -1 < soft["position"] < 1 and soft["n"] == 10 and not soft["supported"]
    assert any(c.startswith("Only 2 reference texts") for c in out["caveats"])
    assert out["diagnostics"]["corroboration"]["corroborated"] is False
    r = _run("--db", str(db), "scale", "wordscores", "--reference-label", "hardleft=-1", "--reference-label",
             "soft_right=1")
    assert r.exit_code == 1 and "no article in the selection is labelled 'hardleft'" in r.stderr
    r = _run("--db", str(db), "scale", "wordscores", "--reference-label", "hard_left=-1")
    assert r.exit_code == 1 and "at least two different scores" in r.stderr
    r = _run("--db", str(db), "scale", "wordscores")
    assert r.exit_code == 2 and "--reference FILE or as --reference-label" in r.stderr


@pytest.fixture
def drifting(tmp_path):
    """A corpus whose wording drifts with the year (and a little with the party): 36 texts, 1990-2025."""
    import random

    rng = random.Random(3)
    old, new = "colonial ministries superannuation wireless".split(), "online carbon digital asylum".split()
    left, right = "union wage picket".split(), "market enterprise thrift".split()
    lines = []
    for i in range(36):
        year, party = 1990 + i, ("red", "blue")[i % 2]
        share = i / 35
        pool = old * round(10 * (1 - share)) + new * round(10 * share) + (left if party == "red" else right) * 2
        text = " ".join(rng.choice(pool) for _ in range(120))
        lines.append(json.dumps({"text": f"{text}. Conser-\nvative", "title": f"t{i}", "party": party,
                                 "date": f"{year}-05-01"}))
    src = tmp_path / "d.jsonl"
    src.write_text("\n".join(lines) + "\n")
    db = tmp_path / "d.db"
    assert _run("--db", str(db), "corpus", "import", str(src), "--label-field", "party", "--date-field",
                "date").exit_code == 0
    return db


def test_wordfish_text_output_names_the_pole_words_groups_and_caveats(drifting):
    from corpus import CorpusStore
    from nlp.errors import NotPreprocessedError
    from nlp.text.preprocess import current_fingerprint

    r = _run("--db", str(drifting), "scale", "wordfish", "--features", "words")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    low = next(line for line in lines if line.startswith("Low end words: "))
    high = next(line for line in lines if line.startswith("High end words: "))
    ends = {w.strip() for line in (low, high) for w in line.split(":", 1)[1].split(",")}
    assert {"colonial", "online"} <= ends and "conser" not in ends and "vative" not in ends
    assert any(line.startswith("Caveat: The positions track time") for line in lines)
    assert "Mean position by tendency (95% interval, documents):" in lines
    assert any(line.strip().endswith(" red") for line in lines) and any(line.strip().endswith(" blue") for line in lines)
    # --features words read the texts themselves: nothing was preprocessed (no spaCy)
    with CorpusStore(drifting) as store, pytest.raises(NotPreprocessedError):
        current_fingerprint(store)
    r = _run("--db", str(drifting), "scale", "wordfish", "--features", "words", "--within", "decade", "--json")
    out = json.loads(r.stdout)
    assert r.exit_code == 0 and out["info"]["within"] == "decade"
    assert abs(out["diagnostics"]["time_correlation"]) < 0.7 and "caveats" in out


def test_features_words_reads_only_the_selection(drifting, monkeypatch):
    from nlp.scaling import positions

    seen = []
    real = positions.join_split_words
    monkeypatch.setattr(positions, "join_split_words", lambda text: seen.append(text) or real(text))
    r = _run("--db", str(drifting), "scale", "wordfish", "--features", "words", "--since", "2010", "--json")
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)["documents"]) == len(seen) == 16
