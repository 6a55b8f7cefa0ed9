"""Carrying code forward keeps every line of the learner's; backups and restore round-trip."""

from __future__ import annotations

import ast
import difflib
import shutil
import subprocess
import sys

import pytest

from tests.kata_runs import run_level
from tools import backups, carry
from runner import manifest

ROOT = manifest.ROOT

LEVEL1_SOLUTION = '''"""My engine, level 1."""
import math  # not needed yet


def _wrap(x):
    # turn plain numbers into Values
    return x if isinstance(x, Value) else Value(x)


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = float(data)  # my change: always a float
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        """self + other, where other is a Value or a plain number."""
        other = _wrap(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad  # d(a+b)/da = 1
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _wrap(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def _order(self):
        order, seen = [], set()

        def visit(v):
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    visit(child)
                order.append(v)

        visit(self)
        return order

    def backward(self):
        order = self._order()
        for v in order:
            if v._prev:
                v.grad = 0.0
        self.grad = 1.0
        for v in reversed(order):
            v._backward()

    def __repr__(self):
        return f"Value({self.data})"
'''

RELU_IN_PROGRESS = '''    def relu(self):
        """max(0, x); its derivative is 1 for x > 0 and 0 otherwise (also at 0)."""
        # half done: the forward pass works, the gradient is next
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")
        return out'''


@pytest.fixture
def kata_copy(tmp_path):
    """A copy of the kata's learner folders, stubs and reference (the state folder is the test's own)."""
    root = tmp_path / "kata"
    for lv in manifest.levels()[:2]:
        shutil.copytree(lv.stub_path, root / lv.stub)
        shutil.copytree(lv.stub_path, root / lv.folder)
    (root / "reference").mkdir()
    shutil.copy(ROOT / "reference" / "engine.py", root / "reference" / "engine.py")
    (root / "katas/level1/value.py").write_text(LEVEL1_SOLUTION)
    level2 = root / "katas/level2/value.py"
    stub_relu = '''    def relu(self):
        """max(0, x); its derivative is 1 for x > 0 and 0 otherwise (also at 0)."""
        raise NotImplementedError("level 2: Value.relu")'''
    assert stub_relu in level2.read_text()
    level2.write_text(level2.read_text().replace(stub_relu, RELU_IN_PROGRESS))
    return root


def code_lines(text: str) -> list[str]:
    """Every line of the learner's methods, functions and imports (not the module docstring)."""
    tree = ast.parse(text)
    lines = text.splitlines()
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.Import, ast.ImportFrom)):
            out += [line.strip() for line in lines[node.lineno - 1: node.end_lineno] if line.strip()]
    return out


def test_carry_keeps_every_line_of_the_learner(kata_copy):
    level2 = kata_copy / "katas/level2/value.py"
    before = level2.read_text()
    reports = carry.carry(2, root=kata_copy)
    after = level2.read_text()
    ast.parse(after)
    missing = [line for line in code_lines(LEVEL1_SOLUTION) if line not in {s.strip() for s in after.splitlines()}]
    assert not missing, f"lines of the level-1 code lost: {missing}"
    for line in RELU_IN_PROGRESS.splitlines():
        assert line in after, f"the level-2 work in progress lost: {line!r}"
    # what left the level-2 file are lines of the pristine stub only (the stubs that got replaced)
    stub = set((kata_copy / "stubs/level2/value.py").read_text().splitlines())
    removed = [line[1:] for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
               if line.startswith("-") and not line.startswith("---")]
    assert removed and all(line in stub for line in removed), [r for r in removed if r not in stub]
    (report,) = reports
    assert {"__add__", "__mul__", "__radd__", "__rmul__", "backward"} <= set(report.carried)
    assert "relu" not in report.carried and "tanh" in report.todo
    assert any("_order" in a for a in report.added) and any("_wrap" in a for a in report.added)
    # the stubs of level 2 are still there to write
    assert 'raise NotImplementedError("level 2: Value.tanh")' in after
    # a second carry changes nothing
    assert carry.carry(2, root=kata_copy)[0].changed is False and level2.read_text() == after
    # and the carried engine passes level 1
    run = run_level(2, level2, "-k", "test_level1")
    level1 = {t: o for t, o in run.outcomes.items() if "level1" in t}
    assert level1 and set(level1.values()) == {"passed"}, run.output[-2000:]


def test_carry_backs_up_first_and_restore_brings_it_back(kata_copy, capsys):
    level2 = kata_copy / "katas/level2/value.py"
    before = level2.read_text()
    (report,) = carry.carry(2, root=kata_copy)
    assert report.backup is not None and report.backup.copy_path.read_text() == before
    carried = level2.read_text()
    level2.write_text(carried + "\n# an edit after carrying\n")
    assert backups.main([str(report.backup.id)]) == 0
    assert level2.read_text() == before
    out = capsys.readouterr().out
    assert "undoes this" in out
    safety = backups.entries()[-1]
    assert safety.reason.startswith("before restoring") and "# an edit after carrying" in safety.copy_path.read_text()
    backups.main([])
    listing = capsys.readouterr().out
    assert "before carrying level 1 into level 2" in listing and "before restoring backup" in listing


def test_backups_survive_a_lost_index(tmp_path, state):
    f = tmp_path / "value.py"
    f.write_text("one\n")
    first = backups.backup(f, 1, "test")
    assert backups.backup(f, 1, "same content") == first, "no second copy of the same content"
    f.write_text("two\n")
    second = backups.backup(f, 1, "test")
    (state / "backups" / "index.json").write_text("garbage")
    assert [b.copy for b in backups.entries()] == [first.copy, second.copy]
    with pytest.raises(LookupError):
        backups.find("99")


def test_carry_refuses_a_file_that_does_not_parse(kata_copy):
    level1 = kata_copy / "katas/level1/value.py"
    level1.write_text(LEVEL1_SOLUTION.replace("    def __radd__(self, other):", "    def __radd__(self, other)"))
    level2 = kata_copy / "katas/level2/value.py"
    before = level2.read_text()
    line = level1.read_text().splitlines().index("    def __radd__(self, other)") + 1
    proc = subprocess.run([sys.executable, "-m", "tools.carry", "2", "--root", str(kata_copy)], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 1 and f"line {line}" in proc.stderr and "nothing was changed" in proc.stderr
    assert level2.read_text() == before and not backups.entries()


def test_carry_from_the_reference_brings_only_earlier_levels(kata_copy):
    level2 = kata_copy / "katas/level2/value.py"
    (report,) = carry.carry(2, from_reference=True, root=kata_copy)
    text = level2.read_text()
    assert "backward" in report.carried and "_topological_order" in text
    assert RELU_IN_PROGRESS in text, "the learner's level-2 work stays"
    assert 'raise NotImplementedError("level 2: Value.tanh")' in text, "level 2 is still the learner's to write"
    assert "def sigmoid" not in text and "def log" not in text
    run = run_level(2, level2, "-k", "test_level1")
    assert {o for t, o in run.outcomes.items() if "level1" in t} == {"passed"}, run.output[-2000:]
