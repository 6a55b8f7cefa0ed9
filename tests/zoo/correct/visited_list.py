"""A closure engine whose backward() keeps its visited nodes in a list: correct, and O(n^2).

A learner's first iterative topological sort: ``visited = []`` and ``if node not in
visited``, so each membership test walks the list and a graph of n nodes costs about
n^2 / 2 comparisons. Level 3's deep graphs (10 000 nodes) make that seconds where the
reference takes a fraction of one: the kata's time limits must leave room for it, even on a
busy machine. Everything else is ``iterative_dfs.py``'s engine.

The levels it passes are listed in tests/claims.py.
"""

from tests.zoo.correct.iterative_dfs import Value as _Value


class Value(_Value):
    def _unary(self, data, op, local):
        return _rewrap(super()._unary(data, op, local))

    def _binary(self, other, data_fn, op, locals_fn):
        return _rewrap(super()._binary(other, data_fn, op, locals_fn))

    def backward(self):
        topo, visited = [], []
        stack = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                topo.append(node)
            elif node not in visited:
                visited.append(node)
                stack.append((node, True))
                for child in node._prev:
                    if child not in visited:
                        stack.append((child, False))
        for node in topo:
            if node._prev:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()


def _rewrap(out):
    """The base class builds its results as its own Value: make them this one's."""
    if isinstance(out, _Value):
        out.__class__ = Value
    return out
