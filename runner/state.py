"""The learner's state between runs, read and written in one place: the git-ignored ``.kata/`` folder.

Every tool that remembers something goes through this module (override the
folder with the ``KATA_STATE_DIR`` environment variable, as the tests do):

    .kata/progress.json              last result of each level (the pytest plugin: ``record_run``)
    .kata/hints.json                 which hint tiers of each level were read (runner/hintlog.py)
    .kata/backups/                   copies of learner files taken before any write (tools/backups.py)
    .kata/interview/history.jsonl    one JSON object per interview attempt
    .kata/interview/questions.jsonl  one JSON object per oral-drill answer
    .kata/interview/attempts/        the practice folders of interview attempts
    .kata/bughunt/history.jsonl      one JSON object per finished bug hunt
    .kata/bughunt/current.json       the hunt in progress (its folder holds hunt.json)
    .kata/interview/current.json     the staged attempt in progress (its folder holds hints.jsonl)

The API:

* a JSON document (``read_document`` / ``write_document``) and a JSON-lines
  history (``read_lines`` / ``append_line``): every file written carries
  ``"version": VERSION``; a file or line without one is version 0 (written
  before versions existed) and is upgraded when read (``upgrade``), so a
  reader only ever sees the current format. Damaged files and lines are
  reported, never rewritten;
* best attempts with one rule (``best``; ``best_times`` for timed attempts);
* a level's state: ``level_green`` (the last complete run of the learner's
  files passed every test), ``level_started`` (the learner's files differ
  from the stubs), ``current_level`` (the first level not green yet).

Standard library only: hint, progress, carry and restore run on nox's own interpreter.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from runner import manifest
from runner.manifest import ROOT

VERSION = 1  # the format of every file below; raise it with a step in UPGRADES
UPGRADES: dict[int, Callable[[dict], dict]] = {  # version N -> N + 1
    0: lambda data: data,  # version 0 (no "version" key) is read as it was written
}


def state_dir() -> Path:
    return Path(os.environ.get("KATA_STATE_DIR", ROOT / ".kata"))


def path(*parts: str) -> Path:
    """A path under the state folder; parent folders are created."""
    p = state_dir().joinpath(*parts)
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def upgrade(data: dict) -> dict:
    """``data`` in the current format (a file or line of any older version)."""
    v = data.get("version", 0)
    v = v if isinstance(v, int) and not isinstance(v, bool) else 0
    while v < VERSION:
        data = UPGRADES[v](data)
        v += 1
    return {**data, "version": max(v, VERSION)}


def _versioned(data: dict) -> dict:
    """``data`` as written: the format version first."""
    return {"version": VERSION, **{k: v for k, v in data.items() if k != "version"}}


# -- JSON documents --------------------------------------------------------------------------


def read_document(file: Path, problems: list[str] | None = None) -> dict | None:
    """A JSON object file in the current format; None when it is missing or damaged (noted in ``problems``)."""
    if not file.exists():
        return None
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as e:
        if problems is not None:
            problems.append(f"{file} could not be read ({e.__class__.__name__}); it is rewritten on the next run")
        return None
    return upgrade(data)


def write_document(file: Path, data: dict) -> None:
    """Write a JSON object file at once (a reader never sees half of it), with the format version."""
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_suffix(".tmp")
    tmp.write_text(json.dumps(_versioned(data), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, file)


# -- JSON-lines histories ----------------------------------------------------------------------


@dataclass
class Lines:
    """The readable records of a JSON-lines file, and the lines that are not."""

    file: Path
    records: list[dict] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line number, what is wrong)

    def describe(self) -> str:
        """The problems, for the learner: the file, how many lines, the first few."""
        lines = [f"{self.file}: {len(self.problems)} line(s) could not be read and were skipped "
                 "(the file is left as it is; fix or delete those lines by hand):"]
        lines += [f"  line {number}: {what}" for number, what in self.problems[:10]]
        if len(self.problems) > 10:
            lines.append(f"  ... and {len(self.problems) - 10} more")
        return "\n".join(lines)


def read_lines(file: Path, required: Iterable[str] = ()) -> Lines:
    """Every readable record of a JSON-lines file, upgraded to the current format.
    A line that is not a JSON object, or lacks a ``required`` key, is a problem and is skipped."""
    out = Lines(file)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        return out
    except OSError as e:
        out.problems.append((0, f"the file could not be read ({e})"))
        return out
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            out.problems.append((number, f"not JSON ({e})"))
            continue
        if not isinstance(record, dict):
            out.problems.append((number, "not a JSON object"))
            continue
        missing = [k for k in required if k not in record]
        if missing:
            out.problems.append((number, f"missing {', '.join(missing)}"))
            continue
        out.records.append(upgrade(record))
    return out


def append_line(file: Path, record: dict) -> None:
    """Add one record, with the format version. If the file's last line was cut short (no newline),
    start a new line rather than gluing onto it: the old bytes stay exactly as they were."""
    line = json.dumps(_versioned(record), ensure_ascii=False) + "\n"
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("ab") as f:
        if f.tell() > 0:
            with file.open("rb") as r:
                r.seek(-1, 2)
                if r.read(1) != b"\n":
                    line = "\n" + line
        f.write(line.encode("utf-8"))


# -- best attempts ---------------------------------------------------------------------------------


def best(records: Iterable[dict], group: str, rank: Callable[[dict], tuple]) -> dict:
    """The best record of each value of ``group``: the one with the smallest ``rank``. A record whose
    rank cannot be computed (a key missing or not a number) does not count."""
    out: dict = {}
    keys: dict = {}
    for rec in records:
        try:
            key, g = rank(rec), rec[group]
        except (KeyError, TypeError, ValueError):
            continue
        if g not in keys or key < keys[g]:
            out[g], keys[g] = rec, key
    return out


def finished_in(rec: dict) -> tuple:
    """The rank of a timed attempt: its time, if it finished green (else it does not count)."""
    if rec.get("outcome") != "finished" or ("total" in rec and rec.get("passed") != rec["total"]):
        raise ValueError("not finished green")
    return (float(rec["elapsed_s"]),)


def best_times(records: Iterable[dict], group: str = "scope") -> dict[str, float]:
    """The fastest finished, all-green attempt of each scope ("1", "2", "full", ...), in seconds."""
    return {str(g): float(r["elapsed_s"]) for g, r in best(records, group, finished_in).items()}


# -- the levels ----------------------------------------------------------------------------------


def progress(problems: list[str] | None = None) -> dict:
    """``progress.json``: ``{"levels": {"N": {"last": run, "complete": run}}}``, empty when missing or damaged."""
    data = read_document(state_dir() / "progress.json", problems) or {}
    if not isinstance(data.get("levels"), dict):
        data["levels"] = {}
    return data


def level_runs(level: int, data: dict | None = None) -> tuple[dict | None, dict | None]:
    """The last run of ``level`` on the learner's files, and the last complete one (None: never)."""
    entry = (data if data is not None else progress())["levels"].get(str(level))
    entry = entry if isinstance(entry, dict) else {}
    last, complete = entry.get("last"), entry.get("complete")
    return (last if isinstance(last, dict) else None), (complete if isinstance(complete, dict) else None)


def is_green(run: dict | None) -> bool:
    """A run of a whole level that imported and passed every one of its tests."""
    try:
        return bool(run and run.get("complete") and not run.get("error")
                    and int(run["total"]) > 0 and int(run["passed"]) == int(run["total"]))
    except (KeyError, TypeError, ValueError):
        return False


def level_green(level: int, data: dict | None = None) -> bool:
    """Whether the last complete run of ``level`` on the learner's files passed every test."""
    return is_green(level_runs(level, data)[1])


def current_level(data: dict | None = None) -> int:
    """The level a learner is on: the first one that is not green."""
    data = data if data is not None else progress()
    return next((lv.number for lv in manifest.levels() if not level_green(lv.number, data)),
                manifest.levels()[-1].number)


def level_started(level: manifest.Level, root: Path = ROOT) -> bool:
    """Whether the learner has written in ``level``: one of its files (in the clone at ``root``)
    differs from its pristine stub, or has no stub."""
    for name in level.files:
        mine, stub = root / level.folder / name, root / level.stub / name
        try:
            if mine.is_file() and (not stub.is_file() or mine.read_bytes() != stub.read_bytes()):
                return True
        except OSError:
            continue
    return False


def record_run(result: dict) -> None:
    """Record a run of the learner's files in progress.json: the last run of each level, and the
    last complete one (a run that did not import counts as complete: it says where the level stands)."""
    data = progress()
    entry = data["levels"].get(str(result["level"]))
    entry = data["levels"][str(result["level"])] = entry if isinstance(entry, dict) else {}
    run = {k: result[k] for k in ("level", "impl", "passed", "failed", "total", "complete", "by_level", "timestamp")}
    run["error"] = bool(result["error"])
    entry["last"] = run
    if result["complete"] or result["error"]:
        entry["complete"] = run
    write_document(path("progress.json"), data)
