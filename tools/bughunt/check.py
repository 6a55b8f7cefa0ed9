"""Verifying a fix: the level's tests pass on the hunt folder, and the change is in the right place.

Two independent verdicts:

* ``run_tests``: ``pytest katas --level N --impl FOLDER`` in a subprocess
  (``runner/levelrun.py``; for level-4 hunts the bug is in nn.py over a correct
  engine, so only level 4's own tests are collected, and the summary counts only them);
* ``where_changed``: the lines that differ from the planted files, mapped to
  the planted file's functions. Blank lines, comments and imports are
  ignored; every other change must fall inside the hunt's WHERE function.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from runner import levelrun, manifest
from tools.bughunt.catalogue import Hunt


@dataclass
class TestResult:
    passed: int
    failed: int
    total: int
    error: str | None
    output: str
    failures: list[str] = field(default_factory=list)  # test ids that failed
    unfinished: int = 0  # tests neither passed nor deselected (skipped, not run)

    @property
    def ok(self) -> bool:
        return self.error is None and self.passed > 0 and self.failed == 0 and not self.failures \
            and not self.unfinished


@dataclass
class Change:
    file: str
    lines: tuple[int, int]  # 1-based, inclusive, in the planted file (an insertion: the line after it)
    function: str | None  # the innermost named function of the planted file holding it, or None


@dataclass
class Verdict:
    tests: TestResult | None
    changes: list[Change]
    where: str

    @property
    def in_place(self) -> bool:
        return bool(self.changes) and all(c.function is not None and _within(c.function, self.where)
                                          for c in self.changes)

    @property
    def misplaced(self) -> list[Change]:
        return [c for c in self.changes if c.function is None or not _within(c.function, self.where)]

    @property
    def solved(self) -> bool:
        return self.tests is not None and self.tests.ok and self.in_place


def _within(function: str, where: str) -> bool:
    """``Value.__mul__._backward`` is within ``Value.__mul__``."""
    return function == where or function.startswith(where + ".")


def run_tests(h: Hunt, folder: Path, extra: list[str] = (), echo: bool = True) -> TestResult:
    """Run the hunt's level on ``folder`` (runner/levelrun.py); with ``echo`` the learner sees the
    kata's usual screen once the run ends. A level-4 hunt's bug is in nn.py over a correct engine,
    so only level 4's own tests run for it."""
    narrow = [f"--ignore={lv.folder}" for lv in manifest.levels() if lv.number < h.level] \
        if h.file == "nn.py" and isinstance(h.level, int) else []
    if echo:
        print(f"Running the tests of {h.judged_by} on {folder} ...", flush=True)
    result = levelrun.run_level(h.level, folder, extra_args=[*narrow, *extra])
    if echo:
        print(result.stdout, end="", flush=True)
    unfinished = sum(t.outcome not in ("passed", "deselected", "failed", "error") for t in result.tests)
    return TestResult(result.passed, result.failed, result.total, result.error, result.output,
                      [t.nodeid for t in result.failures], unfinished)


def _ignorable(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith("#") or s.startswith("import ") or s.startswith("from ")


def functions(text: str) -> list[tuple[str, int, int]]:
    """Every function and class of a module: (qualified name, first line, last line), decorators included."""
    out: list[tuple[str, int, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                if not isinstance(child, ast.ClassDef):
                    out.append((name, first, child.end_lineno))
                visit(child, name + ".")

    visit(ast.parse(text), "")
    return out


def _innermost(spans: list[tuple[str, int, int]], first: int, last: int) -> str | None:
    holding = [(name, a, b) for name, a, b in spans if a <= first and last <= b]
    return min(holding, key=lambda s: s[2] - s[1])[0] if holding else None


def changes_in(name: str, planted: str, current: str) -> list[Change]:
    """The changed regions of one file, as lines of the planted file, each with its function."""
    old, new = planted.splitlines(), current.splitlines()
    spans = functions(planted)
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if all(_ignorable(x) for x in old[i1:i2] + new[j1:j2]):
            continue
        if i1 == i2:  # an insertion before line i1 + 1: it belongs to the function around both neighbours
            first, last = max(i1, 1), min(i1 + 1, len(old))
        else:
            first, last = i1 + 1, i2
        out.append(Change(name, (first, last), _innermost(spans, first, last)))
    return out


def where_changed(h: Hunt, folder: Path) -> list[Change]:
    out = []
    for name in h.files:
        planted = (folder / ".planted" / name).read_text(encoding="utf-8")
        try:
            current = (folder / name).read_text(encoding="utf-8")
        except OSError:
            current = ""
        found = changes_in(name, planted, current)
        if name != h.file:  # a change in the other file is never the fix
            found = [Change(c.file, c.lines, None) for c in found]
        out += found
    return out


def verdict(h: Hunt, folder: Path, extra: list[str] = (), echo: bool = True) -> Verdict:
    """Both verdicts; the tests only run once the files parse and something changed."""
    try:
        changes = where_changed(h, folder)
    except SyntaxError:
        changes = [Change(h.file, (0, 0), None)]
    tests = run_tests(h, folder, extra, echo) if changes else None
    return Verdict(tests, changes, h.where)
