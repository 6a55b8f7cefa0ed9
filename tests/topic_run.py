"""The topic's three test files, ``tests/test_basic.py``, ``test_edge.py`` and ``test_stress.py``.

They are thin: each selects one category of the kata's own level tests (core,
edge cases, stress) and runs it on the learner's engine at the furthest level
they have started, in a fresh ``pytest katas --level N`` process whose screen
(the kata's usual friendly output) goes straight to the terminal:

    pytest tests/test_basic.py -v                  # core tests, your furthest level
    pytest tests/test_edge.py --level 2            # edge cases of levels 1-2
    pytest tests/test_stress.py --impl reference   # the deep and wide graphs, on the reference

They run only when named on the command line: the self-test (``pytest tests``)
collects them and skips them, because the learner's files are stubs there.
Run this way, the kata records no progress in ``.kata/`` (the self-test's
conftest gives every run under ``tests/`` a state folder of its own); the
level sessions (``nox -s levelN``) do. Every kata test belongs to one category: EDGE and STRESS list theirs by level,
everything else is core (a new test is core until listed).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from runner import manifest

CATEGORIES = ("basic", "edge", "stress")

# test function names of each level's file (parametrized tests run with every parameter)
EDGE = {
    1: ["test_numbers_on_either_side", "test_gradient_of_numbers_on_either_side", "test_leaf_backward",
        "test_a_plus_a", "test_a_times_a"],
    2: ["test_relu_at_zero_has_gradient_zero", "test_tanh_saturates_without_overflow",
        "test_zero_to_a_negative_power_raises_zero_division", "test_value_exponent_is_refused_or_differentiated",
        "test_non_numeric_operand_is_refused"],
    3: ["test_backward_twice_matches_pytorch_retain_graph", "test_backward_twice_on_random_graphs_matches_pytorch",
        "test_relu_at_exactly_zero_matches_pytorch", "test_tanh_of_1000_matches_pytorch"],
    4: ["test_module_has_no_parameters_and_zero_grad_works", "test_neuron_accepts_values_and_a_single_input",
        "test_layer_returns_a_list_or_one_value"],
}
STRESS = {
    1: ["test_long_chain", "test_wide_sum"],
    3: ["test_chain_deeper_than_the_recursion_limit", "test_sum_of_5_000_squares", "test_one_node_used_5_000_times"],
    4: ["test_training_reaches_95_percent_on_held_out_points"],
}


def test_names(test_file: Path) -> list[str]:
    """The test functions of one test file, in file order, read without importing it."""
    import ast

    tree = ast.parse(test_file.read_text(encoding="utf-8"))
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]


def node_ids(category: str, upto: int) -> list[str]:
    """The node ids of one category at levels 1..upto, relative to the repository root."""
    out = []
    for lv in manifest.levels():
        if lv.number > upto:
            break
        special = set(EDGE.get(lv.number, [])) | set(STRESS.get(lv.number, []))
        chosen = {"edge": EDGE, "stress": STRESS}.get(category, {}).get(lv.number, [])
        for test_file in lv.test_files:
            rel = test_file.relative_to(manifest.ROOT).as_posix()
            for name in test_names(test_file):
                if (name in chosen) if category != "basic" else (name not in special):
                    out.append(f"{rel}::{name}")
    return out


def furthest_level() -> int:
    """The highest level whose files the learner has changed from the stubs (1 if none).
    With ``--impl`` other than ``learner`` and no ``--level``, every level runs."""
    furthest = 1
    for lv in manifest.levels():
        for name in lv.files:
            mine, stub = lv.path / name, lv.stub_path / name
            try:
                if mine.read_bytes() != stub.read_bytes():
                    furthest = lv.number
            except OSError:
                continue
    return furthest


def named_explicitly(config: pytest.Config, file: str) -> bool:
    """Whether ``file`` (or a test in it) was given on the command line, not just found in a folder."""
    here = Path(file).resolve()
    for arg in config.invocation_params.args:
        path = Path(str(arg).split("::")[0])
        if not path.is_absolute():
            path = Path(config.invocation_params.dir) / path
        if path.suffix == ".py" and path.resolve() == here:
            return True
    return False


def command(category: str, level: int, impl: str, verbose: int) -> list[str]:
    return [sys.executable, "-m", "pytest", *node_ids(category, level), f"--level={level}", f"--impl={impl}",
            "-p", "no:cacheprovider", *(["-v"] if verbose > 0 else [])]


def run(request: pytest.FixtureRequest, category: str, file: str) -> None:
    config = request.config
    if not named_explicitly(config, file):
        pytest.skip(f"runs the kata's {category} tests on your engine only when named: pytest tests/{Path(file).name}")
    impl = config.getoption("impl")
    level = config.getoption("level") or (furthest_level() if impl == "learner" else manifest.levels()[-1].number)
    cmd = command(category, level, impl, config.getoption("verbose"))
    what = {"basic": "core", "edge": "edge-case", "stress": "stress"}[category]
    engine = f"your code in katas/level{level}" if impl == "learner" else impl
    with request.getfixturevalue("capsys").disabled():  # the kata's screen goes straight to the terminal
        print(f"\nThe {what} tests of levels 1-{level} on {engine}"
              + (" (the furthest level you have started; --level N to choose)" if impl == "learner"
                 and not config.getoption("level") else "") + ":", flush=True)
        proc = subprocess.run(cmd, cwd=manifest.ROOT)
    if proc.returncode != 0:
        pytest.fail(f"some {what} tests do not pass yet: the kata's report is above", pytrace=False)

