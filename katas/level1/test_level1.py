"""Level 1: +, * and backward().

Run with `nox -s level1`. Each test builds a small graph with your Value,
calls backward() and checks data and grad against numbers worked out by hand
(or, in the last test, by finite differences). Read a test's docstring for
the idea it checks.
"""

from hypothesis import given, strategies as st

from runner.checks import Finding, example, expect, expect_gradients, expect_true
from runner.checks import close as near  # the kata's one closeness rule, pytest.approx's defaults
from utils.close import Disagreement
from utils.every_order import InOrder, in_every_order
from utils.finite_difference_checker import GradientReport, check_gradients, close
from utils.ops import Interval, ops_up_to
from utils.strategies import in_interval, programs, shared_programs


def holds(prev, **named) -> str:
    """What a _prev holds, by the names of the test's nodes: "a and b", "a", "nothing", "a and 1 other"."""
    seen = {id(n): n for n in prev}
    names = [name for name, node in named.items() if id(node) in seen]
    others = len(seen) - len(names)
    words = names + ([f"{others} other{'s' if others > 1 else ''}"] if others else [])
    return " and ".join(words) or "nothing"


# -- forward: + and * build new Values and remember their operands ------------


def test_add_computes_data(Value):
    """a + b is a new Value whose data is a.data + b.data."""
    a, b = Value(2.0), Value(-3.5)
    c = a + b
    expect_true(isinstance(c, Value), f"a + b returned {c!r}, not a Value", kind="data", ops=("add",))
    expect(c.data, -1.5, "c.data", ops=("add",))


def test_mul_computes_data(Value):
    """a * b is a new Value whose data is a.data * b.data."""
    a, b = Value(2.0), Value(-3.5)
    c = a * b
    expect_true(isinstance(c, Value), f"a * b returned {c!r}, not a Value", kind="data", ops=("mul",))
    expect(c.data, -7.0, "c.data", ops=("mul",))


def test_ops_record_the_graph(Value):
    """The result of an op keeps its operands in _prev and a label in _op."""
    a, b = Value(2.0), Value(3.0)
    s, p = a + b, a * b
    expect(holds(s._prev, a=a, b=b), "a and b", "what _prev of a + b holds", "_prev of a + b should hold exactly a and b",
           ops=("add",))
    expect(holds(p._prev, a=a, b=b), "a and b", "what _prev of a * b holds", "_prev of a * b should hold exactly a and b",
           ops=("mul",))
    expect_true(isinstance(s._op, str) and s._op, "a + b should have a label in _op, such as '+'", ops=("add",))
    expect_true(isinstance(p._op, str) and p._op, "a * b should have a label in _op, such as '*'", ops=("mul",))
    expect_true(s._op != p._op, "+ and * need different labels in _op", ops=("add", "mul"))
    expect_true(not list(a._prev) and a._op == "", "a leaf has no operands and the label ''")


def test_numbers_on_either_side(Value):
    """Plain numbers work on both sides: x + 1, 1 + x, x * 2, 2 * x."""
    x = Value(3.0)
    for expr, op, result, expected in [
        ("x + 1", "add", x + 1, 4.0),
        ("1 + x", "radd", 1 + x, 4.0),
        ("x * 2", "mul", x * 2, 6.0),
        ("2 * x", "rmul", 2 * x, 6.0),
    ]:
        expect_true(isinstance(result, Value), f"{expr} returned {result!r}, not a Value", kind="data", ops=(op,))
        expect(result.data, expected, "result.data", f"{expr} at x = 3", ops=(op,))


# -- backward: one op at a time ------------------------------------------------


def test_add_backward(Value):
    """For z = a + b: dz/da = 1 and dz/db = 1, and backward() sets z.grad = 1."""
    a, b = Value(2.0), Value(-3.5)
    z = a + b
    z.backward()
    on = {"ops": ("add",), "graph": z, "names": {"a": a, "b": b, "z": z}}
    expect(z.grad, 1.0, "z.grad", "backward() starts by setting the output's grad to 1", **on)
    expect(a.grad, 1.0, "a.grad", "d(a + b)/da = 1", **on)
    expect(b.grad, 1.0, "b.grad", "d(a + b)/db = 1", **on)


def test_mul_backward(Value):
    """For z = a * b: dz/da = b and dz/db = a."""
    a, b = Value(2.0), Value(-3.5)
    z = a * b
    z.backward()
    on = {"ops": ("mul",), "graph": z, "names": {"a": a, "b": b, "z": z}}
    expect(a.grad, -3.5, "a.grad", "d(a * b)/da = b = -3.5", **on)
    expect(b.grad, 2.0, "b.grad", "d(a * b)/db = a = 2", **on)


def test_gradient_of_numbers_on_either_side(Value):
    """The gradient reaches x whichever side the number stands on."""
    for expr, op, f, expected in [
        ("x + 1", "add", lambda x: x + 1, 1.0),
        ("1 + x", "radd", lambda x: 1 + x, 1.0),
        ("x * 2", "mul", lambda x: x * 2, 2.0),
        ("2 * x", "rmul", lambda x: 2 * x, 2.0),
    ]:
        x = Value(3.0)
        out = f(x)
        out.backward()
        expect(x.grad, expected, "x.grad", f"d({expr})/dx", ops=(op,), graph=out, names={"x": x})


def test_leaf_backward(Value):
    """Calling backward() on a leaf gives it the gradient 1 (dx/dx)."""
    x = Value(5.0)
    y = x * 1  # make sure * works before trusting the leaf test
    x.backward()
    expect(x.grad, 1.0, "x.grad", "dx/dx = 1", graph=x, names={"x": x})
    expect(y.data, 5.0, "y.data", ops=("mul",))


# -- the chain rule: gradients flow through several ops ------------------------


def test_seed_example(Value):
    """z = x*y + x at x = 2, y = 3: dz/dx = y + 1 = 4, dz/dy = x = 2.

    Order-proof without copies: the only node used twice is the leaf x, and its two users
    run in an order the graph fixes (z before x*y, which z uses).
    """
    x, y = Value(2.0), Value(3.0)
    z = x * y + x
    z.backward()
    on = {"ops": ("add", "mul"), "graph": z, "names": {"x": x, "y": y, "z": z}}
    expect(z.data, 8.0, "z.data", **on)
    expect(x.grad, 4.0, "x.grad", "x is used twice (in x*y and in + x): dz/dx = y + 1 = 4", **on)
    expect(y.grad, 2.0, "y.grad", "dz/dy = x = 2", **on)


def test_add_passes_on_the_incoming_gradient(Value):
    """z = (a + b) * c: the + node must pass on the gradient it received (c), not 1."""
    a, b, c = Value(1.0), Value(2.0), Value(4.0)
    z = (a + b) * c
    z.backward()
    on = {"ops": ("add", "mul"), "graph": z, "names": {"a": a, "b": b, "c": c, "z": z}}
    expect(a.grad, 4.0, "a.grad", "dz/da = c = 4 (chain rule: 1 * the gradient of a + b)", **on)
    expect(b.grad, 4.0, "b.grad", "dz/db = c = 4", **on)
    expect(c.grad, 3.0, "c.grad", "dz/dc = a + b = 3", **on)


def test_mul_multiplies_the_incoming_gradient(Value):
    """z = (a * b) * c: dz/da = b * c (the local derivative times the incoming gradient)."""
    a, b, c = Value(2.0), Value(3.0), Value(-1.5)
    z = (a * b) * c
    z.backward()
    on = {"ops": ("mul",), "graph": z, "names": {"a": a, "b": b, "c": c, "z": z}}
    expect(a.grad, -4.5, "a.grad", "dz/da = b * c = -4.5", **on)
    expect(b.grad, -3.0, "b.grad", "dz/db = a * c = -3", **on)
    expect(c.grad, 6.0, "c.grad", "dz/dc = a * b = 6", **on)


# -- accumulation: a node used twice gets the sum of both gradients -------------


def test_a_plus_a(Value):
    """b = a + a: db/da = 2. Both uses of a send gradient 1, and they must add up (+=)."""
    a = Value(3.0)
    b = a + a
    b.backward()
    on = {"ops": ("add",), "graph": b, "names": {"a": a, "b": b}}
    expect(b.data, 6.0, "b.data", **on)
    expect(a.grad, 2.0, "a.grad", "a is used twice: its gradients must add up to 2", **on)


def test_a_times_a(Value):
    """b = a * a: db/da = 2a."""
    a = Value(-3.0)
    b = a * a
    b.backward()
    expect(a.grad, -6.0, "a.grad", "d(a * a)/da = 2a = -6 (both uses of a add up)", ops=("mul",), graph=b,
           names={"a": a, "b": b})


def _fmt(v) -> str:
    return f"{float(v):.10g}"


def order_note(right: list[str], wrong: list[str]) -> Finding | None:
    """What the copies showed, when the result depended on the order of siblings (a confirmed cause), else None."""
    if not right or not wrong:
        return None
    return Finding("order", None, f"right when your _prev lists them as {right[0]}, wrong as {wrong[0]}: your "
                   "backward depends on the order in which it reaches siblings, and a set lists them in an order "
                   "that follows the objects' ids, which changes from run to run")


SLOT_X, SLOT_Y = 1.5, -2.5


def operand_slots():
    """Each operand slot of + and * (a plain number on either side included): the inner op, x's
    local derivative in it, and the op that uses it together with x again. The outer op is chosen
    so that x's two shares differ (for + inside *: x + y and x; for * inside +: 1 and y)."""
    add, mul, y = (lambda a, b: a + b), (lambda a, b: a * b), SLOT_Y
    return [
        ("x + y", lambda x, y: x + y, 1.0, "*", mul), ("y + x", lambda x, y: y + x, 1.0, "*", mul),
        ("x + 1", lambda x, y: x + 1, 1.0, "*", mul), ("1 + x", lambda x, y: 1 + x, 1.0, "*", mul),
        ("x * y", lambda x, y: x * y, y, "+", add), ("y * x", lambda x, y: y * x, y, "+", add),
        ("x * 2", lambda x, y: x * 2, 2.0, "+", add), ("2 * x", lambda x, y: 2 * x, 2.0, "+", add),
    ]


def test_every_operand_slot_accumulates(Value):
    """out = (x + y) * x, (y + x) * x, (x + 1) * x, (1 + x) * x, (x * y) + x, (y * x) + x,
    (x * 2) + x, (2 * x) + x: x.grad is the sum of its two shares. Every operand slot of
    + and * must add (+=) to the gradient the operand already has.

    Order-proof: x's two users run in an order the graph fixes (out uses inner, so out's
    backward runs first), so the share that the slot under test must keep has arrived
    before that slot's backward runs, on every run and whatever order _prev gives.
    """
    x0, y0 = SLOT_X, SLOT_Y
    for shown, inner, local, sign, outer in operand_slots():
        d_inner = x0 if sign == "*" else 1.0  # d out / d inner: out = inner * x or inner + x
        from_out = inner(x0, y0) if sign == "*" else 1.0  # d out / dx through out's own slot
        from_inner = local * d_inner
        expected = from_out + from_inner
        x, y = Value(x0), Value(y0)
        out = outer(inner(x, y), x)
        out.backward()
        if near(x.grad, expected):
            continue
        why = (f"out = ({shown}) {sign} x at x = {x0:g}, y = {y0:g}: x is used twice, so x.grad must add its "
               f"two shares, {_fmt(from_out)} (from out) + {_fmt(from_inner)} (from {shown}) = {_fmt(expected)}")
        cause = None
        # a cause only when confirmed: each op right on its own, and x left with the share of `inner` only
        alone_x, alone_y = Value(x0), Value(y0)
        inner(alone_x, alone_y).backward()
        c, last = Value(inner(x0, y0)), Value(x0)
        outer(c, last).backward()
        if near(alone_x.grad, local) and near(last.grad, from_out) and near(x.grad, from_inner):
            op = "add" if "+" in shown else "mul"
            cause = Finding("accumulation", op, f"each op is right on its own, and x kept only the share of {shown}: "
                            f"out sent its share first (out uses {shown}), and {shown}'s backward overwrote it "
                            "(x.grad = ...). Use += for every operand, so every use of a node adds its share")
        expect(x.grad, expected, "x.grad", why, cause=cause, ops=("add", "mul"), graph=out, names={"x": x, "y": y})


def test_reuse_twice(Value):
    """b = a + a; c = b + b: dc/da = 4."""
    a = Value(1.0)
    b = a + a
    c = b + b
    c.backward()
    on = {"ops": ("add",), "graph": c, "names": {"a": a, "b": b, "c": c}}
    expect(c.data, 4.0, "c.data", **on)
    expect(b.grad, 2.0, "b.grad", "dc/db = 2", **on)
    expect(a.grad, 4.0, "a.grad", "dc/da = 4: b's gradient (2) reaches a twice", **on)


def test_diamond(Value):
    """x feeds two branches that meet again: c = (2x) * (x + 1) = 2x^2 + 2x, dc/dx = 4x + 2.

    Order-proof: a and b are siblings (both operands of c), and a set _prev lists them in an
    order that follows their ids, which changes from run to run. The check runs on fresh
    copies of the graph until both orders have shown up, so a backward that is right in
    one order only fails on every run, and the first wrong order reported is always the same.
    """

    def build():
        x = Value(3.0)
        a = x * 2
        b = x + 1
        return {"x": x, "a": a, "b": b, "c": a * b}

    right, wrong = [], []
    for copy in in_every_order(build):
        c, x = copy.named["c"], copy.named["x"]
        c.backward()
        expect(c.data, 24.0, "c.data", ops=("add", "mul"))
        (right if near(x.grad, 14.0) else wrong).append((copy.shown, x.grad, copy.named))
    if wrong:
        expect(wrong[0][1], 14.0, "x.grad", "dc/dx = 4x + 2 = 14 with a = x * 2, b = x + 1, c = a * b at x = 3: the "
               "gradients of both branches add up", cause=order_note([r[0] for r in right], [w[0] for w in wrong]),
               ops=("add", "mul"), graph=wrong[0][2]["c"], names=wrong[0][2])


def test_polynomial_with_constants(Value):
    """y = 2*x*x + 3*x + 1 at x = 2: y = 15, dy/dx = 4x + 3 = 11.

    Order-proof: x reaches the output through 2*x*x and through 3*x, two siblings whose
    order in a set _prev changes from run to run; the check runs on fresh copies of the
    graph until both orders have shown up.
    """

    def build():
        x = Value(2.0)
        p = 2 * x * x
        q = 3 * x
        s = p + q
        return {"x": x, "2*x*x": p, "3*x": q, "s": s, "y": s + 1}

    right, wrong = [], []
    for copy in in_every_order(build):
        y, x = copy.named["y"], copy.named["x"]
        y.backward()
        expect(y.data, 15.0, "y.data", ops=("add", "mul", "radd", "rmul"))
        (right if near(x.grad, 11.0) else wrong).append((copy.shown, x.grad, copy.named))
    if wrong:
        expect(wrong[0][1], 11.0, "x.grad", "dy/dx = 4x + 3 = 11 at x = 2",
               cause=order_note([r[0] for r in right], [w[0] for w in wrong]), ops=("add", "mul", "radd", "rmul"),
               graph=wrong[0][2]["y"], names=wrong[0][2])


def test_topological_order(Value):
    """z = y*y + y with y = x*x: y must collect all of its gradient before it passes any on.

    z = x^4 + x^2, so dz/dx = 4x^3 + 2x = 16.5 at x = 1.5. A backward pass that
    visits y before every node that uses y gets a different number.

    Order-proof: y*y and y are siblings (both operands of z); a breadth-first or a
    pre-order walk is wrong in one of their orders only, and a set _prev lists them in
    an order that changes from run to run. The check runs on fresh copies of the graph
    until both orders have shown up, and reports the first wrong one in a fixed order.
    """

    def build():
        x = Value(1.5)
        y = x * x
        yy = y * y
        return {"x": x, "y": y, "y*y": yy, "z": yy + y}

    right, wrong = [], []
    for copy in in_every_order(build):
        z, y, x = copy.named["z"], copy.named["y"], copy.named["x"]
        z.backward()
        ok = near(y.grad, 2 * 2.25 + 1) and near(x.grad, 16.5)
        (right if ok else wrong).append((copy.shown, y.grad, x.grad, copy.named))
    if wrong:
        shown, ygrad, xgrad, named = wrong[0]
        note = order_note([r[0] for r in right], [w[0] for w in wrong])
        on = {"ops": ("add", "mul"), "graph": named["z"], "names": named}
        expect(ygrad, 2 * 2.25 + 1, "y.grad", "dz/dy = 2y + 1 = 5.5", cause=note, **on)
        expect(xgrad, 16.5, "x.grad", "dz/dx = 4x^3 + 2x = 16.5", cause=note, **on)


def test_shared_node_deep_in_the_graph(Value):
    """A node reached by many paths of different lengths is still visited once, in order.

    Order-proof without copies: every user of h lies on one chain (each layer uses the
    layer before), so the graph itself fixes the order in which they run their backward;
    a walk that reaches h before one of them (breadth-first, pre-order, or visiting h
    once per path) is wrong whatever order _prev gives.
    """
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
    on = {"ops": ("add", "mul"), "graph": y, "names": {"x": x, "h": h, "y": y}}
    expect(y.data, yv, "y.data", **on)
    expect(x.grad, 3 * dy, "x.grad", "dy/dx = 3 * dy/dh, summed over every path through h", **on)


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
    on = {"ops": ("add", "mul"), "graph": y, "names": {"x": x, "y": y}}
    expect(y.data, yv, "y.data", "y after 150 steps of y * 1.01 + 0.01", **on)
    expect(x.grad, 1.01**150, "x.grad", "dy/dx = 1.01**150", **on)


def test_wide_sum(Value):
    """s = x0*x0 + x1*x1 + ... + x199*x199: ds/dxi = 2 xi for every one of 200 leaves."""
    xs = [Value(i / 100) for i in range(200)]
    s = xs[0] * xs[0]
    for x in xs[1:]:
        s = s + x * x
    s.backward()
    on = {"ops": ("add", "mul"), "graph": s}
    expect(s.data, sum((i / 100) ** 2 for i in range(200)), "s.data", **on)
    wrong = [(i, x.grad) for i, x in enumerate(xs) if not near(x.grad, 2 * i / 100)]
    expect_true(not wrong, lambda: f"{len(wrong)} of 200 leaves have a wrong gradient, e.g. x{wrong[0][0]}.grad = "
                f"{wrong[0][1]}", kind="gradient", **on)


# -- any graph of + and *: backward() agrees with finite differences -----------

LEVEL1_OPS = [op.name for op in ops_up_to(1)]


INPUTS = st.lists(st.floats(-1.5, 1.5).map(lambda v: round(v, 3)), min_size=3, max_size=3)


def check_in_every_order(Value, program, xs) -> None:
    """``program``'s gradients at ``xs`` against finite differences, on a copy of its graph for
    every order its siblings can come in: a failure for the first wrong copy (in a fixed order of
    the orders), with what the other orders gave; its ops are probed at these values (runner/diagnose.py)."""
    example(xs=xs)
    expression = "\n" + "\n".join(program.live_lines()) + "\n"  # only the nodes that reach the output
    numerical = check_gradients(program, xs, Value, expression=expression).numerical
    names = [program.name(i) for i in range(len(xs))]

    def build():
        nodes = program.run(*[Value(x) for x in xs])
        return {program.name(i): node for i, node in enumerate(nodes)}

    right, wrong = [], []
    for copy in in_every_order(build):
        out = list(copy.named.values())[-1]
        out.backward()
        analytic = [float(copy.named[n].grad) for n in names]
        report = GradientReport(expression, dict(zip(names, xs)), float(out.data), analytic, list(numerical))
        report.mismatches = [Disagreement(n, a, m, at=x) for n, x, a, m in zip(names, xs, analytic, numerical)
                             if not close(a, m)]
        (right if report.ok else wrong).append((copy, report, out))
    if not wrong:
        return
    copy, report, out = wrong[0]
    note = order_note([c.shown for c, _, _ in right], [c.shown for c, _, _ in wrong])
    expect_gradients(report, "backward() disagrees with finite differences on this graph", cause=note,
                     ops=sorted({program.steps[k].op for k in program.live()}), graph=out, names=copy.named,
                     probe=(InOrder(program, copy.order), xs))


@given(program=programs(LEVEL1_OPS, n_inputs=3, max_steps=6), xs=INPUTS)
def test_random_graphs_match_finite_differences(Value, program, xs):
    """Random graphs of + and * with reuse and constants: backward() agrees with
    (f(x + h) - f(x - h)) / 2h for every input.

    Order-proof: each graph is checked on a fresh copy for every order its siblings
    (operands of one node, both computed) can come in from a set _prev, so an example
    fails on every run or on none.
    """
    check_in_every_order(Value, program, xs)


NONZERO_INPUTS = st.lists(in_interval(Interval(0.3, 1.5, signed=True)), min_size=3, max_size=3)


@given(program=shared_programs(LEVEL1_OPS, n_inputs=3), xs=NONZERO_INPUTS)
def test_random_graphs_with_shared_nodes_match_finite_differences(Value, program, xs):
    """Random graphs of + and * in which a computed node s is used at the top of the
    graph and again at its bottom (paths of different lengths): every node of the graph
    must collect all of its gradient before it passes any on.

    A backward pass without a right order fails almost every draw. Measured on 300
    draws (the zoo's engines): forward order fails 100 %, breadth-first order 96 %, a
    node visited once per path 100 %, a recursive backward without an order (micrograd
    #64) 100 %, `self.grad = out.grad` on one operand of + 64 %. The plain random graphs
    of the test above catch them in 65 %, 1 %, 4 %, 2 % and 7 % of their draws.

    Order-proof: each graph is checked on a fresh copy for every order its siblings can
    come in from a set _prev, so an example fails on every run or on none.
    """
    check_in_every_order(Value, program, xs)
