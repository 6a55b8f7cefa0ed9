"""Timed interview practice: write ``Value`` against the clock.

    python -m tools.interview 2                  # level 2 (levels 1-2's tests), its default clock
    python -m tools.interview full --minutes 40  # levels 1-3 from the level-3 stub
    python -m tools.interview --history          # past attempts, best times, a plot
    python -m tools.interview --questions        # the oral drill

An attempt copies the scope's pristine stub into a fresh, git-ignored practice
folder (``.kata/interview/attempts/<time>-<scope>/value.py``); ``katas/`` is
never touched. The clock starts then. The tests re-run on every save; the
attempt ends at the first all-green run, when time is up (scored by a last
run), or with Ctrl-C (abandoned). Every attempt is appended to
``.kata/interview/history.jsonl``.

The loop itself lives in tools/interview/core.py (tested with a fake clock);
this module wires the real clock, watcher, test runner and terminal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tools.interview import history
from tools.interview import questions
from tools.interview.core import (
    ABANDONED,
    FINISHED,
    FULL,
    FULL_MINUTES,
    Attempt,
    RunResult,
    Scope,
    ScopeError,
    check_available,
    drive,
    hint_tiers_read,
    pytest_runner,
    scaffold,
    scope,
    scopes,
)

try:  # the "watch" extra
    import watchfiles
except ImportError:  # pragma: no cover - exercised only without the extra
    watchfiles = None


# -- waiting for a save ----------------------------------------------------------------


def file_watcher(folder: Path) -> Callable[[float], bool]:
    """``wait(timeout) -> changed``: watchfiles when installed (Python files only, so editor
    swap files and __pycache__ do not count), else a modification-time poll."""
    if watchfiles is not None:
        changes = watchfiles.watch(folder, watch_filter=watchfiles.PythonFilter(), rust_timeout=500,
                                   yield_on_timeout=True, debounce=400, raise_interrupt=True)
        next(changes)  # start watching now: a save during the first test run is not missed


        def wait(timeout: float) -> bool:
            return bool(next(changes))

        return wait

    def snapshot() -> dict[str, float]:
        return {str(p): p.stat().st_mtime_ns for p in folder.glob("*.py")}

    seen = snapshot()

    def poll(timeout: float) -> bool:
        nonlocal seen
        time.sleep(min(timeout, 0.5))
        now = snapshot()
        changed, seen = now != seen, now
        return changed

    return poll


# -- the display ---------------------------------------------------------------------------


def mmss(seconds: float) -> str:
    s = max(int(seconds + 0.999), 0)  # 0:01 until the last second is over
    return f"{s // 60}:{s % 60:02d}"


def first_failure(result: RunResult) -> str:
    if result.error:
        return result.error
    if not result.failures:
        return ""
    name, message = result.failures[0]
    lines = [ln for ln in message.splitlines() if ln.strip()][:4]
    return f"first failure: {name}\n  " + "\n  ".join(lines)


def status_lines(attempt: Attempt) -> list[str]:
    if attempt.last is None:
        score = "running the tests..." if attempt.running else ""
    else:
        score = f"run {attempt.runs}: {attempt.last.score()} passing" + (
            " (running the tests again...)" if attempt.running else "")
    return [score, first_failure(attempt.last) if attempt.last else ""]


class RichView:
    """Time left, a bar, the last run's score and first failure, redrawn in place."""

    def __init__(self, attempt: Attempt, console):
        from rich.live import Live

        self.attempt = attempt
        self.live = Live(self, console=console, refresh_per_second=2, transient=False)

    def __rich__(self):
        from rich.padding import Padding
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        a = self.attempt
        left = a.time_left()
        style = "bold red" if left < 60 else "bold yellow" if left < 300 else "bold green"
        grid = Table.grid(padding=(0, 2))
        grid.add_column()
        grid.add_row(Text.assemble("time left ", (mmss(left), style), f" of {a.minutes:g} min"))
        grid.add_row(ProgressBar(total=a.limit_s, completed=min(a.elapsed(), a.limit_s), width=40))
        score, failure = status_lines(a)
        grid.add_row(Text(score, style="bold green" if a.last and a.last.green else ""))
        if failure:
            grid.add_row(Text(failure, style="red" if a.last and not a.last.green else ""))
        grid.add_row(Text("tests re-run on every save; Ctrl-C gives up", style="dim"))
        return Padding(grid, (0, 0, 0, 2))

    def __enter__(self):
        self.live.__enter__()
        return self

    def __exit__(self, *exc):
        self.live.__exit__(*exc)

    def show(self, attempt: Attempt) -> None:
        self.live.refresh()


class PlainView:
    """For a plain or non-interactive terminal: a line per run and a line per minute."""

    def __init__(self, attempt: Attempt, out):
        self.attempt, self.out = attempt, out
        self.runs_shown = -1
        self.minute_shown = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def show(self, attempt: Attempt) -> None:
        left = attempt.time_left()
        if attempt.runs != self.runs_shown and attempt.last is not None and not attempt.running:
            self.runs_shown = attempt.runs
            score, failure = status_lines(attempt)
            print(f"[{mmss(left)} left] {score}", file=self.out)
            if failure and not attempt.over:
                print("  " + failure.replace("\n", "\n  "), file=self.out)
            self.minute_shown = int(left // 60)
        elif not attempt.over and int(left // 60) != self.minute_shown and not attempt.running:
            self.minute_shown = int(left // 60)
            print(f"[{mmss(left)} left]", file=self.out)
        self.out.flush()


def _console(out):
    try:
        from rich.console import Console
    except ImportError:
        return None
    return Console(file=out, highlight=False)


# -- one attempt ---------------------------------------------------------------------------


def attempt_record(attempt: Attempt, started: dt.datetime, folder: Path, hints_used: int) -> dict:
    return {"scope": attempt.scope.name, "started": started.isoformat(timespec="seconds"),
            "elapsed_s": round(attempt.elapsed_s or 0.0, 1),
            "minutes": int(attempt.minutes) if float(attempt.minutes).is_integer() else attempt.minutes, "runs": attempt.runs,
            "passed": attempt.passed, "total": attempt.total, "hints_used": hints_used,
            "outcome": attempt.outcome, "folder": str(folder)}


def practise(sc: Scope, minutes: float, out=None, plain: bool = False, clock: Callable[[], float] = time.monotonic,
             runner_factory=pytest_runner, watcher_factory=file_watcher) -> dict:
    """One attempt, start to end, recorded in the history; returns the record."""
    out = out or sys.stdout
    started = dt.datetime.now()
    folder = scaffold(sc, started)
    practice_file = folder / sc.level.files[0]
    hints_before = hint_tiers_read(sc.levels)
    attempt = Attempt(sc, minutes, clock)  # the clock starts with the practice file in place
    print(f"Interview practice: scope {sc.name} ({sc.describe()}), {minutes:g} min.", file=out)
    print("Open this file in your editor and write the engine; the tests re-run on every save:", file=out)
    print(f"\n    {practice_file}\n", file=out)
    print("It ends at the first all-green run or when time is up. Ctrl-C gives up (recorded as abandoned).",
          file=out)
    print(f"Hints you read meanwhile are counted: nox -s hint -- {sc.level.number}\n", file=out, flush=True)
    console = None if plain else _console(out)
    view = RichView(attempt, console) if console is not None and console.is_terminal else PlainView(attempt, out)
    wait = watcher_factory(folder)
    try:
        with view:
            drive(attempt, runner_factory(sc, folder), wait, view.show)
    except KeyboardInterrupt:  # a second Ctrl-C while the display closes
        attempt.abandon()
    record = attempt_record(attempt, started, folder, max(hint_tiers_read(sc.levels) - hints_before, 0))
    print(file=out)
    print(summary(attempt, record), file=out)
    try:
        history.append(history.history_file(), record)
    except OSError as e:  # say so, and print the record so that it is not lost
        print(f"Could not record the attempt in {history.history_file()}: {e}\n{json.dumps(record)}", file=out)
    else:
        print(f"Recorded in {history.history_file()}; see them all: nox -s interview -- --history", file=out)
    return record


def summary(attempt: Attempt, record: dict) -> str:
    score = f"{record['passed']}/{record['total']} tests passing"
    runs = f"{record['runs']} run{'s' * (record['runs'] != 1)}"
    hints = f", {record['hints_used']} hint tier{'s' * (record['hints_used'] != 1)} read" if record["hints_used"] else ""
    if attempt.outcome == FINISHED:
        return f"Finished green in {history.mmss(record['elapsed_s'])} of {attempt.minutes:g} min: {score}, {runs}{hints}."
    if attempt.outcome == ABANDONED:
        return f"Abandoned after {history.mmss(record['elapsed_s'])}: {score} at the last run, {runs}{hints}."
    return f"Time is up ({attempt.minutes:g} min): {score} at the bell, {runs}{hints}."


# -- the command line -----------------------------------------------------------------------


def scope_help() -> str:
    lines = []
    for name, sc in scopes().items():
        note = "" if not sc.missing() else "  (not available yet)"
        lines.append(f"  {name:<5} {sc.minutes:>3g} min  {sc.describe()}{note}")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nox -s interview --",
        description="Timed interview practice: write Value from a fresh stub against the clock.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "scopes and their default minutes (a level's clock is its `minutes` in levels.toml; "
            f"'{FULL}' is {FULL_MINUTES} min):\n" + scope_help() + "\n\n"
            "Level 4 is not an interview scope: it needs nn.py and a long training run.\n"
            "Your practice files and history are kept in .kata/interview/ (git-ignored)."
        ),
    )
    p.add_argument("scope", nargs="?", help="1, 2, 3 (one level and the tests of the levels before it) or full")
    p.add_argument("--minutes", type=float, help="the clock, in minutes (default: the scope's, see below)")
    p.add_argument("--plain", action="store_true", help="plain line output instead of a live display")
    p.add_argument("--history", action="store_true", help="show past attempts, best times, and plot them")
    p.add_argument("--questions", action="store_true",
                   help="oral drill: random questions from docs/questions.md (with a scope: up to its level)")
    p.add_argument("--count", type=int, default=5, help="--questions: how many (default 5)")
    p.add_argument("--seconds", type=float, default=60, help="--questions: seconds to think (default 60)")
    p.add_argument("--seed", type=int, help="--questions: seed of the random choice (repeatable drills)")
    return p


def main(argv: list[str] | None = None, stdin=None, out=None) -> int:
    stdin, out = stdin or sys.stdin, out or sys.stdout
    p = parser()
    args = p.parse_args(argv)
    if args.history:
        return history.show(out, use_rich=not args.plain)
    sc = None
    if args.scope is not None:
        try:
            sc = scope(args.scope)
        except ScopeError as e:
            print(f"interview: {e}", file=sys.stderr)
            return 2
    if args.questions:
        return drill(args, sc, stdin, out)
    if sc is None:
        print("Which scope? For example: nox -s interview -- 1\n\n" + scope_help() +
              "\n\nMore: nox -s interview -- --help", file=out)
        return 2
    try:
        check_available(sc)
    except ScopeError as e:
        print(f"interview: {e}", file=sys.stderr)
        return 2
    minutes = sc.minutes if args.minutes is None else args.minutes
    if not minutes > 0:
        print("interview: --minutes must be more than 0", file=sys.stderr)
        return 2
    practise(sc, minutes, out, plain=args.plain)
    return 0


def drill(args, sc: Scope | None, stdin, out) -> int:
    try:
        qs = questions.load()
    except (OSError, questions.QuestionsFormatError) as e:
        print(f"interview: cannot read the questions: {e}", file=sys.stderr)
        return 2
    if sc is not None:
        qs = [q for q in qs if q.level is None or q.level <= sc.level.number]
    if not qs:
        print("interview: no questions to ask", file=sys.stderr)
        return 2
    if args.count < 1 or not args.seconds > 0:
        print("interview: --count and --seconds must be more than 0", file=sys.stderr)
        return 2
    path = history.questions_file()
    print(f"Oral drill: {min(args.count, len(qs))} questions, {args.seconds:g} s each. Answer out loud,\n"
          "then grade yourself against the model answer.", file=out)
    countdown = not args.plain and hasattr(stdin, "isatty") and stdin.isatty() and hasattr(out, "isatty") and out.isatty()
    answers = questions.drill(qs, args.count, args.seconds, random.Random(args.seed), stdin, out,
                              lambda e: history.append(path, e), countdown=countdown)
    if answers:
        print(f"Recorded in {path}.", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
