"""The one graph walk (utils/graph.py): any container for _prev, identity not equality, no recursion."""

from __future__ import annotations

import pytest

from utils.graph import breadth_first, operands, topological_order


class Node:
    """A bare node; ``==`` is overloaded as an engine may do, so only identity can tell nodes apart."""

    def __init__(self, name, prev=(), container=tuple):
        self.name, self._prev = name, container(prev)

    def __eq__(self, other):  # noqa: D105 - every node "equals" every other
        return True

    __hash__ = object.__hash__


def diamond(container):
    x = Node("x")
    a, b = Node("a", [x], container), Node("b", [x, x], container)  # b = x * x
    return x, a, b, Node("out", [a, b], container)


@pytest.mark.parametrize("container", [tuple, list, set])
def test_each_node_comes_once_and_after_its_operands(container):
    x, a, b, out = diamond(container)
    order = topological_order(out)
    assert sorted(n.name for n in order) == ["a", "b", "out", "x"] and order[-1] is out
    pos = {id(n): i for i, n in enumerate(order)}
    for node in order:
        assert all(pos[id(c)] < pos[id(node)] for c in operands(node)), node.name


def test_operands_are_distinct_and_in_prev_order():
    x, y = Node("x"), Node("y")
    assert [n.name for n in operands(Node("f", [y, x, y]))] == ["y", "x"]
    assert operands(Node("leaf")) == [] and operands(object()) == []


def test_breadth_first_is_nearest_first_and_once_each():
    x, a, b, out = diamond(tuple)
    assert [n.name for n in breadth_first(out)] == ["out", "a", "b", "x"]


def test_a_chain_of_a_hundred_thousand_nodes_walks_without_recursion():
    node = Node("x0")
    for i in range(100_000):
        node = Node(f"x{i + 1}", [node])
    assert len(topological_order(node)) == 100_001 and len(list(breadth_first(node))) == 100_001


def test_a_walk_takes_another_order_of_operands():
    x, a, b, out = diamond(tuple)
    default = [n.name for n in topological_order(out)]
    other = [n.name for n in topological_order(out, lambda n: list(reversed(operands(n))))]
    assert default == ["x", "b", "a", "out"] and other == ["x", "a", "b", "out"]
