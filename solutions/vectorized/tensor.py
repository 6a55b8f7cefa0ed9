"""A vectorized engine: the same reverse-mode autograd, but every node holds a numpy array.

This is the bridge from the kata's scalar ``Value`` to the tensors of real
frameworks. Nothing about the algorithm changes: each op records its operands
and a ``_backward`` that applies the chain rule, and ``backward()`` visits the
nodes in reverse topological order. What changes:

* ``data`` and ``grad`` are arrays of the same shape, so one node stands for a
  whole batch: the MLP below builds about 30 nodes per training step where the
  scalar engine builds tens of thousands, and numpy does the arithmetic in C.
* Broadcasting: ``x + b`` with ``x`` of shape (100, 16) and ``b`` of shape
  (16,) reuses ``b`` for each of the 100 rows, so ``b``'s gradient is the
  sum of the 100 rows' gradients. ``_unbroadcast`` does that sum for every op.
* ``a @ b`` (matmul) is the op that makes a layer one node: its local
  derivatives are ``grad @ b.T`` and ``a.T @ grad``.

Run ``python solutions/vectorized/tensor.py`` to train the
2-16-16-1 MLP on two moons in batched form.
"""

from __future__ import annotations

import itertools
from numbers import Real

import numpy as np


def _as_array(x) -> np.ndarray:
    """Numbers, lists of numbers and numeric arrays become float64 arrays; anything else is a TypeError."""
    if type(x) is np.ndarray and x.dtype == np.float64:  # what every op makes: nothing to convert
        return x
    if isinstance(x, Real) and not isinstance(x, np.ndarray):
        return np.asarray(float(x))
    if isinstance(x, (list, tuple, np.ndarray)):
        a = np.asarray(x)
        if a.dtype.kind in "biuf":
            return a.astype(np.float64)
    raise TypeError(f"Tensor holds numbers or arrays of numbers, not {type(x).__name__} {x!r}")


def _unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` down to ``shape``: the gradient of an operand that broadcasting repeated."""
    while grad.ndim > len(shape):  # leading axes broadcasting added
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):  # axes of size 1 that broadcasting stretched
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Tensor:
    """An array ``data`` with the ``grad`` of some scalar output with respect to it."""

    __array_ufunc__ = None  # ``ndarray * Tensor`` defers to Tensor.__rmul__ instead of looping over elements

    def __init__(self, data, _children=(), _op=""):
        self.data = _as_array(data)
        self.grad = np.zeros(self.data.shape)
        self._backward = lambda: None
        self._prev = tuple(_children)
        self._op = _op

    @property
    def shape(self) -> tuple:
        return self.data.shape

    # -- elementwise ops, with broadcasting

    def __add__(self, other):
        other = _as_tensor(other)
        if other is NotImplemented:
            return other
        out = Tensor(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += _unbroadcast(out.grad, self.shape)
            other.grad += _unbroadcast(out.grad, other.shape)

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _as_tensor(other)
        if other is NotImplemented:
            return other
        out = Tensor(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += _unbroadcast(other.data * out.grad, self.shape)
            other.grad += _unbroadcast(self.data * out.grad, other.shape)

        out._backward = _backward
        return out

    def __pow__(self, k):
        if isinstance(k, Tensor) or not isinstance(k, Real):
            raise TypeError(f"the exponent must be a plain number, not {type(k).__name__}")
        if k < 0 and np.any(self.data == 0):
            raise ZeroDivisionError(f"0 ** {k}")
        out = Tensor(self.data**k, (self,), f"**{k:g}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = Tensor(np.maximum(self.data, 0.0), (self,), "relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad  # 0 at 0, as in PyTorch

        out._backward = _backward
        return out

    def tanh(self):
        t = np.tanh(self.data)
        out = Tensor(t, (self,), "tanh")

        def _backward():
            self.grad += (1.0 - t * t) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        e = np.exp(self.data)
        out = Tensor(e, (self,), "exp")

        def _backward():
            self.grad += e * out.grad

        out._backward = _backward
        return out

    def log(self):
        out = Tensor(np.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def sigmoid(self):
        s = 0.5 * (1.0 + np.tanh(0.5 * self.data))  # the same function, and it never overflows
        out = Tensor(s, (self,), "sigmoid")

        def _backward():
            self.grad += s * (1.0 - s) * out.grad

        out._backward = _backward
        return out

    # -- ops that change the shape

    def __matmul__(self, other):
        other = _as_tensor(other)
        out = Tensor(self.data @ other.data, (self, other), "@")

        def _backward():
            # out = A @ B, (n, m) = (n, k) @ (k, m): dA = dout @ B^T, dB = A^T @ dout
            self.grad += out.grad @ other.data.T
            other.grad += self.data.T @ out.grad

        out._backward = _backward
        return out

    def sum(self, axis=None):
        out = Tensor(self.data.sum(axis=axis), (self,), "sum")

        def _backward():
            g = out.grad if axis is None else np.expand_dims(out.grad, axis)
            self.grad += np.broadcast_to(g, self.shape)  # every element contributed with weight 1

        out._backward = _backward
        return out

    def mean(self, axis=None):
        n = self.data.size if axis is None else self.data.shape[axis]
        return self.sum(axis) * (1.0 / n)

    # -- compound ops, built from the ones above

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        if isinstance(other, Real) and other == 0:
            raise ZeroDivisionError("division by zero")
        return self * other**-1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return other + (-self)

    def __rtruediv__(self, other):
        return other * self**-1

    # -- backpropagation: the same algorithm as the scalar engine

    def backward(self):
        """Fill in ``grad`` of every tensor this one depends on; the output's grad is all ones."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # depth-first, iterative: deep graphs are fine
            node, operands_done = stack.pop()
            if operands_done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((c, False) for c in node._prev if c not in seen)
        for node in order:
            if node._prev:
                node.grad = np.zeros(node.data.shape)  # interior nodes start from zero on each call
        self.grad = np.ones_like(self.data)
        for node in reversed(order):
            node._backward()

    def __repr__(self):
        return f"Tensor(shape={self.shape}, data={np.array2string(self.data, precision=4, threshold=6)})"


def _as_tensor(x):
    if isinstance(x, Tensor):
        return x
    try:
        return Tensor(x)
    except TypeError:
        return NotImplemented


# -- a batched MLP ------------------------------------------------------------


class Linear:
    """``x @ W + b`` for a batch ``x`` of shape (n, nin): one matmul node, one add node."""

    def __init__(self, nin: int, nout: int, rng: np.random.Generator | None = None):
        rng = rng or np.random.default_rng(0)
        self.W = Tensor(rng.uniform(-1, 1, size=(nin, nout)))
        self.b = Tensor(np.zeros(nout))

    def __call__(self, x: Tensor) -> Tensor:
        return x @ self.W + self.b


class MLP:
    """Linear layers with relu between them; the last layer is linear, as in the kata's level 4."""

    def __init__(self, nin: int, nouts: list[int], seed: int = 0):
        rng = np.random.default_rng(seed)
        sizes = [nin] + list(nouts)
        self.layers = [Linear(a, b, rng) for a, b in itertools.pairwise(sizes)]

    @classmethod
    def from_weights(cls, weights) -> MLP:
        """From per layer, per neuron ``(weights, bias)`` floats: the layout the scalar networks use."""
        model = cls.__new__(cls)
        model.layers = []
        for layer in weights:
            lin = Linear.__new__(Linear)
            lin.W = Tensor(np.array([ws for ws, _ in layer]).T)  # (nin, nout): column j is neuron j
            lin.b = Tensor(np.array([b for _, b in layer]))
            model.layers.append(lin)
        return model

    def __call__(self, x: Tensor) -> Tensor:
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = x.relu()
        return x

    def parameters(self) -> list[Tensor]:
        return [p for lin in self.layers for p in (lin.W, lin.b)]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = np.zeros(p.data.shape)

    def flat_grads(self) -> list[float]:
        """The gradients in the scalar networks' order: per neuron its weights, then its bias."""
        out = []
        for lin in self.layers:
            for j in range(lin.W.shape[1]):
                out += [*lin.W.grad[:, j].tolist(), float(lin.b.grad[j])]
        return out


def hinge_loss(model: MLP, X, y, alpha: float = 1e-4) -> Tensor:
    """``mean(relu(1 - y * score)) + alpha * sum(p * p)``, the whole batch in a handful of nodes."""
    X = X if isinstance(X, Tensor) else Tensor(X)
    y = np.asarray(y, dtype=np.float64)
    scores = model(X).sum(axis=1)  # (n, 1) -> (n,)
    data_loss = (1.0 - scores * y).relu().mean()
    reg = sum(((p * p).sum() for p in model.parameters()), Tensor(0.0))
    return data_loss + alpha * reg


def train_step(model: MLP, X, y, lr: float, alpha: float = 1e-4) -> Tensor:
    """One step of full-batch gradient descent; returns the loss before the update."""
    loss = hinge_loss(model, X, y, alpha)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data = p.data - lr * p.grad  # a new array: never write into an array the caller passed in
    return loss


def accuracy(model: MLP, X, y) -> float:
    scores = model(Tensor(X)).data[:, 0]
    return float(np.mean((scores > 0) == (np.asarray(y) > 0)))


def main() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from utils.datasets import two_moons_split

    X, y, X_test, y_test = two_moons_split(100, 100, seed=1)
    model = MLP(2, [16, 16, 1], seed=0)
    for k in range(100):
        loss = train_step(model, X, y, lr=1.0 - 0.9 * k / 100)
        if k % 10 == 0 or k == 99:
            print(f"step {k:3d}  loss {float(loss.data):.4f}  train accuracy {accuracy(model, X, y):.0%}")
    print(f"held-out accuracy {accuracy(model, X_test, y_test):.0%}")


if __name__ == "__main__":
    main()
