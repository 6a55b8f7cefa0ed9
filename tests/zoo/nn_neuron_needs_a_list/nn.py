"""A 1-wide Layer that returns a scalar in one place and is read as a list in another.

Layer(n, 1) returns the single Value (as the contract says), but Neuron
iterates over its input, so the layer after a 1-wide hidden layer fails:
'Value' object is not iterable.

Rejected by: level 4
Message names: 1-wide | not iterable
"""

from tests.zoo import _base_nn as base
from tests.zoo._base_nn import Module, hinge_loss, train_step  # noqa: F401


class Neuron(base.Neuron):
    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act


class Layer(base.Layer):
    neuron = Neuron


class MLP(base.MLP):
    layer = Layer
