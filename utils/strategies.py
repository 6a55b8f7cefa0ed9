"""Hypothesis strategies of the kata, in one place."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import strategies as st

from utils.ops import OPS, Interval, Op


@lru_cache(maxsize=None)  # one strategy object per interval: hypothesis validates a new one on every draw
def in_interval(interval: Interval) -> st.SearchStrategy[float]:
    """Floats in the interval, rounded to 4 places: failing examples stay short enough to read."""
    base = st.floats(interval.lo, interval.hi).map(lambda x: round(x, 4))
    if not interval.signed:
        return base
    return st.tuples(base, st.sampled_from([1.0, -1.0])).map(lambda p: p[0] * p[1])


@lru_cache(maxsize=None)
def op_args(op: Op) -> st.SearchStrategy[tuple[float, ...]]:
    """Arguments for ``op``, each drawn from its safe domain."""
    parts = []
    for kind, domain in zip(op.args, op.domain):
        s = in_interval(domain)
        if op.name == "pow" and kind == "n":  # exponents: a few integers and a few fractions
            s = st.sampled_from([-2, -1, 0.5, 1, 2, 3, 1.5, -0.5])
        parts.append(s)
    return st.tuples(*parts)


def ops_named(names) -> st.SearchStrategy[Op]:
    return st.sampled_from([OPS[n] for n in names])


@st.composite
def programs(draw, op_names, n_inputs: int = 3, min_steps: int = 1, max_steps: int = 6):
    """Random expression DAGs over ``n_inputs`` leaves: nodes are reused, plain
    numbers stand on either side of an op, and every input feeds the output.

    Only the plain numbers are drawn from the ops' domains; the values of
    intermediate nodes are whatever the graph makes them, so pass ops whose
    domain is unbounded, or inputs that keep them in range.
    """
    from utils.programs import Program, Step

    steps = []
    for k in range(draw(st.integers(min_steps, max_steps))):
        op = OPS[draw(st.sampled_from(tuple(op_names)))]
        numbers = draw(op_args(op))
        refs = []
        for j, kind in enumerate(op.args):
            has_node = any(isinstance(r, int) for r in refs)
            if kind == "n" or (has_node and draw(st.integers(0, 3)) == 0):
                refs.append(float(numbers[j]))  # a plain number: x * 2.0, 2.0 - x
            else:
                refs.append(draw(st.integers(0, n_inputs + k - 1)))  # an input or an earlier node
        steps.append(Step(op.name, tuple(refs)))
    used = {r for step in steps for r in step.refs if isinstance(r, int)}
    for i in range(n_inputs):  # tie every input into the output
        if i not in used:
            steps.append(Step("add", (n_inputs + len(steps) - 1, i)))
    return Program(n_inputs, tuple(steps))


# -- level 3: random graphs that PyTorch and an engine can both run safely -----

ORACLE_INPUTS = Interval(-2.0, 2.0)
_BOUND = 100.0  # larger node values are squashed through tanh before they are used again


class ProgramCase:
    """A program and its inputs; it prints as the code that rebuilds it, so a
    failing example reads as an expression, not as nested dataclasses."""

    def __init__(self, program, xs):
        self.program = program
        self.xs = list(xs)

    def __iter__(self):  # program, xs = case
        return iter((self.program, self.xs))

    def __repr__(self) -> str:
        return self.program.as_code(self.xs)


@st.composite
def oracle_programs(draw, op_names, n_inputs: int = 3, min_steps: int = 1, max_steps: int = 8,
                    must_use: str | None = None):
    """A random expression DAG and its inputs (a ``ProgramCase``; it unpacks as
    ``program, xs``) on which every op stays inside its safe domain, so
    neither PyTorch nor an engine meets inf, nan or a pole.

    Unlike ``programs``, which only draws the plain numbers from the domains,
    this strategy follows the value of every node (in floats, at the drawn
    inputs) and, when a node is about to be used where it does not belong,
    first passes it through a visible adapter step:

    * a divisor nearer 0 than 0.5, or a base of ``**`` outside [0.5, 3]:
      ``n5 = tanh(n4); n6 = (2.0 + n5)``, in (1, 3);
    * the argument of ``exp``, or any node larger than 100: ``tanh(n4)``;
    * the argument of ``relu`` within 1e-6 of 0 (where two correct engines may
      round to different sides): ``(n4 - n4)``, which is exactly 0 everywhere,
      so relu's gradient at 0 is still exercised.

    Nodes are reused, plain numbers stand on either side of an op, every
    node (inputs included) feeds the output, and ``must_use`` (an op name)
    appears at least once.
    """
    from utils.programs import Program, Step

    xs = [draw(in_interval(ORACLE_INPUTS), label=f"x{i}") for i in range(n_inputs)]
    values = list(xs)
    steps: list[Step] = []

    def emit(op_name, refs):
        args = [values[r] if isinstance(r, int) else r for r in refs]
        steps.append(Step(op_name, tuple(refs)))
        values.append(float(OPS[op_name].fn(*args)))
        return len(values) - 1

    def adapt(node: int, op_name: str, j: int) -> int:
        v = values[node]
        if abs(v) > _BOUND:
            node = emit("tanh", (node,))
            v = values[node]
        bad_base = op_name == "pow" and j == 0 and not 0.5 <= v <= 3.0
        bad_divisor = op_name in ("truediv", "rtruediv") and j == 1 and abs(v) < 0.5
        if bad_base or bad_divisor:
            node = emit("radd", (2.0, emit("tanh", (node,))))
        elif op_name == "exp" and abs(v) > 4.0:
            node = emit("tanh", (node,))
        elif op_name == "relu" and abs(v) < 1e-6:
            node = emit("sub", (node, node))
        return node

    n_steps = draw(st.integers(min_steps, max_steps), label="steps")
    names = tuple(op_names)  # a tuple: hypothesis reuses the strategy sampled from it
    for k in range(n_steps):
        if must_use is not None and k == 0:
            name = must_use
        else:
            name = draw(st.sampled_from(names), label="op")
        op = OPS[name]
        numbers = draw(op_args(op))
        refs = []
        for j, kind in enumerate(op.args):
            has_node = any(isinstance(r, int) for r in refs)
            if kind == "n" or (has_node and draw(st.integers(0, 3)) == 0):
                refs.append(float(numbers[j]))
            else:
                refs.append(draw(st.integers(0, len(values) - 1)))
        refs = [adapt(r, name, j) if isinstance(r, int) else r for j, r in enumerate(refs)]
        if name == "relu" and draw(st.integers(0, 7)) == 0:  # now and then, relu at exactly 0
            refs = [emit("sub", (refs[0], refs[0]))]
        emit(name, refs)
    # tie every node nothing uses into the output, so every node (inputs included) reaches it
    used = {r for step in steps for r in step.refs if isinstance(r, int)}
    for i in [i for i in range(len(values) - 1) if i not in used]:
        emit("add", (len(values) - 1, i))
    return ProgramCase(Program(n_inputs, tuple(steps)), xs)


# -- level 1: graphs that only a right order gets right ------------------------


@st.composite
def shared_programs(draw, op_names, n_inputs: int = 3, min_links: int = 3, max_links: int = 6):
    """Expression DAGs whose shared interior nodes are reached by paths of different lengths.

    A node ``s = op(x_i, x_j)`` is built first, and maybe ``t = op(s, ...)``
    from it; then a chain of links ``c1 = op(s, x)``, ``c(k+1) = op(ck, r)``
    whose last link (the output) uses ``s`` (or ``t``) again, and whose other
    links take an input, an earlier link, ``s``, ``t`` or a plain number, on
    either side. So ``s`` is used at the top of the graph and at its bottom:
    its users lie at different depths, and a backward pass that runs ``s``
    before every node that uses it (forward order, breadth-first, a pre-order
    walk, a node visited once per path) sends on a gradient it has not
    finished collecting. Plain numbers are never 0 (nor should the inputs be),
    so that no share of the gradient is 0 and every such walk shows.
    """
    from utils.programs import Program, Step

    names = tuple(op_names)  # a tuple: hypothesis reuses the strategy sampled from it
    steps: list[Step] = []

    def emit(refs) -> int:
        op = draw(st.sampled_from(names), label="op")
        if draw(st.booleans(), label="swap"):
            refs = refs[::-1]
        steps.append(Step(op, tuple(refs)))
        return n_inputs + len(steps) - 1

    def number() -> float:  # never 0, which would stop the gradient of everything under it
        return draw(in_interval(Interval(0.5, 2.0, signed=True)), label="number")

    i, j = draw(st.lists(st.integers(0, n_inputs - 1), min_size=2, max_size=2, unique=True), label="s from")
    shared = [emit([i, j])]
    if draw(st.booleans(), label="second shared node"):
        shared.append(emit([shared[0], draw(st.integers(0, n_inputs - 1))]))
    link = emit([draw(st.sampled_from(tuple(shared))), draw(st.integers(0, n_inputs - 1))])
    chain = [link]
    n_links = draw(st.integers(min_links, max_links), label="links")
    for k in range(1, n_links):
        if k == n_links - 1:
            partner = draw(st.sampled_from(tuple(shared)))  # the top uses a shared node again
        else:
            partner = draw(st.one_of(
                st.sampled_from(shared), st.integers(0, n_inputs - 1), st.sampled_from(chain), st.just("number"),
            ), label="partner")
        link = emit([link, number() if partner == "number" else partner])
        chain.append(link)
    used = {r for step in steps for r in step.refs if isinstance(r, int)}
    for x in range(n_inputs):  # tie every input into the output
        if x not in used:
            steps.append(Step("add", (n_inputs + len(steps) - 1, x)))
    return Program(n_inputs, tuple(steps))
