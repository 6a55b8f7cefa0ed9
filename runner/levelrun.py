"""The one level runner: run a level of the kata in a fresh process and read its verdicts.

Everything that runs a level in a subprocess goes through here: the
self-test (``tests/kata_runs.py``), the bench, interview mode, class grading.
The process runs what a learner types, from the repository root::

    python -m pytest katas --level N --impl IMPL  [extra args]
        -p no:cacheprovider -p no:xdist --kata-report PATH -p runner.report_text

(``katas`` is left out when the extra args name test ids or paths, as
``nox -s levelN`` does), and the verdicts are read back from the JSON report the kata plugin writes
(``--kata-report``; ``runner/report_text.py`` adds each failure's full text).
Nothing parses pytest's printed output or a JUnit file.

Blocking::

    from runner import levelrun
    result = levelrun.run_level(2, "reference")
    result.green                  # every test of levels 1-2 ran and passed
    result.passed, result.total   # counts from the report
    for t in result.failures:     # TestResult(nodeid, level, outcome, message, text)
        print(t.nodeid, t.message)

Non-blocking (interview mode re-runs on every save and must stay responsive)::

    run = levelrun.start_level(2, practice_folder, timeout=120)
    run.done()                    # has the process ended? (never blocks)
    result = run.wait()           # the LevelResult; kills the run at its deadline
    run.cancel()                  # stop it now (a new save supersedes the run)

Ctrl-C during ``wait()``, or a handle dropped while running, ends the run too
(it is in its own process group, out of the terminal's reach).

``run_level(level, impl, *, extra_args=(), env=None, timeout=None, cwd=ROOT,
python=sys.executable) -> LevelResult``; ``start_level`` takes the same
arguments. ``impl`` is what ``--impl`` takes: ``learner``, ``reference``, or a
path (a ``Path`` is made absolute first; a string is passed as typed, relative
to ``cwd``). ``env`` holds variables set over the current environment (the
learner's state folder is the caller's business: pass ``KATA_STATE_DIR`` to
keep a run of ``--impl learner`` from recording progress). ``timeout`` bounds
the whole run in seconds: the process group is killed and the result says so
(``timed_out``, ``error``) instead of raising.

``LevelResult``: ``level``, ``impl``, ``returncode`` (None if killed),
``passed``, ``failed``, ``total`` (every test of the level's files, as the
report counts them), ``complete`` (the whole level ran), ``error`` (why
there is no verdict: the engine did not import, the run timed out or did not
start; None otherwise), ``by_level`` ({level: {passed, failed, skipped,
total}}), ``tests`` (every test, in order, with its outcome: passed, failed,
error, skipped, deselected or "not run"), ``stdout``, ``stderr``,
``duration`` (seconds, wall clock), ``timed_out``; and ``green``,
``failures``, ``ran``, ``output`` and ``summary()``.

A follow-up stage of the manifest runs the same way: ``run_level("ops", impl)``
runs ``pytest <the stage's test files> --stage ops --impl IMPL`` with the same
report (``by_level`` then has the stage's name as its one key).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from runner import manifest

ROOT = manifest.ROOT
RAN = ("passed", "failed", "error", "skipped")  # the outcomes of a test that ran


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest test class

    nodeid: str
    level: int | str | None
    outcome: str  # passed, failed, error, skipped, deselected, not run
    message: str = ""  # one line: what the failure says first
    text: str = ""  # the whole failure, as pytest printed it

    @property
    def ran(self) -> bool:
        return self.outcome in RAN


@dataclass
class LevelResult:
    level: int | str
    impl: str
    returncode: int | None
    passed: int = 0
    failed: int = 0
    total: int = 0
    complete: bool = False
    error: str | None = None
    by_level: dict[int, dict[str, int]] = field(default_factory=dict)
    tests: list[TestResult] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    duration: float = 0.0
    timed_out: bool = False

    @property
    def green(self) -> bool:
        """Every test of the level ran and passed."""
        return self.error is None and self.total > 0 and self.passed == self.total and self.complete

    @property
    def ran(self) -> list[TestResult]:
        return [t for t in self.tests if t.ran]

    @property
    def failures(self) -> list[TestResult]:
        return [t for t in self.tests if t.outcome in ("failed", "error")]

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def summary(self) -> str:
        counts = {o: sum(t.outcome == o for t in self.tests) for o in RAN}
        text = f"exit {self.returncode}, " + ", ".join(f"{n} {o}" for o, n in counts.items() if n)
        return text + (f"; {self.error.splitlines()[0]}" if self.error else "")


def test_paths(args: Iterable[str]) -> list[str]:
    """What a level run collects: ``katas`` (every level up to N), unless ``args`` name test ids or paths
    under ``katas``: then only those. The one rule, for ``nox -s levelN`` and every run made here."""
    return [] if any("::" in str(a) or str(a).startswith("katas") for a in args) else ["katas"]


# The kata's tests state every check as data (runner.checks), never with a bare assert, so a level run
# rewrites no assertions. With rewriting on, pytest rewrites every module of the hypothesis plugin too,
# and a run that writes no bytecode (as every run made here) paid that again each time: 1.4 s.
PLAIN_ASSERTS = "--assert=plain"


def level_args(level: int, args: Iterable[str]) -> list[str]:
    """What follows ``python -m pytest`` in ``nox -s levelN -- ARGS``: the tests (``test_paths``), the
    level, no assertion rewriting, then ``ARGS``."""
    args = [str(a) for a in args]
    return [*test_paths(args), f"--level={level}", PLAIN_ASSERTS, *args]


def pytest_args(level: int, impl: str | Path, report: Path, extra_args: Iterable[str] = ()) -> list[str]:
    """What follows ``python -m pytest`` in a level run that writes its report to ``report``.

    As in ``nox -s levelN``: every level up to N, unless ``extra_args`` names
    test ids or paths under ``katas`` (then only those). ``level`` may also name a
    follow-up stage of the manifest (``"ops"``): its test files, with ``--stage``."""
    if isinstance(impl, Path):
        impl = impl.resolve()
    extra = [str(a) for a in extra_args]
    if isinstance(level, str):  # a follow-up stage of the manifest: its own test files
        st = manifest.stage(level)
        unit = [*(str(f.relative_to(ROOT)) for f in st.test_files), f"--stage={st.name}"]
    else:
        unit = [*test_paths(extra), f"--level={level}"]
    return [*unit, PLAIN_ASSERTS, f"--impl={impl}", *extra,
            "-p", "no:cacheprovider", "-p", "no:xdist",  # one process: the report is the whole run's
            f"--kata-report={report}", "-p", "runner.report_text"]


def command(level: int | str, impl: str | Path, report: Path, extra_args: Iterable[str] = (),
            python: str | Path | None = None) -> list[str]:
    """The command line of a level run that writes its report to ``report``."""
    return [str(python or sys.executable), "-m", "pytest", *pytest_args(level, impl, report, extra_args)]


def environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a level run: the current one, no bytecode written into the
    learner's folders, the repository importable, then ``env`` over it."""
    full = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    full["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), full.get("PYTHONPATH")) if p)
    full.update(env or {})
    return full


class RunningLevel:
    """A level run in progress (``start_level``)."""

    def __init__(self, level: int | str, impl: str | Path, *, extra_args: Iterable[str] = (),
                 env: Mapping[str, str] | None = None, timeout: float | None = None, cwd: Path = ROOT,
                 python: str | Path | None = None) -> None:
        self.level, self.impl, self.timeout = level, str(impl), timeout
        self._tmp = Path(tempfile.mkdtemp(prefix="kata-levelrun-"))
        self._report = self._tmp / "report.json"
        self._result: LevelResult | None = None
        self._out = (self._tmp / "stdout").open("w+")  # files, not pipes: a run that is only
        self._err = (self._tmp / "stderr").open("w+")  # polled can never block on a full pipe
        group = ({"start_new_session": True} if os.name == "posix"
                 else {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP})
        self.started = time.monotonic()
        try:
            self._proc = subprocess.Popen(command(level, impl, self._report, extra_args, python), cwd=cwd,
                                          env=environment(env), stdin=subprocess.DEVNULL, stdout=self._out,
                                          stderr=self._err, **group)
        except BaseException:
            self._out.close()
            self._err.close()
            shutil.rmtree(self._tmp, ignore_errors=True)
            raise

    def done(self) -> bool:
        """Whether the process has ended (or was stopped); never blocks."""
        return self._result is not None or self._proc.poll() is not None

    def wait(self) -> LevelResult:
        """Block until the run ends or its deadline passes (then it is killed), and read the result."""
        if self._result is None:
            left = None if self.timeout is None else max(self.timeout - (time.monotonic() - self.started), 0)
            try:
                self._proc.wait(left)
            except subprocess.TimeoutExpired:
                self._kill()
                self._finish(error=f"the run was stopped after {self.timeout:g} s, its time limit", timed_out=True)
            except BaseException:  # Ctrl-C here: the run (in its own process group) ends with its owner
                self.cancel()
                raise
            else:
                self._finish()
        return self._result

    def cancel(self) -> LevelResult:
        """Stop the run now; the result says it was cancelled (unless it had already ended)."""
        if self._result is None:
            if self._proc.poll() is None:
                self._kill()
                self._finish(error="the run was cancelled")
            else:
                self._finish()
        return self._result

    def _kill(self) -> None:
        try:
            if os.name == "posix":
                os.killpg(self._proc.pid, signal.SIGKILL)  # pytest and anything it started
            else:  # pragma: no cover - Windows
                self._proc.kill()
        except (ProcessLookupError, PermissionError):
            pass
        self._proc.wait()

    def _finish(self, error: str | None = None, timed_out: bool = False) -> None:
        duration = time.monotonic() - self.started
        self._out.seek(0)
        self._err.seek(0)
        stdout, stderr = self._out.read(), self._err.read()
        self._out.close()
        self._err.close()
        try:
            report = json.loads(self._report.read_text()) if error is None else None
        except (OSError, ValueError):
            report = None
        shutil.rmtree(self._tmp, ignore_errors=True)
        result = LevelResult(self.level, self.impl, None if timed_out or error else self._proc.returncode,
                             stdout=stdout, stderr=stderr, duration=duration, timed_out=timed_out, error=error)
        if report is not None:
            _fill(result, report)
        if result.error is None and (report is None or self._proc.returncode in (3, 4)
                                     or (result.total == 0 and self._proc.returncode != 0)):
            # a usage error, a crash: pytest's last words say why
            tail = [ln for ln in (stdout + stderr).strip().splitlines() if ln.strip()][-6:]
            result.error = "the tests did not run:\n" + "\n".join(tail)
        self._result = result

    def __del__(self) -> None:  # a dropped run must not outlive its owner
        if getattr(self, "_result", True) is None and hasattr(self, "_proc"):
            self.cancel()


def _fill(result: LevelResult, report: dict) -> None:
    result.passed, result.failed, result.total = report["passed"], report["failed"], report["total"]
    result.complete, result.error = bool(report["complete"]), report.get("error")
    result.by_level = {int(k) if k.isdigit() else k: v for k, v in report.get("by_level", {}).items()}
    result.tests = [TestResult(t["nodeid"], t.get("level"), t["outcome"], t.get("message", ""), t.get("text", ""))
                    for t in report.get("tests", [])]


def start_level(level: int | str, impl: str | Path, **kwargs) -> RunningLevel:
    """Start ``pytest katas --level N --impl IMPL`` and return at once (see ``RunningLevel``)."""
    return RunningLevel(level, impl, **kwargs)


def run_level(level: int | str, impl: str | Path, *, extra_args: Iterable[str] = (), env: Mapping[str, str] | None = None,
              timeout: float | None = None, cwd: Path = ROOT, python: str | Path | None = None) -> LevelResult:
    """Run ``pytest katas --level N --impl IMPL`` in a subprocess and return its verdicts."""
    return RunningLevel(level, impl, extra_args=extra_args, env=env, timeout=timeout, cwd=cwd, python=python).wait()
