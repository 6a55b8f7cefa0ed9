"""A staged attempt: the core engine, then the interviewer's follow-ups, each against its
share of the clock, an oral question between stages, and a scorecard at the end.

Each stage is an ``Attempt`` of its own (tools/interview/core.py), driven by the same
loop on the same practice file: its prompt is shown, its tests run at once and after
every save, and it ends green, at the end of its budget, or with Ctrl-C. A stage's
budget is its share (``minutes`` of its ``[[stage]]`` in levels.toml) plus the time saved on the
stages before it; a stage that runs out moves the interview on to the next one, as an
interviewer would. The oral questions have their own timer and do not eat a stage's
budget. Ctrl-C abandons the attempt: the stages not reached are recorded as such.

Everything that touches the terminal is passed in, so the self-test drives a whole
attempt with a fake clock and a scripted learner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runner import state
from tools.interview import script as scripts
from tools.interview.core import ABANDONED, FINISHED, TIMED_OUT, Attempt, Runner, drive

NOT_REACHED = "not reached"
HINTS_LOG = "hints.jsonl"  # in the practice folder: one line per stage hint shown


@dataclass
class StageResult:
    stage: scripts.Stage
    budget_s: float
    attempt: Attempt | None = None  # None: the stage was not reached
    hints: int = 0

    @property
    def outcome(self) -> str:
        return self.attempt.outcome if self.attempt else NOT_REACHED

    def record(self) -> dict:
        a = self.attempt
        return {"name": self.stage.name, "title": self.stage.title, "minutes": self.stage.minutes,
                "budget_s": round(self.budget_s, 1), "elapsed_s": round(a.elapsed_s or 0.0, 1) if a else None,
                "outcome": self.outcome, "passed": a.passed if a else 0, "total": a.total if a else 0,
                "runs": a.runs if a else 0, "hints": self.hints}


@dataclass
class Staged:
    script: list[scripts.Stage]
    folder: Path
    started: dt.datetime
    clock: Callable[[], float]
    t0: float = 0.0
    results: list[StageResult] = field(default_factory=list)
    oral: list[dict] = field(default_factory=list)
    ended: float | None = None

    def __post_init__(self) -> None:
        self.t0 = self.clock()

    @property
    def outcome(self) -> str:
        outcomes = [r.outcome for r in self.results]
        if ABANDONED in outcomes or NOT_REACHED in outcomes or len(outcomes) < len(self.script):
            return ABANDONED
        return FINISHED if all(o == FINISHED for o in outcomes) else TIMED_OUT

    def record(self) -> dict:
        rs = [r.record() for r in self.results]
        total_minutes = scripts.minutes(self.script)
        return {"scope": scripts.script_name(self.script), "started": self.started.isoformat(timespec="seconds"),
                "elapsed_s": round((self.ended if self.ended is not None else self.clock()) - self.t0, 1),
                "minutes": int(total_minutes) if total_minutes.is_integer() else total_minutes,
                "runs": sum(r["runs"] for r in rs), "passed": sum(r["passed"] for r in rs),
                "total": sum(r["total"] for r in rs), "hints_used": sum(r["hints"] for r in rs),
                "outcome": self.outcome, "folder": str(self.folder), "stages": rs, "oral": self.oral}


def play(staged: Staged, runner_for: Callable[[scripts.Stage], Runner], wait: Callable[[float], bool],
         announce: Callable[[int, StageResult, float], None], view_for: Callable[[Attempt, str], object],
         ask: Callable[[scripts.Stage, scripts.Stage], dict | None], hints_read: Callable[[scripts.Stage], int],
         ) -> Staged:
    """Play every stage of the script in order; returns the attempt with its results.

    ``announce(index, result, carried_s)`` shows a stage's prompt; ``view_for(attempt,
    heading)`` is the display (a context manager with ``show``); ``ask(done, next)`` asks
    one oral question and returns its record (None: no question); ``hints_read(stage)``
    counts the hints read so far for a stage (the difference is the stage's)."""
    carried = 0.0
    n = len(staged.script)
    try:
        for i, stage in enumerate(staged.script):
            result = StageResult(stage, stage.minutes * 60.0 + carried)
            staged.results.append(result)
            announce(i, result, carried)
            write_current(staged, stage)
            before = hints_read(stage)
            result.attempt = Attempt(stage, result.budget_s / 60.0, staged.clock)
            heading = f"stage {i + 1} of {n}: {stage.name}"
            with view_for(result.attempt, heading) as view:
                drive(result.attempt, runner_for(stage), wait, view.show)
            result.hints = max(hints_read(stage) - before, 0)
            if result.outcome == ABANDONED:
                break
            carried = max(result.budget_s - (result.attempt.elapsed_s or 0.0), 0.0) if result.outcome == FINISHED else 0.0
            if i + 1 < n:
                asked = ask(stage, staged.script[i + 1])
                if asked is not None:
                    staged.oral.append(asked)
    except KeyboardInterrupt:  # during a question or between stages
        pass
    finally:
        clear_current()
    for stage in staged.script[len(staged.results):]:
        staged.results.append(StageResult(stage, 0.0))
    staged.ended = staged.clock()
    return staged


# -- the stage in progress, for `--hint` ---------------------------------------------------


def current_file() -> Path:
    return state.path("interview", "current.json")


def write_current(staged: Staged, stage: scripts.Stage) -> None:
    try:
        state.write_document(current_file(), {"folder": str(staged.folder), "stage": stage.name})
    except OSError:
        pass  # no --hint then; the attempt goes on


def clear_current() -> None:
    try:
        current_file().unlink()
    except OSError:
        pass


def stage_hints_shown(folder: Path, stage: str) -> int:
    return sum(r.get("stage") == stage for r in state.read_lines(Path(folder) / HINTS_LOG).records)


def next_hint() -> tuple[str, str]:
    """(heading, text) of the next hint of the stage in progress, recorded in its practice
    folder; ValueError with a message when no staged attempt is running."""
    try:
        current = state.read_document(current_file())
        folder, name = Path(current["folder"]), current["stage"]
        stage = scripts.stages()[name]
    except (OSError, ValueError, KeyError, TypeError):
        raise ValueError("no staged attempt is running (start one: nox -s interview -- full)") from None
    shown = stage_hints_shown(folder, name)
    if not stage.hints:
        return f"stage {name}", "This stage has no hints."
    tier = min(shown, len(stage.hints) - 1)
    if shown < len(stage.hints):
        state.append_line(folder / HINTS_LOG, {"stage": name, "tier": tier + 1,
                                                "at": dt.datetime.now().isoformat(timespec="seconds")})
    more = "" if tier + 1 < len(stage.hints) else " (the last one)"
    return f"stage {name}, hint {tier + 1} of {len(stage.hints)}{more}", stage.hints[tier]


# -- the scorecard --------------------------------------------------------------------------


def scorecard(record: dict) -> str:
    """The end of an attempt, as text: a line per stage, the oral grades, the total."""
    from tools.interview.history import mmss, plain_table

    rows = []
    for s in record.get("stages", []):
        time = "-" if s.get("elapsed_s") is None else mmss(s["elapsed_s"])
        budget = mmss(s.get("budget_s")) if s.get("outcome") != NOT_REACHED else "-"
        rows.append([str(s.get("name")), time, budget, f"{s.get('passed', 0)}/{s.get('total', 0)}",
                     str(s.get("runs", 0)), str(s.get("hints", 0)), str(s.get("outcome"))])
    lines = ["Scorecard", "", plain_table(["stage", "time", "budget", "tests", "runs", "hints", "outcome"], rows)]
    oral = record.get("oral") or []
    if oral:
        points = sum(int(o.get("grade") or 0) for o in oral)
        lines += ["", f"Oral questions: {points} of {2 * len(oral)} points"]
        lines += [f"  after {o.get('after')}: Q{o.get('n')}, {o.get('grade')}/2" for o in oral]
    done = sum(1 for s in record.get("stages", []) if s.get("outcome") == FINISHED)
    n = len(record.get("stages", []))
    lines += ["", f"{done} of {n} stage{'s' * (n != 1)} green; {mmss(record.get('elapsed_s'))} in all, "
                  f"oral questions included (the stages' shares: {record.get('minutes')} min)."]
    return "\n".join(lines)
