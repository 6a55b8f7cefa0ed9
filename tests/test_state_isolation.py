"""No test of the repository can write into the learner's real ``.kata/`` (tests/conftest.py)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from runner import manifest
from runner import state as kata_state
from tests.kata_runs import run_level

REAL = manifest.ROOT / ".kata"


def _digest(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_test_writes_its_state_into_its_own_folder(tmp_path, state):
    assert state == tmp_path / "state" and os.environ["KATA_STATE_DIR"] == str(state)
    assert not state.exists(), "every test starts without a state folder"
    written = kata_state.path("backups", "index.json")  # what every tool that remembers something calls
    written.write_text("{}")
    assert written == state / "backups" / "index.json"
    assert REAL.resolve() not in written.resolve().parents


def test_a_learner_run_in_a_subprocess_records_its_progress_in_the_tests_folder(state):
    before = _digest(REAL)
    run = run_level(1, "learner", "-k", "test_add")
    assert run.outcomes, run.output[-2000:]
    assert (state / "progress.json").exists(), "the level run of --impl learner saved its progress here"
    assert _digest(REAL) == before, "the learner's .kata/ is untouched"


def test_the_state_module_follows_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("KATA_STATE_DIR", str(tmp_path / "elsewhere"))
    assert kata_state.state_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("KATA_STATE_DIR")
    assert kata_state.state_dir() == REAL, "without the variable, a learner's tools use .kata/"
