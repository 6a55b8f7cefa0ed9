"""zero_grad() in the wrong place: after backward(), so the update sees no gradient.

Rejected by: level 4
Message names: zero_grad(), backward()
"""

from tests.zoo._base_nn import MLP, Layer, Module, Neuron, hinge_loss, update  # noqa: F401


def train_step(model, X, y, lr, alpha=1e-4):
    loss = hinge_loss(model, X, y, alpha)
    loss.backward()
    model.zero_grad()
    update(model, lr)
    return loss
