"""The house rules of docs/architecture.md, checked: layers, public pytest APIs, module size."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from runner.manifest import ROOT

LAYERS = {  # package -> packages of the repository it must never import
    "utils": {"runner", "tools", "bench", "tests", "reference"},
    "runner": {"tools", "bench", "tests"},
    "tools": {"bench", "tests"},
}
MAX_LINES = 450


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_each_layer_imports_only_the_layers_below_it(package):
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(package)
        for name in _imports(path)
        if name.split(".")[0] in LAYERS[package]
    }
    assert not wrong, "docs/architecture.md: " + "; ".join(sorted(wrong))


@pytest.mark.parametrize("package", ["runner", "tools", "utils"])
def test_no_private_pytest_internals(package):
    wrong = [str(p.relative_to(ROOT)) for p in _modules(package) if any(n.split(".")[0] == "_pytest" for n in _imports(p))]
    assert not wrong, f"use pytest's public API, not _pytest: {wrong}"


@pytest.mark.parametrize("package", ["runner", "tools", "utils", "bench", "reference"])
def test_modules_hold_one_idea(package):
    long = {str(p.relative_to(ROOT)): n for p in _modules(package)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them by idea): {long}"


def test_the_tools_package_names_each_of_its_tools():
    import tools

    names = {p.stem for p in (ROOT / "tools").iterdir()
             if not p.name.startswith("_") and (p.suffix == ".py" or (p / "__init__.py").exists())}
    missing = sorted(n for n in names if f"``{n}``" not in tools.__doc__)
    assert not missing, f"tools/__init__.py does not name {missing}"
