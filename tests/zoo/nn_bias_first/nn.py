"""parameters() lists each neuron's bias before its weights.

The order is part of the contract: it is how the same network is rebuilt in
PyTorch (and how an optimizer's state lines up with the parameters).

Rejected by: level 4
Message names: w + [b] | weights then bias
"""

from tests.zoo import _base_nn as base
from tests.zoo._base_nn import Module, hinge_loss, train_step  # noqa: F401


class Neuron(base.Neuron):
    def parameters(self):
        return [self.b] + self.w


class Layer(base.Layer):
    neuron = Neuron


class MLP(base.MLP):
    layer = Layer
