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

from tests.catalogue import patched
from tests.feedback_helpers import ROOT, failure_blocks, kata
from runner import blocks, causes, manifest, paths


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


MAX_LINES = blocks.MAX_LINES


def test_a_wrong_tanh_derivative_is_a_tanh_problem_with_both_numbers(tmp_path, state):
    run = kata(2, patched("wrong_tanh", tmp_path), "-k", "tanh or derived", state=state)
    blocks = failure_blocks(run.stdout)
    local = blocks["test_op_local_derivative[tanh]"]
    m = re.search(r"tanh: your backward gave (\S+) for argument 1 at x = (\S+); expected (\S+) = 1 - tanh\(x\)\*\*2",
                  local)
    assert m, local
    got, x, expected = float(m[1]), float(m[2]), float(m[3])
    assert got == pytest.approx(1 - math.tanh(x)) and expected == pytest.approx(1 - math.tanh(x) ** 2)
    chain = blocks["test_op_in_a_chain_matches_finite_differences[tanh]"]
    # the cause is said once, under the first failure it explains; later blocks it explains point there
    assert "cause (confirmed by a probe): tanh: your backward gave" in local, local
    assert "cause: tanh's derivative (confirmed by a probe, said in full in an earlier block)" in chain, chain
    assert "finite differences give" in chain, "a shortened block keeps its numbers"
    derived = blocks["test_derived_ops_together"]
    assert "cause: tanh's derivative (confirmed by a probe, said in full in an earlier block)" in derived, derived
    accumulation = blocks["test_op_accumulates_into_its_operands[tanh]"]
    assert "accumulation" not in accumulation.replace("accumulates", ""), "a wrong derivative, not a missing +="
    for block in blocks.values():
        assert len(block.strip().splitlines()) <= MAX_LINES + 1, "one screen per failure"
        assert "site-packages" not in block and "utils/" not in block.replace("runner/diagnose", "")


def test_an_assignment_instead_of_plus_equals_is_missing_accumulation(tmp_path, state):
    run = kata(2, patched("assign", tmp_path), "-k", "random_graphs or chain or a_plus_a", state=state)
    blocks = failure_blocks(run.stdout)
    assert blocks, run.output[-2000:]
    assert "cause (confirmed by a probe): missing accumulation in add" in blocks["test_a_plus_a"]
    assert "must add to the operand's grad (+=), not overwrite it (=)" in blocks["test_a_plus_a"]
    graph_tests = [b for name, b in blocks.items() if "random_graphs" in name or "chain" in name]
    assert graph_tests and all("missing accumulation" in b for b in graph_tests), graph_tests


def test_an_infinite_loop_in_backward_ends_at_the_timeout(tmp_path, state):
    started = time.monotonic()
    run = kata(1, patched("infinite_loop", tmp_path), "--timeout=2", "-k", "add_backward or random_graphs",
               state=state, timeout=120)
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"took {elapsed:.0f} s"
    assert "stopped after 2 s, the time limit of a kata test on this machine" in run.stdout, run.output
    m = re.search(r"stopped in\s+(\S+):(\d+), in backward \(inside backward\(\)\)", run.stdout)
    assert m and m[1].endswith("value.py"), run.stdout[-1500:]
    lines = (tmp_path / "value.py").read_text().splitlines()
    loop = next(i for i, text in enumerate(lines, 1) if "while i < len(queue)" in text)
    assert loop <= int(m[2]) <= loop + 3, "the line where the loop was stopped"
    ref = re.search(r"the reference engine runs this test in ([\d.]+) s on this machine", run.stdout)
    assert ref and float(ref[1]) < 2, "measured there and then"
    assert "infinite loop" not in run.stdout, "no claim without evidence"
    assert "Interrupted: a test ran past its time limit inside backward()" in run.output, "every test would hang"


def test_a_slow_graph_build_is_not_called_a_loop(tmp_path, state):
    run = kata(1, patched("slow_mul", tmp_path), "--timeout=1", "-k", "test_mul_computes_data or test_add_computes",
               state=state, timeout=120)
    block = failure_blocks(run.stdout)["test_mul_computes_data"]
    assert "building the graph" in block and "in __mul__" in block, block
    assert "loop" not in block and "Interrupted" not in run.output, "the run goes on"
    assert re.search(r"level 1\s+1 of 23", run.stdout), run.stdout[-800:]


def test_a_syntax_error_is_one_screen_with_file_and_line(tmp_path, state):
    path = patched("syntax_error", tmp_path)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "def relu(self)" in text)
    run = kata(2, path, state=state)
    assert run.returncode == 1
    assert f"{path}, line {line}" in run.stdout or f"value.py, line {line}" in run.stdout, run.output
    assert "def relu(self)" in run.stdout and "expected ':'" in run.stdout
    assert "Traceback" not in run.output and "ERROR collecting" not in run.output
    assert len(run.output.splitlines()) < 30, run.output


def test_an_import_error_names_the_module_file_and_line(tmp_path, state):
    path = patched("import_error", tmp_path)
    line = path.read_text().splitlines().index("import no_such_module_here") + 1
    run = kata(1, path, state=state)
    assert run.returncode == 1
    assert "No module named 'no_such_module_here'" in run.stdout and f"line {line}" in run.stdout, run.output
    assert "Traceback" not in run.output


def test_a_recursion_error_is_explained(tmp_path, state):
    run = kata(1, patched("recursive_radd", tmp_path), "-k", "numbers_on_either_side", state=state)
    block = failure_blocks(run.stdout)["test_numbers_on_either_side"]
    assert "RecursionError: __radd__ called itself" in block and "write it as `self + other`" in block, block
    assert "return other + self" in block and len(block.splitlines()) < 15


def test_a_failing_hypothesis_example_prints_a_command_that_replays_it(tmp_path, state):
    path = patched("wrong_tanh", tmp_path)
    run = kata(2, path, "-k", "chain", state=state)
    block = failure_blocks(run.stdout)["test_op_in_a_chain_matches_finite_differences[tanh]"]
    replay = next(line for line in block.splitlines() if line.strip().startswith("replay"))
    cmd = shlex.split(replay.split("replay", 1)[1])
    # a nox session, so that a learner with only nox installed can run it; the noxfile runs
    # `python -m pytest ARGS --level=N` when ARGS name a test
    assert cmd[:4] == ["nox", "-s", "level2", "--"] and f"--impl={path}" in cmd, cmd
    assert "::" in cmd[4]
    pytest_cmd = [sys.executable, "-m", "pytest", *cmd[4:], "--level=2"]
    example = next(line for line in block.splitlines() if line.strip().startswith("example"))
    again = subprocess.run([*pytest_cmd, "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True,
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

    broken = kata(2, patched("syntax_error", tmp_path), f"--kata-report={report}", state=state)
    data = json.loads(report.read_text())
    assert broken.returncode == 1 and data["passed"] == 0 and data["total"] > 23 and "syntax error" in data["error"]

    learner = kata(1, "learner", "-k", "add_computes_data", state=state)  # reads katas/level1, writes nothing there
    progress = json.loads((state / "progress.json").read_text())
    last = progress["levels"]["1"]["last"]
    assert last["total"] == 23 and last["impl"] == "learner" and not last["complete"], learner.output[-1500:]


def test_tracebacks_come_back_with_an_explicit_tb(tmp_path, state):
    run = kata(2, patched("wrong_tanh", tmp_path), "-k", "local_derivative and tanh", "--tb=short", state=state)
    assert "Mismatch" in run.stdout and "stuck?" not in run.stdout


def test_only_kata_tests_are_shaped():
    assert paths.level_number(ROOT / "tests" / "test_feedback.py") is None
    assert paths.level_number(ROOT / "katas" / "level1" / "test_level1.py") == 1


def test_likely_causes_of_common_errors():
    class Value:  # an engine with __add__ and __mul__ only
        def __add__(self, other): ...
        def __mul__(self, other): ...

    said = causes.likely_cause(TypeError("unsupported operand type(s) for +: 'int' and 'Value'"), None, Value)
    assert "__radd__" in said and "does not have" in said
    said = causes.likely_cause(TypeError("unsupported operand type(s) for /: 'Value' and 'Value'"), None, Value)
    assert "no __truediv__" in said and "__rtruediv__" not in said  # Value / Value: the forward method is missing
    assert causes.likely_cause(TypeError("unsupported operand type(s) for +: 'int' and 'Value'"), None) == ""  # unchecked
    assert "return out" in causes.likely_cause(AttributeError("'NoneType' object has no attribute 'data'"), None)
    assert "Value(other)" in causes.likely_cause(AttributeError("'int' object has no attribute 'data'"), None)


def test_no_module_of_the_runner_or_tools_imports_pytest_internals():
    for path in [*(ROOT / "runner").rglob("*.py"), *(ROOT / "tools").rglob("*.py")]:
        text = path.read_text()
        assert not re.search(r"^\s*(from|import) _pytest", text, re.MULTILINE), path
        assert "config._" not in text, f"{path}: the plugin's state lives in config.stash"


def test_a_micrograd_style_engine_passes_level_2_with_review_notes(tmp_path, state):
    """All ops right, no input checks, an assert for types, tanh through exp, a recursive sort:
    the level passes, and the summary says what, why and how for each."""
    report = tmp_path / "report.json"
    run = kata(2, ROOT / "tests" / "zoo" / "correct" / "micrograd_as_learners_write.py", f"--kata-report={report}",
               state=state)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "review notes (4; not failures" in run.stdout
    for words in ("Value('a') does not raise TypeError", "an assert vanishes under `python -O`",
                  "build_topo() (micrograd_as_learners_write.py:95) called itself", "use math.tanh(x)"):
        assert words in run.stdout, words
    keys = {note["key"] for note in json.loads(report.read_text())["advice"]}
    assert keys == {"value-of-a-non-number", "assert-for-types", "recursive-topological-sort", "tanh-through-exp"}


def test_an_assert_in_the_learners_code_is_theirs_and_says_what_the_test_expected(tmp_path, state):
    run = kata(2, patched("pow_asserts_on_negative", tmp_path), "-k", "zero_to_a_negative", state=state)
    block = failure_blocks(run.stdout)["test_zero_to_a_negative_power_raises_zero_division"]
    assert block.startswith("your code's assert failed: only positive powers"), block
    assert re.search(r"your code\s+\S*value.py:\d+, in __pow__", block), block
    assert "expected: Value(0) ** -1 raises ZeroDivisionError" in block, block


def test_the_output_is_checked_on_the_lowest_and_highest_supported_versions():
    """pyproject.toml's lower bounds are what `nox -s feedback_versions` installs as "lowest"."""
    noxfile = (ROOT / "noxfile.py").read_text()
    assert re.search(r"^def feedback_versions\(session", noxfile, re.M)
    lowest = re.search(r'"lowest": \[([^]]*)\]', noxfile)[1]
    deps = (ROOT / "pyproject.toml").read_text()
    for name in ("pytest", "hypothesis", "pytest-timeout"):
        pinned = re.search(rf'"{name}==([\d.]+)"', lowest)[1]
        floor = re.search(rf'"{name}>=([\d.]+),<(\d+)', deps)
        assert floor, f"pyproject.toml declares a range for {name}"
        assert tuple(map(int, pinned.split("."))) == tuple(map(int, (floor[1] + ".0.0").split(".")[:len(pinned.split("."))])), name


def test_a_swapped_reflected_division_reads_as_the_learner_wrote_it(tmp_path, state):
    """The forward test stops on a ZeroDivisionError (hypothesis shrinks c to 0); the block opens with the
    probe's example, which shows the wrong number, names the method and says what it must return."""
    run = kata(2, patched("rtruediv_swapped", tmp_path), "-k", "test_op_forward and rtruediv", state=state)
    block = failure_blocks(run.stdout)["test_op_forward[rtruediv]"]
    assert block.strip().startswith("rtruediv: your 2.5 / x gave x / 2.5"), block
    assert "in __rtruediv__(self, other)" in block and "must return other / self" in block, block
    assert "your code raised ZeroDivisionError" in block, block
    assert "the test    expected: The op's data matches the same op on plain floats." in block, block
