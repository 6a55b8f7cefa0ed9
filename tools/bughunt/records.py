"""The record of bug hunts: ``.kata/bughunt/history.jsonl``, one JSON object per finished hunt.

    {"hunt": 3, "slug": "backward_order", "title": "...", "outcome": "solved" | "revealed",
     "elapsed_s": 312.4, "minutes": 10 | null, "hints": 1, "checks": 2, "finished": "2026-11-27T05:40:00"}

``nox -s progress`` reads it (tools/progress.py); damaged lines are skipped.
"""

from __future__ import annotations

import json
import time

from runner import state


def history_path():
    return state.state_dir() / "bughunt" / "history.jsonl"


def append(record: dict) -> None:
    path = state.path("bughunt", "history.jsonl")
    record = dict(record, finished=time.strftime("%Y-%m-%dT%H:%M:%S"))
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


def history(problems: list[str] | None = None) -> list[dict]:
    path = history_path()
    if not path.exists():
        return []
    out, bad = [], 0
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as e:
        if problems is not None:
            problems.append(f"{path} could not be read: {e}")
        return []
    for line in lines:
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if isinstance(rec, dict) and isinstance(rec.get("hunt"), int):
            out.append(rec)
        else:
            bad += 1
    if bad and problems is not None:
        problems.append(f"{path}: {bad} line(s) could not be read and were skipped")
    return out


def solved(history_records: list[dict]) -> dict[int, dict]:
    """The best solved attempt of each hunt (fewest hints, then fastest)."""
    best: dict[int, dict] = {}
    for rec in history_records:
        if rec.get("outcome") != "solved":
            continue
        try:
            key = (int(rec.get("hints", 0)), float(rec["elapsed_s"]))
        except (KeyError, TypeError, ValueError):
            continue
        old = best.get(rec["hunt"])
        if old is None or key < (int(old.get("hints", 0)), float(old["elapsed_s"])):
            best[rec["hunt"]] = rec
    return best

