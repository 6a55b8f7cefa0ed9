"""The reference network: neurons, layers and a multi-layer perceptron of ``Value``s.

    import random
    from reference.nn import MLP, hinge_loss, train_step
    from utils.datasets import two_moons_split

    random.seed(0)                       # the initial weights come from the random module
    X, y, X_test, y_test = two_moons_split(100, 100, seed=1)
    model = MLP(2, [16, 16, 1])          # 2 inputs, two hidden layers of 16, one score
    for k in range(100):
        loss = train_step(model, X, y, lr=1.0 - 0.9 * k / 100)

The contract (level 4 of the kata tests the same one on a learner's ``nn.py``):

* ``parameters()`` lists the trainable leaf Values in a fixed order: layer by
  layer, neuron by neuron, each neuron's weights then its bias. A network
  with the same weights can be rebuilt elsewhere (PyTorch) from that list.
* ``zero_grad()`` sets the ``grad`` of every parameter to 0.
* Every neuron and layer accepts a list of numbers or Values, or a single
  number or Value (a list of one).
* ``Layer.__call__`` returns a list of Values, except for a layer of one
  neuron, which returns that one Value; so ``MLP.__call__`` returns a Value
  when the last layer has one neuron, and a 1-wide hidden layer feeds the
  next layer like any other.
* Hidden layers apply relu; the last layer is linear (a score can be negative).
"""

from __future__ import annotations

import random

from .engine import Value


class Module:
    """Anything with trainable parameters."""

    def parameters(self) -> list[Value]:
        """The trainable leaf Values, in a fixed order. The base class has none."""
        return []

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (gradients accumulate across backward() calls)."""
        for p in self.parameters():
            p.grad = 0.0


def _as_inputs(x) -> list:
    """A list of inputs from a list, or a single number or Value."""
    return list(x) if isinstance(x, (list, tuple)) else [x]


class Neuron(Module):
    """``relu(w . x + b)``, or ``w . x + b`` when ``nonlin`` is False.

    ``w`` holds ``nin`` weights drawn uniformly from [-1, 1] (seed the
    ``random`` module for a reproducible network); ``b`` starts at 0.
    """

    def __init__(self, nin: int, nonlin: bool = True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x) -> Value:
        x = _as_inputs(x)
        if len(x) != len(self.w):
            raise ValueError(f"this neuron takes {len(self.w)} inputs, got {len(x)}")
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; ``kwargs`` go to each Neuron."""

    def __init__(self, nin: int, nout: int, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        """The list of the neurons' outputs; a single Value when there is one neuron."""
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of sizes ``nin -> nouts[0] -> nouts[1] -> ...``; relu inside, linear at the end."""

    def __init__(self, nin: int, nouts: list[int]):
        sizes = [nin] + list(nouts)
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


def hinge_loss(model: Module, X, y, alpha: float = 1e-4) -> Value:
    """The mean of ``relu(1 - y_i * model(x_i))`` over the batch, plus ``alpha * sum(p * p)``.

    ``X`` is a list of inputs, ``y`` their labels in {-1, +1}; the model must
    return one score (a Value) per input.
    """
    scores = [model(x) for x in X]
    data_loss = sum(((1 - yi * s).relu() for yi, s in zip(y, scores)), Value(0.0)) * (1.0 / len(scores))
    reg_loss = alpha * sum((p * p for p in model.parameters()), Value(0.0))
    return data_loss + reg_loss


def train_step(model: Module, X, y, lr: float, alpha: float = 1e-4) -> Value:
    """One step of full-batch gradient descent on ``hinge_loss``.

    Builds the loss, resets the gradients, backpropagates, and moves every
    parameter by ``-lr * grad``. Returns the loss (a Value, computed before
    the update).
    """
    loss = hinge_loss(model, X, y, alpha)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss
