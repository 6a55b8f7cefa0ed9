"""Level 4: a small neural network on your own Value, and a training step.

Read katas/level4/README.md first (it states the contract the tests check),
then run `nox -s level4`. Replace each `raise NotImplementedError(...)` with
your code. Keep the names: the tests build `MLP(2, [16, 16, 1])`, read
`parameters()` in order, call the model on lists of numbers, and train it
with `train_step`.
"""

import random  # noqa: F401 - for the initial weights

from .value import Value  # noqa: F401 - the engine your network is made of


class Module:
    """Anything with trainable parameters."""

    def parameters(self):
        """The list of trainable leaf Values, in a fixed order. The base class has none: []."""
        raise NotImplementedError("level 4: Module.parameters")

    def zero_grad(self):
        """Set the grad of every parameter to 0."""
        raise NotImplementedError("level 4: Module.zero_grad")


class Neuron(Module):
    """relu(w . x + b), or w . x + b when nonlin is False."""

    def __init__(self, nin, nonlin=True):
        """self.w: nin Values drawn uniformly from [-1, 1] (use the random module);
        self.b: Value(0.0); self.nonlin: whether to apply relu."""
        raise NotImplementedError("level 4: Neuron.__init__")

    def __call__(self, x):
        """One Value. x is a list of numbers or Values, or a single number or Value."""
        raise NotImplementedError("level 4: Neuron.__call__")

    def parameters(self):
        """The weights, then the bias: self.w + [self.b]."""
        raise NotImplementedError("level 4: Neuron.parameters")


class Layer(Module):
    """nout neurons reading the same inputs."""

    def __init__(self, nin, nout, **kwargs):
        """self.neurons: nout Neurons of nin inputs each; kwargs (nonlin=...) go to every Neuron."""
        raise NotImplementedError("level 4: Layer.__init__")

    def __call__(self, x):
        """The list of the neurons' outputs; the single Value itself when nout == 1."""
        raise NotImplementedError("level 4: Layer.__call__")

    def parameters(self):
        """The parameters of every neuron, in order."""
        raise NotImplementedError("level 4: Layer.parameters")


class MLP(Module):
    """Layers of sizes nin -> nouts[0] -> nouts[1] -> ...; relu in hidden layers, the last one linear."""

    def __init__(self, nin, nouts):
        """self.layers: one Layer per entry of nouts."""
        raise NotImplementedError("level 4: MLP.__init__")

    def __call__(self, x):
        """Feed x through every layer; a single Value when the last layer has one neuron."""
        raise NotImplementedError("level 4: MLP.__call__")

    def parameters(self):
        """The parameters of every layer, in order."""
        raise NotImplementedError("level 4: MLP.parameters")


def hinge_loss(model, X, y, alpha=1e-4):
    """mean over the batch of relu(1 - y_i * model(X_i)), plus alpha * sum(p * p) over the parameters.

    X is a list of inputs, y their labels in {-1, +1}. Returns a Value.
    """
    raise NotImplementedError("level 4: hinge_loss")


def train_step(model, X, y, lr, alpha=1e-4):
    """One step of gradient descent on hinge_loss over the whole batch.

    Build the loss, reset the gradients, call backward(), then move every
    parameter: p.data -= lr * p.grad. Return the loss (the Value, from before the update).
    """
    raise NotImplementedError("level 4: train_step")
