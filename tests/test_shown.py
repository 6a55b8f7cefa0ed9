"""The one time formatter (tools/clock.py) and the one path shortener (runner/paths.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.paths import shown
from tools.clock import mmss


@pytest.mark.parametrize(("seconds", "elapsed", "countdown"), [
    (0, "0:00", "0:00"),
    (0.2, "0:00", "0:01"),  # a countdown shows 0:00 only when the time is over
    (59.4, "0:59", "1:00"),
    (59.6, "1:00", "1:00"),
    (61.4, "1:01", "1:02"),
    (3600, "60:00", "60:00"),
    (-3, "0:00", "0:00"),
])
def test_mmss_rounds_a_taken_time_to_the_nearest_second_and_a_countdown_up(seconds, elapsed, countdown):
    assert mmss(seconds) == elapsed
    assert mmss(seconds, countdown=True) == countdown


@pytest.mark.parametrize("junk", [None, "soon", float("nan"), float("inf")])
def test_mmss_shows_a_damaged_time_as_a_question_mark(junk):
    assert mmss(junk) == "?"


def test_a_path_is_shown_as_the_learner_would_type_it(tmp_path, monkeypatch):
    inside = tmp_path / "katas" / "level1" / "value.py"
    inside.parent.mkdir(parents=True)
    inside.write_text("")
    monkeypatch.chdir(tmp_path)
    assert shown(inside) == str(Path("katas/level1/value.py"))
    assert shown("katas/level1/value.py") == str(Path("katas/level1/value.py"))
    monkeypatch.chdir(inside.parent)
    assert shown(inside) == "value.py"
    assert shown(tmp_path / "other.py") == str((tmp_path / "other.py").resolve()), "outside the folder: absolute"
