"""Grade one submission: its engine in a sandbox, the level tests in a trusted process.

The verdicts are those of the kata's own level run, ``pytest katas --level N
--impl SHIM`` through runner.levelrun, where SHIM is the stand-in of
tools/grade/remote.py: the tests, pytest and the JSON report all live in a
process that never imports the student's code, so nothing the student writes
can change a verdict except the answers its engine gives. Each test is worth
one point; a test that did not run (the engine did not import, the run was
stopped) scores zero and says why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from runner import levelrun, manifest
from tools.grade import flags, sandbox
from tools.grade.discover import Submission
from tools.grade.trusted import REPORT_VARIABLE, SEED_VARIABLE


@dataclass
class TestScore:
    nodeid: str
    level: int
    passed: bool
    output: str  # what the learner would read for this test ("" when it passed)

    @property
    def name(self) -> str:
        return f"level {self.level}: {self.nodeid.split('::', 1)[-1]}"


@dataclass
class Grade:
    submission: Submission
    levels: tuple[int, ...]
    tests: list[TestScore] = field(default_factory=list)
    error: str | None = None  # why some or all tests have no verdict
    flags: list[str] = field(default_factory=list)
    engine: dict = field(default_factory=dict)  # the engine process's record (tools/grade/trusted.py)
    seconds: float = 0.0

    @property
    def score(self) -> int:
        return sum(t.passed for t in self.tests)

    @property
    def max_score(self) -> int:
        return len(self.tests)

    def level_counts(self, level: int) -> tuple[int, int]:
        mine = [t for t in self.tests if t.level == level]
        return sum(t.passed for t in mine), len(mine)

    def level_seconds(self, level: int) -> float:
        """Seconds the level's tests took (tools/grade/trusted.py times them)."""
        seconds = self.engine.get("seconds")
        return float(seconds.get(str(level), 0.0)) if isinstance(seconds, dict) else 0.0

    def first_failure(self, level: int) -> str:
        for t in self.tests:
            if t.level == level and not t.passed:
                return f"{t.nodeid.split('::', 1)[-1]}: {headline(t.output)}"
        return ""


def headline(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip() and not set(ln.strip()) <= set("_= ")]
    return lines[0][:200] if lines else ""


def _missing(sub: Submission, level: int) -> str:
    """The files of ``level`` the submission lacks (level 4 needs nn.py), as one phrase; "" if none."""
    lacking = [name for name in manifest.level(level).files if Path(name).stem not in sub.files]
    return " and ".join(lacking)


def inventory(top: int) -> list[tuple[str, int]]:
    """Every test of levels 1..top, in order, with its level: what a submission can score."""
    cmd = [sys.executable, "-m", "pytest", "katas", f"--level={top}", "--collect-only", "-q",
           "-p", "no:cacheprovider"]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(cmd, cwd=manifest.ROOT, capture_output=True, text=True, env=env, timeout=600)
    out = []
    for line in proc.stdout.splitlines():
        if "::" in line and line.startswith("katas/"):
            level = manifest.level_of_path(manifest.ROOT / line.split("::", 1)[0])
            out.append((line.strip(), level.number))
    if not out:
        raise RuntimeError("could not list the level tests:\n" + proc.stdout[-2000:] + proc.stderr[-2000:])
    return out


def grade(sub: Submission, levels: tuple[int, ...], tests: list[tuple[str, int]], scratch: Path,
          limits: sandbox.Limits, hidden_seed: int | None = None, run_timeout: float = 3600) -> Grade:
    started = time.monotonic()
    out = Grade(sub, levels)
    wanted = [(nodeid, level) for nodeid, level in tests if level in levels]
    if not sub.gradable:
        out.error = sub.problem
        out.tests = [TestScore(n, lv, False, sub.problem) for n, lv in wanted]
        return out
    out.flags = flags.static_flags(sub.files)
    missing = {lv: _missing(sub, lv) for lv in levels}
    # the level run stops below the first level whose files were not submitted (a lone value.py at
    # levels 1-4: levels 1-3 are graded, level 4's tests say nn.py is missing); without even the
    # first level's files, the level run itself says what is wrong
    lacking = [lv for lv in levels if missing[lv]]
    top = lacking[0] - 1 if lacking and lacking[0] > levels[0] else max(levels)
    shim = sandbox.prepare(scratch, sub.files, limits)
    record = shim / "engine-report.json"
    env = {REPORT_VARIABLE: str(record), "KATA_STATE_DIR": str(shim / "state")}
    extra = ["-p", "tools.grade.trusted", f"--timeout={limits.test_timeout:g}"]
    if hidden_seed is not None:
        env[SEED_VARIABLE] = str(hidden_seed)
        extra.append(f"--hypothesis-seed={hidden_seed}")
    result = levelrun.run_level(top, shim, extra_args=extra, env=env, timeout=run_timeout)
    if record.exists():
        out.engine = json.loads(record.read_text())
        out.flags += [f for f in flags.loaded_flags(out.engine.get("imported", [])) if f not in out.flags]
    out.error = result.error
    seen = {t.nodeid: t for t in result.tests}
    for nodeid, level in wanted:
        if level > top:
            out.tests.append(TestScore(nodeid, level, False, f"level {level} needs {missing[level]}: not submitted"))
            continue
        t = seen.get(nodeid)
        if t is not None and t.outcome == "passed":
            out.tests.append(TestScore(nodeid, level, True, ""))
        elif t is not None and t.outcome in ("failed", "error"):
            out.tests.append(TestScore(nodeid, level, False, t.text or t.message))
        else:
            why = result.error or (f"not run ({t.outcome})" if t is not None else "not run")
            out.tests.append(TestScore(nodeid, level, False, why))
    out.seconds = time.monotonic() - started
    return out
