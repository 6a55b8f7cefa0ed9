"""A memory-efficient engine: slots, stored local derivatives, no recursion, no reference cycles.

The same ``Value`` as the naive solution, with four changes:

1. ``__slots__``: each node is a fixed record, without a per-object ``__dict__``.
2. Stored local derivatives instead of closures. An op computes its output and
   its local derivatives together and keeps the numbers in ``_local``, one
   per operand in ``_prev``; ``backward()`` applies them all with one loop:
   ``operand.grad += local * node.grad``. No function object per node.
3. No reference cycles. A closure that mentions ``out`` is stored on ``out``:
   node -> closure -> node, a cycle that reference counting cannot free, so
   dropped graphs wait for the cyclic garbage collector. Here a node refers
   only to its operands, so a graph is freed the moment its output is dropped.
4. No recursion. ``backward()`` orders the graph with an explicit stack, so a
   chain of a million nodes is as easy as a chain of three (level 3's deep
   graphs).

``reference/fast.py`` takes these ideas further, for speed.
"""

import math
from numbers import Real


class Value:
    __slots__ = ("data", "grad", "_prev", "_local", "_op")

    def __init__(self, data, _children=(), _op="", _local=()):
        if not isinstance(data, Real):
            raise TypeError(f"Value holds a real number, not {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)  # the operands
        self._local = tuple(_local) or (0.0,) * len(self._prev)  # d self / d operand, one per operand
        self._op = _op

    # -- primitives: output and local derivatives, computed together

    def __add__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        return Value(self.data + other.data, (self, other), "+", (1.0, 1.0))

    def __mul__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        return Value(self.data * other.data, (self, other), "*", (other.data, self.data))

    def __pow__(self, k):
        if isinstance(k, Value) or not isinstance(k, Real):
            raise TypeError(f"the exponent must be a plain number, not {type(k).__name__}")
        if self.data < 0 and k != int(k):
            raise ValueError(f"{self.data} ** {k} is not a real number")
        out = self.data**k  # ZeroDivisionError for 0 ** -1, as in Python
        if k == 0:
            local = 0.0  # x^0 = 1 is flat everywhere, also at 0
        elif self.data == 0 and k < 1:
            local = math.inf  # x^k is vertical at 0 for 0 < k < 1 (as in PyTorch)
        else:
            local = k * self.data ** (k - 1)
        return Value(out, (self,), f"**{k:g}", (local,))

    def relu(self):
        positive = self.data > 0
        return Value(self.data if positive else 0.0, (self,), "relu", (1.0 if positive else 0.0,))

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), "tanh", (1.0 - t * t,))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), "exp", (e,))

    # -- compound ops

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
        order = []  # every node, each after its operands
        seen = set()
        stack = [(self, False)]
        while stack:
            node, operands_done = stack.pop()
            if operands_done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))  # come back to list it once its operands are listed
                stack.extend((child, False) for child in node._prev)
        for node in order:
            if node._prev:
                node.grad = 0.0  # interior nodes start from zero; leaves accumulate
        self.grad = 1.0
        for node in reversed(order):
            for operand, local in zip(node._prev, node._local):
                operand.grad += local * node.grad

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"


def _as_value(x):
    if isinstance(x, Value):
        return x
    if isinstance(x, Real):
        return Value(x)
    return NotImplemented
