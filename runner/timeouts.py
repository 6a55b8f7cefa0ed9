"""Time limits of kata tests: a limit from what the test costs, and a stop that says what it saw.

A test's limit is the reference engine's time for it on this machine (its recorded cost,
runner/costs.py, times this machine's calibration loop), times a generous factor, with a
floor of a few seconds, times the load per core when the machine is busy. A hang is answered
in seconds on a quick test; a slow but correct engine (closures, an O(n^2) walk) keeps its room.

pytest-timeout measures; this module (through its ``pytest_timeout_set_timer``
hook, called by runner/feedback.py) raises ``KataTimeout`` in the test, a
``BaseException`` that hypothesis cannot swallow. The failure then says where
the learner's code was (file, line; building the graph or inside
``backward()``) and how long the same test takes on the reference engine on
this machine.
"""

from __future__ import annotations

import os
import signal
import threading
from functools import cache

from runner import costs, paths

FLOOR = 5.0  # seconds: no kata test is stopped sooner on an idle machine
GENEROUS = 200  # times the reference's time: room for a slow but correct engine (an O(n^2) walk: 40x on deep graphs)
UNKNOWN = 30.0  # seconds, for a test runner/costs.json does not list yet


class KataTimeout(BaseException):
    """Raised in a kata test that ran past its limit."""

    def __init__(self, seconds: float):
        super().__init__(f"stopped after {seconds:g} s")
        self.seconds = seconds


@cache
def loop_seconds() -> float:
    """This machine's calibration loop, timed once per run."""
    return costs.calibration_loop()


def load_factor() -> float:
    """How many processes want each core now (at least 1, at most 20)."""
    try:
        load = os.getloadavg()[0] / (os.cpu_count() or 1)
    except (AttributeError, OSError):
        load = 1.0
    return min(max(load, 1.0), 20.0)


def reference_seconds(item) -> float | None:
    """The reference engine's time for this test on this machine (its recorded cost, scaled by this
    machine's calibration loop); None for a test the table does not list."""
    units = costs.cost(item.nodeid)
    return None if units is None else units * loop_seconds()


def limit_for(item) -> float:
    """The time limit of one kata test, in seconds: GENEROUS times the reference's time (at least
    FLOOR), plus PyTorch's import for a test that needs it (the first such test pays it), all times
    the load per core."""
    ref = reference_seconds(item)
    base = UNKNOWN if ref is None else max(FLOOR, GENEROUS * ref)
    if item.get_closest_marker("torch") is not None:
        base += costs.torch_import() * loop_seconds()
    return round(base * load_factor(), 1)


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
    ref = reference_seconds(item)
    if ref is None:
        lines.append("  the reference engine's time for this test is not recorded (runner/costs.json)")
    else:
        lines.append(f"  the reference engine runs this test in {ref:.2f} s on this machine "
                     "(its recorded time, scaled to this machine's speed)")
    if in_backward and ref is not None and ref * 20 < seconds:
        lines.append(f"  backward() was still running after {seconds / max(ref, 0.01):.0f} times that: look for a loop "
                     "that does not end (a walk that revisits nodes, a node that is its own operand); print the "
                     "nodes your backward() visits on x * y + x")
    elif ref is not None and ref * 3 > seconds:
        lines.append(f"  the machine is busy: give the tests more time, e.g. -- --timeout={round(ref * 20) + 30}")
    elif mine is not None:
        lines.append("  your code was slow here, not necessarily stuck: time the same graph by hand")
    return headline, lines, in_backward
