"""No relu in the hidden layers: the network is one linear map, however deep.

Rejected by: level 4
Message names: hidden layers apply relu
"""

from tests.zoo import _base_nn as base
from tests.zoo._base_nn import Layer, Module, Neuron, hinge_loss, train_step  # noqa: F401


class MLP(base.MLP):
    def __init__(self, nin, nouts):
        sizes = [nin, *nouts]
        self.layers = [self.layer(sizes[i], sizes[i + 1], nonlin=False) for i in range(len(nouts))]
