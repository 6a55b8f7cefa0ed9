"""Which op of the registry made a node: reading any engine's graph through ``_prev``, ``_op`` and ``data``.

Labels are free-form (``'+'``, ``'**2'``, ``'ReLU'``), so an unknown label is
recognised from the data alone. Used by the diagnosis (runner/diagnose.py) to
probe the ops of a failing graph at the values the test used.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from utils.graph import operands, topological_order
from utils.close import close
from utils.ops import OPS, Op

__all__ = ["Step", "identify", "operands", "steps", "topological_order"]

_LABELS: dict[str, tuple[str, ...]] = {
    "+": ("add",), "add": ("add",), "plus": ("add",),
    "*": ("mul",), "mul": ("mul",), "times": ("mul",),
    "-": ("sub", "neg"), "sub": ("sub",), "neg": ("neg",), "negate": ("neg",),
    "/": ("truediv",), "div": ("truediv",), "truediv": ("truediv",),
    "relu": ("relu",), "tanh": ("tanh",), "exp": ("exp",), "log": ("log",), "ln": ("log",),
    "sigmoid": ("sigmoid",), "pow": ("pow",), "**": ("pow",), "^": ("pow",),
}
_EXPONENTS = (2, 3, -1, -2, 0.5, -0.5, 1.5, 1, 0, 4, -3)


# -- recognising the op of a node ---------------------------------------------------


@dataclass
class Step:
    """A recognised node: ``op`` applied to ``args`` (operand nodes, or plain numbers)."""

    op: Op
    args: list  # each an operand node or a float constant

    def values(self) -> list[float]:
        return [float(a.data) if _is_node(a) else float(a) for a in self.args]


def _is_node(x) -> bool:
    return hasattr(x, "data") and hasattr(x, "grad")


def _matches(op: Op, args: list[float], data: float) -> bool:
    try:
        return close(op.fn(*args), data, 1e-9, 1e-12)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return False


def _candidates(label: str) -> tuple[str, ...]:
    label = label.strip()
    low = label.lower()
    if low in _LABELS:
        return _LABELS[low]
    if low.startswith(("**", "pow", "^")):
        return ("pow",)
    return tuple(OPS)  # a label we do not know: recognise the op from the data


def _exponent_from_label(label: str) -> float | None:
    m = re.search(r"(?:\*\*|\^|pow)\s*\(?\s*(-?\d+(?:\.\d*)?(?:e-?\d+)?)", label)
    return float(m.group(1)) if m else None


def identify(node) -> Step | None:
    """Which op of the registry made ``node``, and from which operands; None if no op fits."""
    ops_ = operands(node)
    if not ops_:
        return None
    try:
        data = float(node.data)
    except (TypeError, ValueError):
        return None
    label = str(getattr(node, "_op", "") or "")
    for name in _candidates(label):
        op = OPS[name]
        for args in _arrangements(op, ops_, data, label):
            if _matches(op, [float(a.data) if _is_node(a) else a for a in args], data):
                return Step(op, list(args))
    return None


def _arrangements(op: Op, ops_: list, data: float, label: str):
    """Ways the node's operands could fill the op's arguments."""
    n = len(op.args)
    if op.name == "pow":
        if len(ops_) != 1:
            return
        x = ops_[0]
        k = _exponent_from_label(label)
        ks = [k] if k is not None else list(_EXPONENTS)
        if k is None:
            try:  # any other exponent: read it off the data
                ks.append(round(math.log(abs(data)) / math.log(abs(float(x.data))), 6))
            except (ValueError, ZeroDivisionError, OverflowError):
                pass
        for k in ks:
            yield [x, k]
        return
    if op.args != ("v",) * n:  # radd, rmul, rsub, rtruediv: in a graph these are add, mul, ... of a constant
        return
    if n == 1 and len(ops_) == 1:
        yield [ops_[0]]
    elif n == 2 and len(ops_) == 2:
        a, b = ops_
        yield [a, b]
        yield [b, a]
    elif n == 2 and len(ops_) == 1:
        a = ops_[0]
        yield [a, a]  # the same node on both sides: a + a, a * a
        try:  # an engine that keeps a plain-number operand out of _prev
            x = float(a.data)
            if op.name == "add":
                yield [a, data - x]
            elif op.name == "mul" and x != 0:
                yield [a, data / x]
        except (TypeError, ValueError):
            pass


def steps(out) -> list[Step]:
    """Every recognised op of the graph of ``out``, output first."""
    found = []
    for node in reversed(topological_order(out)):
        step = identify(node)
        if step is not None:
            found.append(step)
    return found
