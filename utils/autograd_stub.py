"""The escape hatch: a finished engine for learners who are stuck, built for speed and memory.

    from utils.autograd_stub import Value

works exactly like a finished solution of levels 1-3 (``--impl reference/fast.py``
runs it too: ``reference/fast.py`` re-exports it). It is the same ``Value`` as
``reference/engine.py``: read that one first, it is the teaching reference, and
this file computes exactly the same numbers.
What differs is how a node is stored and how ``backward()`` walks the graph.
Each trick is marked ``trick N`` in a comment where it is used:

1. ``__slots__``: a node is a fixed record of seven fields, with no ``__dict__``.
2. Stored local derivatives instead of a closure per node: an op computes its
   output and its local derivatives at once and keeps the numbers; ``backward()``
   multiplies them by the node's gradient. A closure per node would cost a
   function object, a cell per captured variable and a reference cycle
   (node -> closure -> node) that only the cyclic garbage collector can free.
3. At most two operands live in plain fields (``_a`` with ``_da``, ``_b`` with
   ``_db``); only n-ary nodes use tuples. Most nodes are unary or binary, so
   a node costs itself, its ``data`` and at most a float or two of local
   derivative (none for ``*``, ``+``, ``exp``, ``relu``: the derivative is
   a float that exists already).
4. Plain numbers stay plain numbers: ``x * 2`` makes one unary node holding
   the constant 2 as its local derivative, never a ``Value(2)`` leaf.
5. Fused n-ary ops: ``Value.dot(ws, xs, b)`` is one node for ``sum(w*x) + b``,
   where the scalar way builds 2n nodes; ``Value.sum(vs)`` likewise. A neuron
   becomes a single node, which is most of the speed on a network.
6. ``backward()`` orders the graph with an explicit stack (no recursion, so a
   million-node chain is fine), never lists leaves (they only accumulate), and
   runs the chain rule inline instead of calling a function per node.
"""

from __future__ import annotations

import math
from numbers import Real

_MANY = object()  # in ``_b``: this node's operands are the tuple in ``_a`` (trick 3)
_EMIT = object()  # on backward()'s stack: every operand of the node under this marker is ordered; list it
_POW_LABELS: dict = {}  # "**2" etc., made once per exponent instead of once per node


class Value:
    """A scalar ``data`` with the ``grad`` of some output with respect to it."""

    # trick 1: slots. A leaf uses data, grad, _op, _a (None) and _b (None).
    # trick 3: operands in fields. _a/_da: the first operand and d out/d _a;
    # _b/_db: the second operand (None if unary) and d out/d _b; for an n-ary
    # node _a/_da are tuples and _b is _MANY.
    __slots__ = ("data", "grad", "_op", "_a", "_da", "_b", "_db")

    def __init__(self, data, _children=(), _op=""):
        if type(data) is not float:  # the common case costs one comparison
            if not isinstance(data, Real):
                raise TypeError(f"Value holds a real number, not {type(data).__name__} {data!r}")
            data = float(data)
        self.data = data
        self.grad = 0.0
        self._op = _op
        self._b = None
        self._a = None
        if _children:  # a node made by hand from operands: it has no local derivatives to apply
            children = tuple(_children)
            self._a, self._da, self._b = children, (0.0,) * len(children), _MANY

    @property
    def _prev(self):
        """The operands this node was computed from (a tuple, possibly with repeats: ``a + a``)."""
        if self._a is None:
            return ()
        if self._b is None:
            return (self._a,)
        if self._b is _MANY:
            return self._a
        return (self._a, self._b)

    # -- primitives: each computes its output and its local derivatives at once (trick 2)

    def __add__(self, other):
        if isinstance(other, Value):
            return _binary(self.data + other.data, "+", self, 1.0, other, 1.0)
        if not _is_number(other):
            return NotImplemented
        return _unary(self.data + other, "+", self, 1.0)  # trick 4: the constant is no node

    def __mul__(self, other):
        if isinstance(other, Value):
            # d(ab)/da = b and d(ab)/db = a: the stored derivatives are the operands'
            # own float objects, so this costs no new floats
            return _binary(self.data * other.data, "*", self, other.data, other, self.data)
        if not _is_number(other):
            return NotImplemented
        return _unary(self.data * other, "*", self, other)

    def __sub__(self, other):
        if isinstance(other, Value):
            return _binary(self.data - other.data, "-", self, 1.0, other, -1.0)
        if not _is_number(other):
            return NotImplemented
        return _unary(self.data - other, "-", self, 1.0)

    def __truediv__(self, other):
        if isinstance(other, Value):
            b = other.data
            out = self.data / b  # ZeroDivisionError for b == 0, as in Python
            return _binary(out, "/", self, 1.0 / b, other, -out / b)  # d(a/b)/db = -a/b^2
        if not _is_number(other):
            return NotImplemented
        return _unary(self.data / other, "/", self, 1.0 / other)

    def __pow__(self, k):
        if isinstance(k, Value) or not _is_number(k):
            raise TypeError(f"the exponent must be a plain number, not {type(k).__name__}")
        x = self.data
        if x < 0 and k != int(k):
            raise ValueError(f"{x} ** {k} is not a real number")
        out = x**k  # ZeroDivisionError for 0 ** -1, as in Python
        if k == 0:
            local = 0.0  # x^0 = 1 everywhere: flat, also at x = 0
        else:
            try:
                local = k * x ** (k - 1)  # d(x^k)/dx = k x^(k-1)
            except ZeroDivisionError:  # x = 0 and 0 < k < 1: the slope is infinite (as in PyTorch)
                local = math.inf
        label = _POW_LABELS.get(k) or _POW_LABELS.setdefault(k, f"**{k:g}")
        return _unary(out, label, self, local)

    def __neg__(self):
        return _unary(-self.data, "neg", self, -1.0)

    def __radd__(self, other):  # other + self, other a plain number
        if not _is_number(other):
            return NotImplemented
        return _unary(other + self.data, "+", self, 1.0)

    def __rmul__(self, other):
        if not _is_number(other):
            return NotImplemented
        return _unary(other * self.data, "*", self, other)

    def __rsub__(self, other):
        if not _is_number(other):
            return NotImplemented
        return _unary(other - self.data, "-", self, -1.0)

    def __rtruediv__(self, other):
        if not _is_number(other):
            return NotImplemented
        x = self.data
        out = other / x  # ZeroDivisionError for x == 0
        return _unary(out, "/", self, -out / x)  # d(c/x)/dx = -c/x^2

    def relu(self):
        x = self.data
        if x > 0:
            return _unary(x, "relu", self, 1.0)
        return _unary(0.0, "relu", self, 0.0)  # relu'(0) = 0, as in PyTorch

    def tanh(self):
        t = math.tanh(self.data)  # saturates at +-1; (e^2x - 1)/(e^2x + 1) would overflow
        return _unary(t, "tanh", self, 1.0 - t * t)

    def exp(self):
        e = math.exp(self.data)
        return _unary(e, "exp", self, e)  # d e^x/dx = e^x: the output's own float

    def log(self):
        x = self.data
        return _unary(math.log(x), "log", self, 1.0 / x)

    def sigmoid(self):
        x = self.data  # split by sign so that exp never overflows
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return _unary(s, "sigmoid", self, s * (1.0 - s))

    # -- fused n-ary ops (trick 5)

    @staticmethod
    def dot(weights, inputs, bias=0.0):
        """``sum(w * x for w, x in zip(weights, inputs)) + bias`` as one node.

        Any of the terms may be a plain number; only Values become operands.
        d out/d w_i = x_i, d out/d x_i = w_i, d out/d bias = 1.
        """
        operands, local = [], []
        total = 0.0
        for w, x in zip(weights, inputs):
            if isinstance(w, Value):
                wd = w.data
                if isinstance(x, Value):
                    xd = x.data
                    operands += (w, x)
                    local += (xd, wd)  # the operands' own floats: nothing new to allocate
                else:
                    xd = _number(x)
                    operands.append(w)
                    local.append(xd)
            else:
                wd = _number(w)
                if isinstance(x, Value):
                    xd = x.data
                    operands.append(x)
                    local.append(wd)
                else:
                    xd = _number(x)
            total += wd * xd
        if isinstance(bias, Value):
            total += bias.data
            operands.append(bias)
            local.append(1.0)
        else:
            total += _number(bias)
        return _many(total, "dot", tuple(operands), tuple(local))

    @staticmethod
    def sum(values, start=0.0):
        """``start + values[0] + values[1] + ...`` as one node; d out/d v_i = 1."""
        values = tuple(values)
        operands = tuple(v for v in values if isinstance(v, Value))
        total = _number(start) if not isinstance(start, Value) else start.data
        if len(operands) == len(values):  # all Values: the common case, at C speed
            total += sum([v.data for v in values])
        else:
            total += sum(v.data if isinstance(v, Value) else _number(v) for v in values)
        if isinstance(start, Value):
            operands += (start,)
        return _many(total, "sum", operands, (1.0,) * len(operands))

    # -- backpropagation

    def backward(self):
        """Fill in ``grad`` of every node this one depends on.

        Leaves accumulate: a second call adds the same gradients again, as
        PyTorch does with ``retain_graph=True``. Interior nodes start from zero
        on every call, so a second call never compounds through them.
        """
        order = self._topological_order()
        self.grad = 1.0
        # trick 6: the chain rule inline, one branch per node layout, no call per node
        for node in reversed(order):
            g = node.grad
            b = node._b
            if b is None:
                node._a.grad += node._da * g
            elif b is _MANY:
                for operand, local in zip(node._a, node._da):
                    operand.grad += local * g
            else:
                node._a.grad += node._da * g
                b.grad += node._db * g

    def _backward(self):
        """One step of ``backward()``: send this node's grad to its operands."""
        for operand, local in zip(self._prev, self._locals()):
            operand.grad += local * self.grad

    def _locals(self):
        if self._a is None:
            return ()
        if self._b is None:
            return (self._da,)
        if self._b is _MANY:
            return self._da
        return (self._da, self._db)

    def _topological_order(self):
        """The interior nodes reachable from this one, each after all of its operands.

        Depth-first with an explicit stack (trick 6): a node is pushed once to
        be expanded and, under an _EMIT marker, once more to be listed after its
        operands. Leaves are never listed: nothing flows out of them. Each
        interior node's grad is reset here, the first time it is reached.
        """
        order, seen = [], set()
        stack = [self]
        pop, push, extend, add = stack.pop, stack.append, stack.extend, seen.add  # bound once, not per node
        while stack:
            node = pop()
            if node is _EMIT:
                order.append(pop())
                continue
            a = node._a
            if a is None or node in seen:  # a leaf, or already ordered
                continue
            add(node)
            node.grad = 0.0
            push(node)
            push(_EMIT)
            b = node._b
            if b is None:
                push(a)
            elif b is _MANY:
                extend(a)
            else:
                push(a)
                push(b)
        return order

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"


# -- making nodes without going through __init__ (its checks are for user input)

_new = object.__new__


def _unary(data, op, a, da):
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out._op = op
    out._a = a
    out._da = da
    out._b = None
    return out


def _binary(data, op, a, da, b, db):
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out._op = op
    out._a = a
    out._da = da
    out._b = b
    out._db = db
    return out


def _many(data, op, operands, local):
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out._op = op
    out._a = operands
    out._da = local
    out._b = _MANY
    return out


def _is_number(x):
    return type(x) is float or type(x) is int or isinstance(x, Real)


def _number(x):
    """A plain number as a float, or TypeError."""
    if not _is_number(x):
        raise TypeError(f"expected a Value or a real number, not {type(x).__name__} {x!r}")
    return x
