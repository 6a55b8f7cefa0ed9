"""The reference engine: a scalar that remembers how it was computed.

Read it top to bottom in one sitting. Every op builds one new node whose
``_backward`` sends the node's gradient to its operands by the chain rule;
compound ops (neg, sub, div) are built from the primitives, so they get their
gradients for free. ``backward()`` orders the graph without recursion, so a
chain of a million nodes is as easy as a chain of three. After the class: what
the interview's follow-up stages add beside it (softmax, cross-entropy, a numpy neuron).
"""

import math
from numbers import Real


class Value:
    """A scalar ``data`` with the ``grad`` of some output with respect to it."""

    def __init__(self, data, _children=(), _op=""):
        if not isinstance(data, Real):
            raise TypeError(f"Value holds a real number, not {type(data).__name__} {data!r}")
        self.data = float(data)
        self.grad = 0.0
        self._backward = _nothing  # how to pass this node's grad to its operands
        self._prev = tuple(_children)  # the operands this node was computed from
        self._op = _op  # a short label of the op, for messages and pictures

    # -- primitives: each one computes its output and knows its local derivative

    def __add__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad  # d(a+b)/da = 1
            other.grad += out.grad  # d(a+b)/db = 1

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad  # d(ab)/da = b
            other.grad += self.data * out.grad  # d(ab)/db = a

        out._backward = _backward
        return out

    def __pow__(self, k):
        if isinstance(k, Value) or not isinstance(k, Real):
            raise TypeError(f"the exponent must be a plain number, not {type(k).__name__}")
        if self.data < 0 and k != int(k):
            raise ValueError(f"{self.data} ** {k} is not a real number")
        out = Value(self.data**k, (self,), f"**{k:g}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad  # d(x^k)/dx = k x^(k-1)

        out._backward = _backward
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad  # 1 for x > 0, else 0 (also at 0)

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)  # math.tanh saturates at +-1; (e^2x - 1)/(e^2x + 1) overflows
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1.0 - t * t) * out.grad  # d tanh(x)/dx = 1 - tanh(x)^2

        out._backward = _backward
        return out

    def exp(self):
        e = math.exp(self.data)
        out = Value(e, (self,), "exp")

        def _backward():
            self.grad += e * out.grad  # d e^x/dx = e^x

        out._backward = _backward
        return out

    def log(self):
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data  # d ln(x)/dx = 1/x

        out._backward = _backward
        return out

    def sigmoid(self):
        x = self.data  # split by sign so that exp never overflows
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        out = Value(s, (self,), "sigmoid")

        def _backward():
            self.grad += s * (1.0 - s) * out.grad  # d s(x)/dx = s(x) (1 - s(x))

        out._backward = _backward
        return out

    # -- backpropagation

    def backward(self):
        """Fill in ``grad`` of every node this one depends on.

        Leaves accumulate: a second call adds the same gradients again, as
        PyTorch does with ``retain_graph=True``. Interior nodes start from zero
        on every call, so a second call never compounds through them.
        """
        order = self._topological_order()
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    def _topological_order(self):
        """Every node reachable from this one, each after all of its operands.

        Depth-first with an explicit stack instead of recursion: a node is
        pushed once to be expanded and once more to be emitted after its
        operands.
        """
        order, seen = [], set()
        stack = [(self, False)]
        while stack:
            node, operands_done = stack.pop()
            if operands_done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev if child not in seen)
        return order

    def zero_grad(self):
        """Set the grad of every node of this node's graph (itself included) to 0 (the stage "twice")."""
        for node in self._topological_order():
            node.grad = 0.0

    # -- compound ops, built from the primitives above

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
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"


def _nothing():
    """The ``_backward`` of a leaf: it has no operands to send gradient to."""


def _as_value(x):
    """Wrap a plain number as a constant leaf; refuse anything else."""
    if isinstance(x, Value):
        return x
    if isinstance(x, Real):
        return Value(x)
    return NotImplemented


# -- the interview's follow-up stages (levels.toml, [[stage]]): functions beside Value --------


def softmax(logits):
    """exp(l_i - m) / sum_j exp(l_j - m), m the largest logit: every exp is at most 1."""
    m = max(lg.data for lg in logits)
    exps = [(lg - m).exp() for lg in logits]
    total = sum(exps)
    return [e / total for e in exps]


def cross_entropy(logits, target):
    """-log softmax(logits)[target] = logsumexp(logits) - logits[target]; no probability is
    formed, so a tiny one never becomes log(0)."""
    m = max(lg.data for lg in logits)
    logsumexp = sum((lg - m).exp() for lg in logits).log() + m
    return logsumexp - logits[target]


def neuron_forward(X, w, b):
    """tanh(X @ w + b) for a batch X (n x d), with numpy arrays."""
    import numpy as np  # only the stage "numpy" needs it

    return np.tanh(X @ w + b)


def neuron_backward(X, w, b, dout):
    """The gradients of sum(dout * tanh(X @ w + b)) with respect to X, w and b."""
    import numpy as np

    out = np.tanh(X @ w + b)
    dz = dout * (1.0 - out**2)
    return np.outer(dz, w), X.T @ dz, float(dz.sum())
