"""Which hints a learner has read: ``.kata/hints.json``.

``{"version": 1, "levels": {"2": {"read": [1, 2], "last_read": ...}}}`` (runner/state.py). The summary of a
level run names the next hint from it; ``nox -s hint`` (tools/hints.py)
shows hints and marks them read; progress and interview mode count them.
"""

from __future__ import annotations

import time
from pathlib import Path

from runner import manifest, state


def _path() -> Path:
    return state.state_dir() / "hints.json"  # write_document makes the folder


def load(problems: list[str] | None = None) -> dict:
    """The hints file; an empty record when it is missing or unreadable (noted in ``problems``)."""
    data = state.read_document(_path(), problems) or {}
    if not isinstance(data.get("levels"), dict):
        return {"levels": {}}
    return data


def _save(data: dict) -> None:
    state.write_document(_path(), data)


def read_tiers(level: int, data: dict | None = None) -> list[int]:
    """The tiers of ``level`` read so far, in order (tolerates hand-edited files)."""
    entry = (data or load())["levels"].get(str(level), {})
    tiers = entry.get("read", []) if isinstance(entry, dict) else []
    if not isinstance(tiers, list):
        return []
    return sorted({int(t) for t in tiers if isinstance(t, (int, float)) and not isinstance(t, bool)})


def mark_read(level: int, tier: int) -> None:
    data = load()
    tiers = sorted(set(read_tiers(level, data)) | {tier})
    data["levels"][str(level)] = {"read": tiers, "last_read": time.strftime("%Y-%m-%dT%H:%M:%S")}
    _save(data)


def reset(level: int | None = None) -> None:
    data = load()
    if level is None:
        data["levels"] = {}
    else:
        data["levels"].pop(str(level), None)
    _save(data)


def tier_name(path: Path) -> str:
    """'2-concept.md' -> 'concept'."""
    stem = path.stem
    return stem.split("-", 1)[1].replace("-", " ") if "-" in stem else stem


def next_tier(level: int) -> int | None:
    """The first tier of ``level`` not read yet; None when all are read."""
    n = len(manifest.level(level).hint_files)
    read = set(read_tiers(level))
    return next((t for t in range(1, n + 1) if t not in read), None)


def status_line(level: int) -> str:
    """One line for the end of a test run: which hint to read next."""
    lv = manifest.level(level)
    n = len(lv.hint_files)
    t = next_tier(level)
    if t is None:
        return (f"you have read all {n} hints of level {level}; `nox -s hint -- {level} --tier {n}` "
                "shows the pseudocode again, docs/intuition.md has the pictures")
    return f"`nox -s hint -- {level}` shows hint {t} of {n} ({tier_name(lv.hint_files[t - 1])})"
