"""`scrape`, `scrape list`, `scrape reparse` through the CLI: exit codes, JSON, exact error text."""
from __future__ import annotations

import json

from click.testing import CliRunner

from cli import cli

from .conftest import FAULTS_TOML

FAST = ["--delay", "0", "--timeout", "1", "--retries", "0"]


def invoke(db, *args):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def test_scrape_list_json(tmp_path):
    result = invoke(tmp_path / "x.db", "scrape", "list", "--json")
    assert result.exit_code == 0
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert {"renewal", "chartist", "tribune", "labourlist", "novara", "progressivebritain", "openlabour"} <= set(rows)
    assert rows["tribune"]["tendency"] == "hard_left" and rows["progressivebritain"]["tendency"] == "soft_right"
    assert rows["compass"]["defined_in"].startswith("config")
    assert not (tmp_path / "x.db").exists()


def test_scrape_list_includes_a_user_outlets_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SOFTLEFT_OUTLETS", str(FAULTS_TOML))
    result = invoke(tmp_path / "x.db", "scrape", "list")
    assert result.exit_code == 0 and "faults" in result.stdout and "faults.example" in result.stdout


def test_scrape_tribune_json_summary_and_rerun(tmp_path, serve):
    server = serve("tribune")
    db = tmp_path / "t.db"
    result = invoke(db, "scrape", "tribune", "--base-url", server.url, *FAST, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary) == {"tribune"}
    assert {k: summary["tribune"][k] for k in ("discovered", "fetched", "new", "failed", "skipped_robots")} == \
        {"discovered": 4, "fetched": 3, "new": 3, "failed": 0, "skipped_robots": 1}
    assert "tribune: 4 discovered, 3 fetched, 3 new" in result.stderr
    again = invoke(db, "scrape", "tribune", "--base-url", server.url, *FAST, "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["tribune"]["new"] == 0


def test_scrape_several_outlets_at_once(tmp_path, serve):
    a, b = serve("chartist"), serve("labourlist")
    result = invoke(tmp_path / "both.db", "scrape", "chartist", "labourlist", "--base-url", f"chartist={a.url}",
                    "--base-url", f"labourlist={b.url}", *FAST, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["chartist"]["new"] == 3 and summary["labourlist"]["new"] == 3


def test_generic_outlet_from_a_config_file(tmp_path, serve):
    server = serve("faults")
    result = invoke(tmp_path / "f.db", "scrape", "faults", "--outlets", str(FAULTS_TOML), "--base-url", server.url,
                    *FAST, "--max-articles", "2", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["faults"]["new"] == 2


def test_unknown_outlet_is_a_usage_error(tmp_path):
    result = invoke(tmp_path / "x.db", "scrape", "sun")
    assert result.exit_code == 2
    assert "Unknown outlet 'sun'; known outlets: chartist, compass," in result.output
    assert not (tmp_path / "x.db").exists()


def test_base_url_with_two_outlets_is_a_usage_error(tmp_path):
    result = invoke(tmp_path / "x.db", "scrape", "tribune", "chartist", "--base-url", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "give exactly one OUTLET with it" in result.output
    named = invoke(tmp_path / "x.db", "scrape", "tribune", "--base-url", "chartist=http://127.0.0.1:9")
    assert named.exit_code == 2 and "not among the outlets" in named.output


def test_bad_date_is_a_usage_error(tmp_path):
    result = invoke(tmp_path / "x.db", "scrape", "tribune", "--since", "last tuesday")
    assert result.exit_code == 2 and "--since" in result.output


def test_unreachable_host_exits_1_with_a_clear_message(tmp_path):
    result = invoke(tmp_path / "x.db", "scrape", "tribune", "--base-url", "http://127.0.0.1:9", *FAST, "--json")
    assert result.exit_code == 1
    assert "Error: nothing could be collected; tribune: cannot reach 127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.output


def test_every_page_refused_by_robots_exits_1(tmp_path, serve):
    server = serve("openlabour")
    server.routes["/robots.txt"] = {"file": str(tmp_path / "robots.txt"), "type": "text/plain", "status": 200}
    (tmp_path / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    result = invoke(tmp_path / "x.db", "scrape", "openlabour", "--base-url", server.url, *FAST)
    assert result.exit_code == 1
    assert "robots.txt" in result.stderr


def test_reparse(tmp_path, serve):
    server = serve("novara")
    db = tmp_path / "n.db"
    assert invoke(db, "scrape", "novara", "--base-url", server.url, *FAST).exit_code == 0
    server.stop()
    result = invoke(db, "scrape", "reparse", "novara", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"pages": 2, "new": 0, "updated": 0, "unchanged": 2, "skipped": 0, "failed": 0}


def test_reparse_without_a_corpus(tmp_path):
    result = invoke(tmp_path / "none.db", "scrape", "reparse", "novara")
    assert result.exit_code == 1 and "no corpus at" in result.output


def test_a_bad_outlets_file_is_one_line_naming_the_fix(tmp_path):
    cfg = tmp_path / "mine.toml"
    cfg.write_text('[outlets.branchnews]\ndomain = "https://branchnews.example.org/"\n')
    result = invoke(tmp_path / "x.db", "scrape", "branchnews", "--outlets", str(cfg))
    assert result.exit_code == 1
    assert result.stderr == (f'Error: {cfg}: [outlets.branchnews]: domain "https://branchnews.example.org/" must be a '
                             'host name such as "example.org" (no scheme, path or spaces); write "branchnews.example.org"\n')
    assert not (tmp_path / "x.db").exists()
