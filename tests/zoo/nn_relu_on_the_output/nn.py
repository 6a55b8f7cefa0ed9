"""relu on the last layer too: the score can never be negative.

Rejected by: level 4
Message names: linear
"""

from tests.zoo import _base_nn as base
from tests.zoo._base_nn import Layer, Module, Neuron, hinge_loss, train_step  # noqa: F401


class MLP(base.MLP):
    def __init__(self, nin, nouts):
        sizes = [nin, *nouts]
        self.layers = [self.layer(sizes[i], sizes[i + 1], nonlin=True) for i in range(len(nouts))]
