"""The order probe of the diagnosis: does backward() run each node's step once, after every node that uses it?

Traced by wrapping each node's ``_backward`` on a small graph, in every order of its
siblings (utils/every_order.py); an engine without ``_backward`` closures is checked
against the numbers each wrong order gives (run by runner/diagnose.py after the ops
checked out).
"""

from __future__ import annotations

from collections.abc import Sequence

from runner.checks import Finding
from utils.close import close
from utils.every_order import in_every_order

ORDER = "backward() must run each node's step once, after every node that uses it (reverse topological order)"


def _close(a, b, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
    return close(a, b, rel, abs_)


def _fmt(x) -> str:
    try:
        return f"{float(x):.6g}"
    except (TypeError, ValueError):
        return repr(x)


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


