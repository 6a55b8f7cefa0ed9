"""Run a level of the kata against a ``Value`` written in a Jupyter notebook.

    from utils.notebook import run_level

    class Value:              # written in a cell, as in the micrograd lecture
        ...

    run_level(2, Value)                  # levels 1-2 against this class; the same report as `nox -s level2`
    run_level(4, Value, nn=globals())    # level 4: Module, Neuron, Layer, MLP, hinge_loss and train_step
                                         # are taken from the notebook's names (or pass a module)
    run_level(3, Value, "-k", "deep")    # extra arguments go to pytest
    run_level(2, Value, "katas/level2/test_level2.py::test_op_forward[tanh]")   # one test, as a replay line says

A class defined in a notebook has no file, and the kata's ``--impl`` loader
takes files. So the class is registered under a module name of its own for
the length of the run, and a throw-away ``value.py`` (and ``nn.py``) says
``from <that module> import Value``; pytest runs in this process
(``pytest.main``), so the tests see the very class of the notebook, with
whatever it closes over. Nothing in the kata's folders is written; the
learner's own files and progress are left alone. The throw-away folder is gone
once the run ends, so a failure's replay line is the ``run_level`` call that
runs that test again from the notebook (``KATA_NOTEBOOK_REPLAY``, read by
runner/blocks.py), not a ``nox`` command.

The notebook's kernel must start with the kata's folder as its working
folder, or have it on ``sys.path`` (``import sys; sys.path.insert(0, "/path/to/kata")``).
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPLAY = "KATA_NOTEBOOK_REPLAY"  # runner/blocks.py prints it as a failure's replay line
NN_NAMES = ("Module", "Neuron", "Layer", "MLP", "hinge_loss", "train_step")

_counter = itertools.count()


def _namespace(nn) -> dict:
    """The level-4 names from a module, an object with attributes, or a mapping (``globals()``)."""
    if isinstance(nn, dict):
        return {k: nn[k] for k in NN_NAMES if k in nn}
    return {k: getattr(nn, k) for k in NN_NAMES if hasattr(nn, k)}


def run_level(level: int, Value, *pytest_args: str, nn=None) -> int:  # noqa: N803 - the class, by its name
    """Run levels 1..``level``'s tests against ``Value`` (and ``nn`` at level 4); print the kata's
    report and return pytest's exit code (0: every test passed)."""
    import pytest

    if not isinstance(Value, type):
        raise TypeError(f"run_level({level}, Value): Value must be the class itself, got {Value!r}")
    name = f"_kata_notebook_{next(_counter)}"
    module = types.ModuleType(name, "the classes of a notebook, for one run of the kata")
    module.Value = Value
    stems = ["value"]
    if nn is not None:
        names = _namespace(nn)
        missing = [k for k in NN_NAMES if k not in names]
        if missing:
            raise ValueError(f"run_level({level}, Value, nn=...): no {', '.join(missing)} in nn")
        vars(module).update(names)
        stems.append("nn")
    sys.modules[name] = module
    replay = os.environ.get(REPLAY)
    try:
        with tempfile.TemporaryDirectory(prefix="kata-notebook-") as folder:
            for stem in stems:
                exported = "Value" if stem == "value" else ", ".join(NN_NAMES)
                (Path(folder) / f"{stem}.py").write_text(
                    f"# the notebook's classes, registered for this run\nfrom {name} import {exported}  # noqa: F401\n")
            tests = [str(ROOT / a) if a.startswith("katas/") else a for a in pytest_args]  # a replayed test id
            where = [] if any(a.startswith("katas/") for a in pytest_args) else [str(ROOT / "katas")]
            args = [*where, f"--level={level}", f"--impl={folder}", "-p", "no:cacheprovider", f"--rootdir={ROOT}",
                    *tests]
            given = "" if nn is None else ", nn=globals()" if isinstance(nn, dict) else ", nn=nn"
            os.environ[REPLAY] = f"run_level({level}, Value, {{nodeid!r}}{given})"
            return int(pytest.main(args))
    finally:
        sys.modules.pop(name, None)
        if replay is None:
            os.environ.pop(REPLAY, None)
        else:
            os.environ[REPLAY] = replay
