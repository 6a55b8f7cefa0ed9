"""Fixtures for the stage tests: the attempt's module and its Value, from ``--impl``.

The kata's plugin (runner/plugin.py) loads an engine for the level folders only, so the
stage tests get theirs here, with the same ``--impl`` option:

    pytest tools/interview/stages/test_softmax.py --impl .kata/interview/attempts/<x>/value.py
    pytest tools/interview/stages --impl reference     # solution.py: every stage passes
    pytest tools/interview/stages --impl learner       # your level-4 katas/level4/value.py

A file that does not import fails every test with one line saying why.

``--stage-report PATH`` writes the verdicts as JSON for interview mode
(tools/interview/core.py reads it): ``{"passed", "total", "tests": [{"nodeid",
"outcome", "message"}]}``, the message taken from the exception itself.
"""

from __future__ import annotations

import json
import traceback
from pathlib import Path

import pytest

from runner import impl, manifest

HERE = Path(__file__).resolve().parent
SOLUTION = HERE / "solution.py"
TIMEOUT = 30  # seconds per test, as the kata's levels: a stuck loop must end


def engine_path(spec: str) -> str:
    if spec == "reference":
        return str(SOLUTION)
    if spec == "learner":  # the stages come after the kata: they build on your finished engine
        last = manifest.levels()[-1]
        return str(last.learner_files[0])
    return spec


_VERDICTS = pytest.StashKey[dict]()


def pytest_addoption(parser):
    parser.getgroup("kata").addoption("--stage-report", default=None, metavar="PATH",
                                      help="write the stage tests' verdicts to PATH as JSON (interview mode)")


def pytest_configure(config):
    config.stash[_VERDICTS] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    verdicts = item.config.stash[_VERDICTS]
    if report.when == "call" or not report.passed:  # a setup error or skip counts too
        message = ""
        if call.excinfo is not None:
            e = call.excinfo.value
            message = str(e) if isinstance(e, pytest.fail.Exception) else f"{type(e).__name__}: {e}"
        if item.nodeid not in verdicts or verdicts[item.nodeid]["outcome"] == "passed":
            verdicts[item.nodeid] = {"nodeid": item.nodeid, "outcome": report.outcome, "message": message}
    return report


def pytest_sessionfinish(session):
    path = session.config.getoption("stage_report", None)
    if not path:
        return
    tests = list(session.config.stash[_VERDICTS].values())
    Path(path).write_text(json.dumps({"passed": sum(t["outcome"] == "passed" for t in tests), "total": len(tests),
                                      "tests": tests}, indent=2) + "\n")


def pytest_collection_modifyitems(config, items):
    if not config.pluginmanager.hasplugin("timeout") or config.getoption("timeout", None):
        return
    for item in items:
        if HERE in Path(item.path).resolve().parents and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TIMEOUT))


@pytest.fixture(scope="session")
def engine(request):
    """The module of the file under test (Value and any functions the stages ask for)."""
    spec = request.config.getoption("impl")
    try:
        return impl.load(engine_path(spec), manifest.level(1)).modules["value"]
    except impl.ImplError as e:
        pytest.fail(str(e), pytrace=False)
    except Exception as e:  # noqa: BLE001 - the learner's file: say why it does not import, once
        frames = [f for f in traceback.extract_tb(e.__traceback__) if not f.filename.startswith(str(manifest.ROOT / "runner"))]
        where = f" ({Path(frames[-1].filename).name}, line {frames[-1].lineno})" if frames else ""
        pytest.fail(f"your file could not be imported: {type(e).__name__}: {e}{where}", pytrace=False)


@pytest.fixture(scope="session")
def Value(engine):  # noqa: N802 - a class
    return engine.Value

