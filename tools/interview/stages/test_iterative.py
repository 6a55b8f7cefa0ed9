"""Stage "iterative": backward() on a chain of 200 000 nodes, and still right on shared nodes.

A wrong gradient's message says what was computed and expected; the cause comes from the
kata's diagnosis (runner/diagnose.py), which states one only when a probe confirmed it."""

import math

from pytest import approx

DEEP = 100_000


def test_a_chain_of_200_000_nodes(Value):
    """y = ((x + 0.001) * 0.99999 + 0.001) * 0.99999 ..., 100 000 times: dy/dx = 0.99999 ** 100 000."""
    x = Value(0.5)
    y = x
    for _ in range(DEEP):
        y = (y + 0.001) * 0.99999
    y.backward()  # a RecursionError gets the levels' block: which function called itself
    assert x.grad == approx(0.99999**DEEP, rel=1e-9), (
        f"dy/dx should be 0.99999 ** 100000 = {0.99999 ** DEEP!r}; your engine gives {x.grad!r}")


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
    assert x.grad == approx(9.0), (
        f"out = 2 * chain(u) + u with u = 3x: d out/dx = 3 * (2 + 1) = 9; your engine gives {x.grad!r}")


def test_diamonds_in_a_row(Value):
    """Twenty diamonds a -> (b, c) -> d in a row: each doubles the gradient, 2 ** 20 in all."""
    x = Value(1.0)
    y = x
    for _ in range(20):
        y = y * 1.0 + y * 1.0
    y.backward()
    assert x.grad == approx(2.0**20), (
        f"twenty diamonds (y = y*1 + y*1, twenty times) give dy/dx = 2 ** 20 = {2**20}; your engine gives "
        f"{x.grad!r}")
    assert math.isfinite(y.data)
