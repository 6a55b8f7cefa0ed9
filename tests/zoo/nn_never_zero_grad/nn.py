"""A network that never zeroes gradients: train_step has no zero_grad().

Each step's gradients pile onto the previous ones (leaves accumulate across
backward() calls), so the second step moves the weights by the sum of both.

Rejected by: level 4
Message names: reset | zero_grad
"""

from tests.zoo._base_nn import MLP, Layer, Module, Neuron, hinge_loss, update  # noqa: F401


def train_step(model, X, y, lr, alpha=1e-4):
    loss = hinge_loss(model, X, y, alpha)
    loss.backward()
    update(model, lr)
    return loss
