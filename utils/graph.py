"""Walking any engine's graph, through ``_prev`` only and without recursion.

Works on every style of engine: ``_prev`` a set, a tuple or a list (or absent:
a leaf). Nodes are told apart by identity, never by ``==`` or ``hash`` (an
engine may define ``__eq__``, and a set of nodes would then merge them).
Explicit stacks and queues: a chain of a million nodes walks like a short one.

    from utils.graph import operands, topological_order, breadth_first
    operands(node)            # its distinct operands, in _prev's order
    topological_order(out)    # every node below out, each after its operands; out last
    breadth_first(out)        # every node below out, nearest first

The walks take the operands function as an argument, so a caller that needs
the operands in another order (the drawing sorts a set's) walks the same way.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator


def operands(node) -> list:
    """The distinct operands of ``node`` (``_prev`` may be a set, a tuple, a list), in its order."""
    out, seen = [], set()
    for child in getattr(node, "_prev", ()) or ():
        if id(child) not in seen:
            seen.add(id(child))
            out.append(child)
    return out


def topological_order(out, operands: Callable[[object], list] = operands) -> list:
    """Every node reachable from ``out``, each after all of its operands; ``out`` is last."""
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


def breadth_first(root, operands: Callable[[object], list] = operands) -> Iterator:
    """Every node reachable from ``root``, once each, nearest first (``root`` first)."""
    seen = {id(root)}
    alive = [root]  # every node visited stays alive, so no id() is reused during the walk
    queue = deque([root])
    while queue:
        node = queue.popleft()
        yield node
        for child in operands(node):
            if id(child) not in seen:
                seen.add(id(child))
                alive.append(child)
                queue.append(child)
