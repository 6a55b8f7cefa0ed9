"""Hints one tier at a time, and the progress table, from a state folder that may be damaged."""

from __future__ import annotations

import json

import pytest

from tools import hints, progress
from runner import manifest


@pytest.fixture(autouse=True)
def colour(monkeypatch):  # the state folder is the test's own (tests/conftest.py)
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_hint_tiers_come_one_at_a_time_and_are_recorded(capsys, state):
    files = manifest.level(2).hint_files
    for tier in (1, 2, 3):
        assert hints.main(["2", "--plain"]) == 0
        out = capsys.readouterr().out
        assert f"level 2, hint {tier} of 3" in out
        assert files[tier - 1].read_text().splitlines()[0] in out
        assert hints.read_tiers(2) == list(range(1, tier + 1))
    hints.main(["2", "--plain"])
    assert "You have read all 3 hints of level 2" in capsys.readouterr().out
    data = json.loads((state / "hints.json").read_text())
    assert data["levels"]["2"]["read"] == [1, 2, 3]
    assert hints.read_tiers(1) == [], "levels are counted apart"
    hints.main(["2", "--reset"])
    assert hints.read_tiers(2) == [] and hints.next_tier(2) == 1


def test_a_chosen_tier_and_the_status_line(capsys):
    hints.main(["1", "--tier", "3", "--plain"])
    assert "hint 3 of 3: pseudocode" in capsys.readouterr().out
    assert hints.next_tier(1) == 1
    assert "shows hint 1 of 3 (nudge)" in hints.status_line(1)


def test_a_damaged_hints_file_is_read_as_empty(capsys, state):
    state.mkdir(parents=True)
    (state / "hints.json").write_text("{not json")
    assert hints.main(["1", "--plain"]) == 0
    assert "hint 1 of 3" in capsys.readouterr().out
    assert hints.read_tiers(1) == [1]


def test_progress_of_each_level(capsys, state):
    state.mkdir(parents=True)
    run = {"impl": "learner", "failed": 0, "by_level": {}, "timestamp": "t", "error": False}
    (state / "progress.json").write_text(json.dumps({"levels": {
        "1": {"last": {**run, "level": 1, "passed": 21, "total": 21, "complete": True},
              "complete": {**run, "level": 1, "passed": 21, "total": 21, "complete": True}},
        "2": {"last": {**run, "level": 2, "passed": 10, "total": 62, "complete": False}},
    }}))
    (state / "interview").mkdir()
    (state / "interview" / "history.jsonl").write_text("\n".join([
        json.dumps({"scope": "1", "elapsed_s": 700, "outcome": "finished", "passed": 21, "total": 21}),
        json.dumps({"scope": "1", "elapsed_s": 650.4, "outcome": "finished", "passed": 21, "total": 21}),
        json.dumps({"scope": "1", "elapsed_s": 100, "outcome": "timed out", "passed": 3, "total": 21}),
        "{cut short",
        json.dumps({"scope": "full", "elapsed_s": 3000, "outcome": "finished", "passed": 80, "total": 80}),
    ]))
    hints.mark_read(2, 1)
    assert progress.main(["--plain"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line[:1].isdigit()}
    assert "done" in lines["1"] and "10:50" in lines["1"]
    assert "10 of 62 passing (last run was partial)" in lines["2"] and "1 of 3" in lines["2"]
    assert "best interview time, scope full: 50:00" in out
    assert "1 line(s) could not be read" in out


def test_progress_with_a_corrupt_state_folder(capsys, state):
    state.mkdir(parents=True)
    (state / "progress.json").write_text("[1, 2")
    (state / "hints.json").write_text('{"levels": 3}')
    (state / "interview").mkdir()
    (state / "interview" / "history.jsonl").write_bytes(b"\xff\xfe garbage\n[]\n")
    assert progress.main(["--plain"]) == 0
    out = capsys.readouterr().out
    assert "could not be read" in out
    assert all(f"{lv.number} " in out for lv in manifest.levels())


def test_progress_with_no_state_at_all(capsys, state):
    assert progress.main(["--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["level"] for r in data["levels"]] == [lv.number for lv in manifest.levels()]
    assert data["problems"] == []
    assert not state.exists(), "progress only reads"
