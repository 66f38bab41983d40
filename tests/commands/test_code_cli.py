"""The `code` commands end to end on the synthetic demo corpus: a sample, two coders (a CSV sheet and a
Label Studio export), agreement, coded labels in `classify evaluate`, validation, and bad sheets."""
from __future__ import annotations

import csv
import json
import shutil

import pytest

from corpus import CorpusStore
from tests.nlp.coding.test_coding_agreement import hand_alpha

TENDENCIES = ("soft_left", "hard_left", "soft_right")


@pytest.fixture(scope="module")
def demo_corpus(tmp_path_factory):
    """The demo corpus, preprocessed once for the module (each test works on its own copy)."""
    from corpus.demo import fill_demo
    from nlp.documents import ensure_preprocessed

    path = tmp_path_factory.mktemp("code-demo") / "demo.db"
    with CorpusStore(path) as store:
        fill_demo(store)
        ensure_preprocessed(store)
    return path


@pytest.fixture
def demo(demo_corpus, db):
    shutil.copy(demo_corpus, db)
    return db


def _answers(db, ids, every, shift):
    """A coder's answers: the article's list label, except every ``every``-th one (another tendency);
    "cannot tell" where the lists give no tendency."""
    with CorpusStore(db) as store:
        labels = {a.id: store.tendency(a) for a in store.articles(ids=list(ids), with_text=False)}
    out = {}
    for k, i in enumerate(ids):
        value = labels[i] if labels[i] in TENDENCIES else "cannot_tell"
        if k % every == shift and value in TENDENCIES:
            value = TENDENCIES[(TENDENCIES.index(value) + 1) % 3]
        out[i] = value
    return out


def _fill_csv(sheet, answers, out):
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    for r in rows:
        r["label"] = answers[r["id"]].replace("_", " ").capitalize()  # display names, as a person types them
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


def _label_studio_export(tasks_file, answers, out):
    """Label Studio's JSON export of the tasks `code sample` wrote, annotated by one person."""
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    export = [{"id": 40 + k, "data": t["data"], "project": 3, "predictions": [], "drafts": [],
               "annotations": [{"id": 900 + k, "completed_by": 2, "was_cancelled": False, "ground_truth": False,
                                "lead_time": 20.5, "task": 40 + k, "project": 3,
                                "created_at": "2025-06-01T12:00:00.000000Z",
                                "result": [{"id": f"r{k}", "type": "choices", "origin": "manual", "to_name": "text",
                                            "from_name": "label", "value": {"choices": [answers[t["data"]["id"]]]}}]}]}
              for k, t in enumerate(tasks)]
    out.write_text(json.dumps(export, indent=2), encoding="utf-8")
    return out


def _two_coders(run_cli, demo, tmp_path):
    """Sample 100 articles as a CSV sheet and as Label Studio tasks (same seed, same articles); ann codes
    the sheet, ben the tasks; both are imported."""
    result = run_cli("code", "sample", "100", "-o", str(tmp_path / "sheet.csv"), "--json")
    assert result.exit_code == 0, result.output
    sample = json.loads(result.output)
    assert sample["articles"] == 100 and len(set(sample["ids"])) == 100
    assert set(sample["strata"]) == {"soft_left", "hard_left", "soft_right", "mixed", "unlabelled"}
    assert run_cli("code", "sample", "100", "-o", str(tmp_path / "tasks.json")).exit_code == 0
    assert (tmp_path / "tasks.label_config.xml").is_file()
    ids = sample["ids"]
    ann, ben = _answers(demo, ids, 7, 0), _answers(demo, ids, 5, 2)
    ann_sheet = _fill_csv(tmp_path / "sheet.csv", ann, tmp_path / "ann.csv")
    ben_sheet = _label_studio_export(tmp_path / "tasks.json", ben, tmp_path / "ben.json")
    for sheet, coder in ((ann_sheet, "ann"), (ben_sheet, "ben")):
        result = run_cli("code", "import", str(sheet), "--coder", coder, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["imported"] == 100
    return ann, ben


def test_sample_code_agree_train_and_validate(run_cli, demo, tmp_path):
    ann, ben = _two_coders(run_cli, demo, tmp_path)

    result = run_cli("code", "agreement", "--json", "--bootstrap", "300")
    assert result.exit_code == 0, result.output
    agreement = json.loads(result.output)
    units = {i: {"ann": ann[i], "ben": ben[i]} for i in ann}
    assert abs(agreement["alpha"] - hand_alpha(units)) <= 0.01
    assert agreement["lo"] < agreement["alpha"] < agreement["hi"]
    assert (agreement["n_units"], agreement["n_coders"], agreement["variable"]) == (100, 2, "label")

    labels = json.loads(run_cli("corpus", "labels", "--json").output)
    coded = sum(labels["coded_labels"].values())
    agreed = sum(1 for i in ann if ann[i] == ben[i] and ann[i] in TENDENCIES)
    assert coded == agreed and labels["by_level"]["coded"] == coded

    result = run_cli("classify", "evaluate", "--json", "--no-mask-names")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["label_levels"]["coded"] == coded

    result = run_cli("code", "validate", "--json", "--bootstrap", "200")
    assert result.exit_code == 0, result.output
    validation = json.loads(result.output)
    assert validation["n_coded"] == coded and validation["coders"] == ["ann", "ben"]
    assert 0 <= validation["macro_f1"] <= 1 and validation["alpha"] is not None
    assert validation["macro_f1_lo"] <= validation["macro_f1"] <= validation["macro_f1_hi"]
    assert validation["trained_on"]["articles"] > 0 and validation["lists"]["n"] > 0


def _codes(db):
    with CorpusStore(db) as store:
        return sorted(store.conn.execute("SELECT article_id, coder, variable, value FROM codes").fetchall())


def test_bad_sheets_are_refused_and_change_nothing(run_cli, demo, tmp_path):
    _two_coders(run_cli, demo, tmp_path)
    before = _codes(demo)
    rows = (tmp_path / "ann.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    assert header[:2] == ["id", "title"] and header[-2:] == ["label", "notes"]

    first, second = sorted({r[0] for r in before})[:2]
    bad = tmp_path / "bad.csv"
    bad.write_text(f"id,label\nh0000000000000000,soft_left\n{first},soft left\n{second},softish\n{first},hard_left\n",
                   encoding="utf-8")
    result = run_cli("code", "import", str(bad), "--coder", "ann")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {bad}: 3 problem(s), nothing imported: line 2: unknown article id 'h0000000000000000' (not in this "
        f"corpus); line 4: unknown category 'softish' for label (known: soft_left, hard_left, soft_right, other, "
        f"cannot_tell); line 5: duplicate row for article {first} (first at line 3); correct the sheet and "
        "import it again\n")

    export = (tmp_path / "ben.json").read_text(encoding="utf-8")
    cut = tmp_path / "cut.json"
    cut.write_text(export[: len(export) * 2 // 3], encoding="utf-8")
    result = run_cli("code", "import", str(cut), "--coder", "ben")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {cut} is not complete JSON (line ")
    assert result.output.endswith("it ends before the JSON does: the file is cut short); nothing imported: "
                                  "export it from Label Studio again\n")

    result = run_cli("code", "import", str(bad), "--coder", "ann", "--format", "labelstudio")
    assert result.exit_code == 1 and result.output == f"Error: {bad} is not a Label Studio JSON export (a list of tasks)\n"
    assert run_cli("code", "import", str(bad)).exit_code == 2  # --coder is required
    assert _codes(demo) == before

    one = tmp_path / "again.csv"
    one.write_text(f"id,label\n{first},other\n", encoding="utf-8")
    result = run_cli("code", "import", str(one), "--coder", "ann", "--json")
    assert json.loads(result.output)["replaced"] == 100
    assert [r for r in _codes(demo) if r[1] == "ann"] == [(first, "ann", "label", "other")]


def test_ties_are_listed_and_decided(run_cli, demo, tmp_path):
    ann, ben = _two_coders(run_cli, demo, tmp_path)
    tied = sorted(i for i in ann if ann[i] != ben[i])
    listed = json.loads(run_cli("code", "adjudicate", "--json").output)
    assert sorted(r["id"] for r in listed) == tied
    article = tied[0]
    result = run_cli("code", "adjudicate", article, "Hard left", "--note", "argues for public ownership", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["label"] == "hard_left"
    with CorpusStore(demo) as store:
        assert store.resolve(store.get(article)) == ("hard_left", "coded")
    agreed = next(i for i in ann if ann[i] == ben[i])
    result = run_cli("code", "adjudicate", agreed, "soft_left")
    assert result.exit_code == 1 and "do not tie on label" in result.output and "--overrule" in result.output
    assert run_cli("code", "adjudicate", article, "--clear").exit_code == 0
    with CorpusStore(demo) as store:
        assert store.resolve(store.get(article))[1] != "coded"


def test_no_codes_yet_is_a_clear_error(run_cli, demo):
    for command in ("agreement", "validate", "adjudicate"):
        result = run_cli("code", command)
        assert result.exit_code == 1
        assert result.output == ("Error: no codes in this corpus yet: draw a sample (`code sample 100 -o sheet.csv`), "
                                 "have it coded, and import each coder's sheet (`code import sheet.csv --coder NAME`)\n")
    result = run_cli("code", "sample", "5", "-o", "sheet.xlsx")
    assert result.exit_code == 1 and "name it .csv (a spreadsheet) or .json (Label Studio)" in result.output


def test_uncertain_sample_needs_and_uses_a_classifier(run_cli, demo, tmp_path):
    result = run_cli("code", "sample", "10", "--uncertain", "-o", str(tmp_path / "u.csv"))
    assert result.exit_code == 1 and "no trained classifier at" in result.output and "classify train" in result.output
    model = tmp_path / "model"
    assert run_cli("classify", "train", "-o", str(model)).exit_code == 0
    result = run_cli("code", "sample", "12", "--uncertain", "--model", str(model), "--by", "none",
                     "-o", str(tmp_path / "u.csv"), "--json")
    assert result.exit_code == 0, result.output
    picked = json.loads(result.output)["ids"]
    from nlp.coding.study import classifier_margins
    from nlp.documents import load_documents

    with CorpusStore(demo) as store:
        margins = classifier_margins(load_documents(store), str(model))
    assert max(margins[i] for i in picked) <= sorted(margins.values())[11]  # the 12 least certain


def test_a_codebook_with_scores(run_cli, demo, tmp_path):
    book = tmp_path / "book.toml"
    assert run_cli("code", "codebook", "-o", str(book)).exit_code == 0
    book.write_text(book.read_text() + '\n[[variables]]\nname = "position"\nquestion = "Left (1) to right (7)?"\n'
                    'level = "interval"\nmin = 1\nmax = 7\n', encoding="utf-8")
    result = run_cli("code", "sample", "6", "--codebook", str(book), "-o", str(tmp_path / "s.csv"), "--json")
    ids = json.loads(result.output)["ids"]
    assert (tmp_path / "s.csv").read_text().splitlines()[0].endswith(",label,position,notes")
    for coder, shift in (("ann", 0), ("ben", 1)):
        sheet = tmp_path / f"{coder}.csv"
        sheet.write_text("id,label,position\n" + "".join(f"{i},soft_left,{(k + shift) % 7 + 1}\n"
                                                         for k, i in enumerate(ids)), encoding="utf-8")
        assert run_cli("code", "import", str(sheet), "--coder", coder).exit_code == 0
    agreement = json.loads(run_cli("code", "agreement", "--json", "--bootstrap", "0").output)
    assert agreement["variables"]["position"]["level"] == "interval"
    assert agreement["variables"]["label"]["alpha"] is None  # every code the same: no variation
    positions = tmp_path / "positions.json"
    positions.write_text(json.dumps({"documents": [{"id": i, "theta": float(k)} for k, i in enumerate(ids)]}))
    result = run_cli("code", "validate", "--json", "--positions", str(positions), "--bootstrap", "0")
    assert result.exit_code == 0, result.output
    (check,) = json.loads(result.output)["positions"]
    assert check["variable"] == "position" and check["n"] == 6 and check["spearman"] is not None
