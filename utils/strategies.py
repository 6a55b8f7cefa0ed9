"""Hypothesis strategies of the kata, in one place."""

from __future__ import annotations

from hypothesis import strategies as st

from utils.ops import OPS, Interval, Op


def in_interval(interval: Interval) -> st.SearchStrategy[float]:
    """Floats in the interval, rounded to 4 places: failing examples stay short enough to read."""
    base = st.floats(interval.lo, interval.hi).map(lambda x: round(x, 4))
    if not interval.signed:
        return base
    return st.tuples(base, st.sampled_from([1.0, -1.0])).map(lambda p: p[0] * p[1])


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
        op = OPS[draw(st.sampled_from(list(op_names)))]
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
