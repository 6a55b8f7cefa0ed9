"""The first wrong op: runner/diagnose.py on engines with one planted mistake, and on correct ones."""

from __future__ import annotations

import importlib
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.catalogue import REFERENCE, patched
from tests.feedback_helpers import load_value
from runner import diagnose
from utils.programs import Program, Step
from utils.strategies import programs


def nothing_confirmed(text: str) -> bool:
    """The diagnosis' "no single cause confirmed", naming the ops it checked."""
    said = re.escape("each op checked")
    return bool(re.fullmatch(re.escape(diagnose.NOTHING).replace(said, said + r" \([a-z]+(, [a-z]+)*\)"), text))


@pytest.fixture(scope="module")
def reference():
    return load_value(REFERENCE)


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", text)]


@settings(max_examples=40)
@given(program=programs(["add", "mul", "radd", "rmul", "tanh", "neg", "sub"], n_inputs=3, max_steps=6),
       xs=st.lists(st.floats(-1.5, 1.5).map(lambda v: round(v, 3)), min_size=3, max_size=3))
def test_a_correct_engine_has_no_diagnosis(reference, program, xs):
    assert nothing_confirmed(diagnose.explain(reference, program, xs))


def test_the_reference_has_no_diagnosis(reference):
    assert diagnose.diagnose(reference, 2) is None


def test_works_on_micrograd_as_shipped():
    """Another engine entirely (set _prev, labels such as '**2' and 'ReLU'): no false alarm."""
    micrograd = pytest.importorskip("micrograd.engine")
    prog = Program(2, (Step("mul", (0, 1)), Step("pow", (2, 2.0)), Step("relu", (3,)), Step("add", (4, 0)),
                       Step("mul", (5, 5))))
    assert nothing_confirmed(diagnose.explain(micrograd.Value, prog, [0.7, -1.3]))
    assert nothing_confirmed(diagnose.explain(micrograd.Value, lambda a: a + a, [3.0]))


def test_wrong_tanh_derivative_is_named_with_both_numbers(tmp_path):
    Value = load_value(patched("wrong_tanh", tmp_path))
    x = 0.5
    prog = Program(2, (Step("mul", (0, 1)), Step("tanh", (2,)), Step("add", (3, 0))))
    text = diagnose.explain(Value, prog, [x, 1.0])
    assert "tanh: your backward gave" in text and "1 - tanh(x)**2" in text, text
    got, at, expected = numbers(text.split("tanh: your backward gave", 1)[1])[:3]
    t = math.tanh(at)
    assert got == pytest.approx(1 - t, rel=1e-5), "the engine's (wrong) local derivative"
    assert expected == pytest.approx(1 - t * t, rel=1e-5), "the right one, 1 - tanh(x)**2"


def test_assignment_instead_of_accumulation_is_named(tmp_path):
    Value = load_value(patched("assign", tmp_path))
    for f, inputs in [(lambda a: a + a, [3.0]), (lambda x, y: x * y + x, [2.0, 3.0])]:
        text = diagnose.explain(Value, f, inputs)
        assert "missing accumulation" in text and "+=" in text, text


def test_a_wrong_derivative_used_twice_is_not_called_missing_accumulation(tmp_path):
    found = diagnose.diagnose(load_value(patched("wrong_tanh", tmp_path)), 2)
    assert found.kind == "local" and found.op == "tanh" and "accumulation" not in found.message


@pytest.mark.parametrize("mistake, said", [
    ("no_topological_order", "ran before"),
    ("recursive_no_order", "times"),
    ("no_traversal", "never ran"),
])
def test_an_order_bug_is_traced_step_by_step(tmp_path, mistake, said):
    """Engines with _backward closures: the steps backward() runs are recorded, and the first
    wrong one is named (before, twice, never)."""
    found = diagnose.diagnose(load_value(patched(mistake, tmp_path)), 1)
    assert found is not None and found.kind == "order" and said in found.message, found
    assert "reverse topological order" in found.message


def test_order_problems_of_step_sequences():
    assert diagnose.order_problem(["z", "w", "u", "y"]) is None
    assert "y's backward step (y = x * x) ran before u's" in diagnose.order_problem(["z", "w", "y", "u"])
    assert "ran 2 times" in diagnose.order_problem(["z", "w", "u", "y", "y"])
    assert "never ran" in diagnose.order_problem(["z"])


def test_a_missing_seed_is_named(tmp_path):
    Value = load_value(patched("no_seed", tmp_path))
    found = diagnose.diagnose(Value, 1)
    assert found.kind == "seed" and "setting the output's grad to 1" in found.message
    text = diagnose.explain(Value, lambda x, y: x * y, [2.0, 3.0])
    assert "add" not in text and "mul" not in text, "the seed, not an op"


def test_a_missing_chain_factor_is_told_apart_from_a_wrong_derivative(tmp_path):
    found = diagnose.diagnose(load_value(patched("mul_ignores_out_grad", tmp_path)), 1)
    assert found.kind == "chain" and found.op == "mul" and "ignores out.grad" in found.message, found
    assert "float32" not in found.message and "order" not in found.message


def test_int_truncation_and_float32_are_named_only_when_probed(tmp_path):
    found = diagnose.diagnose(load_value(patched("int_data", tmp_path)), 1)
    assert found.kind == "data" and "Value(2.5).data is 2" in found.message, found
    found = diagnose.diagnose(load_value(patched("float32_data", tmp_path)), 1)
    assert found.kind == "float32" and "single precision" in found.message, found


def test_a_swapped_reflected_division_reads_as_the_learner_wrote_it(tmp_path):
    found = diagnose.diagnose(load_value(patched("rtruediv_swapped", tmp_path)), 2)
    assert "your 2.5 / x gave x / 2.5" in found.message, found


def test_nothing_confirmed_is_said(reference):
    assert nothing_confirmed(diagnose.explain(reference, lambda x: x * 2, [1.0]))


def test_explain_never_raises(tmp_path, reference):
    def broken(x):
        raise ValueError("not an engine problem the diagnosis should report")

    assert nothing_confirmed(diagnose.explain(reference, broken, [1.0]))
    text = diagnose.explain(object, lambda x: x, [1.0])
    assert text == "" or text.startswith("no single cause confirmed (no probe passed; could not run: ") or (
        text == "cause (confirmed by a probe): your Value has no method __add__: write it (the level's README says "
                "what it computes)"), text


@pytest.mark.parametrize("name, kind, said", [
    ("breadth_first_order", "order", "ran before"),
    ("forward_topological_order", "order", "ran before the step of its user"),
    ("shared_node_visited_twice", "order", "ran 3 times"),
    ("recursive_backward_without_order", "order", "ran 2 times"),
    ("backward_without_traversal", "order", "or never ran"),
    ("no_seed_gradient", "seed", "grad to 1"),
    ("missing_chain_factor", "chain", "ignores out.grad"),
    ("float32_rounding", "float32", "single precision"),
    ("assign_in_tanh_backward", "accumulation", "missing accumulation in tanh"),
    ("mul_derivative_swapped", "local", "mul: your backward gave"),
    ("rtruediv_operands_swapped", "forward", "your 2.5 / x gave x / 2.5"),
])
def test_engines_without_closures_get_the_same_diagnosis(name, kind, said):
    """The zoo's engines store local derivatives (no _backward): the order is checked by the numbers
    each wrong order gives, after every op checked out on its own."""
    Value = importlib.import_module(f"tests.zoo.{name}").Value
    found = diagnose.diagnose(Value, 2)
    assert found is not None and found.kind == kind and said in found.message, found


@pytest.mark.parametrize("name", ["iterative_dfs", "micrograd_closures", "slots_kahn", "micrograd_as_learners_write"])
def test_correct_engines_of_every_style_have_no_diagnosis(name):
    assert diagnose.diagnose(importlib.import_module(f"tests.zoo.correct.{name}").Value, 2) is None


@pytest.mark.parametrize("name, said", [
    ("backward_resets_leaves", diagnose.LEAVES_RESET),
    ("second_backward_compounds", diagnose.INTERIOR_KEPT),
    ("correct.iterative_dfs", ""),
    ("correct.slots_kahn", ""),
])
def test_backward_twice_names_one_cause_or_none(name, said):
    """Never both 'more than doubled' and 'not doubled': the probe says which, or nothing."""
    Value = importlib.import_module(f"tests.zoo.{name}").Value
    assert diagnose.backward_twice(Value, lambda x, y: x * y + x, [2.0, 3.0]) == said


# -- several bugs at once: every finding, each tied only to the failures it explains -------------------------


def _findings(name: str, level: int = 2) -> dict:
    Value = importlib.import_module(f"tests.zoo.{name}").Value
    return {f.op: f for f in diagnose.diagnosis(Value, level).findings}


def test_two_bugs_give_two_findings_each_tied_to_its_own_op():
    from runner.checks import Mismatch

    found = _findings("multi_rsub_swapped_pow_overwrites")
    assert found["rsub"].kind == "forward" and "must return other - self" in found["rsub"].message
    assert found["pow"].kind == "accumulation"
    diag = diagnose.diagnosis(importlib.import_module("tests.zoo.multi_rsub_swapped_pow_overwrites").Value, 2)
    rsub_failure = Mismatch(1.0, -1.0, "x.grad", kind="gradient", ops=("rsub",))
    pow_failure = Mismatch(1.0, 2.0, "x.grad", kind="gradient", ops=("pow",))
    assert [f.op for f in diag.tied(rsub_failure)] == ["rsub"]
    assert [f.op for f in diag.tied(pow_failure)] == ["pow"]


def test_an_op_that_returns_a_float_is_a_finding_not_a_silent_skip():
    found = _findings("multi_sub_returns_a_float")
    assert "not a Value" in found["sub"].message and found["sub"].method == "__sub__"
    assert found["exp"].kind == "local"


def test_a_missing_method_and_a_closure_on_the_operand_are_told_as_they_are():
    assert _findings("multi_missing_relu_wrong_exp")["relu"].kind == "missing"
    found = _findings("multi_add_same_operand_once_exp_closure_on_operand")
    assert found["exp"].kind == "closure" and "accumulation" not in found["exp"].message
    assert found["add"].kind == "accumulation" and "(x + x)" in found["add"].message


def test_a_failure_carries_its_data():
    from runner.checks import Mismatch, example, expect, forget_example

    example(args=(1.0, 2.0))
    try:
        expect(3.0, 4.0, "x.grad", "why", ops=("mul",), graph="out", names={"x": 1})
    except Mismatch as m:
        assert (m.computed, m.expected, m.kind, m.ops, m.graph, m.example) == (3.0, 4.0, "gradient", ("mul",), "out",
                                                                               {"args": (1.0, 2.0)})
    else:
        raise AssertionError("expect did not raise")
    finally:
        forget_example()
