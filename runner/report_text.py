"""Adds each failing test's full text to the ``--kata-report`` JSON, for ``runner.levelrun``.

The report's ``message`` is one line (the failure's headline). Tools that
check what a learner reads (the bug zoo's "the message names the bug") need
the whole failure as pytest printed it: the shaped block, or the traceback
under ``--tb``. ``runner.levelrun`` loads this plugin (``-p runner.report_text``)
next to ``--kata-report PATH``; after the report is written, each of its
tests gains ``text``: the failure's full text ("" for a test that passed).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

_TEXTS = pytest.StashKey[dict]()


def pytest_configure(config):
    config.stash[_TEXTS] = {}
    config.pluginmanager.register(_Recorder(config), "kata-report-text")


class _Recorder:
    def __init__(self, config) -> None:
        self.config = config

    def pytest_runtest_logreport(self, report):
        if report.failed or (report.skipped and report.when != "teardown"):
            texts = self.config.stash[_TEXTS]
            text = report.longreprtext
            if report.skipped and isinstance(report.longrepr, tuple):
                text = str(report.longrepr[2])  # (file, line, reason): the reason is what is printed
            texts[report.nodeid] = (texts.get(report.nodeid, "") + "\n" + text).strip()


@pytest.hookimpl(trylast=True)  # after the kata plugin wrote the report
def pytest_sessionfinish(session):
    path = session.config.getoption("kata_report", None)
    if not path or not Path(path).exists():
        return
    report = json.loads(Path(path).read_text())
    texts = session.config.stash.get(_TEXTS, {})
    for test in report.get("tests", []):
        test.setdefault("text", texts.get(test["nodeid"], ""))
    Path(path).write_text(json.dumps(report, indent=2) + "\n")
