"""Gradient ascent: the update adds ``lr * grad`` instead of subtracting it.

Rejected by: level 4
Message names: p.data -= lr * p.grad
"""

from tests.zoo._base_nn import MLP, Layer, Module, Neuron, hinge_loss  # noqa: F401


def train_step(model, X, y, lr, alpha=1e-4):
    loss = hinge_loss(model, X, y, alpha)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data += lr * p.grad
    return loss
