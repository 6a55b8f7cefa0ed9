"""A private copy of the reference engine (``reference/engine.py``) for the stages' wrong engines.

The stages build on a finished engine, so their wrong engines are the reference
with one mistake patched into their own copy (the reference module itself is
never modified): ``ref = fresh()``, then ``Value = ref.Value`` and the module's
functions (``softmax``, ``cross_entropy``, ``neuron_forward``, ``neuron_backward``).
"""

import importlib.util
import itertools
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "engine.py"
_copies = itertools.count()


def fresh():
    """A new module executed from reference/engine.py: its own Value class and functions."""
    spec = importlib.util.spec_from_file_location(f"_zoo_reference_{next(_copies)}", REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
