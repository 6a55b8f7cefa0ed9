"""The parts of interview practice that do not touch the terminal.

* scopes: what can be practised (one level, or ``full``), read from levels.toml;
* scaffold: a fresh practice folder with the pristine stub, under ``.kata/``;
* the test runner: a level, or a follow-up stage of levels.toml, through the kata's one
  level runner (runner/levelrun.py) and the plugin's report;
* the attempt: a small state machine driven by an injected clock, so the
  whole loop can be tested without sleeping;
* hints: how many hint tiers were read during the attempt.

Nothing here ever writes under ``katas/`` or ``stubs/``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runner import manifest, state

FULL = "full"  # the staged attempt (tools/interview/staged.py), not a level scope
FINISHED, TIMED_OUT, ABANDONED = "finished", "timed out", "abandoned"

Clock = Callable[[], float]


class ScopeError(Exception):
    """The scope cannot be practised (unknown, not an interview scope, or not written yet)."""


# -- scopes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What one attempt practises: a stub to start from and the tests that judge it."""

    name: str  # "1", "2", "3" or "full"
    level: manifest.Level  # the stub comes from this level; its cumulative tests (1..N) judge
    minutes: float  # the default clock

    @property
    def levels(self) -> tuple[int, ...]:
        return tuple(range(1, self.level.number + 1))

    def describe(self) -> str:
        n = self.level.number
        before = "" if n == 1 else " (level 1's tests too)" if n == 2 else f" (levels 1-{n - 1}'s tests too)"
        return f"level {n}: {self.level.title}{before}"

    @property
    def stub_file(self) -> Path:
        return self.level.stub_path / self.level.files[0]

    def missing(self) -> list[Path]:
        """The files this scope needs that do not exist (yet): its stub, the tests of levels 1..N."""
        needed = [self.stub_file] + [f for n in self.levels for f in manifest.level(n).test_files]
        return [p for p in needed if not p.exists()]

    def needs_torch(self) -> bool:
        return any(manifest.level(n).needs_torch for n in self.levels)


def interview_levels() -> list[manifest.Level]:
    """The levels that make an interview question: a single ``value.py`` to write.
    A level that also needs ``nn.py`` (level 4: a network and a training run) does not."""
    return [lv for lv in manifest.levels() if len(lv.files) == 1]


def scopes() -> dict[str, Scope]:
    return {str(lv.number): Scope(str(lv.number), lv, lv.minutes) for lv in interview_levels()}


def scope(name: str) -> Scope:
    """The scope called ``name``, or ScopeError with a message for the learner."""
    name = str(name).strip().lower()
    known = scopes()
    if name in known:
        return known[name]
    names = ", ".join(known)
    if name.isdigit():
        try:
            lv = manifest.level(int(name))
        except ValueError:
            raise ScopeError(f"there is no level {name}; the scopes are {names}") from None
        extra = ", ".join(lv.files[1:])
        raise ScopeError(
            f"level {lv.number} is not an interview scope: it needs {extra} besides value.py and a long "
            f"training run, which no interview asks you to write against the clock. The scopes are {names}."
        )
    raise ScopeError(f"unknown scope {name!r}; the scopes are {names}")


def check_available(sc: Scope) -> None:
    """ScopeError if the scope's stub or tests are not there yet, or it needs PyTorch and it is missing."""
    missing = sc.missing()
    if missing:
        rel = ", ".join(str(p.relative_to(manifest.ROOT)) for p in missing)
        raise ScopeError(
            f"level {sc.level.number} is not available yet ({rel} not written yet), so scope {sc.name} "
            f"cannot be practised. Try scope 1 or 2."
        )
    if sc.needs_torch():
        import importlib.util

        if importlib.util.find_spec("torch") is None:
            raise ScopeError(
                f"scope {sc.name} runs level {sc.level.number}'s tests, which compare with PyTorch, and PyTorch "
                "is not installed here: pip install 'torch==2.13.0' (or the project's torch extra)"
            )


# -- the practice folder ----------------------------------------------------------


def attempts_dir() -> Path:
    return state.path("interview", "attempts", "x").parent


def scaffold(sc: Scope, now: dt.datetime | None = None) -> Path:
    """A fresh practice folder holding a copy of the scope's pristine stub; returns the folder."""
    return practice_folder(sc.name, now or dt.datetime.now(), sc.stub_file, sc.level.files[0])


def practice_folder(name: str, now: dt.datetime, source: Path, filename: str) -> Path:
    """A fresh folder ``STAMP-NAME`` (``-2``, ``-3``, ... when taken) of the attempts, holding ``source`` as ``filename``."""
    base = attempts_dir()
    stamp = now.strftime("%Y%m%d-%H%M%S")
    for i in range(1, 1000):
        folder = base / (f"{stamp}-{name}" if i == 1 else f"{stamp}-{name}-{i}")
        try:
            folder.mkdir(parents=True)
        except FileExistsError:
            continue
        shutil.copyfile(source, folder / filename)
        return folder
    raise RuntimeError(f"could not make a practice folder under {base}")


# -- running the tests --------------------------------------------------------------


@dataclass
class RunResult:
    """One run of the scope's tests."""

    passed: int = 0
    total: int = 0  # every test case the report lists (skipped ones count, and are not green)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (test, first lines of its message)
    error: str | None = None  # the run itself went wrong: no report (usage error, killed, ...)
    duration: float = 0.0

    @property
    def green(self) -> bool:
        return self.error is None and self.total > 0 and self.passed == self.total

    def score(self) -> str:
        return f"{self.passed}/{self.total}"


Runner = Callable[[float], RunResult]  # timeout in seconds -> result


def from_level_run(r) -> RunResult:
    """A ``runner.levelrun.LevelResult`` as the attempt sees it."""
    failures = [(t.nodeid.split("::")[-1], t.text or t.message or t.outcome) for t in r.tests
                if t.outcome not in ("passed", "deselected")]
    error = r.error
    if error is None and not r.complete and r.total and r.passed == r.total:
        error = "the run did not complete"
    return RunResult(passed=r.passed, total=r.total, failures=failures, error=error, duration=r.duration)


def run_level(level: int | str, impl: Path, timeout: float) -> RunResult:
    """Levels 1..``level`` of the kata, or a follow-up stage by name, against ``impl``: the kata's
    one level runner (runner/levelrun.py), the one plugin and its report."""
    from runner import levelrun

    return from_level_run(levelrun.run_level(level, Path(impl).resolve(), extra_args=("-q",),
                                             timeout=max(timeout, 5.0)))


def pytest_runner(sc: Scope, folder: Path) -> Runner:
    """The real runner of a one-level scope: its levels' tests against the practice folder."""
    return lambda timeout: run_level(sc.level.number, Path(folder), timeout)


def stage_runner(stage, folder: Path) -> Runner:
    """The real runner of a stage (tools/interview/script.py) against the practice file."""
    practice = Path(folder) / "value.py"
    return lambda timeout: run_level(stage.level or stage.name, practice, timeout)


# -- the attempt --------------------------------------------------------------------


@dataclass
class Attempt:
    """The clock and the score of one attempt.

    It starts when it is made (the practice folder exists by then), ends at the
    first all-green run (finished), at the clock's end (timed out, scored by a
    last run) or when the learner gives up (abandoned). Times come from
    ``clock``, a monotonic seconds counter: tests pass a fake one.
    """

    scope: Scope
    minutes: float
    clock: Clock
    t0: float = 0.0
    runs: int = 0
    last: RunResult | None = None
    outcome: str | None = None
    elapsed_s: float | None = None  # set when the attempt ends
    running: bool = False  # a test run is in progress (for the display)

    def __post_init__(self) -> None:
        self.t0 = self.clock()

    @property
    def limit_s(self) -> float:
        return self.minutes * 60.0

    def elapsed(self) -> float:
        return self.clock() - self.t0

    def time_left(self) -> float:
        return max(0.0, self.limit_s - self.elapsed())

    @property
    def expired(self) -> bool:
        return self.elapsed() >= self.limit_s

    @property
    def over(self) -> bool:
        return self.outcome is not None

    def record_run(self, result: RunResult, started_at: float) -> None:
        """A run that started ``started_at`` seconds into the attempt has ended. An all-green
        run finishes the attempt, timed at the save that made it green (not when pytest ended)."""
        self._check_running()
        self.runs += 1
        self.last = result
        if result.green:
            self.outcome, self.elapsed_s = FINISHED, min(started_at, self.limit_s)

    def time_out(self, result: RunResult) -> None:
        """The clock ran out; ``result`` is the last run, made at the bell. Green at the bell
        still counts as finished (the code as it stood at the deadline passes)."""
        self._check_running()
        self.runs += 1
        self.last = result
        self.elapsed_s = self.limit_s
        self.outcome = FINISHED if result.green else TIMED_OUT

    def abandon(self) -> None:
        if not self.over:
            self.outcome, self.elapsed_s = ABANDONED, min(self.elapsed(), self.limit_s)

    def _check_running(self) -> None:
        if self.over:
            raise RuntimeError(f"the attempt is over ({self.outcome})")

    @property
    def passed(self) -> int:
        return self.last.passed if self.last else 0

    @property
    def total(self) -> int:
        return self.last.total if self.last else 0


FINAL_RUN_TIMEOUT = 120.0  # seconds for the run at the bell
RUN_GRACE = 30.0  # a run may overrun the clock by this much before it is stopped
RUN_CAP = 180.0  # and no run takes longer (a loop at import time is beyond pytest-timeout's reach)


def drive(attempt: Attempt, run_tests: Runner, wait_for_change: Callable[[float], bool],
          show: Callable[[Attempt], None] = lambda a: None, tick: float = 1.0) -> Attempt:
    """The loop of an attempt: run the tests once (the starting score), then again after every
    save, until a run is all green or the clock runs out; Ctrl-C abandons.

    ``wait_for_change(timeout)`` returns True when the practice file changed, False when
    ``timeout`` seconds passed without a change; it is called with at most ``tick`` seconds,
    so the clock is checked (and shown) at least that often and the loop never blocks for long.
    """

    def one_run() -> None:
        started = attempt.elapsed()
        attempt.running = True
        show(attempt)
        try:
            result = run_tests(min(attempt.time_left() + RUN_GRACE, RUN_CAP))
        finally:
            attempt.running = False
        attempt.record_run(result, started)

    try:
        one_run()
        while not attempt.over:
            if attempt.expired:
                attempt.running = True
                show(attempt)
                try:
                    result = run_tests(FINAL_RUN_TIMEOUT)
                finally:
                    attempt.running = False
                attempt.time_out(result)
                break
            changed = wait_for_change(min(tick, max(attempt.time_left(), 0.01)))
            if changed and not attempt.expired:
                one_run()
            show(attempt)
    except KeyboardInterrupt:
        attempt.abandon()
    show(attempt)
    return attempt


# -- hints read during the attempt ------------------------------------------------------


def hint_tiers_read(levels: tuple[int, ...] | list[int]) -> int:
    """How many hint tiers of these levels ``.kata/hints.json`` says were read, as
    ``nox -s hint`` records them; 0 if that cannot be told (a damaged hints file must
    never break an attempt). The attempt counts the difference between its start and end."""
    try:
        from tools import hints

        data = hints.load()
        return sum(len(hints.read_tiers(n, data)) for n in levels)
    except Exception:  # noqa: BLE001 - any trouble reading hints means "no hints counted"
        return 0
