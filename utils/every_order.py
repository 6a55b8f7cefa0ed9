"""The same graph in every order its ``_prev`` can give: checks whose verdict never depends on luck.

A learner's ``_prev`` is often a set, and a set lists its members in an order
that follows their ids: the same code builds the same graph, but from one run
to the next ``backward()`` may reach two siblings (operands of one node) in
either order. Some bugs only show in one of the orders: ``self.grad =
out.grad`` on one operand is wrong only when another user of that operand ran
its backward first; a breadth-first or pre-order walk is wrong only when it
reaches a shared node before one of its users. A check made on one copy of a
graph then passes in some runs and fails in others.

``in_every_order(build)`` builds fresh copies of a graph (keeping them all
alive, so no id is reused) until every order of the operands of every node
with two or more interior operands has shown up, and returns one copy per
order, sorted: a check made on each of them sees every order on every run,
and the first copy that fails is the same on every run.

    for copy in in_every_order(lambda: build(Value)):
        copy.out.backward()
        ...

An order is read the way an engine reads it: the order of ``_prev`` itself,
and the order of a set made of it (an engine may iterate ``set(node._prev)``).
Leaves do nothing in ``backward()``, so only interior operands count. When a
graph has so many such nodes that the orders cannot all be seen in ``limit``
copies, the copies seen are returned (``Copies.complete`` is False).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from utils.graph import operands as _operands

Signature = tuple[tuple[int, ...], ...]


@dataclass
class Copy:
    """One freshly built graph: its output, the nodes ``build`` named, and the order it showed."""

    out: Any
    named: dict[str, Any]
    order: Signature
    shown: str  # the order in words: "c: (a, b)" per tracked node


@dataclass
class Copies:
    copies: list[Copy] = field(default_factory=list)
    complete: bool = True  # every order of every tracked node showed up
    built: int = 0

    def __iter__(self):
        return iter(self.copies)

    def __len__(self) -> int:
        return len(self.copies)


def signature(out, names: dict[int, str] | None = None) -> tuple[Signature, str, int]:
    """The order of siblings this copy shows: for every node with two or more interior operands,
    the operands' ranks in ``_prev``'s order and in the order of a set made of ``_prev``.

    Ranks are taken in an order fixed by the graph's structure (``_canonical``), so two copies
    of one graph that show the same order have the same signature. Returns the signature,
    the order in words, and how many orders the tracked nodes can show in all.
    """
    nodes = _canonical(out)
    rank = {id(n): i for i, n in enumerate(nodes)}
    names = names or {}
    parts, words, total = [], [], 1
    for node in nodes:
        inner = [c for c in _operands(node) if _operands(c)]
        if len(inner) < 2:
            continue
        total *= math.factorial(len(inner))
        in_prev = tuple(rank[id(c)] for c in _operands(node) if _operands(c))
        as_set = _as_set(node._prev)
        in_set = tuple(rank[id(c)] for c in as_set if _operands(c))
        parts.append((rank[id(node)], *in_prev, -1, *in_set))
        def name(n):
            return names.get(id(n), f"node {rank[id(n)]}")

        words.append(f"{name(node)}: ({', '.join(name(c) for c in as_set if _operands(c))})")
    return tuple(parts), "; ".join(words), total


def _as_set(prev) -> list:
    """The order of ``set(prev)`` as the engine sees it. A set copied into a new set keeps its
    order, so a set ``_prev`` is read as it iterates: an engine behind the grader's pipe sends its
    sets in its own order (tools/grade/remote.py), which a local ``set()`` would not keep."""
    return list(prev) if isinstance(prev, (set, frozenset)) else list(set(prev))


def _canonical(out) -> list:
    """The graph's nodes in an order fixed by its structure, not by ``_prev``'s order: a walk
    from the output that visits each node's operands sorted by their own structure key."""
    key: dict[int, tuple] = {}

    def structure(node) -> tuple:  # (op, data, operand keys sorted), memoised, no recursion
        stack = [(node, False)]
        while stack:
            n, done = stack.pop()
            if id(n) in key:
                continue
            ops_ = _operands(n)
            if done or not ops_:
                key[id(n)] = (str(getattr(n, "_op", "")), repr(float(n.data)),
                              tuple(sorted(key[id(c)] for c in ops_)))
                continue
            stack.append((n, True))
            stack.extend((c, False) for c in ops_ if id(c) not in key)
        return key[id(node)]

    structure(out)
    order, seen, todo = [], set(), [out]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        todo.extend(sorted(_operands(node), key=lambda c: key[id(c)], reverse=True))
    return order


def in_every_order(build: Callable[[], Any], *, limit: int = 400, minimum: int = 4) -> Copies:
    """Fresh copies of the graph ``build()`` makes, one per order its siblings can come in.

    ``build()`` returns the output node, or a dict of named nodes whose last entry is the
    output (the names are used to say an order in words). Copies are built until every
    order has shown up (and at least ``minimum`` were built), or ``limit`` were built.
    """
    found: dict[Signature, Copy] = {}
    keep = []  # every copy stays alive until the end: a freed node's id would come back
    total = 1
    for built in range(1, limit + 1):
        made = build()
        named = made if isinstance(made, dict) else {"out": made}
        out = list(named.values())[-1]
        keep.append(made)
        names = {id(v): k for k, v in named.items()}
        sig, shown, total = signature(out, names)
        if sig not in found:
            found[sig] = Copy(out, named, sig, shown)
        if len(found) >= total and built >= minimum:
            break
    return Copies([found[s] for s in sorted(found)], complete=len(found) >= total, built=built)


class InOrder:
    """A ``utils.programs.Program`` that shows one given order of siblings.

    Run on Values, it builds its graph again (on the same inputs, keeping every
    copy alive) until the siblings come in ``order`` (a ``Copy.order``), so a
    diagnosis made on it sees the copy that failed, on every run.
    """

    def __init__(self, program, order: Signature, tries: int = 400):
        self.program, self.order, self.tries = program, order, tries
        self._keep: list = []

    def name(self, i: int) -> str:
        return self.program.name(i)

    def run(self, *inputs) -> list:
        for _ in range(self.tries):
            nodes = self.program.run(*inputs)
            self._keep.append(nodes)
            if signature(nodes[-1])[0] == self.order:
                break
        return nodes

    def __call__(self, *inputs):
        return self.run(*inputs)[-1]

    def __str__(self) -> str:
        return str(self.program)
