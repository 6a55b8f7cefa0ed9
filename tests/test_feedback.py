"""What a learner sees: one short block per failing kata test and a summary (runner/feedback.py)."""

from __future__ import annotations

import json
import math
import re
import shlex
import subprocess
import sys
import time

import pytest

from tests.feedback_helpers import (
    ASSIGN,
    IMPORT_ERROR,
    INFINITE_LOOP,
    RECURSIVE_RADD,
    ROOT,
    SYNTAX_ERROR,
    WRONG_TANH,
    engine,
    failure_blocks,
    kata,
)
from runner import feedback, manifest


@pytest.fixture
def state(tmp_path):
    return tmp_path / "state"


def test_a_stub_reads_not_written_yet_one_line_each(state):
    stub = manifest.level(1).stub_path / "value.py"
    run = kata(1, stub, state=state)
    assert run.returncode == 1
    blocks = failure_blocks(run.stdout)
    assert len(blocks) == 23, run.output[-2000:]
    assert blocks["test_add_computes_data"].strip() == "not written yet: level 1: Value.__add__ (self + other)"
    assert all(b.strip().startswith("not written yet: level 1: Value.") for b in blocks.values())
    assert all(len(b.strip().splitlines()) == 1 for b in blocks.values()), "one line, no traceback"
    assert "Traceback" not in run.output and "raise NotImplementedError" not in run.output
    assert re.search(r"level 1\s+0 of 23\s+passing", run.stdout)
    assert "next: katas/level1/test_level1.py::test_add_computes_data" in run.stdout
    assert not (state / "progress.json").exists(), "progress is only kept for the learner's own files"


def test_a_wrong_tanh_derivative_is_a_tanh_problem_with_both_numbers(tmp_path, state):
    run = kata(2, engine(tmp_path, WRONG_TANH), "-k", "tanh or derived", state=state)
    blocks = failure_blocks(run.stdout)
    local = blocks["test_op_local_derivative[tanh]"]
    m = re.search(r"tanh: your backward gave (\S+) for argument 1 at x = (\S+); expected (\S+) = 1 - tanh\(x\)\*\*2",
                  local)
    assert m, local
    got, x, expected = float(m[1]), float(m[2]), float(m[3])
    assert got == pytest.approx(1 - math.tanh(x)) and expected == pytest.approx(1 - math.tanh(x) ** 2)
    chain = blocks["test_op_in_a_chain_matches_finite_differences[tanh]"]
    assert "first wrong step" in chain and "tanh: your backward gave" in chain, chain
    # a hand-written test without the diagnosis gets the op-by-op check as the likely cause
    assert "likely cause" in blocks["test_derived_ops_together"] and "tanh" in blocks["test_derived_ops_together"]
    for block in blocks.values():
        assert len(block.strip().splitlines()) <= feedback.MAX_LINES + 1, "one screen per failure"
        assert "site-packages" not in block and "utils/" not in block.replace("runner/diagnose", "")


def test_an_assignment_instead_of_plus_equals_is_missing_accumulation(tmp_path, state):
    run = kata(2, engine(tmp_path, ASSIGN), "-k", "random_graphs or chain or a_plus_a", state=state)
    blocks = failure_blocks(run.stdout)
    assert blocks, run.output[-2000:]
    assert "missing accumulation: use += so every use of a node adds its share" in blocks["test_a_plus_a"]
    graph_tests = [b for name, b in blocks.items() if "random_graphs" in name or "chain" in name]
    assert graph_tests and all("missing accumulation" in b for b in graph_tests), graph_tests


def test_an_infinite_loop_in_backward_ends_at_the_timeout(tmp_path, state):
    started = time.monotonic()
    run = kata(1, engine(tmp_path, INFINITE_LOOP), "--timeout=2", "-k", "add_backward or random_graphs",
               state=state, timeout=120)
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"took {elapsed:.0f} s"
    assert "this test took longer than 2 s: most likely an infinite loop in backward()" in run.stdout, run.output
    m = re.search(r"stopped in\s+(\S+):(\d+), in backward", run.stdout)
    assert m and m[1].endswith("value.py"), run.stdout[-1500:]
    lines = (tmp_path / "value.py").read_text().splitlines()
    loop = next(i for i, text in enumerate(lines, 1) if "while i < len(queue)" in text)
    assert loop <= int(m[2]) <= loop + 3, "the line where the loop was stopped"
    assert "Interrupted: a test ran past its timeout" in run.output, "the run stops: every test would hang"


def test_a_syntax_error_is_one_screen_with_file_and_line(tmp_path, state):
    path = engine(tmp_path, SYNTAX_ERROR)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "def relu(self)" in text)
    run = kata(2, path, state=state)
    assert run.returncode == 1
    assert f"{path}, line {line}" in run.stdout or f"value.py, line {line}" in run.stdout, run.output
    assert "def relu(self)" in run.stdout and "expected ':'" in run.stdout
    assert "Traceback" not in run.output and "ERROR collecting" not in run.output
    assert len(run.output.splitlines()) < 30, run.output


def test_an_import_error_names_the_module_file_and_line(tmp_path, state):
    path = engine(tmp_path, IMPORT_ERROR)
    line = path.read_text().splitlines().index("import no_such_module_here") + 1
    run = kata(1, path, state=state)
    assert run.returncode == 1
    assert "No module named 'no_such_module_here'" in run.stdout and f"line {line}" in run.stdout, run.output
    assert "Traceback" not in run.output


def test_a_recursion_error_is_explained(tmp_path, state):
    run = kata(1, engine(tmp_path, RECURSIVE_RADD), "-k", "numbers_on_either_side", state=state)
    block = failure_blocks(run.stdout)["test_numbers_on_either_side"]
    assert "RecursionError: __radd__ called itself" in block and "write it as `self + other`" in block, block
    assert "return other + self" in block and len(block.splitlines()) < 15


def test_a_failing_hypothesis_example_prints_a_command_that_replays_it(tmp_path, state):
    path = engine(tmp_path, WRONG_TANH)
    run = kata(2, path, "-k", "chain", state=state)
    block = failure_blocks(run.stdout)["test_op_in_a_chain_matches_finite_differences[tanh]"]
    replay = next(line for line in block.splitlines() if line.strip().startswith("replay"))
    cmd = shlex.split(replay.split("replay", 1)[1])
    assert cmd[:3] == ["python", "-m", "pytest"] and "--level=2" in cmd and f"--impl={path}" in cmd
    example = next(line for line in block.splitlines() if line.strip().startswith("example"))
    again = subprocess.run([sys.executable, *cmd[1:], "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True,
                           text=True, timeout=300, env={**__import__("os").environ, "KATA_STATE_DIR": str(state)})
    again_blocks = failure_blocks(again.stdout)
    assert list(again_blocks) == ["test_op_in_a_chain_matches_finite_differences[tanh]"], again.stdout[-2000:]
    assert example in again_blocks["test_op_in_a_chain_matches_finite_differences[tanh]"], "the same example"


def test_the_kata_report_and_the_progress_file(tmp_path, state):
    report = tmp_path / "report.json"
    run = kata(1, "reference", f"--kata-report={report}", state=state)
    assert run.returncode == 0
    data = json.loads(report.read_text())
    assert (data["level"], data["passed"], data["failed"], data["total"]) == (1, 23, 0, 23)
    assert data["complete"] and len(data["tests"]) == 23 and {t["outcome"] for t in data["tests"]} == {"passed"}
    assert "every test of levels 1-1 passes" in run.stdout
    assert not (state / "progress.json").exists()

    broken = kata(2, engine(tmp_path, SYNTAX_ERROR), f"--kata-report={report}", state=state)
    data = json.loads(report.read_text())
    assert broken.returncode == 1 and data["passed"] == 0 and data["total"] > 23 and "syntax error" in data["error"]

    learner = kata(1, "learner", "-k", "add_computes_data", state=state)  # reads katas/level1, writes nothing there
    progress = json.loads((state / "progress.json").read_text())
    last = progress["levels"]["1"]["last"]
    assert last["total"] == 23 and last["impl"] == "learner" and not last["complete"], learner.output[-1500:]


def test_tracebacks_come_back_with_an_explicit_tb(tmp_path, state):
    run = kata(2, engine(tmp_path, WRONG_TANH), "-k", "local_derivative and tanh", "--tb=short", state=state)
    assert "AssertionError" in run.stdout and "stuck?" not in run.stdout


def test_only_kata_tests_are_shaped():
    assert feedback._item_level(ROOT / "tests" / "test_feedback.py") is None
    assert feedback._item_level(ROOT / "katas" / "level1" / "test_level1.py") == 1


def test_likely_causes_of_common_errors():
    assert "__radd__" in feedback.likely_cause(TypeError("unsupported operand type(s) for +: 'int' and 'Value'"), None)
    assert "return out" in feedback.likely_cause(AttributeError("'NoneType' object has no attribute 'data'"), None)
    assert "Value(other)" in feedback.likely_cause(AttributeError("'int' object has no attribute 'data'"), None)
