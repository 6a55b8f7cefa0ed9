"""``run_level`` runs a level against a class defined in a notebook: no file, the same report.

Each check runs a fresh interpreter whose ``Value`` is defined in ``__main__``
from a string, as a notebook cell defines it, in a folder outside the kata.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

import pytest

from runner.manifest import ROOT

LEARNER = (ROOT / "tests" / "zoo" / "correct" / "micrograd_closures.py").read_text()
NETWORK = (ROOT / "tests" / "zoo" / "correct" / "network" / "nn.py").read_text().replace("from .value import Value", "")


def notebook(tmp_path, cells: list[str], call: str) -> subprocess.CompletedProcess:
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from utils.notebook import run_level
        for cell in {cells!r}:
            exec(cell)
        print("exit code", {call})
    """)
    env = dict(os.environ, KATA_STATE_DIR=str(tmp_path / "state"))
    return subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600, env=env)


def test_a_class_from_a_cell_passes_level_1_with_the_kata_report(tmp_path):
    run = notebook(tmp_path, [LEARNER], "run_level(1, Value)")
    assert "exit code 0" in run.stdout, run.stdout[-3000:] + run.stderr[-3000:]
    assert "kata: level 1" in run.stdout and "every test of levels 1-1 passes" in run.stdout
    assert not any((ROOT / "katas" / "level1").glob("_kata*")), "nothing is written into the kata's folders"


def test_a_wrong_class_fails_with_the_failing_test_named(tmp_path):
    wrong = LEARNER.replace("other.grad += self.data * out.grad", "other.grad += other.data * out.grad")
    assert wrong != LEARNER
    run = notebook(tmp_path, [wrong], "run_level(1, Value)")
    assert "exit code 1" in run.stdout, run.stdout[-3000:] + run.stderr[-3000:]
    assert "katas/level1/test_level1.py::" in run.stdout and "next: " in run.stdout and "mul" in run.stdout


def test_level_4_takes_the_network_from_the_notebooks_names(tmp_path):
    run = notebook(tmp_path, [LEARNER, NETWORK], 'run_level(4, Value, "-k", "parameter_counts", nn=globals())')
    assert "exit code 0" in run.stdout, run.stdout[-3000:] + run.stderr[-3000:]
    assert "4 passed" in run.stdout


def test_a_missing_network_name_is_named():
    from utils.notebook import run_level

    class Value:
        pass

    with pytest.raises(ValueError, match="train_step"):
        run_level(4, Value, nn={"Module": 1, "Neuron": 1, "Layer": 1, "MLP": 1, "hinge_loss": 1})
    with pytest.raises(TypeError, match="the class itself"):
        run_level(1, Value(), nn=None)


def test_a_failures_replay_line_is_the_run_level_call_that_runs_it_again(tmp_path):
    """The throw-away folder of a notebook run is gone afterwards: the replay line is a call to paste in a cell."""
    wrong = LEARNER.replace("other.grad += self.data * out.grad", "other.grad += other.data * out.grad")
    run = notebook(tmp_path, [wrong], "run_level(1, Value)")
    replays = re.findall(r"^\s+replay\s+(.*)$", run.stdout, re.M)
    assert replays, run.stdout[-3000:]
    assert not [r for r in replays if "kata-notebook-" in r or "nox -s" in r], replays
    call = replays[0]
    assert re.fullmatch(r"run_level\(1, Value, 'katas/level1/test_level1\.py::[^']+'\)", call), call
    test = call.split("::")[1].rstrip("')")
    again = notebook(tmp_path, [wrong], call)
    assert "exit code 1" in again.stdout, again.stdout[-3000:] + again.stderr[-3000:]
    assert re.search(r"\b1 failed in ", again.stdout) and f"_ {test} _" in again.stdout, again.stdout[-3000:]
