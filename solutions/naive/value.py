"""The simplest correct engine: closures and a recursive topological sort.

This is what a first solution of levels 1-2 looks like, and all it needs:

* every op makes a new ``Value`` and gives it a ``_backward`` closure that
  knows the op's local derivatives and adds ``local * out.grad`` to each
  operand's ``grad`` (``+=``, because an operand can be used many times);
* the ops that are combinations of others (``-``, ``/``, negation, the
  reflected ops) are written in terms of ``+``, ``*`` and ``**``, so they get
  their gradients for free;
* ``backward()`` lists the nodes so that each comes after its operands (a
  depth-first search), then runs the closures in reverse.

What it does not do: the recursive search overflows Python's stack on graphs
deeper than about a thousand nodes (level 3 asks for an iterative one), and
each node carries a closure that refers back to the node, a reference cycle
that only the cyclic garbage collector frees. ``solutions/memory-efficient``
fixes both.
"""

import math
from numbers import Real


class Value:
    def __init__(self, data, _children=(), _op=""):
        if not isinstance(data, Real):
            raise TypeError(f"Value holds a real number, not {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        if not isinstance(other, (Value, Real)):
            return NotImplemented  # Python then raises TypeError
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        if not isinstance(other, (Value, Real)):
            return NotImplemented
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k):
        if not isinstance(k, Real):
            raise TypeError("the exponent must be a plain number")
        out = Value(self.data**k, (self,), f"**{k}")  # 0.0 ** -1 raises ZeroDivisionError

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad  # relu'(0) = 0

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)  # saturates at +-1 instead of overflowing
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        for v in topo:
            if v._prev:
                v.grad = 0.0  # interior nodes start from zero; leaves accumulate
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()

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

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
