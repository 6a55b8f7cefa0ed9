"""Stage "iterative": backward() on a chain of 200 000 nodes, and still right on shared nodes."""

import math
import sys

import pytest
from pytest import approx

DEEP = 100_000

TOO_DEEP = ("backward() raised RecursionError on a graph of {n:,} nodes: your topological sort calls "
            "itself once per node and Python stops at about {limit:,} nested calls. Build the order with "
            "an explicit stack (or Kahn's algorithm). Raising sys.setrecursionlimit is not a fix.")


def backward(out, n):
    try:
        out.backward()
    except RecursionError:
        pytest.fail(TOO_DEEP.format(n=n, limit=sys.getrecursionlimit()), pytrace=False)


def test_a_chain_of_200_000_nodes(Value):
    """y = ((x + 0.001) * 0.99999 + 0.001) * 0.99999 ..., 100 000 times: dy/dx = 0.99999 ** 100 000."""
    x = Value(0.5)
    y = x
    for _ in range(DEEP):
        y = (y + 0.001) * 0.99999
    backward(y, 2 * DEEP)
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
    backward(out, DEEP)
    assert x.grad == approx(9.0), (
        f"out = 2 * chain(u) + u with u = 3x: d out/dx = 3 * (2 + 1) = 9; your engine gives {x.grad!r}. "
        "A node passed on its gradient before all of its users had sent theirs: the order is not topological.")


def test_diamonds_in_a_row(Value):
    """Twenty diamonds a -> (b, c) -> d in a row: each doubles the gradient, 2 ** 20 in all."""
    x = Value(1.0)
    y = x
    for _ in range(20):
        y = y * 1.0 + y * 1.0
    backward(y, 100)
    assert x.grad == approx(2.0**20), (
        f"twenty diamonds (y = y*1 + y*1, twenty times) give dy/dx = 2 ** 20 = {2**20}; your engine gives "
        f"{x.grad!r}" + (": each node must be visited once, after all of its users" if x.grad != 2.0**20 else ""))
    assert math.isfinite(y.data)
