"""Fail fast by level: once a level has a failing test, the later levels' slow tests do not run.

Levels are cumulative and run in order (``pytest katas --level 4`` runs level
1's tests first). When a test of level k fails, the expensive tests of the
levels above it (marked ``slow`` or ``torch``, or hypothesis property tests)
would mostly fail again for the same reason, or pass on a broken engine and
say nothing useful, and they take most of the time. So they are skipped with
the reason, the moment of the first failure is announced on screen, and the
summary says what did not run and why. Quick example tests of the higher
levels still run. ``--no-failfast`` runs everything (the self-test uses it to
prove that a stub fails every test of its level).

Public pytest hooks only; the state lives in ``config.stash``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from runner import manifest


@dataclass
class _Failfast:
    failed_level: int | None = None  # the lowest level with a failing test so far
    first_failure: str = ""  # its test's node id
    skipped: dict[int, int] = field(default_factory=dict)  # level -> tests skipped because of it


_KEY = pytest.StashKey[_Failfast]()
EXPENSIVE_MARKERS = ("slow", "torch")


def _state(config) -> _Failfast:
    if _KEY not in config.stash:
        config.stash[_KEY] = _Failfast()
    return config.stash[_KEY]


def _level(item) -> int | None:
    lv = manifest.level_of_path(item.path)
    return lv.number if lv is not None else None


def is_expensive(item) -> bool:
    """Marked slow or torch, or a hypothesis property test (dozens of examples)."""
    if any(item.get_closest_marker(m) for m in EXPENSIVE_MARKERS):
        return True
    return bool(getattr(getattr(item, "obj", None), "is_hypothesis_test", False))


def reason(failed_level: int) -> str:
    return f"level {failed_level} fails: fix it first (the slow tests of later levels run once it passes)"


def pytest_addoption(parser):
    parser.getgroup("kata").addoption(
        "--no-failfast", action="store_true",
        help="run the slow tests of every level even when a lower level fails")


def pytest_runtest_setup(item):
    if item.config.getoption("no_failfast"):
        return
    st = _state(item.config)
    level = _level(item)
    if st.failed_level is None or level is None or level <= st.failed_level or not is_expensive(item):
        return
    st.skipped[level] = st.skipped.get(level, 0) + 1
    pytest.skip(reason(st.failed_level))


class _Reporter:
    """Holds the config, so the logreport hook (which gets only a report) can reach the stash."""

    def __init__(self, config):
        self.config = config

    def pytest_runtest_logreport(self, report):
        if not report.failed or report.when == "teardown":
            return
        lv = manifest.level_of_path(manifest.ROOT / report.nodeid.split("::", 1)[0])
        if lv is None:
            return
        st = _state(self.config)
        if st.failed_level is not None and st.failed_level <= lv.number:
            return
        first = st.failed_level is None
        st.failed_level, st.first_failure = lv.number, report.nodeid
        if first and lv.number < _highest_level(self.config):
            tr = self.config.pluginmanager.get_plugin("terminalreporter")
            if tr is not None:
                tr.ensure_newline()
                tr.write_line(f"level {lv.number} fails ({report.nodeid.rsplit('::', 1)[-1]}): "
                              f"the slow tests of later levels will be skipped; details below", yellow=True)

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter):
        st = _state(self.config)
        if not st.skipped:
            return
        shown = ", ".join(f"{n} of level {lv}" for lv, n in sorted(st.skipped.items()))
        terminalreporter.write_line(
            f"not run: {shown} (slow tests), because level {st.failed_level} fails: fix level "
            f"{st.failed_level} first, then run again", yellow=True)


def _highest_level(config) -> int:
    n = config.getoption("level", None)
    return n if n is not None else len(manifest.levels())


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("kata-failfast-reporter"):
        config.pluginmanager.register(_Reporter(config), "kata-failfast-reporter")
