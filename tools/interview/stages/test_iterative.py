"""Stage "iterative": backward() on a chain of 200 000 nodes, and still right on shared nodes.

A wrong gradient's message says what was computed and expected; the cause comes from the
kata's diagnosis (runner/diagnose.py), which states one only when a probe confirmed it."""

import math

from runner.checks import expect, expect_true

DEEP = 100_000


def test_a_chain_of_200_000_nodes(Value):
    """y = ((x + 0.001) * 0.99999 + 0.001) * 0.99999 ..., 100 000 times: dy/dx = 0.99999 ** 100 000."""
    x = Value(0.5)
    y = x
    for _ in range(DEEP):
        y = (y + 0.001) * 0.99999
    y.backward()  # a RecursionError gets the levels' block: which function called itself
    expect(x.grad, 0.99999**DEEP, "x.grad", "dy/dx = 0.99999 ** 100000", rel=1e-9, ops=("add", "mul"))


def test_a_deep_chain_with_a_shortcut(Value):
    """u = 3x feeds both the end of a 50 000-node chain and the output: every path's share
    must reach u before u passes its gradient on (a topological order, not any order)."""
    x = Value(2.0)
    u = x * 3.0
    y = u
    for _ in range(DEEP // 2):
        y = y * 1.0
    out = y * 2.0 + u
    out.backward()
    expect(x.grad, 9.0, "x.grad", "out = 2 * chain(u) + u with u = 3x: d out/dx = 3 * (2 + 1) = 9",
           ops=("add", "mul"))


def test_diamonds_in_a_row(Value):
    """Twenty diamonds a -> (b, c) -> d in a row: each doubles the gradient, 2 ** 20 in all."""
    x = Value(1.0)
    y = x
    for _ in range(20):
        y = y * 1.0 + y * 1.0
    y.backward()
    expect(x.grad, 2.0**20, "x.grad", "twenty diamonds (y = y*1 + y*1, twenty times) give dy/dx = 2 ** 20",
           ops=("add", "mul"))
    expect_true(math.isfinite(y.data), f"y.data should be finite (2 ** 20), not {y.data!r}")
