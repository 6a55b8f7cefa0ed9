"""One registry of the kata's ops.

Each entry says how to call the op on any engine's ``Value`` (the same call
works on a ``torch.Tensor``, which is how the PyTorch oracle reuses it), what
it computes on plain floats, its local derivatives, the formula a learner
would write, and the input domain on which finite differences are safe (away
from kinks and overflow). The level tests, the gradient checkers, the oracle
and the diagnostics all read this one table.

Arguments are either a ``Value`` ("v") or a plain number ("n"), so the
reflected ops are just ``2.0 - x``: ``args=("n", "v")``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Interval:
    """Inputs from [lo, hi], or from [lo, hi] and [-hi, -lo] when ``signed``."""

    lo: float
    hi: float
    signed: bool = False


@dataclass(frozen=True)
class Op:
    name: str
    level: int | None  # the kata level that introduces it; None: reference extras
    args: tuple[str, ...]  # "v" a Value, "n" a plain number
    call: Callable  # the op on engine objects (or torch tensors)
    fn: Callable[..., float]  # the op on floats
    grad: Callable[..., tuple[float, ...]]  # d out / d arg, for every arg
    formula: str  # the derivative as a learner writes it
    domain: tuple[Interval, ...]  # a safe interval per arg
    symbol: str  # how the expression prints, with {0}, {1} for the args

    def show(self, *args) -> str:
        return self.symbol.format(*args)


def _stable_sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# Domains keep finite differences honest: no kinks (relu at 0), no poles
# (division near 0), no overflow, and gradients of a sane size.
_ANY = Interval(-3.0, 3.0)
_AWAY_FROM_ZERO = Interval(0.5, 3.0, signed=True)

OPS: dict[str, Op] = {
    op.name: op
    for op in [
        # level 1
        Op("add", 1, ("v", "v"), lambda a, b: a + b, lambda a, b: a + b,
           lambda a, b: (1.0, 1.0), "d(a+b)/da = 1, d(a+b)/db = 1", (_ANY, _ANY), "({0} + {1})"),
        Op("mul", 1, ("v", "v"), lambda a, b: a * b, lambda a, b: a * b,
           lambda a, b: (b, a), "d(a*b)/da = b, d(a*b)/db = a", (_ANY, _ANY), "({0} * {1})"),
        Op("radd", 1, ("n", "v"), lambda c, x: c + x, lambda c, x: c + x,
           lambda c, x: (0.0, 1.0), "d(c+x)/dx = 1", (_ANY, _ANY), "({0} + {1})"),
        Op("rmul", 1, ("n", "v"), lambda c, x: c * x, lambda c, x: c * x,
           lambda c, x: (0.0, c), "d(c*x)/dx = c", (_ANY, _ANY), "({0} * {1})"),
        # level 2
        Op("relu", 2, ("v",), lambda x: x.relu(), lambda x: max(x, 0.0),
           lambda x: (1.0 if x > 0 else 0.0,), "1 if x > 0 else 0", (_AWAY_FROM_ZERO,), "relu({0})"),
        Op("tanh", 2, ("v",), lambda x: x.tanh(), math.tanh,
           lambda x: (1.0 - math.tanh(x) ** 2,), "1 - tanh(x)**2", (Interval(-4.0, 4.0),), "tanh({0})"),
        Op("pow", 2, ("v", "n"), lambda x, k: x**k, lambda x, k: x**k,
           lambda x, k: (k * x ** (k - 1), 0.0), "k * x**(k-1)", (Interval(0.5, 3.0), _ANY), "({0} ** {1})"),
        Op("exp", 2, ("v",), lambda x: x.exp(), math.exp,
           lambda x: (math.exp(x),), "exp(x)", (Interval(-4.0, 4.0),), "exp({0})"),
        Op("neg", 2, ("v",), lambda x: -x, lambda x: -x,
           lambda x: (-1.0,), "-1", (_ANY,), "(-{0})"),
        Op("sub", 2, ("v", "v"), lambda a, b: a - b, lambda a, b: a - b,
           lambda a, b: (1.0, -1.0), "d(a-b)/da = 1, d(a-b)/db = -1", (_ANY, _ANY), "({0} - {1})"),
        Op("rsub", 2, ("n", "v"), lambda c, x: c - x, lambda c, x: c - x,
           lambda c, x: (0.0, -1.0), "d(c-x)/dx = -1", (_ANY, _ANY), "({0} - {1})"),
        Op("truediv", 2, ("v", "v"), lambda a, b: a / b, lambda a, b: a / b,
           lambda a, b: (1.0 / b, -a / b**2), "d(a/b)/da = 1/b, d(a/b)/db = -a/b**2",
           (_ANY, _AWAY_FROM_ZERO), "({0} / {1})"),
        Op("rtruediv", 2, ("n", "v"), lambda c, x: c / x, lambda c, x: c / x,
           lambda c, x: (0.0, -c / x**2), "d(c/x)/dx = -c/x**2", (_ANY, _AWAY_FROM_ZERO), "({0} / {1})"),
        # beyond the kata: the reference engine has them too
        Op("log", None, ("v",), lambda x: x.log(), math.log,
           lambda x: (1.0 / x,), "1/x", (Interval(0.2, 5.0),), "log({0})"),
        Op("sigmoid", None, ("v",), lambda x: x.sigmoid(), _stable_sigmoid,
           lambda x: (_stable_sigmoid(x) * (1.0 - _stable_sigmoid(x)),), "sigmoid(x) * (1 - sigmoid(x))",
           (Interval(-6.0, 6.0),), "sigmoid({0})"),
    ]
}

def ops_up_to(level: int) -> list[Op]:
    """The ops a learner has implemented by the end of ``level``."""
    return [op for op in OPS.values() if op.level is not None and op.level <= level]


def ops_of(level: int) -> list[Op]:
    """The ops ``level`` introduces."""
    return [op for op in OPS.values() if op.level == level]
