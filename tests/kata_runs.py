"""Run a level of the kata against an engine in a fresh pytest process and read the verdicts.

The self-test's view of the kata is the learner's: a subprocess running
``pytest katas --level N --impl X``, through the kata's one level runner
(``runner/levelrun.py``, which reads the plugin's JSON report). This module
keeps the self-test's short vocabulary on top of it: outcomes and messages
by test id, for the tests that ran.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from runner import levelrun, manifest

ROOT = manifest.ROOT


@dataclass
class LevelRun:
    returncode: int | None
    output: str
    outcomes: dict[str, str] = field(default_factory=dict)  # test id -> passed/failed/error/skipped
    messages: dict[str, str] = field(default_factory=dict)  # test id -> failure text
    result: levelrun.LevelResult | None = None  # everything the runner read

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes.values() if o == outcome)

    @property
    def passed(self) -> list[str]:
        return [t for t, o in self.outcomes.items() if o == "passed"]

    @property
    def not_passed(self) -> list[str]:
        return [t for t, o in self.outcomes.items() if o != "passed"]

    def summary(self) -> str:
        counts = {o: self.count(o) for o in ("passed", "failed", "error", "skipped")}
        text = f"exit {self.returncode}, " + ", ".join(f"{n} {o}" for o, n in counts.items() if n)
        error = self.result.error if self.result else None
        return text + (f"; {error.splitlines()[0]}" if error else "")


def run_level(level: int, impl: str | Path = "learner", *extra: str, timeout: float = 900) -> LevelRun:
    """``pytest katas --level N --impl IMPL`` in a subprocess, from the repository root.

    Test ids are pytest's node ids (``katas/level1/test_level1.py::test_add``);
    only the tests that ran are listed (not the deselected ones, nor those a
    ``-x`` stopped). The learner's ``.kata/`` is never written: the run gets
    the test's isolated ``KATA_STATE_DIR`` (tests/conftest.py) or a throw-away one.
    """
    with tempfile.TemporaryDirectory(prefix="kata-state-") as tmp:
        env = {} if os.environ.get("KATA_STATE_DIR") else {"KATA_STATE_DIR": tmp}
        result = levelrun.run_level(level, impl, extra_args=("-q", *extra), env=env,
                                    timeout=timeout)
    output = result.output + (f"\n{result.error}" if result.error else "")
    run = LevelRun(result.returncode, output, result=result)
    for test in result.ran:
        run.outcomes[test.nodeid] = test.outcome
        run.messages[test.nodeid] = f"{test.message}\n{test.text}" if test.outcome != "passed" else ""
    return run


def pristine_stub(level: manifest.Level) -> Path:
    """The folder of the level's untouched stubs, as shipped."""
    return level.stub_path
