"""Level 1: +, * and backward().

Run with `nox -s level1`. Each test builds a small graph with your Value,
calls backward() and checks data and grad against numbers worked out by hand
(or, in the last test, by finite differences). Read a test's docstring for
the idea it checks.
"""

from hypothesis import given, strategies as st
from pytest import approx

from runner.checks import expect
from runner.diagnose import explain
from utils.finite_difference_checker import check_gradients
from utils.ops import ops_up_to
from utils.strategies import programs


def ids(nodes):
    return {id(n) for n in nodes}


# -- forward: + and * build new Values and remember their operands ------------


def test_add_computes_data(Value):
    """a + b is a new Value whose data is a.data + b.data."""
    a, b = Value(2.0), Value(-3.5)
    c = a + b
    assert isinstance(c, Value), f"a + b returned {c!r}, not a Value"
    expect(c.data, -1.5, "c.data")


def test_mul_computes_data(Value):
    """a * b is a new Value whose data is a.data * b.data."""
    a, b = Value(2.0), Value(-3.5)
    c = a * b
    assert isinstance(c, Value), f"a * b returned {c!r}, not a Value"
    expect(c.data, -7.0, "c.data")


def test_ops_record_the_graph(Value):
    """The result of an op keeps its operands in _prev and a label in _op."""
    a, b = Value(2.0), Value(3.0)
    s, p = a + b, a * b
    assert ids(s._prev) == {id(a), id(b)}, "_prev of a + b should hold exactly a and b"
    assert ids(p._prev) == {id(a), id(b)}, "_prev of a * b should hold exactly a and b"
    assert isinstance(s._op, str) and s._op, "a + b should have a label in _op, such as '+'"
    assert isinstance(p._op, str) and p._op, "a * b should have a label in _op, such as '*'"
    assert s._op != p._op, "+ and * need different labels in _op"
    assert not list(a._prev) and a._op == "", "a leaf has no operands and the label ''"


def test_numbers_on_either_side(Value):
    """Plain numbers work on both sides: x + 1, 1 + x, x * 2, 2 * x."""
    x = Value(3.0)
    for expr, result, expected in [
        ("x + 1", x + 1, 4.0),
        ("1 + x", 1 + x, 4.0),
        ("x * 2", x * 2, 6.0),
        ("2 * x", 2 * x, 6.0),
    ]:
        assert isinstance(result, Value), f"{expr} returned {result!r}, not a Value"
        expect(result.data, expected, "result.data", f"{expr} at x = 3")


# -- backward: one op at a time ------------------------------------------------


def test_add_backward(Value):
    """For z = a + b: dz/da = 1 and dz/db = 1, and backward() sets z.grad = 1."""
    a, b = Value(2.0), Value(-3.5)
    z = a + b
    z.backward()
    expect(z.grad, 1.0, "z.grad", "backward() starts by setting the output's grad to 1")
    expect(a.grad, 1.0, "a.grad", "d(a + b)/da = 1")
    expect(b.grad, 1.0, "b.grad", "d(a + b)/db = 1")


def test_mul_backward(Value):
    """For z = a * b: dz/da = b and dz/db = a."""
    a, b = Value(2.0), Value(-3.5)
    z = a * b
    z.backward()
    expect(a.grad, -3.5, "a.grad", "d(a * b)/da = b = -3.5")
    expect(b.grad, 2.0, "b.grad", "d(a * b)/db = a = 2")


def test_gradient_of_numbers_on_either_side(Value):
    """The gradient reaches x whichever side the number stands on."""
    for expr, f, expected in [
        ("x + 1", lambda x: x + 1, 1.0),
        ("1 + x", lambda x: 1 + x, 1.0),
        ("x * 2", lambda x: x * 2, 2.0),
        ("2 * x", lambda x: 2 * x, 2.0),
    ]:
        x = Value(3.0)
        f(x).backward()
        expect(x.grad, expected, "x.grad", f"d({expr})/dx")


def test_leaf_backward(Value):
    """Calling backward() on a leaf gives it the gradient 1 (dx/dx)."""
    x = Value(5.0)
    y = x * 1  # make sure * works before trusting the leaf test
    x.backward()
    expect(x.grad, 1.0, "x.grad", "dx/dx = 1")
    expect(y.data, 5.0, "y.data")


# -- the chain rule: gradients flow through several ops ------------------------


def test_seed_example(Value):
    """z = x*y + x at x = 2, y = 3: dz/dx = y + 1 = 4, dz/dy = x = 2."""
    x, y = Value(2.0), Value(3.0)
    z = x * y + x
    z.backward()
    expect(z.data, 8.0, "z.data")
    expect(x.grad, 4.0, "x.grad", "x is used twice (in x*y and in + x): dz/dx = y + 1 = 4")
    expect(y.grad, 2.0, "y.grad", "dz/dy = x = 2")


def test_add_passes_on_the_incoming_gradient(Value):
    """z = (a + b) * c: the + node must pass on the gradient it received (c), not 1."""
    a, b, c = Value(1.0), Value(2.0), Value(4.0)
    z = (a + b) * c
    z.backward()
    expect(a.grad, 4.0, "a.grad", "dz/da = c = 4 (chain rule: 1 * the gradient of a + b)")
    expect(b.grad, 4.0, "b.grad", "dz/db = c = 4")
    expect(c.grad, 3.0, "c.grad", "dz/dc = a + b = 3")


def test_mul_multiplies_the_incoming_gradient(Value):
    """z = (a * b) * c: dz/da = b * c (the local derivative times the incoming gradient)."""
    a, b, c = Value(2.0), Value(3.0), Value(-1.5)
    z = (a * b) * c
    z.backward()
    expect(a.grad, -4.5, "a.grad", "dz/da = b * c = -4.5")
    expect(b.grad, -3.0, "b.grad", "dz/db = a * c = -3")
    expect(c.grad, 6.0, "c.grad", "dz/dc = a * b = 6")


def test_polynomial_with_constants(Value):
    """y = 2*x*x + 3*x + 1 at x = 2: y = 15, dy/dx = 4x + 3 = 11."""
    x = Value(2.0)
    y = 2 * x * x + 3 * x + 1
    y.backward()
    expect(y.data, 15.0, "y.data")
    expect(x.grad, 11.0, "x.grad", "dy/dx = 4x + 3 = 11")


# -- accumulation: a node used twice gets the sum of both gradients -------------


def test_a_plus_a(Value):
    """b = a + a: db/da = 2. Both uses of a send gradient 1, and they must add up (+=)."""
    a = Value(3.0)
    b = a + a
    b.backward()
    expect(b.data, 6.0, "b.data")
    expect(a.grad, 2.0, "a.grad", "a is used twice: its gradients must add up to 2 (use +=, not =)")


def test_a_times_a(Value):
    """b = a * a: db/da = 2a."""
    a = Value(-3.0)
    b = a * a
    b.backward()
    expect(a.grad, -6.0, "a.grad", "d(a * a)/da = 2a = -6 (both uses of a add up)")


def test_reuse_twice(Value):
    """b = a + a; c = b + b: dc/da = 4."""
    a = Value(1.0)
    b = a + a
    c = b + b
    c.backward()
    expect(c.data, 4.0, "c.data")
    expect(b.grad, 2.0, "b.grad", "dc/db = 2")
    expect(a.grad, 4.0, "a.grad", "dc/da = 4: b's gradient (2) reaches a twice")


def test_diamond(Value):
    """x feeds two branches that meet again: c = (2x) * (x + 1) = 2x^2 + 2x, dc/dx = 4x + 2."""
    x = Value(3.0)
    a = x * 2
    b = x + 1
    c = a * b
    c.backward()
    expect(c.data, 24.0, "c.data")
    expect(x.grad, 14.0, "x.grad", "dc/dx = 4x + 2 = 14: the gradients of both branches add up")


def test_topological_order(Value):
    """z = y*y + y with y = x*x: y must collect all of its gradient before it passes any on.

    z = x^4 + x^2, so dz/dx = 4x^3 + 2x = 16.5 at x = 1.5. A backward pass that
    visits y before every node that uses y gets a different number.
    """
    x = Value(1.5)
    y = x * x
    z = y * y + y
    z.backward()
    expect(y.grad, 2 * 2.25 + 1, "y.grad", "dz/dy = 2y + 1 = 5.5")
    expect(x.grad, 16.5, "x.grad", "dz/dx = 4x^3 + 2x = 16.5")


def test_shared_node_deep_in_the_graph(Value):
    """A node reached by many paths of different lengths is still visited once, in order."""
    x = Value(0.5)
    h = x * 3  # h feeds every layer below
    y = h
    for _ in range(5):
        y = y * h + h  # y_{k+1} = y_k h + h
    y.backward()
    # the same recurrence in plain floats, with the derivative carried by hand
    hv, yv, dy = 1.5, 1.5, 1.0  # dy = d y_k / d h
    for _ in range(5):
        yv, dy = yv * hv + hv, dy * hv + yv + 1
    expect(y.data, yv, "y.data")
    expect(x.grad, 3 * dy, "x.grad", "dy/dx = 3 * dy/dh, summed over every path through h")


def test_long_chain(Value):
    """A chain of 300 nodes: y = (((x * 1.01) + 0.01) * 1.01 + 0.01) ... has dy/dx = 1.01^150."""
    x = Value(0.5)
    y = x
    for _ in range(150):
        y = y * 1.01 + 0.01
    y.backward()
    yv = 0.5
    for _ in range(150):
        yv = yv * 1.01 + 0.01
    expect(y.data, yv, "y.data", "y after 150 steps of y * 1.01 + 0.01")
    expect(x.grad, 1.01**150, "x.grad", "dy/dx = 1.01**150")


def test_wide_sum(Value):
    """s = x0*x0 + x1*x1 + ... + x199*x199: ds/dxi = 2 xi for every one of 200 leaves."""
    xs = [Value(i / 100) for i in range(200)]
    s = xs[0] * xs[0]
    for x in xs[1:]:
        s = s + x * x
    s.backward()
    expect(s.data, sum((i / 100) ** 2 for i in range(200)), "s.data")
    wrong = [(i, x.grad) for i, x in enumerate(xs) if x.grad != approx(2 * i / 100)]
    assert not wrong, f"{len(wrong)} of 200 leaves have a wrong gradient, e.g. x{wrong[0][0]}.grad = {wrong[0][1]}"


# -- any graph of + and *: backward() agrees with finite differences -----------

LEVEL1_OPS = [op.name for op in ops_up_to(1)]


@given(
    program=programs(LEVEL1_OPS, n_inputs=3, max_steps=6),
    xs=st.lists(st.floats(-1.5, 1.5).map(lambda v: round(v, 3)), min_size=3, max_size=3),
)
def test_random_graphs_match_finite_differences(Value, program, xs):
    """Random graphs of + and * with reuse and constants: backward() agrees with
    (f(x + h) - f(x - h)) / 2h for every input."""
    report = check_gradients(program, xs, Value, expression="\n" + str(program) + "\n")
    assert report.ok, f"{report}\n{explain(Value, program, xs)}"  # explain: the first wrong op, if any
