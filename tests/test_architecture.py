"""The layers point one way: no import cycles; scrapers and nlp never import each other; the report and
the analyses run no SQL; nothing below cli.py writes to the terminal."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("corpus", "scrapers", "nlp")


def _modules() -> dict[str, Path]:
    found = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules ``name`` imports, anywhere in the file (late imports count too)."""
    out = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        for t in targets:
            while t and t not in modules:
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _strip_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Edges into a package's ``__init__`` are re-exports: follow them to the modules only."""
    return {n: {d for d in deps if not (ROOT / d.replace(".", "/") / "__init__.py").exists()}
            for n, deps in graph.items() if not (ROOT / n.replace(".", "/") / "__init__.py").exists()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for d in sorted(graph.get(n, ())):
            if state.get(d) == 1:
                return stack[stack.index(d):] + [d]
            if d not in state and (c := visit(d)):
                return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (c := visit(n)):
            return c
    return None


def test_no_import_cycle():
    cycle = find_cycle(_strip_packages(_graph()))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_layers_point_one_way():
    graph = _graph()
    for name, deps in graph.items():
        top = name.split(".")[0]
        bad = {d for d in deps if d.split(".")[0] in {"corpus": ("scrapers", "nlp"), "scrapers": ("nlp",),
                                                        "nlp": ("scrapers",)}[top]}
        assert not bad, f"{name} imports {sorted(bad)} against the one-way layers"
        if name.startswith("nlp.") and not name.startswith(("nlp.report", "nlp.pipeline", "nlp.__init__")):
            assert not {d for d in deps if d.startswith("nlp.report")}, f"{name} (an analysis) imports the report"


def test_nothing_below_the_cli_writes_to_the_terminal():
    """Library code reports progress through callbacks; only cli.py draws (print, sys.stderr, click.echo)."""
    pattern = re.compile(r"\bprint\(|sys\.std(err|out)|click\.(echo|secho|progressbar)|\.isatty\(")
    offenders = []
    for name, path in _modules().items():
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line.split("#", 1)[0]):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert not offenders, "terminal output below cli.py:\n" + "\n".join(offenders)


def test_no_sql_outside_corpus():
    """Only corpus/ runs SQL: no execute() on a connection and no SQL keywords in strings elsewhere."""
    pattern = re.compile(r"\.(execute|executemany|executescript)\(|\.conn\b")
    offenders = []
    for name, path in _modules().items():
        if name.startswith("corpus"):
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert not offenders, "SQL outside corpus/:\n" + "\n".join(offenders)


def test_the_public_api_resolves_every_name():
    import nlp

    for name in nlp.__all__:
        assert getattr(nlp, name) is not None, name


def test_an_outlets_default_tendency_is_set_in_one_place():
    """corpus/default_labels.toml holds the shipped outlets' tendencies; the scrapers take them from there."""
    from corpus.labels import LabelSet
    from scrapers import list_outlets

    declared = [p.name for p in (ROOT / "scrapers" / "outlets").glob("*.py")
                if re.search(r"\btendency\s*=", p.read_text(encoding="utf-8"))]
    assert not declared, f"outlet modules declaring a tendency: {declared}"
    assert not re.search(r"^tendency\s*=", (ROOT / "scrapers" / "outlets.toml").read_text(), re.M)
    labels = LabelSet.default().outlets
    for row in list_outlets():
        assert row["tendency"] == labels[row["name"]].tendency, row["name"]


def test_the_command_modules_sit_above_the_packages():
    """commands/ (the CLI's command modules) may import the packages; nothing in the packages imports commands
    or cli, and no command module imports cli.py (the root group loads them, not the other way round)."""
    offenders = []
    for path in sorted(ROOT.glob("commands/*.py")) + [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                top = name.split(".")[0]
                if top == "cli" or (top == "commands" and path.parent.name != "commands"):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, "\n".join(offenders)
