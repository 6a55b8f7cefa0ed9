"""hinge_loss sums the margins instead of averaging them: the loss (and each step) grows with the batch.

Rejected by: level 4
Message names: hinge_loss
"""

from tests.zoo._base_nn import MLP, Layer, Module, Neuron, Value, update  # noqa: F401


def hinge_loss(model, X, y, alpha=1e-4):
    margins = [(1 - yi * model(xi)).relu() for xi, yi in zip(X, y)]
    return sum(margins, Value(0.0)) + alpha * sum((p * p for p in model.parameters()), Value(0.0))


def train_step(model, X, y, lr, alpha=1e-4):
    loss = hinge_loss(model, X, y, alpha)
    model.zero_grad()
    loss.backward()
    update(model, lr)
    return loss
