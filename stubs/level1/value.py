"""Level 1: +, * and backward().

Build a scalar that remembers how it was computed, then send gradients back
through the graph with backward(). Read katas/level1/README.md first, then
run `nox -s level1` and make the failing tests pass, one at a time.

Replace each `raise NotImplementedError(...)` with your code. Keep the names:
the tests only use the public behaviour (data, grad, the operators and
backward()), plus `_prev` and `_op` to look at the graph.
"""


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        # how to pass this node's grad on to the nodes it was computed from;
        # a leaf (a number you typed in) has nothing to pass on
        self._backward = lambda: None
        self._prev = set(_children)  # the operands this node was computed from
        self._op = _op  # a short label such as "+" or "*"; "" for a leaf

    def __add__(self, other):
        """self + other, where other is a Value or a plain number."""
        raise NotImplementedError("level 1: Value.__add__ (self + other)")

    def __mul__(self, other):
        """self * other, where other is a Value or a plain number."""
        raise NotImplementedError("level 1: Value.__mul__ (self * other)")

    def __radd__(self, other):
        """other + self, when other is a plain number: 1 + Value(2)."""
        raise NotImplementedError("level 1: Value.__radd__ (number + self)")

    def __rmul__(self, other):
        """other * self, when other is a plain number: 2 * Value(3)."""
        raise NotImplementedError("level 1: Value.__rmul__ (number * self)")

    def backward(self):
        """Set self.grad = 1, then call every node's _backward, each node only
        after every node that uses it (reverse topological order)."""
        raise NotImplementedError("level 1: Value.backward")

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
