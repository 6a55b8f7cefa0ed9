"""A closure engine whose topological order comes from an iterative DFS over child iterators.

Each stack frame holds a node and an iterator over its operands; a node is
emitted when its iterator runs out, so deep graphs never touch Python's
recursion limit. ``_prev`` is a set.

The levels it passes are listed in tests/claims.py.
"""

import math


def _number(x):
    return isinstance(x, (int, float))


class Value:
    def __init__(self, data, _children=(), _op=""):
        if isinstance(data, Value) or not _number(data):
            raise TypeError("Value() takes an int or a float")
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def _unary(self, data, op, local):
        out = Value(data, (self,), op)

        def _backward():
            self.grad += local * out.grad

        out._backward = _backward
        return out

    def _binary(self, other, data_fn, op, locals_fn):
        if not isinstance(other, Value):
            if not _number(other):
                return NotImplemented
            other = Value(other)
        out = Value(data_fn(self.data, other.data), (self, other), op)

        def _backward():
            da, db = locals_fn(self.data, other.data)
            self.grad += da * out.grad
            other.grad += db * out.grad

        out._backward = _backward
        return out

    def __add__(self, other):
        return self._binary(other, lambda a, b: a + b, "+", lambda a, b: (1.0, 1.0))

    def __mul__(self, other):
        return self._binary(other, lambda a, b: a * b, "*", lambda a, b: (b, a))

    def __pow__(self, k):
        if not _number(k):
            raise TypeError("the exponent of ** must be an int or a float")
        return self._unary(self.data**k, f"^{k}", k * self.data ** (k - 1))

    def relu(self):
        return self._unary(max(0.0, self.data), "relu", 1.0 if self.data > 0 else 0.0)

    def tanh(self):
        t = math.tanh(self.data)
        return self._unary(t, "tanh", 1.0 - t * t)

    def exp(self):
        e = math.exp(self.data)
        return self._unary(e, "exp", e)

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + -other if isinstance(other, Value) or _number(other) else NotImplemented

    def __rsub__(self, other):
        return -self + other

    def __truediv__(self, other):
        return self * other**-1 if isinstance(other, Value) or _number(other) else NotImplemented

    def __rtruediv__(self, other):
        return self**-1 * other

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self):
        order, done = [], {self}
        stack = [(self, iter(self._prev))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                order.append(node)
            elif child not in done:
                done.add(child)
                stack.append((child, iter(child._prev)))
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
