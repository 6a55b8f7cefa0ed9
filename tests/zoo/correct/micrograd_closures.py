"""A learner's engine as the micrograd lecture leads one to write it, done through level 4.

Closures for ``_backward``, ``_prev`` a set, tanh through ``exp``, the type
checks level 2 asks for and no others: the speed of a typical learner's code,
which is what the learner's loop of ``nox -s bench`` times the levels on
(``bench/loop.py``, with ``correct/network/nn.py``). The level-3 changes are in:
an iterative topological sort (an explicit stack) and interior gradients reset
at the start of ``backward()``. (micrograd's own recursive sort is
``micrograd_as_learners_write.py``.)

The levels it passes are listed in tests/claims.py.

Its ops build nodes with ``type(self)``, so the bug zoo's order-dependent
entries (``add_assigns_first_operand`` and the like) subclass it and override
one op on every node of the graph; its ``_prev`` is a set, whose order follows
the objects' ids and changes from run to run, which is what those entries need.
"""

import math


class Value:
    def __init__(self, data, _children=(), _op=""):
        if not isinstance(data, (int, float)):
            raise TypeError(f"Value needs a number, got {data!r}")
        self.data = data
        self.grad = 0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        if not isinstance(other, (Value, int, float)):
            return NotImplemented
        other = other if isinstance(other, Value) else type(self)(other)
        out = type(self)(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        if not isinstance(other, (Value, int, float)):
            return NotImplemented
        other = other if isinstance(other, Value) else type(self)(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, other):
        if not isinstance(other, (int, float)):
            raise TypeError("only supporting int/float powers for now")
        out = type(self)(self.data**other, (self,), f"**{other}")

        def _backward():
            self.grad += (other * self.data ** (other - 1)) * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = type(self)(0 if self.data < 0 else self.data, (self,), "ReLU")

        def _backward():
            self.grad += (out.data > 0) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        out = type(self)(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        x = self.data
        if x < 0:  # exp of a large positive number would overflow
            e = math.exp(2 * x)
            t = (e - 1) / (e + 1)
        else:
            e = math.exp(-2 * x)
            t = (1 - e) / (1 + e)
        out = type(self)(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        topo = []
        visited = set()
        stack = [(self, False)]
        while stack:
            v, done = stack.pop()
            if done:
                topo.append(v)
            elif v not in visited:
                visited.add(v)
                stack.append((v, True))
                for child in v._prev:
                    stack.append((child, False))
        for v in topo:
            if v._prev:
                v.grad = 0
        self.grad = 1
        for v in reversed(topo):
            v._backward()

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
