"""The one level runner (runner/levelrun.py): a level in a subprocess, its verdicts read from the JSON report."""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path

import pytest

from runner import levelrun, manifest

ROOT = manifest.ROOT
ZOO = ROOT / "tests" / "zoo"


def _engine(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "engine" / "value.py"
    path.parent.mkdir(parents=True)
    path.write_text(source)
    return path


def test_the_reference_passes_level_1_and_every_test_is_listed():
    result = levelrun.run_level(1, "reference")
    assert result.green and result.returncode == 0 and result.error is None, result.output[-2000:]
    assert result.total == len(result.tests) == result.passed > 0
    assert {t.outcome for t in result.tests} == {"passed"} and {t.level for t in result.tests} == {1}
    assert all(t.nodeid.startswith("katas/level1/test_level1.py::") for t in result.tests)
    assert result.by_level == {1: {"passed": result.total, "failed": 0, "skipped": 0, "total": result.total}}
    assert not result.failures and result.impl == "reference" and result.duration > 0


def test_a_stub_fails_every_test_and_each_failure_carries_its_text():
    stub = manifest.level(1).stub_path  # a Path: made absolute, whatever the caller's folder
    result = levelrun.run_level(1, stub)
    assert not result.green and result.returncode == 1 and result.error is None
    assert result.passed == 0 and result.failed == result.total == len(result.failures) > 0
    for t in result.failures:
        assert t.message and t.message.splitlines()[0] in t.text, t


def test_the_text_is_the_whole_failure_and_the_message_its_first_line():
    result = levelrun.run_level(1, ZOO / "add_forgets_second_operand.py", extra_args=["--tb=short"])
    assert result.failures and result.passed > 0, result.output[-2000:]
    multi = [t for t in result.failures if len(t.text.splitlines()) > 1]
    assert multi, "pytest's traceback of a failure has several lines"
    for t in result.failures:
        assert "\n" not in t.message and t.text.count("\n") >= 1
        assert t.nodeid.split("::")[1].split("[")[0] in t.text  # the traceback names the test function
    assert any("d(a + b)/db" in t.text for t in result.failures)


def test_only_the_selected_tests_run_and_the_rest_are_listed_as_deselected():
    result = levelrun.run_level(1, "reference", extra_args=["-k", "test_add"])
    ran, rest = result.ran, [t for t in result.tests if not t.ran]
    assert ran and rest and {t.outcome for t in rest} == {"deselected"}
    assert all("test_add" in t.nodeid for t in ran)
    assert not result.complete and not result.green, "a part of a level is not the level"


def test_an_engine_that_does_not_import_is_an_error_not_a_verdict(tmp_path):
    result = levelrun.run_level(1, _engine(tmp_path, "class Value:\n    def __init__(self, data)\n"))
    assert result.error and "syntax error" in result.error, result.output[-2000:]
    assert result.returncode == 1 and result.passed == 0 and not result.ran and not result.green


def test_a_run_that_cannot_start_says_why():
    result = levelrun.run_level(1, "no/such/engine")
    assert result.returncode == 4 and result.error and "no such file" in result.error
    assert not result.green and not result.ran


def test_a_run_past_its_time_limit_is_stopped_and_says_so(tmp_path):
    # an engine that never finishes importing: out of pytest-timeout's reach, within the runner's
    hang = _engine(tmp_path, "import time\ntime.sleep(3600)\n")
    result = levelrun.run_level(1, hang, timeout=3)
    assert result.timed_out and result.returncode is None and not result.green
    assert "stopped after 3 s" in result.error and result.duration < 60


def test_a_started_run_can_be_polled_and_cancelled(tmp_path):
    hang = _engine(tmp_path, "import time\ntime.sleep(3600)\n")
    run = levelrun.start_level(1, hang)
    assert not run.done(), "start_level returns at once"
    result = run.cancel()
    assert run.done() and result.error == "the run was cancelled" and not result.green
    assert run.wait() is result


def test_a_started_run_ends_with_the_same_verdict_as_a_blocking_one():
    run = levelrun.start_level(1, "reference")
    deadline = time.monotonic() + 600
    while not run.done() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert run.wait().green


def test_the_environment_reaches_the_run(tmp_path):
    state = tmp_path / "state"
    result = levelrun.run_level(1, "learner", extra_args=["-k", "test_add"], env={"KATA_STATE_DIR": str(state)})
    assert result.tests, result.output[-2000:]
    saved = json.loads((state / "progress.json").read_text())
    assert saved["levels"]["1"]["last"]["impl"] == "learner"


@pytest.mark.parametrize("impl", ["reference", Path("stubs/level1")])
def test_the_command_is_what_a_learner_types_plus_the_report(impl, tmp_path):
    cmd = levelrun.command(1, impl, tmp_path / "r.json", ["-x"])
    assert cmd[1:7] == ["-m", "pytest", "katas", "--level=1", levelrun.PLAIN_ASSERTS,
                        f"--impl={impl if isinstance(impl, str) else impl.resolve()}"]
    assert "-x" in cmd and f"--kata-report={tmp_path / 'r.json'}" in cmd and "junit" not in " ".join(cmd)


@pytest.mark.skipif(os.name != "posix", reason="checks the process by its id")
def test_a_dropped_run_does_not_outlive_its_owner(tmp_path):
    hang = _engine(tmp_path, "import time\ntime.sleep(3600)\n")
    run = levelrun.start_level(1, hang)
    pid = run._proc.pid
    del run
    gc.collect()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_named_tests_replace_the_whole_of_katas_as_in_nox(tmp_path):
    one = "katas/level1/test_level1.py::test_add_computes_data"
    assert levelrun.pytest_args(1, "reference", tmp_path / "r.json", [one])[0] != "katas"
    result = levelrun.run_level(1, "reference", extra_args=[one])
    assert [t.nodeid for t in result.ran] == [one] and result.passed == 1, result.output[-2000:]


FAKE_NOX = """import subprocess, sys
args = sys.argv[1:]
assert args[:3] == ["-s", "level1", "--"], args
paths = [] if any("::" in a or a.startswith("katas") for a in args[3:]) else ["katas"]
sys.exit(subprocess.call([sys.executable, "-m", "pytest", *paths, "--level=1", *args[3:]]))
"""


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="a stand-in interpreter as a shell script")
def test_the_bench_times_the_learner_loop_through_the_runner_and_checks_the_verdict(tmp_path, monkeypatch):
    """``nox -s level1`` against the bare run, with a stand-in for nox (no environment is built)."""
    from bench import loop as bench_loop

    nox = tmp_path / "nox.py"
    nox.write_text(FAKE_NOX)
    monkeypatch.setattr(bench_loop, "nox_command", lambda: [sys.executable, str(nox)])
    monkeypatch.setattr(bench_loop, "env_python", lambda env: Path(sys.executable))
    loop = bench_loop.nox_overhead(repeats=1)
    assert "error" not in loop and loop["nox"] > 0 and loop["pytest"] > 0, loop
    assert loop["tests"] > 0, "every test of level 1 ran, and failed on the stub"
    idle = tmp_path / "python"  # an interpreter that runs nothing: its speed must not be reported
    idle.write_text("#!/bin/sh\nexit 0\n")
    idle.chmod(0o755)
    monkeypatch.setattr(bench_loop, "env_python", lambda env: idle)
    assert "did not fail every test" in bench_loop.nox_overhead(repeats=1)["error"]
