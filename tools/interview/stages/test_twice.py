"""Stage "twice": a second backward() as PyTorch with retain_graph=True; zero_grad()."""

import pytest
from pytest import approx

from runner.checks import expect_true


def graph(Value):
    """x = 2, y = 3; m = x*y feeds two uses; z = m*m + m + x: one call gives
    dz/dx = (2m + 1) y + 1 = 40, dz/dy = (2m + 1) x = 26, dz/dm = 13."""
    x, y = Value(2.0), Value(3.0)
    m = x * y
    return x, y, m, m * m + m + x


def test_a_second_backward_adds_to_the_leaves_once_more(Value):
    x, y, m, z = graph(Value)
    z.backward()
    z.backward()
    expect_true((x.grad, y.grad) == (approx(80.0), approx(52.0)), lambda: (
                f"two backward() calls on z = m*m + m + x, m = x*y at x = 2, y = 3: your engine gives x.grad = "
                f"{x.grad!r}, y.grad = {y.grad!r}; PyTorch with retain_graph=True gives 80 and 52 (twice 40 and 26)."
                + (f" The interior node m holds {m.grad!r} after the two calls, not one call's 13: it kept the first "
                "call's grad and passed it on again. Reset every node that has operands to 0 at the start of "
                "backward()." if m.grad > 13.0 + 1e-9 else "")))
    expect_true(m.grad == approx(13.0),
                f"after two calls the interior node m should hold one call's gradient, 13; your engine gives {m.grad!r}")


def test_zero_grad_then_backward_gives_one_calls_gradients(Value):
    x, y, m, z = graph(Value)
    if not callable(getattr(z, "zero_grad", None)):
        pytest.fail("Value has no zero_grad() method: add z.zero_grad(), which sets the grad of every node of "
                    "z's graph to 0", pytrace=False)
    z.backward()
    z.backward()
    z.zero_grad()
    grads = {"x": x.grad, "y": y.grad, "m": m.grad, "z": z.grad}
    expect_true(all(g == 0 for g in grads.values()),
                f"after z.zero_grad() every grad should be 0; your engine has {grads}")
    z.backward()
    expect_true((x.grad, y.grad, m.grad) == (approx(40.0), approx(26.0), approx(13.0)),
                f"zero_grad() then backward(): x.grad, y.grad, m.grad should be 40, 26, 13; your engine gives "
                f"{x.grad!r}, {y.grad!r}, {m.grad!r}")


def test_zero_grad_reaches_every_node_of_a_deep_graph(Value):
    x = Value(0.5)
    y = x
    for _ in range(20_000):
        y = y * 1.0
    y.backward()
    if not callable(getattr(y, "zero_grad", None)):
        pytest.fail("Value has no zero_grad() method", pytrace=False)
    try:
        y.zero_grad()
    except RecursionError:
        pytest.fail("zero_grad() raised RecursionError on a chain of 40 000 nodes: walk the graph with a "
                    "stack (the same order as backward()), not with recursion", pytrace=False)
    expect_true(x.grad == 0, f"zero_grad() on a chain of 40 000 nodes left the leaf's grad at {x.grad!r}")
