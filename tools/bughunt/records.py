"""The record of bug hunts: ``.kata/bughunt/history.jsonl``, one JSON object per finished hunt.

    {"version": 1, "hunt": 3, "slug": "backward_order", "title": "...", "outcome": "solved" | "revealed",
     "elapsed_s": 312.4, "minutes": 10 | null, "hints": 1, "checks": 2, "finished": "2026-11-27T05:40:00"}

Written and read through runner/state.py (format version, damaged lines skipped); ``nox -s progress``
reads it (tools/progress.py).
"""

from __future__ import annotations

import time

from runner import state


def history_path():
    return state.state_dir() / "bughunt" / "history.jsonl"


def append(record: dict) -> None:
    state.append_line(history_path(), dict(record, finished=time.strftime("%Y-%m-%dT%H:%M:%S")))


def history(problems: list[str] | None = None) -> list[dict]:
    """Every readable record; damaged lines are skipped (and described in ``problems``)."""
    lines = state.read_lines(history_path(), required=("hunt",))
    if lines.problems and problems is not None:
        problems.append(lines.describe())
    return [r for r in lines.records if isinstance(r["hunt"], int)]


def _fewest_hints_then_fastest(rec: dict) -> tuple:
    if rec.get("outcome") != "solved":
        raise ValueError("not solved")
    return int(rec.get("hints", 0)), float(rec["elapsed_s"])


def solved(history_records: list[dict]) -> dict[int, dict]:
    """The best solved attempt of each hunt (fewest hints, then fastest)."""
    return state.best(history_records, "hunt", _fewest_hints_then_fastest)
