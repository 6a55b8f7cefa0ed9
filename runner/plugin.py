"""The kata's pytest plugin: which level, which engine, and the fixtures tests use.

Loaded by the repository's ``conftest.py``, so ``nox -s levelN`` and plain
``pytest`` behave the same:

    pytest katas --level 2                 # levels 1-2 against katas/level2/value.py
    pytest katas --level 2 --impl reference
    pytest katas/level2                    # only level 2's own tests (the level is inferred)
    pytest tools/interview/stages --stage ops --impl reference   # a follow-up stage of levels.toml

Tests ask for the engine through fixtures: ``Value`` (the class), ``nn`` (the
level-4 module) and ``kata`` (everything: level, label, modules).
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from runner import impl, manifest, paths, timeouts, torch_worker
from runner import session as kata_session
from runner.session import KataRun
from utils import torch_oracle

# -- hypothesis profiles: one place for every run of the kata ------------------

settings.register_profile(
    "learner",  # the same examples on every run: a verdict never flips by chance
    deadline=None,
    derandomize=True,
    max_examples=60,
    print_blob=False,
    report_multiple_bugs=False,  # one failure at a time is what a learner can act on
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],  # no slow "explain"
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",  # for the self-test of the repository: more examples, still reproducible
    parent=settings.get_profile("learner"),
    max_examples=200,
)
settings.load_profile(os.environ.get("KATA_HYPOTHESIS_PROFILE", "learner"))

MARKERS = {
    "torch": "needs PyTorch (levels 3-4); skipped with a note where it is not installed",
    "slow": "takes more than a second on a typical engine",
    "kata_broken": "set by the plugin when the engine under test could not be imported",
}

__all__ = ["KataRun"]


def pytest_addoption(parser):
    group = parser.getgroup("kata")
    group.addoption("--level", type=int, default=None,
                    help="run levels 1..N (default: the highest level among the paths given)")
    group.addoption("--stage", default=None, metavar="NAME",
                    help="run a follow-up stage of levels.toml (default: the stage of the paths given)")
    group.addoption("--impl", default="learner",
                    help="the engine to test: learner (default), reference, or a path to value.py or a kata-like folder")


def pytest_configure(config):
    for name, doc in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {doc}")
    level = config.getoption("level")
    if level is not None:
        try:
            manifest.level(level)
        except ValueError as e:
            raise pytest.UsageError(f"--level {level}: {e}") from None
    name = config.getoption("stage")
    if name is not None:
        try:
            if not manifest.stage(name).tests:
                raise ValueError(f"stage {name} is judged by the levels 1..{manifest.stage(name).level}")
        except ValueError as e:
            raise pytest.UsageError(f"--stage {name}: {e}") from None
    config.stash[kata_session.RUN] = None


def _kata_level_of(path: Path) -> manifest.Level | None:
    n = paths.level_number(path)
    return manifest.level(n) if n is not None else None


def pytest_ignore_collect(collection_path, config):
    """With ``--level N``, do not even import the tests of later levels."""
    n = config.getoption("level")
    lv = _kata_level_of(collection_path)
    if n is not None and lv is not None and lv.number > n:
        return True
    name = config.getoption("stage")
    st = manifest.stage_of_path(collection_path) if collection_path.is_file() else None
    if st is not None and st.name != (name or st.name):  # --stage NAME: only that stage's files
        return True
    return None


def _unit(config, items) -> KataRun | None:
    """What the run is about: the stage asked for (or of the files given), else levels 1..N."""
    units = {paths.unit_of(it.path) for it in items} - {None}
    names = sorted(u for u in units if isinstance(u, str))
    name = config.getoption("stage") or (names[0] if names else None)
    if name is not None:
        if len(names) > 1 and not config.getoption("stage"):
            raise pytest.UsageError(f"these tests are of several stages ({', '.join(names)}): give --stage NAME")
        st = manifest.stage(name)
        return KataRun(st.engine_level, stage=st)
    if not units:
        return None
    return KataRun(manifest.level(config.getoption("level") or max(units)))


def pytest_collection_modifyitems(session, config, items):
    run = _unit(config, items)
    if run is None:
        return
    unit = run.stage.name if run.stage else None
    kata_items = [it for it in items if paths.unit_of(it.path) is not None
                  and isinstance(paths.unit_of(it.path), str) == (unit is not None)]
    if not kata_items:
        return
    _default_timeout(config, kata_items)
    config.stash[kata_session.RUN] = run
    spec = config.getoption("impl")
    try:
        run.impl = impl.load(spec, run.level)
    except impl.ImplError as e:
        raise pytest.UsageError(str(e)) from None
    except Exception as e:  # the learner's file does not import: say so once, clearly (runner/feedback.py)
        run.error = _explain_load_error(e, spec, run.level)
        for it in kata_items:
            it.add_marker(pytest.mark.kata_broken)
        # no test can run: one screen in the summary instead of one traceback per test
        config.hook.pytest_deselected(items=kata_items)
        broken = set(kata_items)
        items[:] = [it for it in items if it not in broken]


def _default_timeout(config, items) -> None:
    """Every kata test gets a time limit (a stuck loop in backward() must end) from what it costs
    on this machine (runner/timeouts.py), unless the command line or a test's own marker sets one.
    The repository's own tests under tests/ are not kata tests and keep pytest-timeout's default."""
    if not config.pluginmanager.hasplugin("timeout") or config.getoption("timeout", None) or config.getini("timeout"):
        return
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(timeouts.limit_for(item)))


TORCH_WORKER = pytest.StashKey["torch_worker.Worker"]()


def pytest_collection_finish(session):
    """When a kata run's tests need PyTorch and this process has not imported it: the worker that
    imports it on another core while the first tests run (runner/torch_worker.py)."""
    config = session.config
    if config.option.collectonly or config.stash[kata_session.RUN] is None:
        return
    if "torch" in sys.modules or not torch_oracle.torch_available():
        return
    if any(it.get_closest_marker("torch") for it in session.items):
        worker = torch_worker.Worker()
        config.stash[TORCH_WORKER] = worker
        torch_oracle.use_worker(worker)


def pytest_unconfigure(config):
    worker = config.stash.get(TORCH_WORKER, None)
    if worker is not None:
        torch_oracle.use_worker(None)
        worker.stop()


def _explain_load_error(e: BaseException, spec: str, level: manifest.Level) -> str:
    if isinstance(e, SyntaxError):
        where = f"{paths.shown(e.filename)}, line {e.lineno}"
        line = (e.text or "").rstrip("\n")
        indent = len(line) - len(line.lstrip())
        caret = " " * max((e.offset or 1) - 1 - indent, 0) + "^"
        kind = type(e).__name__  # SyntaxError, IndentationError, TabError
        return (f"Your engine has a syntax error ({kind}), so no test can run.\n  {where}\n"
                f"    {line.strip()}\n    {caret}\n  {e.msg}")
    tb = traceback.extract_tb(e.__traceback__)
    try:
        files = {str(p.resolve()) for p in impl.locate(spec, level)[2].values()}
    except impl.ImplError:
        files = set()
    frame = next((f for f in reversed(tb) if str(Path(f.filename).resolve()) in files), tb[-1] if tb else None)
    where = f"{paths.shown(frame.filename)}, line {frame.lineno}\n    {(frame.line or '').strip()}" if frame else spec
    hint = ""
    if isinstance(e, ImportError):
        hint = ("\n  Your engine imports a module that is not there; the kata's levels 1-3 need only the "
                "standard library (import math).")
    return f"Your engine could not be imported: {type(e).__name__}: {e}\n  {where}{hint}"


def pytest_runtest_setup(item):
    error = kata_session.load_error(item.config)
    if error and item.get_closest_marker("kata_broken"):
        pytest.fail(error, pytrace=False)


# -- fixtures -----------------------------------------------------------------


@pytest.fixture(scope="session")
def kata(request) -> KataRun:
    run = kata_session.run_of(request.config)
    if run is None or run.impl is None:
        pytest.fail("this test needs the kata's engine: run it under katas/ (see README)", pytrace=False)
    return run


@pytest.fixture(scope="session")
def engine(kata):
    """The module of the engine's first file: ``Value`` and any functions a stage asks for."""
    return kata.impl.modules["value"]


@pytest.fixture(scope="session")
def Value(kata):  # noqa: N802 - it is a class, and tests read best with its real name
    return kata.impl.Value


@pytest.fixture(scope="session")
def nn(kata):
    if "nn" not in kata.impl.modules:
        pytest.fail(f"level 4 needs nn.py beside value.py ({kata.impl.folder})", pytrace=False)
    return kata.impl.nn
