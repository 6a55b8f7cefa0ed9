"""The reference network on the escape hatch: ``reference/nn.py``'s classes and contract, on
``reference/fast.py``'s ``Value``, with one fused ``Value.dot`` node per neuron.

For tools that train for show (``nox -s plots``): the same recipe draws the same
initial weights and trains to the same network as ``reference/nn.py`` (up to the
order of a few float additions), many times faster. To read how a network works,
read ``reference/nn.py``.
"""

from __future__ import annotations

import random

from reference import nn as _reference
from reference.fast import Value

Module = _reference.Module


class Neuron(_reference.Neuron):
    """``relu(w . x + b)`` (or linear) as one ``Value.dot`` node."""

    def __init__(self, nin: int, nonlin: bool = True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x) -> Value:
        x = _reference._as_inputs(x)
        if len(x) != len(self.w):
            raise ValueError(f"this neuron takes {len(self.w)} inputs, got {len(x)}")
        act = Value.dot(self.w, x, self.b)
        return act.relu() if self.nonlin else act


class Layer(_reference.Layer):
    def __init__(self, nin: int, nout: int, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]


class MLP(_reference.MLP):
    def __init__(self, nin: int, nouts: list[int]):
        sizes = [nin] + list(nouts)
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]


def hinge_loss(model: Module, X, y, alpha: float = 1e-4) -> Value:
    """``reference.nn.hinge_loss`` with fused sums: mean hinge loss plus ``alpha * sum(p * p)``."""
    scores = [model(x) for x in X]
    data_loss = Value.sum([(1 - yi * s).relu() for yi, s in zip(y, scores)]) * (1.0 / len(scores))
    params = model.parameters()
    return data_loss + alpha * Value.dot(params, params)


def train_step(model: Module, X, y, lr: float, alpha: float = 1e-4) -> Value:
    """One step of full-batch gradient descent on ``hinge_loss``, as ``reference.nn.train_step``."""
    loss = hinge_loss(model, X, y, alpha)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss
