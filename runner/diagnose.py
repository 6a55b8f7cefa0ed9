"""The first wrong op: where, walking back from the output, an engine's gradients go wrong.

When ``backward()`` disagrees with finite differences (or with PyTorch), the
learner needs to know *which op* to fix. This module works on any engine,
through the public API only (``data``, ``grad``, the operators,
``backward()``, ``_prev`` and ``_op``):

    from runner.diagnose import explain
    print(explain(Value, program, [0.5, -1.2, 2.0]))   # '' when nothing is wrong
    # tanh: your backward gave 0.42 at x = 0.5; expected 0.786448 = 1 - tanh(x)**2

How it works. The graph is walked from the output through ``_prev`` in
backward order (every node before its operands). Each node's op is recognised
from its ``_op`` label and checked against its operands' data with the op
registry (``utils/ops.py``); labels are free-form, so an unknown label is
recognised from the data alone. Then, node by node:

1. the node's ``grad`` must be the sum of the shares its users send it (each
   user's grad times the registry's local derivative); the output's must be 1.
   A node that kept only one share is *missing accumulation*.
2. the node's op is rebuilt on fresh Values with the same operand data and
   ``backward()`` is called on that one op: a wrong result there is a wrong
   local derivative, reported with both numbers and the formula.

The first node that fails either check is the diagnosis.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from utils.ops import OPS, Op, ops_up_to

ACCUMULATION = "missing accumulation: use += so every use of a node adds its share"
ORDER = ("backward() must call each node's _backward only after every node that uses it has called "
         "its own (reverse topological order)")

_LABELS: dict[str, tuple[str, ...]] = {
    "+": ("add",), "add": ("add",), "plus": ("add",),
    "*": ("mul",), "mul": ("mul",), "times": ("mul",),
    "-": ("sub", "neg"), "sub": ("sub",), "neg": ("neg",), "negate": ("neg",),
    "/": ("truediv",), "div": ("truediv",), "truediv": ("truediv",),
    "relu": ("relu",), "tanh": ("tanh",), "exp": ("exp",), "log": ("log",), "ln": ("log",),
    "sigmoid": ("sigmoid",), "pow": ("pow",), "**": ("pow",), "^": ("pow",),
}
_EXPONENTS = (2, 3, -1, -2, 0.5, -0.5, 1.5, 1, 0, 4, -3)


@dataclass
class Finding:
    """One diagnosis: what is wrong, in the learner's terms."""

    kind: str  # "local" (a wrong local derivative), "accumulation", "seed", "order", "flow"
    op: str | None  # the registry name of the op at fault, if known
    message: str

    def __str__(self) -> str:
        return self.message


# -- the graph -----------------------------------------------------------------


def operands(node) -> list:
    """The distinct operands of ``node`` (``_prev`` may be a set, a tuple, a list)."""
    out, seen = [], set()
    for child in getattr(node, "_prev", ()) or ():
        if id(child) not in seen:
            seen.add(id(child))
            out.append(child)
    return out


def topological_order(out) -> list:
    """Every node reachable from ``out``, each after all of its operands (no recursion)."""
    order, seen = [], set()
    stack = [(out, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in operands(node) if id(c) not in seen)
    return order


@dataclass
class Step:
    """A recognised node: ``op`` applied to ``args`` (operand nodes, or plain numbers)."""

    op: Op
    args: list  # each an operand node or a float constant

    def values(self) -> list[float]:
        return [float(a.data) if _is_node(a) else float(a) for a in self.args]


def _is_node(x) -> bool:
    return hasattr(x, "data") and hasattr(x, "grad")


def _close(a: float, b: float, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
    try:
        return abs(float(a) - float(b)) <= abs_ + rel * max(abs(float(a)), abs(float(b)))
    except (TypeError, ValueError, OverflowError):
        return False


def _matches(op: Op, args: list[float], data: float) -> bool:
    try:
        return _close(op.fn(*args), data, 1e-9, 1e-12)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return False


def _candidates(label: str) -> tuple[str, ...]:
    label = label.strip()
    low = label.lower()
    if low in _LABELS:
        return _LABELS[low]
    if low.startswith(("**", "pow", "^")):
        return ("pow",)
    return tuple(OPS)  # a label we do not know: recognise the op from the data


def _exponent_from_label(label: str) -> float | None:
    m = re.search(r"(?:\*\*|\^|pow)\s*\(?\s*(-?\d+(?:\.\d*)?(?:e-?\d+)?)", label)
    return float(m.group(1)) if m else None


def identify(node) -> Step | None:
    """Which op of the registry made ``node``, and from which operands; None if no op fits."""
    ops_ = operands(node)
    if not ops_:
        return None
    try:
        data = float(node.data)
    except (TypeError, ValueError):
        return None
    label = str(getattr(node, "_op", "") or "")
    for name in _candidates(label):
        op = OPS[name]
        for args in _arrangements(op, ops_, data, label):
            if _matches(op, [float(a.data) if _is_node(a) else a for a in args], data):
                return Step(op, list(args))
    return None


def _arrangements(op: Op, ops_: list, data: float, label: str):
    """Ways the node's operands could fill the op's arguments."""
    n = len(op.args)
    if op.name == "pow":
        if len(ops_) != 1:
            return
        x = ops_[0]
        k = _exponent_from_label(label)
        ks = [k] if k is not None else list(_EXPONENTS)
        if k is None:
            try:  # any other exponent: read it off the data
                ks.append(round(math.log(abs(data)) / math.log(abs(float(x.data))), 6))
            except (ValueError, ZeroDivisionError, OverflowError):
                pass
        for k in ks:
            yield [x, k]
        return
    if op.args != ("v",) * n:  # radd, rmul, rsub, rtruediv: in a graph these are add, mul, ... of a constant
        return
    if n == 1 and len(ops_) == 1:
        yield [ops_[0]]
    elif n == 2 and len(ops_) == 2:
        a, b = ops_
        yield [a, b]
        yield [b, a]
    elif n == 2 and len(ops_) == 1:
        a = ops_[0]
        yield [a, a]  # the same node on both sides: a + a, a * a
        try:  # an engine that keeps a plain-number operand out of _prev
            x = float(a.data)
            if op.name == "add":
                yield [a, data - x]
            elif op.name == "mul" and x != 0:
                yield [a, data / x]
        except (TypeError, ValueError):
            pass


# -- probing one op on fresh Values ----------------------------------------------


def _fmt(x: float) -> str:
    return f"{float(x):.6g}"


def _where(op: Op, values: Sequence[float]) -> str:
    names = ("x",) if len(values) == 1 else ("a", "b") if op.name != "pow" else ("x", "k")
    return ", ".join(f"{n} = {_fmt(v)}" for n, v in zip(names, values))


def probe(Value: type, op: Op, values: Sequence[float], same: bool = False) -> Finding | None:
    """Rebuild ``op`` on fresh Values with these operand values and check each operand's grad.

    ``same``: both operands are one node (``a + a``); then the two shares must add up.
    """
    values = [float(v) for v in values]
    try:
        if same:
            leaf = Value(values[0])
            leaves = [leaf, leaf]
        else:
            leaves = [Value(v) if kind == "v" else v for kind, v in zip(op.args, values)]
        out = op.call(*leaves)
        out.backward()
    except Exception:  # noqa: BLE001 - the tests report crashes themselves; this only diagnoses numbers
        return None
    expected = op.grad(*values)
    if same:
        total = sum(expected)
        got = float(leaves[0].grad)
        if _close(got, total):
            return None
        shown = op.show("a", "a")
        if any(_close(got, e) for e in expected):
            return Finding("accumulation", op.name,
                           f"{ACCUMULATION}. In {shown} at a = {_fmt(values[0])} your backward gave a.grad = "
                           f"{_fmt(got)}, one share only; expected {' + '.join(_fmt(e) for e in expected)} "
                           f"= {_fmt(total)}")
        return Finding("local", op.name,
                       f"{op.name}: your backward gave {_fmt(got)} for a in {shown} at a = {_fmt(values[0])}; "
                       f"expected {_fmt(total)} ({op.formula}, once for each use of a)")
    for i, (kind, leaf, e) in enumerate(zip(op.args, leaves, expected)):
        if kind != "v":
            continue
        got = float(leaf.grad)
        if not _close(got, e):
            which = "" if sum(k == "v" for k in op.args) == 1 else f" for argument {i + 1}"
            return Finding("local", op.name,
                           f"{op.name}: your backward gave {_fmt(got)}{which} at {_where(op, values)}; "
                           f"expected {_fmt(e)} = {op.formula}")
    return None


def _probe_step(Value: type, step: Step) -> Finding | None:
    values = step.values()
    if step.op.name in ("add", "mul") and not _is_node(step.args[1]):  # x + c with c kept out of _prev
        op = OPS["r" + step.op.name]
        return probe(Value, op, [values[1], values[0]])
    found = probe(Value, step.op, values)
    if found is None and len(step.args) == 2 and step.args[0] is step.args[1]:
        found = probe(Value, step.op, values, same=True)
    return found


# -- the walk back from the output ----------------------------------------------


def _namer(names: dict[int, str]) -> Callable[[Any], str]:
    def name(node, depth: int = 2) -> str:
        if id(node) in names:
            return names[id(node)]
        ops_ = operands(node)
        if not ops_:
            return _fmt(node.data)
        step = identify(node)
        if depth == 0:
            return "(...)"
        if step is None:
            return f"{node._op or '?'}({', '.join(name(c, depth - 1) for c in ops_)})"
        args = [name(a, depth - 1) if _is_node(a) else _fmt(a) for a in step.args]
        return step.op.show(*args)
    return name


def diagnose(out, Value: type, names: dict[int, str] | None = None) -> Finding | None:
    """The first wrong step of ``out.backward()``, which must have been called already.

    ``names`` maps ``id(node)`` to a name for messages (inputs, program nodes).
    """
    name = _namer(names or {})
    order = topological_order(out)
    shares: dict[int, list[tuple[Any, float]]] = defaultdict(list)
    unknown: set[int] = set()
    for node in reversed(order):  # every node before its operands
        got = float(node.grad)
        if node is out:
            if not _close(got, 1.0):
                return Finding("seed", None, f"the output's grad is {_fmt(got)} after backward(); "
                                             "backward() must start by setting it to 1 (d out / d out = 1)")
        elif id(node) not in unknown:
            found = _check_shares(node, got, shares[id(node)], name)
            if found:
                return found
        if not operands(node):
            continue
        step = identify(node)
        if step is None:  # an op we cannot name: its operands cannot be checked
            unknown.update(id(c) for c in operands(node))
            continue
        found = _probe_step(Value, step)
        if found:
            found.message = f"{found.message}  [at {name(node)}]"
            return found
        try:
            local = step.op.grad(*step.values())
        except (ValueError, ZeroDivisionError, OverflowError):
            unknown.update(id(c) for c in operands(node))
            continue
        if id(node) in unknown:
            unknown.update(id(c) for c in operands(node))
            continue
        for arg, d in zip(step.args, local):
            if _is_node(arg):
                shares[id(arg)].append((node, got * d))
    return None


def _check_shares(node, got: float, shares: list, name) -> Finding | None:
    total = sum(s for _, s in shares)
    if _close(got, total):
        return None
    who = name(node)
    users = []
    for u, _ in shares:
        if u not in users:
            users.append(u)
    parts = " + ".join(_fmt(s) for _, s in shares)
    if len(shares) >= 2 and any(_close(got, s) for _, s in shares):
        return Finding("accumulation", None,
                       f"{ACCUMULATION}. {who} is used {len(shares)} times, so its grad must add up "
                       f"{len(shares)} shares: {parts} = {_fmt(total)}; your backward left {_fmt(got)}, "
                       "one share only")
    if _close(got, 0.0):
        return Finding("flow", None,
                       f"no gradient reached {who}: its grad is 0 after backward(), expected {_fmt(total)}. "
                       f"Was the _backward of {name(users[0])} called? ({ORDER})")
    if len(shares) >= 2 and _close(got, 2 * total):
        return Finding("order", None,
                       f"{who} got {_fmt(got)}, twice the {_fmt(total)} it should have: is a node visited twice "
                       "in backward()? Build the order with a visited set, so each node appears once")
    return Finding("order", None,
                   f"{who} got {_fmt(got)} from backward(), but the chain rule gives {_fmt(total)} "
                   f"({parts}, from {', '.join(name(u) for u in users)}). Each op on its own is right, so the "
                   f"order is likely wrong: {ORDER}")


def explain(Value: type, f: Callable, inputs: Sequence[float], *, names: Sequence[str] | None = None) -> str:
    """Run ``f`` (a function of one Value per input, or a ``Program``) on ``inputs``,
    call ``backward()`` and return the first wrong step as one paragraph, or ''.

    Safe to call in a failure message: it never raises.
    """
    try:
        xs = [Value(float(x)) for x in inputs]
        labels = list(names) if names is not None else [f"x{i}" for i in range(len(xs))]
        known = {id(x): n for x, n in zip(xs, labels)}
        if hasattr(f, "run") and hasattr(f, "name"):  # a utils.programs.Program: name every node
            nodes = f.run(*xs)
            known.update({id(node): f.name(i) for i, node in enumerate(nodes)})
            out = nodes[-1]
        else:
            out = f(*xs)
        out.backward()
        found = diagnose(out, Value, known)
    except RecursionError:
        return ""
    except Exception:  # noqa: BLE001 - a diagnosis must never hide the real failure
        return ""
    return f"first wrong step, walking back from the output: {found}" if found else ""


# -- a quick check of every op on its own -----------------------------------------


def _sample_args(op: Op) -> list[tuple[float, ...]]:
    if op.name == "pow":
        return [(1.5, 3.0), (1.5, -1.0), (2.0, 0.5)]
    if op.name == "relu":
        return [(1.5,), (-1.5,)]
    out = []
    for iv in op.domain:
        out.append(round(iv.lo + 0.62 * (iv.hi - iv.lo), 3) or 0.7)
    return [tuple(out)]


def check_ops(Value: type, level: int) -> list[Finding]:
    """Each op of levels 1..``level`` on its own, and the two classic reuse cases
    (``a + a``, ``a * a``): every finding, in the order the levels introduce the ops."""
    findings: list[Finding] = []
    seen_ops: set[str] = set()
    for op in ops_up_to(level):
        for args in _sample_args(op):
            found = probe(Value, op, args)
            if found and op.name not in seen_ops:
                seen_ops.add(op.name)
                findings.append(found)
        if op.name in ("add", "mul") and op.name not in seen_ops:
            found = probe(Value, op, (1.5, 1.5), same=True)
            if found:
                seen_ops.add(op.name)
                findings.append(found)
    return findings
