"""The first wrong op: runner/diagnose.py on engines with one planted mistake, and on correct ones."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.feedback_helpers import ASSIGN, NO_SEED, NO_TOPOLOGICAL_ORDER, REFERENCE, WRONG_TANH, engine, load_value
from runner import diagnose
from utils.programs import Program, Step
from utils.strategies import programs


@pytest.fixture(scope="module")
def reference():
    return load_value(REFERENCE)


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", text)]


@settings(max_examples=40)
@given(program=programs(["add", "mul", "radd", "rmul", "tanh", "neg", "sub"], n_inputs=3, max_steps=6),
       xs=st.lists(st.floats(-1.5, 1.5).map(lambda v: round(v, 3)), min_size=3, max_size=3))
def test_a_correct_engine_has_no_diagnosis(reference, program, xs):
    assert diagnose.explain(reference, program, xs) == ""


def test_check_ops_finds_nothing_on_the_reference(reference):
    assert diagnose.check_ops(reference, 2) == []


def test_works_on_micrograd_as_shipped():
    """Another engine entirely (set _prev, labels such as '**2' and 'ReLU'): no false alarm."""
    micrograd = pytest.importorskip("micrograd.engine")
    prog = Program(2, (Step("mul", (0, 1)), Step("pow", (2, 2.0)), Step("relu", (3,)), Step("add", (4, 0)),
                       Step("mul", (5, 5))))
    assert diagnose.explain(micrograd.Value, prog, [0.7, -1.3]) == ""
    assert diagnose.explain(micrograd.Value, lambda a: a + a, [3.0]) == ""


def test_wrong_tanh_derivative_is_named_with_both_numbers(tmp_path):
    Value = load_value(engine(tmp_path, WRONG_TANH))
    x = 0.5
    prog = Program(2, (Step("mul", (0, 1)), Step("tanh", (2,)), Step("add", (3, 0))))
    text = diagnose.explain(Value, prog, [x, 1.0])
    assert "tanh: your backward gave" in text and "1 - tanh(x)**2" in text, text
    got, at, expected = numbers(text.split("tanh: your backward gave", 1)[1])[:3]
    t = math.tanh(x)
    assert at == pytest.approx(x)
    assert got == pytest.approx(1 - t, rel=1e-5), "the engine's (wrong) local derivative"
    assert expected == pytest.approx(1 - t * t, rel=1e-5), "the right one, 1 - tanh(x)**2"
    assert "[at n3]" in text, "names the node of the program"


def test_assignment_instead_of_accumulation_is_named(tmp_path):
    Value = load_value(engine(tmp_path, ASSIGN))
    text = diagnose.explain(Value, lambda a: a + a, [3.0])
    assert "missing accumulation" in text and "+=" in text, text
    # a leaf used by two different ops: x*y + x keeps only the last share
    text = diagnose.explain(Value, lambda x, y: x * y + x, [2.0, 3.0])
    assert "missing accumulation" in text and "x0" in text, text


def test_an_order_that_is_not_topological_is_named(tmp_path):
    Value = load_value(engine(tmp_path, NO_TOPOLOGICAL_ORDER))

    def f(x):
        a = x * 2
        return a + a * 3  # a is passed on before the share through a * 3 reached it

    text = diagnose.explain(Value, f, [1.5])
    assert "topological" in text, text


def test_a_missing_seed_is_named(tmp_path):
    Value = load_value(engine(tmp_path, NO_SEED))
    text = diagnose.explain(Value, lambda x, y: x * y, [2.0, 3.0])
    assert "set" in text and "to 1" in text, text


def test_check_ops_names_the_wrong_op(tmp_path):
    found = diagnose.check_ops(load_value(engine(tmp_path, WRONG_TANH)), 2)
    assert [f.op for f in found] == ["tanh"]
    found = diagnose.check_ops(load_value(engine(tmp_path, ASSIGN, "assign.py")), 1)
    assert found and all(f.kind == "accumulation" for f in found)


def test_explain_never_raises(tmp_path, reference):
    def broken(x):
        raise ValueError("not an engine problem the diagnosis should report")

    assert diagnose.explain(reference, broken, [1.0]) == ""
    assert diagnose.explain(object, lambda x: x, [1.0]) == ""
