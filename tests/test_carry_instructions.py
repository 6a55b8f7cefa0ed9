"""Carry keeps what the new level asks anew: level 3's backward() instructions stay above the carried body."""

from __future__ import annotations

import ast
import shutil

import pytest

from runner import manifest
from tests.test_carry_backups import LEVEL1_SOLUTION
from tools import backups, carry

ROOT = manifest.ROOT


@pytest.fixture
def kata_copy(tmp_path):
    """Levels 2 and 3 as shipped, with a level-2 file whose backward() is written (recursively, no docstring)."""
    root = tmp_path / "kata"
    for lv in manifest.levels()[1:3]:
        shutil.copytree(lv.stub_path, root / lv.stub)
        shutil.copytree(lv.stub_path, root / lv.folder)
    (root / "katas/level2/value.py").write_text(LEVEL1_SOLUTION)
    return root


def _instructions(root, level: int) -> str:
    stub = ast.parse((root / manifest.level(level).stub / "value.py").read_text())
    cls = next(n for n in stub.body if isinstance(n, ast.ClassDef))
    return ast.get_docstring(next(f for f in cls.body if getattr(f, "name", "") == "backward"))


def test_carry_to_3_keeps_level_3s_backward_instructions_above_the_carried_body(kata_copy, capsys):
    level3 = kata_copy / "katas/level3/value.py"
    before = level3.read_text()
    assert carry.main(["3", "--root", str(kata_copy)]) == 0
    out = capsys.readouterr().out
    text = level3.read_text()
    rules = _instructions(kata_copy, 3)
    assert "WITHOUT recursion" in rules and "interior node" in rules  # what the stub asks of backward()
    lines = text.splitlines()
    at = lines.index("    def backward(self):")
    comment = [line.removeprefix("    # ").removeprefix("    #") for line in lines[at - len(rules.splitlines()): at]]
    assert comment == rules.splitlines(), lines[at - 12: at + 2]
    assert "        order = self._order()" in lines[at + 1: at + 3], "the learner's body follows the comment"
    assert f"new at level 3: {manifest.level(3).title} (read katas/level3/README.md)" in out, out
    assert "level 3 asks anew of backward (kept as a comment above it):" in out, out
    assert all(line.strip() in out for line in rules.splitlines()), out
    (entry,) = backups.entries()
    assert entry.copy_path.read_text() == before, "carry backs up the level-3 file first"
    # carried once, the comment is not repeated by a second carry
    assert carry.main(["3", "--root", str(kata_copy)]) == 0
    assert level3.read_text() == text


def test_methods_whose_instructions_did_not_change_get_no_comment(kata_copy):
    (report,) = carry.carry(3, root=kata_copy)
    assert set(report.instructions) == {"backward"}, report.instructions
    assert {"__add__", "__mul__"} <= set(report.carried)
