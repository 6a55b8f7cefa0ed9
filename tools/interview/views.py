"""What an attempt looks like in the terminal, and how it waits for a save.

``file_watcher`` waits for the learner's next save (watchfiles when installed,
else a modification-time poll); ``RichView`` redraws the clock and the last
run in place; ``PlainView`` prints a line per run and per minute for a plain
or non-interactive terminal. Both take an optional heading (the stage).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from tools import clock
from tools.interview.core import FINISHED, Attempt, RunResult

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
    return clock.mmss(seconds, countdown=True)  # 0:01 until the last second is over


def of(attempt: Attempt) -> str:
    """The clock's length: "20 min", or "4:46" when it is not whole minutes (a stage's budget)."""
    return f"{attempt.minutes:g} min" if float(attempt.minutes).is_integer() else mmss(attempt.limit_s)


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
        if attempt.outcome == FINISHED:
            score += f"; green at {clock.mmss(attempt.elapsed_s)}"
    return [score, first_failure(attempt.last) if attempt.last else ""]


class RichView:
    """Time left, a bar, the last run's score and first failure, redrawn in place."""

    def __init__(self, attempt: Attempt, console, heading: str = ""):
        from rich.live import Live

        self.attempt, self.heading = attempt, heading
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
        if self.heading:
            grid.add_row(Text(self.heading, style="bold"))
        grid.add_row(Text.assemble("time left ", (mmss(left), style), f" of {of(a)}"))
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

    def __init__(self, attempt: Attempt, out, heading: str = ""):
        self.attempt, self.out, self.heading = attempt, out, heading
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
            print(f"[{self.heading + ', ' if self.heading else ''}{mmss(left)} left] {score}", file=self.out)
            if failure and not attempt.over:
                print("  " + failure.replace("\n", "\n  "), file=self.out)
            self.minute_shown = int(left // 60)
        elif not attempt.over and int(left // 60) != self.minute_shown and not attempt.running:
            self.minute_shown = int(left // 60)
            print(f"[{mmss(left)} left]", file=self.out)
        self.out.flush()


def console_for(out):
    try:
        from rich.console import Console
    except ImportError:
        return None
    return Console(file=out, highlight=False)
