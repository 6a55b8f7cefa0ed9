"""A correct engine for the bug zoo to break, one method at a time.

Every wrong engine of levels 1-3 subclasses it, so the self-test runs it
through every level it claims: a one-bug engine is only a proof if the rest
of it is right. Every node stores its operands in ``_prev`` (a
tuple) and the local derivative d node / d operand in ``_local``;
``backward()`` walks the graph in reverse topological order and sends
``local * grad`` to each operand. The steps are small methods (``_order``,
``_propagate``, ``_accumulate``) so that a zoo entry can replace exactly the
step that holds its bug. Ops build nodes with ``type(self)``, so a subclass's
overrides apply to the whole graph.

The levels it passes are listed in tests/claims.py.
"""

import math
from numbers import Real


class Value:
    def __init__(self, data, _children=(), _op=""):
        if not isinstance(data, Real):
            raise TypeError(f"Value holds a real number, not {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)
        self._local = ()  # d self / d operand, one per operand
        self._op = _op

    # -- building nodes

    def _node(self, data, children, op, local):
        out = type(self)(data, children, op)
        out._local = tuple(local)
        return out

    def _wrap(self, other):
        if isinstance(other, Value):
            return other
        if isinstance(other, Real):
            return type(self)(other)
        return None

    # -- primitives

    def __add__(self, other):
        other = self._wrap(other)
        if other is None:
            return NotImplemented
        return self._node(self.data + other.data, (self, other), "+", (1.0, 1.0))

    def __mul__(self, other):
        other = self._wrap(other)
        if other is None:
            return NotImplemented
        return self._node(self.data * other.data, (self, other), "*", (other.data, self.data))

    def __pow__(self, k):
        if isinstance(k, Value) or not isinstance(k, Real):
            raise TypeError("the exponent must be a plain number")
        return self._node(self.data**k, (self,), f"**{k}", (k * self.data ** (k - 1),))

    def relu(self):
        return self._node(max(self.data, 0.0), (self,), "relu", (float(self.data > 0),))

    def tanh(self):
        t = math.tanh(self.data)
        return self._node(t, (self,), "tanh", (1.0 - t * t,))

    def exp(self):
        e = math.exp(self.data)
        return self._node(e, (self,), "exp", (e,))

    # -- derived ops

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        return self * other**-1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return other + (-self)

    def __rtruediv__(self, other):
        return other * self**-1

    # -- backpropagation

    def backward(self):
        order = self._order()
        for node in order:
            if node._prev:
                node.grad = 0.0  # interior nodes restart; leaves accumulate
        self.grad = 1.0
        for node in reversed(order):
            node._propagate()

    def _order(self):
        """Every node reachable from self, operands first (iterative DFS)."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev if child not in seen)
        return order

    def _propagate(self):
        for child, local in zip(self._prev, self._local):
            child._accumulate(local * self.grad)

    def _accumulate(self, g):
        self.grad += g

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
