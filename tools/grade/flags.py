"""Marks for the instructor: a submission that leans on a finished engine.

Read from the source (every import, wherever it is in the file) and from the
engine process (the modules loaded once the files were imported; the student's
process could lie about those, so the source is what a mark rests on when
they disagree). A mark never changes a score: the instructor decides.
"""

from __future__ import annotations

import ast
from pathlib import Path

WATCHED = {
    "utils.autograd_stub": "imports the escape hatch (utils.autograd_stub)",
    "reference.fast": "imports the escape hatch's engine (reference.fast)",
    "reference": "imports the kata's reference (reference/)",
    "torch": "imports torch",
    "micrograd": "imports micrograd",
}


def _mark(module: str) -> str | None:
    for name, text in WATCHED.items():  # the most specific first
        if module == name or module.startswith(name + "."):
            return text
    return None


def imports(source: str) -> set[str]:
    """Every module a source file imports, by name (relative imports left out)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            out.add(str(node.args[0].value))
    return out


def static_flags(files: dict[str, Path]) -> list[str]:
    marks: list[str] = []
    for path in files.values():
        try:
            found = imports(path.read_text(errors="replace"))
        except (SyntaxError, ValueError):
            continue  # it does not import at all; the report says so
        for module in sorted(found):
            text = _mark(module)
            if text and f"{path.name}: {text}" not in marks:
                marks.append(f"{path.name}: {text}")
    return _dedupe(marks)


def loaded_flags(modules: list[str]) -> list[str]:
    """Marks from the modules the engine process had loaded after importing the files."""
    return _dedupe([f"loaded: {t}" for t in (_mark(m) for m in modules) if t])


def _dedupe(marks: list[str]) -> list[str]:
    out: list[str] = []
    for m in marks:
        if m not in out:
            out.append(m)
    return out
