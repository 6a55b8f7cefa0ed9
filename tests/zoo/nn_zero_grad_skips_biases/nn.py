"""zero_grad() resets the weights but not the biases.

Rejected by: level 4
Message names: zero_grad
"""

from tests.zoo import _base_nn as base
from tests.zoo._base_nn import Layer, Module, Neuron, hinge_loss, train_step  # noqa: F401


class MLP(base.MLP):
    def zero_grad(self):
        for layer in self.layers:
            for neuron in layer.neurons:
                for w in neuron.w:
                    w.grad = 0.0
