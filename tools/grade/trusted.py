"""The grader's pytest plugin, loaded into the grading process (``-p tools.grade.trusted``).

That process runs the kata's level tests exactly as ``nox -s levelN -- --impl``
does, against the stand-in of tools/grade/remote.py; no student code runs in
it. This plugin adds two things:

* hidden cases: with ``KATA_GRADE_HIDDEN_SEED`` set (``--hidden-seed N``),
  hypothesis stops deriving its examples from each test's source
  (``derandomize``, the learner's profile) and draws them from the seed the
  grader passes as ``--hypothesis-seed`` (hypothesis's own pytest option), with
  no example database. The learner's profile and runner/plugin.py are left as
  they are: this profile is registered here, on top of it.
* the engine's record: after each test, whether the engine process crashed or
  stopped answering in it (after three such tests in a row it is given up,
  see remote.STALLS), and how long the test took; at the end, what happened to
  it and the seconds spent per level, written as JSON to
  ``KATA_GRADE_ENGINE_REPORT`` (a file in the grader's own 0700 folder).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import settings

from runner import manifest
from tools.grade import remote

SEED_VARIABLE = "KATA_GRADE_HIDDEN_SEED"
REPORT_VARIABLE = "KATA_GRADE_ENGINE_REPORT"
SECONDS: dict[int, float] = {}  # level -> seconds its tests took (setup and teardown included)


def pytest_configure(config):
    if os.environ.get(SEED_VARIABLE):
        settings.register_profile("grade-hidden", parent=settings.get_profile("learner"),
                                  derandomize=False, database=None)
        settings.load_profile("grade-hidden")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    before = [len(engine.crashes) for engine in remote.ENGINES]
    started = time.monotonic()
    yield
    found = manifest.level_of_path(Path(str(item.path)))
    level = found.number if found is not None else 0
    SECONDS[level] = SECONDS.get(level, 0.0) + time.monotonic() - started
    for engine, n in zip(remote.ENGINES, before):
        engine.test_ended(stalled=len(engine.crashes) > n)


def pytest_unconfigure(config):
    path = os.environ.get(REPORT_VARIABLE)
    engines = list(remote.ENGINES)
    for engine in engines:
        engine.close()
    if path:
        record = {
            "processes": sum(e.started for e in engines),
            "crashes": [c for e in engines for c in e.crashes],
            "given_up": any(e.given_up for e in engines),
            "imported": sorted({m for e in engines for m in e.watched}),
            "seconds": {str(level): round(t, 2) for level, t in sorted(SECONDS.items())},
        }
        Path(path).write_text(json.dumps(record, indent=1))
