"""A 1-wide Layer that returns a list: [score] where the contract wants the score itself.

The network then returns a list of one, and the loss cannot use it as a number.

Rejected by: level 4
Message names: single value | return a value | 'list' object
"""

from tests.zoo import _base_nn as base
from tests.zoo._base_nn import Module, Neuron, hinge_loss, train_step  # noqa: F401


class Layer(base.Layer):
    @staticmethod
    def pack(outs):
        return outs


class MLP(base.MLP):
    layer = Layer
