"""Level 3: no new op. Your engine must agree with PyTorch on any graph,
survive deep graphs (thousands of nodes, far past Python's recursion limit),
and keep the backward() contract.

Start from your level-2 engine: `nox -s carry -- 3` copies your level-2
methods into this file (after a backup), or paste them in yourself. Read
katas/level3/README.md first, then run `nox -s level3` (it runs the tests
of levels 1 to 3 against this file; it installs PyTorch the first time).

Replace each `raise NotImplementedError(...)` with your code.
"""


class Value:
    def __init__(self, data, _children=(), _op=""):
        # level 2: refuse anything that is not a real number with a TypeError
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    # -- level 1 -------------------------------------------------------------

    def __add__(self, other):
        raise NotImplementedError("level 1: Value.__add__ (self + other)")

    def __mul__(self, other):
        raise NotImplementedError("level 1: Value.__mul__ (self * other)")

    def __radd__(self, other):
        raise NotImplementedError("level 1: Value.__radd__ (number + self)")

    def __rmul__(self, other):
        raise NotImplementedError("level 1: Value.__rmul__ (number * self)")

    def backward(self):
        """Set self.grad = 1 and send gradients back to every node this one depends on.

        Level 3: order the graph WITHOUT recursion (an explicit stack, or Kahn's
        algorithm), so that deep graphs (thousands of nodes) work; reset the
        grad of every interior node (one with operands) to 0 first, so that a
        second call adds to the leaves' grads but never compounds through the graph.
        """
        raise NotImplementedError("level 1: Value.backward")

    # -- level 2: new primitives, each with its local derivative --------------

    def __pow__(self, k):
        """self ** k for a plain number k (int or float); a Value exponent is a TypeError."""
        raise NotImplementedError("level 2: Value.__pow__ (self ** k)")

    def relu(self):
        """max(0, x); its derivative is 1 for x > 0 and 0 otherwise (also at 0)."""
        raise NotImplementedError("level 2: Value.relu")

    def tanh(self):
        """tanh(x), without overflow for large |x|; its derivative is 1 - tanh(x)**2."""
        raise NotImplementedError("level 2: Value.tanh")

    def exp(self):
        """e ** x; its derivative is e ** x."""
        raise NotImplementedError("level 2: Value.exp")

    # -- level 2: derived ops, built from the primitives above ---------------

    def __neg__(self):
        """-self (hint: a product)."""
        raise NotImplementedError("level 2: Value.__neg__ (-self)")

    def __sub__(self, other):
        """self - other (hint: a sum)."""
        raise NotImplementedError("level 2: Value.__sub__ (self - other)")

    def __rsub__(self, other):
        """other - self, when other is a plain number: 1 - Value(2)."""
        raise NotImplementedError("level 2: Value.__rsub__ (number - self)")

    def __truediv__(self, other):
        """self / other (hint: a product and a power)."""
        raise NotImplementedError("level 2: Value.__truediv__ (self / other)")

    def __rtruediv__(self, other):
        """other / self, when other is a plain number: 1 / Value(2)."""
        raise NotImplementedError("level 2: Value.__rtruediv__ (number / self)")

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
