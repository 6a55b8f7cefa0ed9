"""Stage "ops": x.sigmoid() and x.log(), each with its local derivative.

Driven by the kata's op registry (utils/ops.py): the forward value, the local
derivative against the registry's formula, and the op inside a graph against
finite differences; then sigmoid at the far ends of the floats.
"""

import pytest
from hypothesis import given, strategies as st
from pytest import approx

from runner.checks import expect_gradients, expect_true
from utils.finite_difference_checker import check_gradients
from utils.ops import OPS
from utils.strategies import op_args

STAGE_OPS = ["sigmoid", "log"]


def method(Value, name):
    if not callable(getattr(Value, name, None)):
        pytest.fail(f"Value has no {name}() method: add x.{name}() to the class", pytrace=False)


@pytest.mark.parametrize("name", STAGE_OPS)
@given(data=st.data())
def test_forward_and_local_derivative(Value, name, data):
    """op(x).data is the op on floats; after backward(), x.grad is the local derivative."""
    method(Value, name)
    op = OPS[name]
    (x0,) = data.draw(op_args(op), label="x")
    x = Value(x0)
    out = op.call(x)
    expect_true(isinstance(out, Value), f"{name}({x0}) returned {out!r}, not a Value")
    expect_true(out.data == approx(op.fn(x0), rel=1e-9, abs=1e-12),
                f"{name}: your forward gave {out.data!r} at x = {x0}; expected {op.fn(x0)!r}")
    out.backward()
    (expected,) = op.grad(x0)
    expect_true(x.grad == approx(expected, rel=1e-9, abs=1e-12),
                f"{name}: your backward gave x.grad = {x.grad!r} at x = {x0}; expected {expected!r} = {op.formula}")


@pytest.mark.parametrize("name", STAGE_OPS)
@given(data=st.data())
def test_in_a_graph_matches_finite_differences(Value, name, data):
    """y = op(x); out = y * w + y: the chain rule and accumulation through the new op."""
    method(Value, name)
    op = OPS[name]
    (x0,) = data.draw(op_args(op), label="x")
    w0 = data.draw(st.floats(-2, 2).map(lambda v: round(v, 3)), label="w")

    def f(x, w):
        y = op.call(x)
        return y * w + y

    report = check_gradients(f, [x0, w0], Value, names=["x", "w"], expression=f"y = {name}(x); out = y * w + y")
    expect_gradients(report)


@pytest.mark.parametrize("x0, expected", [(-1000.0, 0.0), (1000.0, 1.0), (-745.5, 0.0), (710.0, 1.0)])
def test_sigmoid_never_overflows(Value, x0, expected):
    """sigmoid of a huge |x| is 0 or 1 (exactly, as floats), with gradient 0: no OverflowError."""
    method(Value, "sigmoid")
    x = Value(x0)
    try:
        y = x.sigmoid()
        y.backward()
    except OverflowError as e:
        pytest.fail(f"sigmoid({x0}) raised OverflowError ({e}): math.exp({-x0:g}) overflows. "
                    "For x < 0 use e^x / (1 + e^x), whose exp is below 1.", pytrace=False)
    expect_true(y.data == approx(expected, abs=1e-300),
                f"sigmoid({x0}) should be {expected}, your engine gives {y.data!r}")
    expect_true(x.grad == approx(0.0, abs=1e-300), f"sigmoid'({x0}) should be 0, your engine gives {x.grad!r}")


def test_new_ops_record_the_graph(Value):
    """sigmoid(x) and log(x) are new nodes with x among their operands."""
    for name in STAGE_OPS:
        method(Value, name)
        x = Value(0.5)
        out = getattr(x, name)()
        expect_true(any(p is x for p in out._prev), f"x.{name}() should keep x in _prev, it has {list(out._prev)!r}")
