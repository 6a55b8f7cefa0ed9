"""Level 3: PyTorch parity on random graphs, deep graphs, and the backward() contract.

Run with `nox -s level3` (levels 1 to 3 against katas/level3/value.py; the
session installs PyTorch). PyTorch is the oracle: the same expression runs on
your Values and on float64 tensors, and every value and gradient must agree
within 1e-5 (relative and absolute). The deep-graph tests need no PyTorch:
their gradients are known in closed form.
"""

import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.checks import Finding, close, example, expect, expect_gradients, fail
from runner.diagnose import backward_twice
from runner.review import TANH_FIX, recursing, tanh_overflow
from utils.ops import ops_up_to
from utils.programs import Program, Step
from utils.strategies import oracle_programs
from utils.torch_oracle import ask, compare_with_torch, in_torch, skip_without_torch

ALL_OPS = [op.name for op in ops_up_to(2)]
# one strategy per op, made once: a strategy made inside a test is validated again on every example
GRAPHS_USING = {name: oracle_programs(ALL_OPS, n_inputs=2, max_steps=4, must_use=name) for name in ALL_OPS}

# The deep-graph tests hold Python's recursion limit at HEADROOM nested calls beyond the test's own
# (a fresh interpreter's default) while backward() runs, and ignore sys.setrecursionlimit calls made
# meanwhile. A chain of 2 * DEEP nodes is ten times deeper than that: a topological sort that calls
# itself once per node stops with a RecursionError, cleanly, on every Python, however high the
# engine sets the limit. (Left free, a raised limit only moves the wall: recursion deeper than the
# C stack kills some interpreters with no message at all.)
HEADROOM = 1_000
DEEP = 5_000

TOO_DEEP = (
    "the graph was too deep for recursion ({n:,} nodes): {who}, and this test lets backward() nest "
    "{headroom:,} calls (Python's default limit), so it stopped with a RecursionError. Build the "
    "topological order with an explicit stack or with Kahn's algorithm, see katas/level3/hints/3-pseudocode.md."
)
RAISED = (
    "\nYour code called sys.setrecursionlimit({asked}) during backward(): that is no fix, so this test "
    "ignores it. A higher limit only moves the wall: a deeper graph fails again, and recursion deeper "
    "than the C stack kills some Python interpreters with no message."
)
RAISED_ALIAS = (
    "backward() changed the recursion limit (from {limit:,} to {now:,}) while the test held it: the "
    "topological sort must not need deep recursion. Build the order with an explicit stack or with "
    "Kahn's algorithm, see katas/level3/hints/3-pseudocode.md."
)


def stack_depth() -> int:
    """How many calls deep this line runs (pytest's own frames included)."""
    depth, frame = 0, sys._getframe(1)
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


def backward_or_explain(out, n_nodes):
    """out.backward() with the recursion limit held at HEADROOM calls beyond the caller's depth;
    a RecursionError, or an attempt to raise the limit, becomes the one thing to change."""
    limit = stack_depth() + HEADROOM
    saved, real_set = sys.getrecursionlimit(), sys.setrecursionlimit
    asked = []
    real_set(limit)
    sys.setrecursionlimit = asked.append  # what backward() asks for is recorded, not done
    try:
        out.backward()
    except RecursionError as e:
        now, who = None, recursing(e)
    else:
        now = sys.getrecursionlimit()
    finally:
        sys.setrecursionlimit = real_set
        real_set(saved)
    if now is None:
        raised = RAISED.format(asked=", ".join(f"{a!r}" for a in asked[:1])) if asked else ""
        fail(TOO_DEEP.format(n=n_nodes, headroom=HEADROOM, who=who) + raised, graph=out)
    if now != limit:  # raised through another name for sys.setrecursionlimit
        fail(RAISED_ALIAS.format(limit=limit, now=now), graph=out)


# -- random graphs against PyTorch ---------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("name", ALL_OPS)
@settings(max_examples=25)
@given(data=st.data())
def test_each_op_in_random_graphs_matches_pytorch(Value, name, data):
    """Each op of levels 1-2 in small random graphs: values and gradients equal PyTorch's.

    25 graphs per op (each op's derivative was already checked on 60 inputs at
    levels 1-2); the test below draws 60 more graphs that mix every op."""
    program, xs = data.draw(GRAPHS_USING[name], label="graph")
    example(xs=xs)
    report = compare_with_torch(program, xs, Value)
    if not report.ok:
        expect_gradients(report, "your values or gradients differ from PyTorch's on this graph",
                         **on_graph(program, xs, Value))


@pytest.mark.torch
@given(case=oracle_programs(ALL_OPS, n_inputs=3, max_steps=10))
def test_random_graphs_match_pytorch(Value, case):
    """Random graphs of every level 1-2 op, with reused nodes and numbers on either
    side: every node's value and gradient equals PyTorch's (float64)."""
    program, xs = case
    example(xs=xs)
    report = compare_with_torch(program, xs, Value)
    if not report.ok:
        expect_gradients(report, "your values or gradients differ from PyTorch's on this graph",
                         **on_graph(program, xs, Value))


# -- the backward() contract, pinned like PyTorch ------------------------------

# n2 = x0 * x1 is used three times: once in n3 = n2 * n2 and once more in n4.
# An engine that keeps n2.grad from the first call pushes it through again.
SHARED = Program(2, (Step("mul", (0, 1)), Step("mul", (2, 2)), Step("add", (3, 2)), Step("add", (4, 0))))

TWICE_RULE = """
backward() twice must act like PyTorch's backward(retain_graph=True) twice:
  - the inputs' (leaves') grads double: they accumulate across calls;
  - each interior node holds the gradient of ONE call."""


def on_graph(program, xs, Value=None, calls: int = 1) -> dict:
    """What a failure on ``program`` carries: its ops, the graph to probe at these inputs, and (with ``Value``)
    the engine's graph after ``calls`` backward() calls, its nodes named as in the program."""
    data = {"ops": sorted({program.steps[k].op for k in program.live()}), "probe": (program, xs)}
    if Value is not None:
        try:
            nodes = program.run(*[Value(x) for x in xs])
            for _ in range(calls):
                nodes[-1].backward()
            data.update(graph=nodes[-1], names={program.name(i): node for i, node in enumerate(nodes)})
        except Exception:  # noqa: BLE001 - the failure is told without its drawing
            pass
    return data


def twice_cause(Value, f, xs) -> Finding | None:
    """The cause of a wrong second backward(), when a probe confirms one (runner/diagnose.py)."""
    cause = backward_twice(Value, f, xs)
    return Finding("twice", None, cause) if cause else None


@pytest.mark.torch
def test_backward_twice_matches_pytorch_retain_graph(Value):
    """z = x*y + x at x = 2, y = 3, backward() twice: x.grad = 8, y.grad = 4, as PyTorch.

    Then a graph whose interior node n2 = x0*x1 feeds three uses, where
    compounding would show at once.
    """
    x, y = Value(2.0), Value(3.0)
    z = x * y + x
    z.backward()
    z.backward()
    why = "z = x*y + x at x = 2, y = 3, after two backward() calls: PyTorch with retain_graph=True gives 8 and 4 " \
          "(twice 4 and 2)"
    on = {"ops": ("add", "mul"), "graph": z, "names": {"x": x, "y": y, "z": z}, "detail": TWICE_RULE.splitlines()[1:],
          "cause": lambda: twice_cause(Value, lambda x, y: x * y + x, [2.0, 3.0])}
    expect(x.grad, 8.0, "x.grad", why, **on)
    expect(y.grad, 4.0, "y.grad", why, **on)
    report = compare_with_torch(SHARED, [0.7, -1.3], Value, backward_calls=2)
    expect_gradients(report, "backward() twice differs from PyTorch's backward(retain_graph=True) twice",
                     cause=lambda: twice_cause(Value, SHARED, [0.7, -1.3]), detail=TWICE_RULE.splitlines()[1:],
                     **on_graph(SHARED, [0.7, -1.3], Value if not report.ok else None, calls=2))


@pytest.mark.torch
@given(case=oracle_programs(ALL_OPS, n_inputs=3, max_steps=8))
def test_backward_twice_on_random_graphs_matches_pytorch(Value, case):
    """backward() twice on random graphs: inputs' grads are twice PyTorch's single
    call, interior grads equal one call's (retain_graph=True semantics for leaves)."""
    program, xs = case
    example(xs=xs)
    report = compare_with_torch(program, xs, Value, backward_calls=2)
    expect_gradients(report, "backward() twice differs from PyTorch's backward(retain_graph=True) twice",
                     cause=lambda: twice_cause(Value, program, xs), detail=TWICE_RULE.splitlines()[1:],
                     **on_graph(program, xs, Value if not report.ok else None, calls=2))


@pytest.mark.torch
def test_relu_at_exactly_zero_matches_pytorch(Value):
    """relu'(0) = 0, as in PyTorch: alone, and inside a graph where relu(x - x) = relu(0)."""
    x = Value(0.0)
    y = x.relu()
    y.backward()
    expect(y.data, 0.0, "relu(0).data", "relu at x = 0: PyTorch gives relu = 0", rel=0, abs=0, ops=("relu",))
    expect(x.grad, 0.0, "x.grad", "relu at x = 0: PyTorch gives relu'(0) = 0, the derivative 1 if x > 0 else 0 "
           "(strictly greater)", rel=0, abs=0, ops=("relu",), graph=y, names={"x": x})
    # n2 = x0 - x0 is exactly 0; n3 = relu(n2) * x1 + x0 * x1. With relu'(0) = 1, n2.grad is x1, not 0.
    program = Program(2, (Step("sub", (0, 0)), Step("relu", (2,)), Step("mul", (3, 1)), Step("mul", (0, 1)),
                          Step("add", (4, 5))))
    report = compare_with_torch(program, [1.5, -2.0], Value)
    expect_gradients(report, "relu(x0 - x0) is relu at exactly 0, whose gradient is 0 as in PyTorch",
                     **on_graph(program, [1.5, -2.0], Value if not report.ok else None))


@pytest.mark.torch
def test_tanh_of_1000_matches_pytorch(Value):
    """tanh(1000) = 1 with gradient 0, as PyTorch gives: level 3 asks for PyTorch's answers on every input,
    and tanh through exp, (e**2x - 1) / (e**2x + 1), overflows there (a review note at level 2)."""
    skip_without_torch()
    (_, t_out), (t_grad,), _ = ask(in_torch, Program(1, (Step("tanh", (0,)),)), [1000.0])
    want = f"PyTorch gives tanh(1000) = {t_out:g} with gradient {t_grad:g}"
    x = Value(1000.0)
    try:
        y = x.tanh()
    except OverflowError as e:
        cause = tanh_overflow(Value)
        fail(f"Value(1000).tanh() raised OverflowError ({e}); {want}" + (f"; fix: {TANH_FIX}" if cause else ""),
             cause=Finding("forward", "tanh", cause) if cause else None, ops=("tanh",))
    try:
        y.backward()
    except OverflowError as e:
        fail(f"y = Value(1000).tanh() gave y.data = {y.data!r}, then y.backward() raised OverflowError ({e}); "
             f"{want}. tanh's derivative is 1 - t**2, with t = tanh(x) from the forward pass", ops=("tanh",))
    expect(y.data, t_out, "Value(1000).tanh().data", f"{want}. {TANH_FIX}", ops=("tanh",))
    expect(x.grad, t_grad, "x.grad", f"{want}. {TANH_FIX}", abs=1e-12, ops=("tanh",), graph=y, names={"x": x})


# -- deep and wide graphs: no recursion, right gradients -----------------------


def test_chain_deeper_than_the_recursion_limit(Value):
    """y = (((x + 0.001) * 0.99999) + 0.001) * 0.99999 ... 5 000 times (10 000 nodes, ten times deeper
    than backward() may recurse): backward() works, and dy/dx = 0.99999 ** 5 000."""
    x = Value(0.5)
    y = x
    for _ in range(DEEP):
        y = (y + 0.001) * 0.99999
    backward_or_explain(y, 2 * DEEP)
    expected_y = 0.5
    for _ in range(DEEP):
        expected_y = (expected_y + 0.001) * 0.99999
    on = {"ops": ("add", "mul"), "graph": y, "names": {"x": x, "y": y}}
    expect(y.data, expected_y, "y.data", rel=1e-9, **on)
    expect(x.grad, 0.99999**DEEP, "x.grad", f"dy/dx = 0.99999 ** {DEEP}", rel=1e-9, **on)


def test_sum_of_5_000_squares(Value):
    """s = x0*x0 + x1*x1 + ... over 5 000 leaves (built with sum(), so the sum is a
    chain of 5 000 additions): ds/dxi = 2 xi for every leaf."""
    xs = [Value((i % 201 - 100) / 100) for i in range(DEEP)]
    s = sum(x * x for x in xs)
    backward_or_explain(s, 2 * DEEP)
    on = {"ops": ("add", "mul", "radd"), "graph": s}
    expect(s.data, sum(((i % 201 - 100) / 100) ** 2 for i in range(DEEP)), "s.data", rel=1e-9, **on)
    wrong = [(i, x.grad) for i, x in enumerate(xs) if not close(x.grad, 2 * x.data, abs=1e-12)]
    if wrong:
        i, grad = wrong[0]
        expect(grad, 2 * xs[i].data, f"x{i}.grad", f"{len(wrong)} of {DEEP:,} leaves have a wrong gradient, e.g. "
               f"x{i}: ds/dx{i} = 2 * x{i}", rel=0, abs=0, **on)


def test_one_node_used_5_000_times(Value):
    """u = 2 * x feeds 5 000 products: s = u*c0 + u*c1 + ...; ds/du = sum(c), ds/dx = 2 sum(c).

    One node with 5 000 users must collect every contribution before it
    passes its gradient on, and be visited once."""
    cs = [math.sin(i) for i in range(DEEP)]
    x = Value(0.25)
    u = 2 * x
    s = sum(u * c for c in cs)
    backward_or_explain(s, 2 * DEEP)
    total = math.fsum(cs)
    on = {"ops": ("add", "mul", "rmul", "radd"), "graph": s, "names": {"x": x, "u": u, "s": s}}
    expect(u.grad, total, "u.grad", f"ds/du = sum of the {DEEP:,} constants", rel=1e-9, abs=1e-9, **on)
    expect(x.grad, 2 * total, "x.grad", "ds/dx = 2 * ds/du", rel=1e-9, abs=1e-9, **on)
