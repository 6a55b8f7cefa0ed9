"""The kata's pytest plugin for what a learner sees: one block per failing kata test, and a summary.

Registered by the repository's ``conftest.py``, so ``python -m pytest katas --level 2``
and ``nox -s level2`` print the same. It shapes only the kata's own tests (under
``katas/``); the repository's tests keep pytest's usual output. ``--tb=long`` (or any
explicit ``--tb``) turns the shaping off and shows pytest's full tracebacks.

Public pytest hooks only; the run's state lives in ``config.stash``. The work is
done by one module per idea:

    runner/blocks.py    the block of one failure       runner/causes.py    why it failed
    runner/diagnose.py  the engine's diagnosis          runner/timeouts.py  time limits
    runner/record.py    outcomes, --kata-report, .kata/progress.json
    runner/summary.py   the summary at the end          runner/review.py    review notes
"""

from __future__ import annotations

import pytest

from runner import blocks, checks, paths, record, summary, timeouts

_HYPOTHESIS_EXAMPLES_KEY = "_hypothesis_failing_examples"  # hypothesis's own attribute on the item


def pytest_addoption(parser):
    group = parser.getgroup("kata")
    group.addoption("--kata-report", default=None, metavar="PATH",
                    help="write the kata run's result as JSON (level, passed, failed, total, advice, per-test outcomes)")


def pytest_configure(config):
    record.record_of(config)
    config.pluginmanager.register(record.Recorder(config), "kata-feedback-recorder")


def _shaping(config) -> bool:
    """Shape output unless the learner asked for pytest's own tracebacks with --tb."""
    return config.getoption("tbstyle", "auto") == "auto"


def pytest_deselected(items):
    if items:
        record.deselected(items[0].config, items)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_timeout_set_timer(item, settings):
    """For kata tests: a limit that hypothesis cannot swallow, and a stop that says what it saw."""
    if not paths.is_kata(item):
        return None
    return timeouts.set_timer(item, settings)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """A failing kata test's report gets the block as its ``longrepr``."""
    kata = paths.is_kata(item)
    if kata:  # hypothesis would write a patch file per failing example (and import libcst to do it)
        item.__dict__.pop(_HYPOTHESIS_EXAMPLES_KEY, None)
        if call.when == "setup":  # a test's example is its own (runner.checks.example)
            checks.forget_example()
    outcome = yield
    excinfo = call.excinfo
    if not kata or excinfo is None or not _shaping(item.config):
        return
    if isinstance(excinfo.value, pytest.skip.Exception) or excinfo.errisinstance(pytest.xfail.Exception):
        return
    try:
        block = blocks.describe(item, excinfo.value, excinfo.tb)
    except Exception as e:  # noqa: BLE001 - never lose a verdict to a bug in the feedback
        block = blocks.plain(excinfo.value, e)
    try:
        rep = outcome.get_result()
    except Exception:  # noqa: BLE001 - pytest could not render the traceback (a frame stopped by a signal)
        rep = pytest.TestReport(nodeid=item.nodeid, location=item.location, keywords={k: 1 for k in item.keywords},
                                outcome="failed", longrepr=None, when=call.when, duration=call.duration)
        outcome.force_result(rep)
    if rep.outcome != "failed":
        return
    rep.longrepr = block
    rep.sections = [s for s in rep.sections if not s[0].startswith("Hypothesis")]
    if block.stop:
        item.session.shouldstop = "a test ran past its time limit inside backward(): fix the loop, then run again"


def pytest_collection_finish(session):
    config = session.config
    record.collected(config, session.items)
    tr = config.pluginmanager.get_plugin("terminalreporter")
    if record.record_of(config).levels and _shaping(config) and tr is not None:
        # the kata's summary names the next test to fix; pytest's list of FAILED lines would only repeat it
        tr.reportchars = tr.reportchars.replace("f", "").replace("E", "")


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    summary.write(terminalreporter, config)


def pytest_sessionfinish(session, exitstatus):
    record.finish(session)
