"""The numerical gradient checker, on known derivatives and on deliberately wrong gradients."""

from __future__ import annotations

import math

import pytest

from reference.engine import Value
from utils.finite_difference_checker import (
    assert_gradients,
    check_gradients,
    check_parameters,
    close,
    numerical_gradient,
)


@pytest.mark.parametrize(
    "f, df, x",
    [
        (lambda v: v**3, lambda x: 3 * x**2, 1.7),
        (lambda v: v.tanh(), lambda x: 1 - math.tanh(x) ** 2, 0.3),
        (lambda v: v.exp(), math.exp, 2.5),
        (lambda v: v.log(), lambda x: 1 / x, 0.2),
        (lambda v: (v * v).sigmoid(), lambda x: 2 * x * math.exp(-x * x) / (1 + math.exp(-x * x)) ** 2, -1.1),
        (lambda v: v * 1e6, lambda x: 1e6, 1e5),  # large input: the step is relative to |x|
    ],
)
def test_known_derivatives_agree(f, df, x):
    report = check_gradients(f, [x], Value, names=["x"])
    assert report.ok, str(report)
    assert report.numerical[0] == pytest.approx(df(x), rel=1e-7)
    assert report.analytic[0] == pytest.approx(df(x), rel=1e-12)


def test_numerical_gradient_of_plain_floats():
    assert numerical_gradient(lambda xs: xs[0] ** 2 * xs[1], [3.0, 2.0], 0) == pytest.approx(12.0, rel=1e-8)
    assert numerical_gradient(lambda xs: xs[0] ** 2 * xs[1], [3.0, 2.0], 1) == pytest.approx(9.0, rel=1e-8)


class WrongTanh(Value):
    """tanh whose backward forgets the square: 1 - tanh(x)."""

    def tanh(self):
        out = super().tanh()
        t = out.data

        def _backward():
            self.grad += (1 - t) * out.grad

        out._backward = _backward
        return out


def test_a_wrong_gradient_is_named_with_both_numbers():
    report = check_gradients(lambda x, y: x.tanh() * y, [0.5, 2.0], WrongTanh, names=["x", "y"],
                             expression="tanh(x) * y")
    assert not report.ok and not report
    assert [m.what for m in report.mismatches] == ["x"], "only x's gradient is wrong"
    m = report.mismatches[0]
    assert m.engine == pytest.approx((1 - math.tanh(0.5)) * 2.0)
    assert m.expected == pytest.approx((1 - math.tanh(0.5) ** 2) * 2.0, rel=1e-7)
    text = str(report)
    assert "tanh(x) * y" in text and "x = 0.5" in text
    assert f"{m.engine:.6g}" in text and f"{m.expected:.6g}" in text


def test_assert_gradients_raises_with_the_report():
    with pytest.raises(AssertionError, match="1 gradient"):
        assert_gradients(lambda x: x.tanh(), [0.5], WrongTanh, names=["x"])
    assert assert_gradients(lambda x: x.tanh(), [0.5], Value).ok


class AssignsInsteadOfAccumulating(Value):
    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad
            other.grad = out.grad

        out._backward = _backward
        return out


def test_missing_accumulation_is_caught():
    report = check_gradients(lambda a: a + a, [3.0], AssignsInsteadOfAccumulating, names=["a"])
    assert not report.ok
    assert report.mismatches[0].engine == 1.0 and report.mismatches[0].expected == pytest.approx(2.0)


def test_tolerance_is_relative_and_absolute():
    assert close(1e6, 1e6 + 1)  # relative part
    assert close(0.0, 1e-7)  # absolute part
    assert not close(1.0, 1.001)


# -- one-sided differences and whole models --------------------------------------


def test_one_sided_differences_are_less_accurate_but_agree_loosely():
    f = lambda xs: math.exp(xs[0])  # noqa: E731
    central = abs(numerical_gradient(f, [1.0], 0) - math.e)
    forward = abs(numerical_gradient(f, [1.0], 0, method="forward") - math.e)
    assert central < 1e-8 < forward < 1e-6
    assert check_gradients(lambda x: x.exp() * x, [0.9], Value, method="forward", rtol=1e-6).ok
    with pytest.raises(ValueError, match="method"):
        numerical_gradient(f, [1.0], 0, method="backward")


def test_check_parameters_samples_a_model_and_finds_a_detached_parameter():
    import random

    from reference.nn import MLP, hinge_loss

    random.seed(3)
    model = MLP(2, [4, 4, 1])
    X, y = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8]], [1, -1, 1]
    before = [p.data for p in model.parameters()]
    report = check_parameters(lambda: hinge_loss(model, X, y, alpha=1e-3), model.parameters(), sample=8, seed=1)
    assert report.ok, str(report)
    assert len(report.inputs) == 8 and all(k.startswith("parameters()[") for k in report.inputs)
    assert [p.data for p in model.parameters()] == before, "every nudged parameter is restored"
    everything = check_parameters(lambda: hinge_loss(model, X, y), model.parameters(), sample=None)
    assert len(everything.inputs) == len(before) and everything.ok

    bias = model.layers[0].neurons[0].b  # a loss that does not use the parameter's Value, only its data

    def detached():
        saved = model.layers[0].neurons[0].b
        model.layers[0].neurons[0].b = Value(saved.data)
        try:
            return hinge_loss(model, X, y)
        finally:
            model.layers[0].neurons[0].b = saved

    index = model.parameters().index(bias)
    report = check_parameters(detached, model.parameters(), sample=None)
    assert [m.what for m in report.mismatches] == [f"parameters()[{index}]"], str(report)
    assert report.analytic[index] == 0.0 and report.numerical[index] != 0.0
