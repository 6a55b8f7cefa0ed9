"""Numerical gradient checking that works with any engine's ``Value``.

    from utils.finite_difference_checker import check_gradients
    report = check_gradients(lambda x, y: x * y + x, [2.0, 3.0], Value)
    assert report.ok, report

The analytic gradients come from the engine's ``backward()``; the numerical
ones from central differences of the engine's forward pass,

    (f(x + h) - f(x - h)) / 2h,   h = step * max(1, |x|),

in float64. The step is relative to |x| so that large inputs are not lost in
rounding; the default step is near eps**(1/3), where the truncation error
(~h**2) and the rounding error (~eps/h) of a central difference balance.
An input passes when |analytic - numerical| <= max(rtol * |numerical|, atol) (utils/close.py).

``method="forward"`` uses the one-sided difference (f(x + h) - f(x)) / h
instead (error ~h, best step near eps**(1/2)); docs/gradient-checking.md
compares the two. ``check_parameters`` checks a whole model: the gradient of
a loss with respect to a sample of its parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from utils.close import Disagreement
from utils.close import close as utils_close

DEFAULT_STEP = 6e-6  # about (2.2e-16) ** (1/3)
DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-6
FORWARD_STEP = 1.5e-8  # about (2.2e-16) ** (1/2), the best step of a one-sided difference
METHODS = ("central", "forward")


@dataclass
class GradientReport:
    """What ``check_gradients`` found: the forward value and each disagreeing input."""

    expression: str
    inputs: dict[str, float]
    output: float
    analytic: list[float]
    numerical: list[float]
    mismatches: list[Disagreement] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        where = ", ".join(f"{k} = {v:g}" for k, v in self.inputs.items())
        if self.ok:
            return f"{self.expression} at {where}: every gradient agrees with finite differences"
        lines = [f"{self.expression} at {where}: {len(self.mismatches)} gradient(s) disagree"]
        lines += [str(m) for m in self.mismatches]
        return "\n".join(lines)


def numerical_gradient(f: Callable[[Sequence[float]], float], xs: Sequence[float], i: int,
                       step: float | None = None, method: str = "central") -> float:
    """Central (or, with ``method="forward"``, one-sided) difference of ``f``, a
    function of a list of floats, in coordinate ``i``. The default step suits the method."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if step is None:
        step = DEFAULT_STEP if method == "central" else FORWARD_STEP
    h = step * max(1.0, abs(xs[i]))
    up, down = list(xs), list(xs)
    up[i] += h
    if method == "forward":
        return (f(up) - f(down)) / (up[i] - down[i])
    down[i] -= h
    return (f(up) - f(down)) / (up[i] - down[i])  # the step actually taken, after rounding


def close(a: float, b: float, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> bool:
    """Whether backward()'s ``a`` agrees with the numerical ``b``: the kata's one rule (utils/close.py)."""
    return utils_close(a, b, rtol, atol)


def check_gradients(
    f: Callable,
    inputs: Sequence[float],
    Value: type,
    *,
    names: Sequence[str] | None = None,
    expression: str | None = None,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
    step: float | None = None,
    method: str = "central",
) -> GradientReport:
    """Compare ``backward()`` with central differences for ``f(*Values)``.

    ``f`` takes one engine ``Value`` per input and returns a ``Value``.
    ``names`` label the inputs in the report (default x0, x1, ...).
    ``method="forward"`` uses one-sided differences (looser: raise ``rtol``).
    """
    xs = [float(x) for x in inputs]
    names = list(names) if names is not None else [f"x{i}" for i in range(len(xs))]
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    analytic = [float(leaf.grad) for leaf in leaves]

    def forward(values: Sequence[float]) -> float:
        return float(f(*[Value(v) for v in values]).data)

    numerical = [numerical_gradient(forward, xs, i, step, method) for i in range(len(xs))]
    return _report(expression or getattr(f, "__name__", "f"), names, xs, float(out.data), analytic, numerical,
                   rtol, atol)


def _report(expression: str, names: Sequence[str], xs: Sequence[float], output: float, analytic: list[float],
            numerical: list[float], rtol: float, atol: float) -> GradientReport:
    """The report, listing each input whose two gradients disagree."""
    report = GradientReport(expression, dict(zip(names, xs)), output, analytic, numerical)
    report.mismatches = [Disagreement(name, a, n, at=x) for name, x, a, n in zip(names, xs, analytic, numerical)
                         if not close(a, n, rtol, atol)]
    return report


def check_parameters(
    loss: Callable[[], object],
    parameters: Sequence,
    *,
    sample: int | None = 10,
    seed: int = 0,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
    step: float | None = None,
    method: str = "central",
    expression: str = "loss",
) -> GradientReport:
    """Check a whole model: ``backward()`` of ``loss()`` against finite differences
    in a random sample of the parameters (all of them with ``sample=None``).

    ``loss`` rebuilds the loss from the parameters' current ``data`` (a new graph
    each call); ``parameters`` are the model's leaf Values, e.g. ``model.parameters()``.
    Every parameter's ``grad`` is reset before the one backward() this makes, and
    each sampled parameter's ``data`` is restored after it is nudged.
    """
    params = list(parameters)
    chosen = list(range(len(params)))
    if sample is not None and sample < len(params):
        import random

        chosen = sorted(random.Random(seed).sample(chosen, sample))
    for p in params:
        p.grad = 0.0
    out = loss()
    out.backward()
    analytic = [float(params[i].grad) for i in chosen]
    xs = [float(params[i].data) for i in chosen]

    def forward_at(k: int) -> Callable[[Sequence[float]], float]:
        p = params[chosen[k]]

        def f(values: Sequence[float]) -> float:
            saved = p.data
            p.data = values[k]
            try:
                return float(loss().data)
            finally:
                p.data = saved

        return f

    numerical = [numerical_gradient(forward_at(k), xs, k, step, method) for k in range(len(chosen))]
    names = [f"parameters()[{i}]" for i in chosen]
    return _report(expression, names, xs, float(out.data), analytic, numerical, rtol, atol)


def assert_gradients(f: Callable, inputs: Sequence[float], Value: type, **kwargs) -> GradientReport:
    """``check_gradients`` that raises AssertionError with the report when any input disagrees."""
    report = check_gradients(f, inputs, Value, **kwargs)
    if not report.ok:
        raise AssertionError(str(report))
    return report
