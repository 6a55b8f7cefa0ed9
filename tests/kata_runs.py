"""Run a level of the kata against an engine in a fresh pytest process and read the verdicts.

The self-test's view of the kata is the learner's: a subprocess running
`pytest katas --level N --impl X`, read back through a JUnit XML report.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from runner import manifest

ROOT = manifest.ROOT


@dataclass
class LevelRun:
    returncode: int
    output: str
    outcomes: dict[str, str] = field(default_factory=dict)  # test id -> passed/failed/error/skipped
    messages: dict[str, str] = field(default_factory=dict)  # test id -> failure text

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
        return f"exit {self.returncode}, " + ", ".join(f"{n} {o}" for o, n in counts.items() if n)


def run_level(level: int, impl: str | Path = "learner", *extra: str, timeout: float = 900) -> LevelRun:
    """``pytest katas --level N --impl IMPL`` in a subprocess, from the repository root."""
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "report.xml"
        cmd = [sys.executable, "-m", "pytest", "katas", f"--level={level}", f"--impl={impl}",
               "-p", "no:cacheprovider", "-p", "no:xdist", f"--junitxml={xml}", "-q", *extra]
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
        run = LevelRun(proc.returncode, proc.stdout + proc.stderr)
        if xml.exists():
            for case in ET.parse(xml).getroot().iter("testcase"):
                name = f"{case.get('classname')}::{case.get('name')}"
                outcome, message = "passed", ""
                for child in case:
                    if child.tag in ("failure", "error", "skipped"):
                        outcome = {"failure": "failed"}.get(child.tag, child.tag)
                        message = (child.get("message") or "") + "\n" + (child.text or "")
                        break
                run.outcomes[name] = outcome
                run.messages[name] = message
    return run


def pristine_stub(level: manifest.Level) -> Path:
    """The folder of the level's untouched stubs, as shipped."""
    return level.stub_path
