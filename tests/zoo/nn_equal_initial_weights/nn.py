"""Every weight starts at the same number: the neurons of a layer stay identical while they learn.

Rejected by: level 4
Message names: at random
"""

from tests.zoo import _base_nn as base
from tests.zoo._base_nn import Module, Value, hinge_loss, train_step  # noqa: F401


class Neuron(base.Neuron):
    def __init__(self, nin, nonlin=True):
        super().__init__(nin, nonlin)
        self.w = [Value(0.5) for _ in range(nin)]


class Layer(base.Layer):
    neuron = Neuron


class MLP(base.MLP):
    layer = Layer
