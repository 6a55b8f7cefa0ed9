"""An engine with ``__slots__``, a tuple ``_prev``, stored local derivatives and Kahn's order.

No closures: each node keeps d node / d operand for each operand, and
``backward()`` releases a node only once every node that uses it has sent
its gradient (Kahn's algorithm on the reversed graph). No recursion.

The levels it passes are listed in tests/claims.py.
"""

import math
import numbers
from collections import deque


class Value:
    __slots__ = ("_d", "_op", "_prev", "data", "grad")

    def __init__(self, data, _children=(), _op="", _d=()):
        if not isinstance(data, numbers.Real):
            raise TypeError(f"Value(data): data must be a real number, not {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)
        self._op = _op
        self._d = tuple(_d)

    @staticmethod
    def _lift(x):
        if isinstance(x, Value):
            return x
        return Value(x) if isinstance(x, numbers.Real) else None

    def __add__(self, other):
        o = self._lift(other)
        return NotImplemented if o is None else Value(self.data + o.data, (self, o), "add", (1.0, 1.0))

    def __mul__(self, other):
        o = self._lift(other)
        return NotImplemented if o is None else Value(self.data * o.data, (self, o), "mul", (o.data, self.data))

    def __pow__(self, k):
        if isinstance(k, bool) or not isinstance(k, numbers.Real) or isinstance(k, Value):
            raise TypeError("Value ** k needs a plain number k")
        return Value(self.data**k, (self,), "pow", (k * self.data ** (k - 1),))

    def relu(self):
        return Value(self.data if self.data > 0 else 0.0, (self,), "relu", (1.0 if self.data > 0 else 0.0,))

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), "tanh", (1.0 - t**2,))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), "exp", (e,))

    def __neg__(self):
        return Value(-self.data, (self,), "neg", (-1.0,))

    def __sub__(self, other):
        o = self._lift(other)
        return NotImplemented if o is None else Value(self.data - o.data, (self, o), "sub", (1.0, -1.0))

    def __truediv__(self, other):
        o = self._lift(other)
        if o is None:
            return NotImplemented
        q = self.data / o.data  # raises ZeroDivisionError for o == 0
        return Value(q, (self, o), "div", (1.0 / o.data, -q / o.data))

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        o = self._lift(other)
        return NotImplemented if o is None else o - self

    def __rtruediv__(self, other):
        o = self._lift(other)
        return NotImplemented if o is None else o / self

    def backward(self):
        users = {id(self): 0}  # how many edges still have to deliver gradient to a node
        nodes, todo = [self], [self]
        while todo:
            node = todo.pop()
            for child in node._prev:
                if id(child) not in users:
                    users[id(child)] = 0
                    nodes.append(child)
                    todo.append(child)
                users[id(child)] += 1
        for node in nodes:
            if node._prev:
                node.grad = 0.0
        self.grad = 1.0
        ready = deque([self])
        while ready:
            node = ready.popleft()
            for child, d in zip(node._prev, node._d):
                child.grad += d * node.grad
                users[id(child)] -= 1
                if users[id(child)] == 0:
                    ready.append(child)

    def __repr__(self):
        return f"Value({self.data!r}, grad={self.grad!r})"
