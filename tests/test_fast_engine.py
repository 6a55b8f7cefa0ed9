"""The fast engine (reference/fast.py, the escape hatch) op by op: the registry, the fused ops, the edge cases.

The level tests check it as a whole (tests/test_solutions.py runs levels 1-3
against it); these check what the levels do not reach: log and sigmoid, the
fused n-ary ops, its node layouts, and agreement with the teaching reference
on the same random graphs.
"""

from __future__ import annotations

import gc
import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest import approx

from reference.engine import Value as Reference
from reference.fast import Value
from utils.finite_difference_checker import check_gradients
from utils.ops import OPS
from utils.strategies import op_args, programs

SMOOTH_OPS = ["add", "mul", "radd", "rmul", "tanh", "exp", "neg", "sub", "rsub", "sigmoid"]


def test_the_escape_hatch_is_the_fast_engine():
    from utils.autograd_stub import Value as Hatch

    assert Hatch is Value


@pytest.mark.parametrize("name", list(OPS))
@given(data=st.data())
def test_every_registry_op_forward_and_local_derivative(name, data):
    """Each op of utils/ops.py (levels 1-2 and the extras log, sigmoid): output and local derivatives."""
    op = OPS[name]
    args = data.draw(op_args(op), label="args")
    leaves = [Value(a) if kind == "v" else a for kind, a in zip(op.args, args)]
    out = op.call(*leaves)
    assert isinstance(out, Value)
    assert out.data == approx(op.fn(*args), rel=1e-12, abs=1e-12)
    out.backward()
    for kind, leaf, expected in zip(op.args, leaves, op.grad(*args)):
        if kind == "v":
            assert leaf.grad == approx(expected, rel=1e-9, abs=1e-12), f"{name} at {args}: {op.formula}"


@pytest.mark.parametrize("name", list(OPS))
@given(data=st.data())
def test_every_registry_op_in_a_graph_matches_finite_differences(name, data):
    op = OPS[name]
    args = data.draw(op_args(op), label="args")
    kinds = op.args

    def f(*vs):
        it = iter(vs)
        y = op.call(*[next(it) if kind == "v" else a for kind, a in zip(kinds, args)])
        return y * y + y  # y reused: its gradient must accumulate

    value_args = [a for kind, a in zip(kinds, args) if kind == "v"]
    report = check_gradients(f, value_args, Value, expression=f"y = {name}(...); y * y + y")
    assert report.ok, str(report)


# -- the fused n-ary ops ------------------------------------------------------------


@given(
    ws=st.lists(st.floats(-2, 2), min_size=1, max_size=6),
    xs=st.lists(st.floats(-2, 2), min_size=6, max_size=6),
    which=st.lists(st.booleans(), min_size=13, max_size=13),
    b=st.floats(-2, 2),
)
def test_dot_matches_finite_differences_with_numbers_and_values_mixed(ws, xs, which, b):
    """Value.dot(ws, xs, b) = sum(w * x) + b, any term a plain number or a Value; reused Values too."""
    n = len(ws)
    inputs = ws + xs[:n] + [b]
    is_value = which[: len(inputs)]
    if not any(is_value):
        is_value[0] = True

    def f(*vs):
        it = iter(vs)
        terms = [next(it) if v else a for v, a in zip(is_value, inputs)]
        out = Value.dot(terms[:n], terms[n:2 * n], terms[2 * n])
        return out * terms[0] if isinstance(terms[0], Value) else out

    value_inputs = [a for v, a in zip(is_value, inputs) if v]
    report = check_gradients(f, value_inputs, Value, expression="dot(ws, xs, b) (* w0)", atol=1e-5)
    assert report.ok, str(report)


def test_dot_is_one_node_with_the_right_gradients():
    w = [Value(2.0), Value(-1.0)]
    x = [Value(3.0), 5.0]
    b = Value(0.5)
    out = Value.dot(w, x, b)
    assert out.data == 2 * 3 - 5 + 0.5
    assert {id(v) for v in out._prev} == {id(w[0]), id(w[1]), id(x[0]), id(b)}, "plain numbers are no operands"
    out.backward()
    assert [w[0].grad, w[1].grad, x[0].grad, b.grad] == [3.0, 5.0, 2.0, 1.0]


def test_dot_of_a_vector_with_itself_doubles():
    ps = [Value(1.5), Value(-2.0)]
    out = Value.dot(ps, ps)
    out.backward()
    assert out.data == 1.5**2 + 4.0
    assert [p.grad for p in ps] == [3.0, -4.0], "d(p.p)/dp = 2p"


def test_sum_with_numbers_values_and_a_start():
    a, b, start = Value(1.0), Value(2.0), Value(10.0)
    out = Value.sum([a, 3.0, b, a], start)
    out.backward()
    assert out.data == 17.0
    assert (a.grad, b.grad, start.grad) == (2.0, 1.0, 1.0)
    assert Value.sum([]).data == 0.0


def test_fused_ops_refuse_non_numbers():
    with pytest.raises(TypeError):
        Value.dot([Value(1.0)], ["a"])
    with pytest.raises(TypeError):
        Value.sum([Value(1.0), "a"])


# -- the same numbers as the teaching reference ----------------------------------------


@settings(max_examples=100)
@given(program=programs(SMOOTH_OPS, n_inputs=3, max_steps=10),
       xs=st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3))
def test_agrees_with_the_reference_engine_on_random_graphs(program, xs):
    fast, ref = [Value(x) for x in xs], [Reference(x) for x in xs]
    out_f, out_r = program(*fast), program(*ref)
    out_f.backward()
    out_r.backward()
    assert out_f.data == approx(out_r.data, rel=1e-12, abs=1e-12), str(program)
    assert [v.grad for v in fast] == approx([v.grad for v in ref], rel=1e-9, abs=1e-12), str(program)


# -- the contract's edge cases ---------------------------------------------------------------


def test_edge_cases_of_the_contract():
    with pytest.raises(TypeError):
        Value("a")
    with pytest.raises(TypeError):
        Value(1.0) + "a"
    with pytest.raises(TypeError):
        "a" * Value(1.0)
    with pytest.raises(TypeError):
        Value(2.0) ** Value(3.0)
    with pytest.raises(ZeroDivisionError):
        Value(0.0) ** -1
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / Value(0.0)
    with pytest.raises(ZeroDivisionError):
        2.0 / Value(0.0)
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0, "relu'(0) = 0"
    for x0 in (1000.0, -1000.0):
        x = Value(x0)
        y = x.tanh()
        y.backward()
        assert (y.data, x.grad) == (math.copysign(1.0, x0), 0.0)
    assert Value(3).data == 3.0 and isinstance(Value(3).data, float)


def test_pow_edge_cases_match_pytorch():
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0, "x**0 is flat, also at 0"
    x = Value(0.0)
    (x**0.5).backward()
    assert x.grad == math.inf, "sqrt is vertical at 0"
    with pytest.raises(ValueError):
        Value(-2.0) ** 0.5


def test_backward_twice_doubles_leaves_and_resets_interior_nodes():
    x, y = Value(2.0), Value(3.0)
    h = x * y
    z = h + x
    z.backward()
    assert (x.grad, y.grad, h.grad) == (4.0, 2.0, 1.0)
    z.backward()
    assert (x.grad, y.grad, h.grad) == (8.0, 4.0, 1.0), "leaves accumulate, interior grads start again from 0"


def test_graph_records_operands_and_labels():
    a, b = Value(1.0), Value(2.0)
    for node, operands in [(a + b, {a, b}), (a * 2, {a}), (3 - a, {a}), (a.tanh(), {a}), (a + a, {a})]:
        assert set(node._prev) == operands
        assert isinstance(node._op, str) and node._op
    assert list(a._prev) == [] and a._op == ""
    manual = Value(5.0, (a, b), "custom")
    assert set(manual._prev) == {a, b} and manual._op == "custom"
    same = a
    assert a == same and a != Value(1.0), "== is identity"
    assert len({a, b, a}) == 2, "Values are hashable"


def test_backward_step_by_step_with_the_private_backward():
    """``_backward()`` sends one node's grad to its operands, as in the closure style."""
    a, b = Value(2.0), Value(3.0)
    out = a * b
    out.grad = 1.0
    out._backward()
    assert (a.grad, b.grad) == (3.0, 2.0)


def test_a_chain_far_deeper_than_the_recursion_limit():
    n = max(50_000, 20 * sys.getrecursionlimit())
    x = Value(0.5)
    y = x
    for _ in range(n):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_a_dropped_graph_leaves_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = Value(1.0)
        y = x
        for _ in range(1000):
            y = (y * 0.5 + x).tanh() + Value.dot([y, x], [x, 2.0])
        y.backward()
        del y
        found = gc.collect()
    finally:
        gc.enable()
    assert found == 0, f"the cyclic collector found {found} unreachable objects: the graph has cycles"
