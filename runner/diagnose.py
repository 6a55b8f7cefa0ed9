"""A differential diagnosis: why an engine's gradients are wrong, stated only when a probe confirmed it.

Through the public API only (``data``, ``grad``, the operators, ``backward()``,
``_prev``; ``_backward`` when the engine has it), one probe per cause, in order,
and the first confirmed cause is the diagnosis (never two that contradict):

1. seed: ``backward()`` sets the output's grad to 1 (a leaf, then one op);
2. data kept: ``Value(2.5).data`` is 2.5 (no int truncation), and
   ``Value(0.1) * Value(0.2)`` is not rounded to single precision;
3. order: each node's backward step runs exactly once, after every node that
   uses it. Traced by wrapping each node's ``_backward`` on a small graph, in
   every order of its siblings; an engine without ``_backward`` closures is
   checked against the numbers each wrong order gives (after step 4);
4. each op on its own, primitives before the ops usually derived from them (-, /):
   its forward value and its local derivative (incoming gradient 1), then with a
   known incoming gradient (``op(..) * 3``: a result that ignores it is a missing
   chain factor, not a wrong derivative), then used twice, ``op(x) + op(x)``
   (missing accumulation only when the single use is right and the double use
   is exactly one share).

    from runner.diagnose import diagnose, explain
    print(diagnose(Value, level=2))            # a Finding, or None when no probe confirms a cause
    print(explain(Value, program, [0.5, -1.2]))  # one paragraph for a failure message
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from runner import recognise
from utils.every_order import in_every_order
from utils.ops import OPS, Op, ops_up_to

ORDER = "backward() must run each node's step once, after every node that uses it (reverse topological order)"
NOTHING = ("no single cause confirmed: backward() seeds 1, data is kept, and each op checked on its own "
           "(alone, inside a chain, used twice) is right; compare the numbers above with a hand calculation "
           "on a smaller graph")
INCOMING = 3.0  # the known incoming gradient of the chain probe
# ops usually built from others (README of level 2): probed after the primitives they use
DERIVED = frozenset({"neg", "sub", "rsub", "truediv", "rtruediv"})


@dataclass
class Finding:
    """One confirmed cause, in the learner's terms."""

    kind: str  # seed, data, float32, order, forward, local, chain, accumulation
    op: str | None  # the registry name of the op at fault, if one
    message: str

    def __str__(self) -> str:
        return self.message


def _fmt(x) -> str:
    try:
        return f"{float(x):.6g}"
    except (TypeError, ValueError):
        return repr(x)


def _close(a, b, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
    try:
        return abs(float(a) - float(b)) <= abs_ + rel * max(abs(float(a)), abs(float(b)))
    except (TypeError, ValueError, OverflowError):
        return False


def _f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


# -- 1. the seed ----------------------------------------------------------------------


def check_seed(Value) -> Finding | None:
    x = Value(2.0)
    x.backward()
    if not _close(x.grad, 1.0):
        return Finding("seed", None, f"backward() on a leaf left its grad at {_fmt(x.grad)}: backward() must start "
                                     "by setting the output's grad to 1 (d out / d out = 1)")
    a, b = Value(2.0), Value(3.0)
    z = a * b
    z.backward()
    if not _close(z.grad, 1.0):
        return Finding("seed", None, f"after z = a * b; z.backward(), z.grad is {_fmt(z.grad)} and a.grad "
                                     f"{_fmt(a.grad)}: backward() must start by setting the output's grad to 1 "
                                     "(d out / d out = 1)")
    return None


# -- 2. the data ----------------------------------------------------------------------


def check_data(Value) -> Finding | None:
    v = Value(2.5)
    if not _close(v.data, 2.5, 0, 0):
        how = " (int(data) drops the fraction: keep the number as it is, or use float(data))" \
            if _close(v.data, 2.0, 0, 0) else ""
        return Finding("data", None, f"Value(2.5).data is {v.data!r}, not 2.5{how}")
    p = (Value(0.1) * Value(0.2)).data
    exact, single = 0.1 * 0.2, _f32(_f32(_f32(0.1) * _f32(0.2)))
    if p != exact and _close(p, single, 1e-12, 0):
        return Finding("float32", None, f"Value(0.1) * Value(0.2) gives {p!r}, which is 0.1 * 0.2 rounded to single "
                                        f"precision (Python floats give {exact!r}): are data or grad stored as "
                                        "float32? Use Python floats")
    return None


# -- 3. the order ----------------------------------------------------------------------
# The graph: y = x * x; u = y * y; w = u * 3; z = w + y. y is used by u (twice) and by z,
# at different depths, so a breadth-first or a forward order runs y's step too early.

_NAMES = ("y", "u", "w", "z")
_SHOWN = {"y": "y = x * x", "u": "u = y * y", "w": "w = u * 3", "z": "z = w + y"}
_USERS = {"y": ("u", "z"), "u": ("w",), "w": ("z",), "z": ()}
_X = 1.5


def _graph(Value) -> dict:
    x = Value(_X)
    y = x * x
    u = y * y
    w = u * 3
    z = w + y
    return {"x": x, "y": y, "u": u, "w": w, "z": z}


def _copies(Value) -> list[dict]:
    """The graph above in every order a set ``_prev`` can list z's operands (w and y), in a fixed
    order (utils/every_order.py): a check reports the first copy that shows a problem, so an engine
    whose result depends on that order is told the same thing on every run."""
    return [copy.named for copy in in_every_order(lambda: _graph(Value))]


def order_problem(calls: Sequence[str]) -> str | None:
    """What is wrong with this sequence of backward steps (names of _NAMES), or None."""
    for name in ("z", "w", "u", "y"):
        if name not in calls:
            return f"{name}'s backward step ({_SHOWN[name]}) never ran: {ORDER}"
    for name in _NAMES:
        if calls.count(name) > 1:
            return f"{name}'s backward step ({_SHOWN[name]}) ran {calls.count(name)} times: {ORDER}"
    for name in _NAMES:
        first = calls.index(name)
        for user in _USERS[name]:
            last = len(calls) - 1 - calls[::-1].index(user)
            if first < last:
                return (f"{name}'s backward step ({_SHOWN[name]}) ran before {user}'s ({_SHOWN[user]}), which "
                        f"uses {name}: {ORDER}")
    return None


def trace(graph: dict) -> list[str] | None:
    """The backward steps ``z.backward()`` runs on one copy of the graph above, by name; None
    when the engine does not run them through each node's ``_backward``."""
    x = graph["x"]
    nodes = {name: graph[name] for name in _NAMES}
    calls: list[str] = []
    for name, node in nodes.items():
        original = getattr(node, "_backward", None)
        if not callable(original):
            return None

        def wrapped(name=name, original=original):
            calls.append(name)
            return original()

        try:
            node._backward = wrapped
        except (AttributeError, TypeError):
            return None
    nodes["z"].backward()
    if not calls and not _close(x.grad, 0.0):
        return None  # gradients flowed without _backward: another design
    return calls


def _simulate(calls: Sequence[str]) -> float:
    """x.grad after running these steps, with every op right."""
    y = _X * _X
    grad = dict.fromkeys(("x", *_NAMES), 0.0)
    grad["z"] = 1.0
    for name in calls:
        g = grad[name]
        if name == "z":
            grad["w"] += g
            grad["y"] += g
        elif name == "w":
            grad["u"] += 3 * g
        elif name == "u":
            grad["y"] += 2 * y * g
        elif name == "y":
            grad["x"] += 2 * _X * g
    return grad["x"]


_WRONG_ORDERS = [  # sequences a wrong backward() produces on the graph (both orders of z's operands)
    ["z"],  # only the output's step
    ["y", "u", "w", "z"],  # build order, not reversed
    ["z", "w", "y", "u"], ["z", "y", "w", "u"],  # breadth first
    ["z", "y", "w", "u", "y"], ["z", "w", "u", "y", "y"],  # recursive: step, then recurse, no visited set
    ["z", "y", "w", "u", "y", "y"],  # every path: a node once per path to it
]


def check_order_by_trace(Value) -> Finding | None:
    for graph in _copies(Value):
        calls = trace(graph)
        if calls is None:
            return None
        problem = order_problem(calls)
        if problem:
            shown = "; ".join(_SHOWN[n] for n in _NAMES)
            ran = ", ".join(calls) if len(calls) <= 12 else ", ".join(calls[:12]) + ", ..."
            return Finding("order", None, f"on {shown}, z.backward() ran the steps of {ran}: {problem}")
    return None


def check_order_by_numbers(Value) -> Finding | None:
    """For engines without ``_backward`` closures (run after the ops checked out): the graph's
    x.grad against what each wrong order gives."""
    for graph in _copies(Value):
        finding = _order_by_numbers(graph)
        if finding:
            return finding
    return None


def _order_by_numbers(graph: dict) -> Finding | None:
    x = graph["x"]
    graph["z"].backward()
    right = _simulate(["z", "w", "u", "y"])
    got = float(x.grad)
    if _close(got, right):
        return None
    problems = {order_problem(c) for c in _WRONG_ORDERS if _close(_simulate(c), got)}
    shown = "; ".join(_SHOWN[n] for n in _NAMES)
    if len(problems) == 1:
        return Finding("order", None, f"on {shown} at x = {_X}, x.grad is {_fmt(got)} (expected {_fmt(right)}), "
                                      f"as when {problems.pop()}")
    return Finding("order", None, f"on {shown} at x = {_X}, x.grad is {_fmt(got)}, expected {_fmt(right)}, while "
                                  f"each op on its own is right: {ORDER}")


# -- 4. each op on its own -------------------------------------------------------------------


def _names(op: Op, values: Sequence[float]) -> list[str]:
    vnames = iter(("x",) if op.args.count("v") == 1 else ("a", "b"))
    return [next(vnames) if kind == "v" else "k" if op.name == "pow" else "c" for kind in op.args]


def _where(op: Op, values: Sequence[float]) -> str:
    return ", ".join(f"{n} = {_fmt(v)}" for n, v in zip(_names(op, values), values))


def _shown(op: Op, values: Sequence[float]) -> str:
    return op.show(*[n if kind == "v" else _fmt(v) for kind, n, v in zip(op.args, _names(op, values), values)])


def _leaves(Value, op: Op, values):
    return [Value(v) if kind == "v" else v for kind, v in zip(op.args, values)]


def check_local(Value, op: Op, values: Sequence[float]) -> Finding | None:
    """One op on its own at these argument values: its forward value and its local derivative."""
    values = [float(v) for v in values]
    expected = op.grad(*values)
    at = _where(op, values)
    # forward
    leaves = _leaves(Value, op, values)
    out = op.call(*leaves)
    right = op.fn(*values)
    if not _close(out.data, right, 1e-9, 1e-12):
        if op.args == ("n", "v") and _close(out.data, op.fn(values[1], values[0]), 1e-9, 1e-12):
            c, x = _fmt(values[0]), _fmt(values[1])
            sym = op.symbol.replace("(", "").replace(")", "").format("", "").strip()
            return Finding("forward", op.name, f"{op.name}: your {c} {sym} x gave x {sym} {c} ({_fmt(out.data)} at "
                                               f"x = {x}; expected {c} {sym} {x} = {_fmt(right)}): in "
                                               f"__{op.name}__(self, other), self is x and other is {c}, so it "
                                               f"returns other {sym} self")
        return Finding("forward", op.name, f"{op.name}: your forward gave {_fmt(out.data)} at {at}; expected "
                                           f"{_fmt(right)}")
    # the local derivative, incoming gradient 1
    out.backward()
    for i, (kind, leaf, e) in enumerate(zip(op.args, leaves, expected)):
        if kind != "v":
            continue
        if not _close(leaf.grad, e):
            which = "" if op.args.count("v") == 1 else f" for argument {i + 1}"
            return Finding("local", op.name, f"{op.name}: your backward gave {_fmt(leaf.grad)}{which} at {at}; "
                                             f"expected {_fmt(e)} = {op.formula}")
    return None


def check_use(Value, op: Op, values: Sequence[float]) -> Finding | None:
    """One op inside a graph: with a known incoming gradient, then used twice."""
    values = [float(v) for v in values]
    expected = op.grad(*values)
    at = _where(op, values)
    # a known incoming gradient
    leaves = _leaves(Value, op, values)
    (op.call(*leaves) * INCOMING).backward()
    for i, (kind, leaf, e) in enumerate(zip(op.args, leaves, expected)):
        if kind != "v" or _close(leaf.grad, INCOMING * e):
            continue
        shown = _shown(op, values)
        if _close(leaf.grad, 0.0) and not _close(e, 0.0):
            return Finding("order", op.name,
                           f"in {shown} * {_fmt(INCOMING)} at {at}, the operand's grad is 0, although {op.name}'s "
                           f"backward is right when it is the output: its step ran before the step of its user "
                           f"(* {_fmt(INCOMING)}) set out.grad, or never ran: {ORDER}")
        if _close(leaf.grad, e) and not _close(e, 0.0):
            return Finding("chain", op.name,
                           f"{op.name} ignores out.grad (chain rule): in {shown} * {_fmt(INCOMING)} at {at}, "
                           f"out.grad is {_fmt(INCOMING)} and the operand's grad must be {_fmt(INCOMING)} * "
                           f"{_fmt(e)} = {_fmt(INCOMING * e)}; your backward gave {_fmt(leaf.grad)}, the "
                           "local derivative alone: multiply it by out.grad")
        return Finding("chain", op.name,
                       f"{op.name}: in {shown} * {_fmt(INCOMING)} at {at}, with out.grad = {_fmt(INCOMING)}, your "
                       f"backward gave {_fmt(leaf.grad)} for argument {i + 1}; expected {_fmt(INCOMING * e)} "
                       "(right with out.grad = 1, so the incoming gradient is not used as out.grad * local)")
    # used twice
    leaves = _leaves(Value, op, values)
    (op.call(*leaves) + op.call(*leaves)).backward()
    for i, (kind, leaf, e) in enumerate(zip(op.args, leaves, expected)):
        if kind != "v" or _close(leaf.grad, 2 * e):
            continue
        shown = _shown(op, values)
        if _close(leaf.grad, e):
            return Finding("accumulation", op.name,
                           f"missing accumulation in {op.name}: in {shown} + {shown} at {at}, argument {i + 1} "
                           f"feeds two {op.name} nodes and must get 2 * {_fmt(e)} = {_fmt(2 * e)}; your backward "
                           f"gave {_fmt(leaf.grad)}, one share: {op.name}'s backward must add to the operand's "
                           "grad (+=), not overwrite it (=)")
        return Finding("accumulation", op.name,
                       f"{op.name}: in {shown} + {shown} at {at}, argument {i + 1} must get 2 * {_fmt(e)} = "
                       f"{_fmt(2 * e)}; your backward gave {_fmt(leaf.grad)} (one use alone gives the right "
                       f"{_fmt(e)})")
    return None


def sample_args(op: Op) -> list[tuple[float, ...]]:
    if op.args == ("n", "v"):
        return [(2.5, 4.0)]  # c and x apart, so that c - x and x - c differ
    if op.name == "pow":
        return [(1.5, 3.0), (1.5, -1.0), (2.0, 0.5)]
    if op.name == "relu":
        return [(1.5,), (-1.5,)]
    return [tuple(round(iv.lo + f * (iv.hi - iv.lo), 3) or 0.7 for iv, f in zip(op.domain, (0.62, 0.83)))]


# -- the diagnosis ----------------------------------------------------------------------------


def diagnose(Value, level: int = 1, extra: Sequence[tuple[Op, Sequence[float]]] = ()) -> Finding | None:
    """The first confirmed cause, or None. ``extra``: more (op, argument values) to probe,
    e.g. the ops of a failing graph at the values the test used. Never raises."""
    ops = ops_up_to(level)
    if extra:  # a failing graph: its own ops, and those of level 1 that every graph uses
        names = {op.name for op, _ in extra}
        ops = [op for op in ops if op.level == 1 or op.name in names]
    points = [(op, args) for op in ops for args in sample_args(op)] + list(extra)
    points.sort(key=lambda p: [o.name for o in ops].index(p[0].name) if p[0] in ops else len(ops))
    checks: list[Callable[[], Finding | None]] = [
        lambda: check_seed(Value),
        lambda: check_data(Value),
        lambda: check_order_by_trace(Value),
    ]
    for group in ([p for p in points if p[0].name not in DERIVED], [p for p in points if p[0].name in DERIVED]):
        checks += [(lambda op=op, args=args: check_local(Value, op, args)) for op, args in group]
        checks += [(lambda op=op, args=args: check_use(Value, op, args)) for op, args in group]
    checks.append(lambda: check_order_by_numbers(Value))
    for check in checks:
        try:
            found = check()
        except Exception:  # noqa: BLE001 - a probe that crashes (or recurses too deep) confirms nothing
            continue
        if found:
            return found
    return None


def _graph_points(Value, f, inputs) -> list[tuple[Op, list[float]]]:
    xs = [Value(float(x)) for x in inputs]
    if hasattr(f, "run") and hasattr(f, "name"):  # a utils.programs.Program
        out = f.run(*xs)[-1]
    else:
        out = f(*xs)
    points = []
    for step in recognise.steps(out):
        values = step.values()
        if step.op.name in ("add", "mul") and not recognise._is_node(step.args[1]):  # x + c, c kept out of _prev
            points.append((OPS["r" + step.op.name], [values[1], values[0]]))
        elif step.op.args == ("v",) * len(values) or step.op.name == "pow":
            points.append((step.op, values))
    return points


def explain(Value, f: Callable | None = None, inputs: Sequence[float] = (), *, names: Sequence[str] | None = None,
            level: int | None = None) -> str:
    """One paragraph for a failure message: the confirmed cause, or that none was confirmed.
    ``f`` and ``inputs`` (a function of Values or a ``Program``) add the failing graph's own
    op values to the probes. Safe in a failure message: it never raises."""
    try:
        extra = _graph_points(Value, f, inputs) if f is not None else []
    except Exception:  # noqa: BLE001
        extra = []
    try:
        lv = level or max([op.level or 1 for op, _ in extra] + [1])
        found = diagnose(Value, lv, extra)
    except Exception:  # noqa: BLE001 - a diagnosis must never hide the real failure
        return ""
    return f"cause (confirmed by a probe): {found}" if found else NOTHING


# -- backward() twice (level 3) -----------------------------------------------------------------

LEAVES_RESET = ("the inputs' grads were not doubled by a second backward(), they stayed as after one call: "
                "backward() must not reset the leaves; reset only the nodes with operands")
INTERIOR_KEPT = ("the inputs' grads more than doubled: an interior node's grad doubled on the second call, so "
                 "backward() sent the first call's gradient through again; reset the grad of every node with "
                 "operands to 0 at the start of backward()")


def backward_twice(Value, f, inputs: Sequence[float]) -> str:
    """Why backward() twice went wrong on ``f`` (a function of Values or a ``Program``), when a probe
    shows it: the leaves reset, or interior grads kept. '' otherwise. Never raises."""
    def run(calls: int):
        xs = [Value(float(x)) for x in inputs]
        out = f.run(*xs)[-1] if hasattr(f, "run") else f(*xs)
        for _ in range(calls):
            out.backward()
        inner = [n for n in recognise.topological_order(out) if recognise.operands(n) and n is not out]
        return [float(x.grad) for x in xs], [float(n.grad) for n in inner]

    try:
        (g1, i1), (g2, i2) = run(1), run(2)
    except Exception:  # noqa: BLE001
        return ""
    if all(_close(b, 2 * a) for a, b in zip(g1, g2)):
        return ""
    if any(not _close(a, 0.0) for a in g1) and all(_close(b, a) for a, b in zip(g1, g2)):
        return LEAVES_RESET
    if any(not _close(a, 0.0) and _close(b, 2 * a) for a, b in zip(i1, i2)):
        return INTERIOR_KEPT
    return ""
