"""Time limits of kata tests: a limit that scales with the machine, and a stop that says what it saw.

pytest-timeout measures; this module (through its ``pytest_timeout_set_timer``
hook, called by runner/feedback.py) raises ``KataTimeout`` in the test, a
``BaseException`` that hypothesis cannot swallow. The failure then says where
the learner's code was (file, line; building the graph or inside
``backward()``) and how long the same test takes on the reference engine on
this machine, measured there and then.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

from runner import manifest, paths

BASE_LIMIT = 30.0  # seconds per test on an idle, ordinary machine: far above any correct engine
_NOMINAL = 0.02  # seconds the calibration loop takes on an ordinary machine
_factor: float | None = None


class KataTimeout(BaseException):
    """Raised in a kata test that ran past its limit."""

    def __init__(self, seconds: float):
        super().__init__(f"stopped after {seconds:g} s")
        self.seconds = seconds


def machine_factor() -> float:
    """How much slower than an ordinary idle machine this one is now (at least 1): a short
    pure-Python loop timed once, times the load per core."""
    global _factor
    if _factor is None:
        started = time.perf_counter()
        total = 0
        for i in range(200_000):
            total += i * i
        speed = (time.perf_counter() - started) / _NOMINAL
        try:
            load = os.getloadavg()[0] / (os.cpu_count() or 1)
        except (AttributeError, OSError):
            load = 1.0
        _factor = min(max(speed, 1.0) * max(load, 1.0), 20.0)
    return _factor


def default_limit() -> float:
    return round(BASE_LIMIT * machine_factor())


def set_timer(item, settings) -> bool:
    """Arm the limit for one kata test (pytest-timeout's ``settings``)."""
    seconds = settings.timeout
    if settings.method == "signal" and hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread():
        def handler(signum, frame):
            raise KataTimeout(seconds)

        def cancel():
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)

        item.cancel_timeout = cancel
        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        return True

    def fire():  # the thread method cannot interrupt the test: say why, then let pytest-timeout end the run
        import pytest_timeout

        tw = item.config.get_terminal_writer()
        tw.line()
        tw.line(f"{item.nodeid}: stopped after {seconds:g} s (the time limit of a kata test)", red=True, bold=True)
        pytest_timeout.timeout_timer(item, settings)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    item.cancel_timeout = timer.cancel
    timer.start()
    return True


def limit_of(item) -> float:
    marker = item.get_closest_marker("timeout")
    try:
        if marker is not None and marker.args:
            return float(marker.args[0])
        return float(item.config.getoption("timeout") or 0)
    except (ValueError, TypeError):
        return 0.0


def reference_seconds(item, limit: float) -> float | None:
    """How long this test's call takes on the reference engine on this machine, now; None if unknown."""
    level = paths.level_number(item.path)
    cmd = [sys.executable, "-m", "pytest", item.nodeid, f"--level={level}", "--impl=reference", "-q",
           "-p", "no:cacheprovider", "-p", "no:xdist", "--durations=3", "--durations-min=0",
           f"--timeout={max(limit, 5):g}"]
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    try:
        proc = subprocess.run(cmd, cwd=manifest.ROOT, capture_output=True, text=True, timeout=max(limit, 5) + 30,
                              env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"^([\d.]+)s call\s", proc.stdout, re.MULTILINE)
    return float(m.group(1)) if m and proc.returncode == 0 else None


def describe(item, seconds: float, mine, test, in_backward: bool) -> tuple[str, list[str], bool]:
    """The headline, the lines, and whether the run should stop (``in_backward``: the learner's
    backward() was on the stack, and every test calls it)."""
    headline = f"stopped after {seconds:g} s, the time limit of a kata test on this machine"
    lines = []
    frame = mine or test
    if frame is not None:
        doing = "inside backward()" if in_backward else "building the graph" if mine is not None else "in the test"
        lines.append(f"  {'stopped in':<11} {paths.shown(frame.filename)}:{frame.lineno}, in {frame.name} ({doing})")
        if (frame.line or "").strip():
            lines.append(f"  {'':<11}     {frame.line.strip()}")
    ref = reference_seconds(item, seconds)
    if ref is None:
        lines.append("  the reference engine could not be timed on this test just now")
    else:
        lines.append(f"  the reference engine runs this test in {ref:.2f} s on this machine, now")
    if in_backward and ref is not None and ref * 20 < seconds:
        lines.append(f"  backward() was still running after {seconds / max(ref, 0.01):.0f} times that: look for a loop "
                     "that does not end (a walk that revisits nodes, a node that is its own operand); print the "
                     "nodes your backward() visits on x * y + x")
    elif ref is not None and ref * 3 > seconds:
        lines.append(f"  the machine is busy: give the tests more time, e.g. -- --timeout={round(ref * 20) + 30}")
    elif mine is not None:
        lines.append("  your code was slow here, not necessarily stuck: time the same graph by hand")
    return headline, lines, in_backward
