"""The noxfile: the tools that run without an environment import only the standard library, and the
interview's options are read by the interview's own parser."""

from __future__ import annotations

import subprocess
import sys

import pytest

from runner.manifest import ROOT

STDLIB_TOOLS = ["tools.hints", "tools.progress", "tools.carry", "tools.backups"]


@pytest.mark.parametrize("module", STDLIB_TOOLS)
def test_a_tool_without_an_environment_imports_only_the_standard_library(module):
    code = (
        f"import sys, {module}\n"
        "own = {'runner', 'tools', 'utils', '__main__', '_distutils_hack'}\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} - set(sys.stdlib_module_names) - own))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", f"{module} imports {done.stdout.strip()} when it starts"


def test_the_noxfile_runs_those_tools_without_an_environment():
    text = (ROOT / "noxfile.py").read_text()
    for module in STDLIB_TOOLS:
        call = f'run_stdlib(session, "-m", "{module}"'
        assert call in text, f"{module} should run on nox's own interpreter"


@pytest.mark.parametrize(("args", "torch"), [
    (["1", "--minutes", "3"], False),
    (["2", "--minutes", "4"], False),
    (["3"], True),
    (["full", "--plain"], True),
    (["--history"], False),
    (["3", "--questions"], False),
    ([], False),
])
def test_the_interview_installs_pytorch_only_for_a_scope_that_needs_it(noxfile, args, torch):
    assert noxfile.interview_needs_torch(args) is torch


@pytest.mark.parametrize(("args", "torch"), [
    (["class/", "--out", "o", "--levels", "1-2"], False),
    (["class/", "--out", "o", "--levels=1-4"], True),
    (["class/", "--out", "o"], True),  # the default, 1-3
    (["class/", "--levels", "nine"], False),  # the grader itself says what is wrong
])
def test_grading_installs_pytorch_only_for_levels_that_need_it(noxfile, args, torch):
    assert noxfile.grade_needs_torch(args) is torch


@pytest.fixture(scope="module")
def noxfile():
    pytest.importorskip("nox")
    import importlib.util

    spec = importlib.util.spec_from_file_location("_kata_noxfile", ROOT / "noxfile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # registers the sessions once
    return module


def test_a_level_session_takes_watch_and_gives_pytest_everything_else_in_order(noxfile):
    opts, rest = noxfile.level_options().parse_known_args(["-x", "-k", "tanh and relu", "--watch", "--impl", "reference"])
    assert opts.watch and rest == ["-x", "-k", "tanh and relu", "--impl", "reference"]
    opts, rest = noxfile.level_options().parse_known_args(["--wat"])
    assert not opts.watch and rest == ["--wat"], "no abbreviations: pytest's options pass through untouched"


def test_a_level_session_narrows_to_named_tests_by_the_runners_one_rule(noxfile):
    from runner import levelrun

    assert noxfile.levelrun is levelrun, "the noxfile and every level run share runner.levelrun.test_paths"
    assert levelrun.test_paths(["-x", "-k", "tanh", "--impl", "reference"]) == ["katas"]
    assert levelrun.test_paths(["katas/level1/test_level1.py::test_add"]) == []
    assert levelrun.test_paths(["katas/level2"]) == []
