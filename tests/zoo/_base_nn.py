"""A correct level-4 network for the bug zoo to break (not itself an entry).

Built on the zoo's correct engine (``tests/zoo/_base.py``); each level-4
entry is a folder whose ``value.py`` re-exports that engine and whose
``nn.py`` replaces one piece of this file. The pieces are small: a
Neuron's activation, how a Layer packs its outputs, which class an MLP
builds its layers from, the loss, the update.
"""

import random

from tests.zoo._base import Value


class Module:
    def parameters(self):
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0


def inputs(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


class Neuron(Module):
    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, inputs(x))), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer(Module):
    neuron = Neuron

    def __init__(self, nin, nout, **kwargs):
        self.neurons = [self.neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        return self.pack([n(x) for n in self.neurons])

    @staticmethod
    def pack(outs):
        return outs[0] if len(outs) == 1 else outs

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP(Module):
    layer = Layer

    def __init__(self, nin, nouts):
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [self.layer(sizes[i], sizes[i + 1], nonlin=i != last) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def hinge_loss(model, X, y, alpha=1e-4):
    margins = [(1 - yi * model(xi)).relu() for xi, yi in zip(X, y)]
    data_loss = sum(margins, Value(0.0)) * (1.0 / len(margins))
    return data_loss + alpha * sum((p * p for p in model.parameters()), Value(0.0))


def train_step(model, X, y, lr, alpha=1e-4):
    loss = hinge_loss(model, X, y, alpha)
    model.zero_grad()
    loss.backward()
    update(model, lr)
    return loss


def update(model, lr):
    for p in model.parameters():
        p.data -= lr * p.grad
