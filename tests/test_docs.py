"""The documentation stays true: the CLI reference matches ``--help`` and the wheel ships what it needs."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("corpus", "scrapers", "nlp")


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate_cli_reference", ROOT / "docs" / "generate_cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current():
    generator = _load_generator()
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == generator.render_reference(), (
        "docs/cli.md is stale: run `python docs/generate_cli_reference.py` and commit the result")


def test_cli_reference_lists_every_command_in_order():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    headings = [line.split("`")[1] for line in text.splitlines() if line.startswith("#") and "`" in line]
    for command in ("softleft demo", "softleft corpus import", "softleft topics trends", "softleft classify predict",
                    "softleft contrast", "softleft kwic", "softleft mentions"):
        assert command in headings
    # the CLI lists demo before corpus, corpus before topics (data-flow order, not alphabetical)
    assert headings.index("softleft demo") < headings.index("softleft corpus") < headings.index("softleft topics")


def test_check_mode_reports_a_stale_reference(tmp_path, monkeypatch, capsys):
    generator = _load_generator()
    stale = tmp_path / "cli.md"
    stale.write_text("# out of date\n", encoding="utf-8")
    monkeypatch.setattr(generator, "REFERENCE", stale)
    monkeypatch.setattr(generator, "ROOT", tmp_path)
    assert generator.main(["--check"]) == 1
    assert "python docs/generate_cli_reference.py" in capsys.readouterr().err
    assert stale.read_text(encoding="utf-8") == "# out of date\n"  # --check writes nothing


def test_docs_links_point_at_existing_pages():
    import re

    pages = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).resolve().exists(), f"{page.name} links to missing {target}"


def _build_wheel(tmp_path: Path) -> Path:
    """Build the wheel from a copy of the sources (setuptools leaves build/ and *.egg-info behind)."""
    pytest.importorskip("setuptools", reason="no build backend (setuptools) in this environment")
    pytest.importorskip("wheel", reason="setuptools here needs the `wheel` package to build wheels")
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "requirements.txt", "README.md", "cli.py"):
        shutil.copy2(ROOT / name, src / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path / "dist"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(out), str(src)],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    wheels = list(out.glob("softleft-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_ships_code_data_and_entry_point(tmp_path):
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())

    assert "cli.py" in names
    for package in PACKAGES:  # every module, wherever it lives in the package tree
        for module in (ROOT / package).rglob("*.py"):
            assert module.relative_to(ROOT).as_posix() in names, f"{module.relative_to(ROOT)} missing from the wheel"
    for pattern in ("*.toml", "templates/**/*"):
        for package in PACKAGES:
            for data in (ROOT / package).glob(f"**/{pattern}"):
                if data.is_file() and "__pycache__" not in data.parts:
                    assert data.relative_to(ROOT).as_posix() in names, f"{data.relative_to(ROOT)} missing"
    demo_articles = sorted((ROOT / "corpus" / "demo" / "articles").glob("*.md"))
    assert demo_articles, "the demo corpus has no articles"
    for article in demo_articles:
        assert article.relative_to(ROOT).as_posix() in names
    assert "corpus/demo/README.md" in names
    assert not any(name.startswith("tests/") for name in names)

    dist_info = next(name for name in names if name.endswith(".dist-info/entry_points.txt"))
    entry_points = zipfile.ZipFile(wheel).read(dist_info).decode()
    assert "softleft = cli:main" in entry_points
    metadata = zipfile.ZipFile(wheel).read(dist_info.replace("entry_points.txt", "METADATA")).decode()
    from corpus import __version__

    assert f"Version: {__version__}" in metadata
    assert "Requires-Dist: spacy" in metadata and "Requires-Python: >=3.11" in metadata


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("Install and run the tests:"):]
    command = block.split("```sh\n", 1)[1].split("\n```", 1)[0].strip()
    ci = [line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert "pytest" in command and ci[-1].strip() == command
