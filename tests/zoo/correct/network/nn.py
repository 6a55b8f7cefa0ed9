"""A correct network written apart from the zoo's base: dot products by zip, layers as plain lists.

Runs on the slots-and-Kahn engine (``value.py``); imports its Value the way
a learner's nn.py does.

The levels it passes are listed in tests/claims.py.
"""

import random

from .value import Value


class Module:
    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0

    def parameters(self):
        return []


class Neuron(Module):
    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x):
        if not isinstance(x, (list, tuple)):
            x = [x]
        z = self.b
        for w, xi in zip(self.w, x):
            z = z + w * xi
        return z.relu() if self.nonlin else z

    def parameters(self):
        return [*self.w, self.b]


class Layer(Module):
    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [neuron(x) for neuron in self.neurons]
        if len(out) == 1:
            return out[0]
        return out

    def parameters(self):
        params = []
        for neuron in self.neurons:
            params.extend(neuron.parameters())
        return params


class MLP(Module):
    def __init__(self, nin, nouts):
        self.layers = []
        for i, nout in enumerate(nouts):
            self.layers.append(Layer(nin, nout, nonlin=i < len(nouts) - 1))
            nin = nout

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        params = []
        for layer in self.layers:
            params.extend(layer.parameters())
        return params


def hinge_loss(model, X, y, alpha=1e-4):
    total = Value(0)
    for xi, yi in zip(X, y):
        total = total + (1 - yi * model(xi)).relu()
    reg = Value(0)
    for p in model.parameters():
        reg = reg + p * p
    return total / len(X) + alpha * reg


def train_step(model, X, y, lr, alpha=1e-4):
    loss = hinge_loss(model, X, y, alpha=alpha)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data = p.data - lr * p.grad
    return loss
