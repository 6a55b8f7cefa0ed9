"""What the interview tests share: a fake clock, scripted runs and saves, and the command
run in-process. (Each test's own state folder comes from tests/conftest.py.)"""

from __future__ import annotations

import hashlib
import io
import sys


from runner import manifest
from tools.interview import cli as interview
from tools.interview.core import RunResult

ROOT = manifest.ROOT
REFERENCE = ROOT / "reference" / "engine.py"


def katas_digest() -> dict[str, str]:
    """Every file under katas/ (bytecode caches aside) and its SHA-256."""
    out = {}
    for p in sorted((ROOT / "katas").rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            out[str(p.relative_to(ROOT))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


class FakeClock:
    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def scripted_runner(clock: FakeClock, results: list[RunResult], seconds: float = 2.0):
    """A runner that takes ``seconds`` of fake time and returns the next scripted result
    (the last one again once the script is used up); ``calls`` records each timeout given."""
    calls = []

    def run(timeout: float) -> RunResult:
        calls.append(timeout)
        clock.t += seconds
        return results[min(len(calls) - 1, len(results) - 1)]

    run.calls = calls
    return run


def saves_at(clock: FakeClock, *moments: float):
    """A watcher reporting a save at each of these moments (seconds since the clock's start)."""
    start = clock.t
    pending = list(moments)

    def wait(timeout: float) -> bool:
        assert 0 < timeout <= 1.0, "the loop must look at the clock at least once a second"
        clock.t += timeout
        if pending and clock.t - start >= pending[0]:
            pending.pop(0)
            return True
        return False

    return wait


def score(passed: int, total: int) -> RunResult:
    return RunResult(passed=passed, total=total, failures=[("test_x", "boom")] * (total - passed))


def run_main(argv, stdin: str = "", stderr=None):
    out = io.StringIO()
    old = sys.stderr
    sys.stderr = stderr or io.StringIO()
    try:
        code = interview.main(argv, stdin=io.StringIO(stdin), out=out)
    finally:
        sys.stderr = old
    return code, out.getvalue()
