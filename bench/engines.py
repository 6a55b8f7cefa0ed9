"""The engines the bench compares, on one workload, and the check that they agree before anything is timed.

The workload is the one from micrograd's demo: one full-batch training step
(forward, zero the gradients, backward, SGD update) of an MLP 2-16-16-1 on 100
two-moons points, with the hinge loss ``mean(relu(1 - y * score))`` plus
``1e-4 * sum(p * p)``. Every engine starts from the same weights.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (2, 16, 16, 1)
ALPHA = 1e-4
LR = 0.05
VECTORIZED = ROOT / "solutions" / "vectorized" / "tensor.py"


# -- data and weights ----------------------------------------------------------


def moons(n: int = 100, seed: int = 1):
    """``n`` two-moons points (lists of 2 floats) and labels in {-1, +1}."""
    from utils.datasets import two_moons

    return two_moons(n, noise=0.1, seed=seed)


def init_weights(sizes=SIZES, seed: int = 0):
    """Per layer, per neuron: ``(weights, bias)`` as floats, uniform in [-1, 1] (bias 0.1, so no relu sits at 0)."""
    rng = random.Random(seed)
    return [
        [([rng.uniform(-1, 1) for _ in range(nin)], rng.uniform(-0.1, 0.1)) for _ in range(nout)]
        for nin, nout in itertools.pairwise(sizes)
    ]


def flat(weights) -> list[float]:
    """The parameters in one fixed order: layer by layer, neuron by neuron, weights then bias."""
    return [p for layer in weights for w, b in layer for p in (*w, b)]


# -- the engines ---------------------------------------------------------------


class Engine:
    """A network on one engine: ``step()`` trains once; ``loss_and_grads()`` for the agreement check."""

    name = ""
    note = ""

    def loss_and_grads(self) -> tuple[float, list[float]]:
        raise NotImplementedError

    def step(self) -> None:
        raise NotImplementedError


class ScalarEngine(Engine):
    """The MLP on any scalar ``Value``: fused (one ``Value.dot`` node per neuron) or as micrograd builds it."""

    def __init__(self, name, Value, weights, X, y, fused: bool, note=""):
        self.name, self.note, self.Value, self.fused = name, note, Value, fused
        self.layers = [[([Value(w) for w in ws], Value(b)) for ws, b in layer] for layer in weights]
        self.params = [p for layer in self.layers for ws, b in layer for p in (*ws, b)]
        self.X, self.y = X, y  # plain floats: no engine needs a Value for a constant input

    def loss(self):
        V = self.Value
        if self.fused:
            dot, total = V.dot, V.sum
            scores = []
            for x in self.X:
                for i, layer in enumerate(self.layers):
                    x = [dot(ws, x, b) for ws, b in layer]
                    if i < len(self.layers) - 1:
                        x = [a.relu() for a in x]
                scores.append(x[0])
            data_loss = total([(1 - yi * s).relu() for yi, s in zip(self.y, scores)]) * (1.0 / len(scores))
            return data_loss + ALPHA * dot(self.params, self.params)
        scores = []
        for x in self.X:
            for i, layer in enumerate(self.layers):
                x = [sum((w * xi for w, xi in zip(ws, x)), b) for ws, b in layer]
                if i < len(self.layers) - 1:
                    x = [a.relu() for a in x]
            scores.append(x[0])
        data_loss = sum((1 - yi * s).relu() for yi, s in zip(self.y, scores)) * (1.0 / len(scores))
        return data_loss + ALPHA * sum(p * p for p in self.params)

    def loss_and_grads(self):
        loss = self.loss()
        for p in self.params:
            p.grad = 0.0
        loss.backward()
        return loss.data, [p.grad for p in self.params]

    def step(self):
        loss = self.loss()
        for p in self.params:
            p.grad = 0.0
        loss.backward()
        for p in self.params:
            p.data -= LR * p.grad


class MicrogradEngine(Engine):
    """micrograd's own ``MLP``, its weights set to ours, the loss as in micrograd's demo."""

    name = "micrograd 0.1.0"
    note = "micrograd.nn.MLP"

    def __init__(self, weights, X, y):
        from micrograd.nn import MLP

        self.model = MLP(SIZES[0], list(SIZES[1:]))
        for layer, ws_layer in zip(self.model.layers, weights):
            for neuron, (ws, b) in zip(layer.neurons, ws_layer):
                for p, w in zip(neuron.w, ws):
                    p.data = w
                neuron.b.data = b
        self.params = self.model.parameters()
        self.X, self.y = X, y

    def loss(self):
        scores = [self.model(x) for x in self.X]
        data_loss = sum((1 + -yi * s).relu() for yi, s in zip(self.y, scores)) * (1.0 / len(scores))
        return data_loss + ALPHA * sum(p * p for p in self.params)

    def loss_and_grads(self):
        loss = self.loss()
        self.model.zero_grad()
        loss.backward()
        return loss.data, [p.grad for p in self.params]

    def step(self):
        loss = self.loss()
        self.model.zero_grad()
        loss.backward()
        for p in self.params:
            p.data -= LR * p.grad


class TorchScalarEngine(Engine):
    """PyTorch with every weight a 0-d tensor: the same graph as micrograd, op by op."""

    name = "torch scalar"
    note = "0-d tensors, float64"

    def __init__(self, weights, X, y):
        import torch

        torch.set_num_threads(1)
        self.torch = torch
        def t(v):
            return torch.tensor(v, dtype=torch.float64, requires_grad=True)

        self.layers = [[([t(w) for w in ws], t(b)) for ws, b in layer] for layer in weights]
        self.params = [p for layer in self.layers for ws, b in layer for p in (*ws, b)]
        self.X, self.y = X, y

    def loss(self):
        scores = []
        for x in self.X:
            for i, layer in enumerate(self.layers):
                x = [sum((w * xi for w, xi in zip(ws, x)), b) for ws, b in layer]
                if i < len(self.layers) - 1:
                    x = [a.relu() for a in x]
            scores.append(x[0])
        data_loss = sum((1 - yi * s).relu() for yi, s in zip(self.y, scores)) * (1.0 / len(scores))
        return data_loss + ALPHA * sum(p * p for p in self.params)

    def loss_and_grads(self):
        for p in self.params:
            p.grad = None
        loss = self.loss()
        loss.backward()
        return loss.item(), [p.grad.item() for p in self.params]

    def step(self):
        for p in self.params:
            p.grad = None
        self.loss().backward()
        with self.torch.no_grad():
            for p in self.params:
                p -= LR * p.grad


class TorchBatchedEngine(Engine):
    """A ``torch.nn`` model of ``nn.Linear`` layers on the whole 100x2 batch at once."""

    name = "torch batched"

    def __init__(self, weights, X, y, dtype="float64"):
        import torch
        from torch import nn

        torch.set_num_threads(1)
        self.torch, self.note = torch, f"nn.Linear, {dtype}"
        dt = getattr(torch, dtype)
        layers = []
        for i, layer in enumerate(weights):
            lin = nn.Linear(len(layer[0][0]), len(layer), dtype=dt)
            with torch.no_grad():
                lin.weight.copy_(torch.tensor([ws for ws, _ in layer], dtype=dt))
                lin.bias.copy_(torch.tensor([b for _, b in layer], dtype=dt))
            layers.append(lin)
            if i < len(weights) - 1:
                layers.append(nn.ReLU())
        self.model = nn.Sequential(*layers)
        self.X = torch.tensor(X, dtype=dt)
        self.y = torch.tensor(y, dtype=dt)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR)

    def params(self):  # in our order: per neuron its weights then its bias
        out = []
        for lin in self.model:
            if hasattr(lin, "weight"):
                for row, b in zip(lin.weight.grad, lin.bias.grad):
                    out += [*row.tolist(), b.item()]
        return out

    def loss(self):
        torch = self.torch
        scores = self.model(self.X).squeeze(1)
        data_loss = torch.relu(1 - self.y * scores).mean()
        return data_loss + ALPHA * sum((p * p).sum() for p in self.model.parameters())

    def loss_and_grads(self):
        self.opt.zero_grad()
        loss = self.loss()
        loss.backward()
        return loss.item(), self.params()

    def step(self):
        self.opt.zero_grad()
        self.loss().backward()
        self.opt.step()


class VectorizedEngine(Engine):
    """``solutions/vectorized``: the same MLP on numpy arrays, the whole batch at once."""

    name = "vectorized (numpy)"
    note = "solutions/vectorized, float64"

    def __init__(self, weights, X, y):
        self.mod = load_vectorized()
        self.model = self.mod.MLP.from_weights(weights)
        self.X, self.y = self.mod.Tensor(X), self.mod.np.asarray(y, dtype=float)  # once, as torch's tensors are

    def loss_and_grads(self):
        self.model.zero_grad()
        loss = self.mod.hinge_loss(self.model, self.X, self.y, ALPHA)
        loss.backward()
        return float(loss.data), self.model.flat_grads()

    def step(self):
        self.mod.train_step(self.model, self.X, self.y, LR, ALPHA)


def load_vectorized():
    spec = importlib.util.spec_from_file_location("_vectorized_solution", VECTORIZED)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def fast_value():
    from utils.autograd_stub import Value

    return Value


def make_engines(n_points: int = 100, seed: int = 0, which=None) -> list[Engine]:
    """Every engine with the same weights and data. ``which``: names to keep (None: all that load)."""
    from reference.engine import Value as Reference

    X, y = moons(n_points)
    weights = init_weights(SIZES, seed)
    Fast = fast_value()
    makers: dict[str, Callable[[], Engine]] = {
        "fast": lambda: ScalarEngine("fast (escape hatch)", Fast, weights, X, y, fused=True,
                                     note="utils.autograd_stub, Value.dot per neuron"),
        "fast-unfused": lambda: ScalarEngine("fast, unfused", Fast, weights, X, y, fused=False,
                                             note="same engine, micrograd's graph"),
        "reference": lambda: ScalarEngine("reference", Reference, weights, X, y, fused=False,
                                          note="reference/engine.py"),
        "micrograd": lambda: MicrogradEngine(weights, X, y),
        "torch-scalar": lambda: TorchScalarEngine(weights, X, y),
        "vectorized": lambda: VectorizedEngine(weights, X, y),
        "torch-batched": lambda: TorchBatchedEngine(weights, X, y),
    }
    engines = []
    for key, make in makers.items():
        if which is not None and key not in which:
            continue
        try:
            engine = make()
        except ImportError as e:  # micrograd or torch not installed: say so, bench the rest
            print(f"  skipping {key}: {e}", file=sys.stderr)
            continue
        engine.key = key
        engines.append(engine)
    return engines


# -- agreement -----------------------------------------------------------------


@dataclass
class Agreement:
    name: str
    loss: float
    loss_error: float  # |loss - loss of the first engine|, relative
    grad_error: float  # max relative difference of any gradient
    ok: bool


def check_agreement(engines: list[Engine], rtol: float = 1e-9) -> list[Agreement]:
    """Loss and every gradient of each engine against the first one's (same weights everywhere)."""
    base_loss, base_grads = engines[0].loss_and_grads()
    scale = max(1e-12, max(abs(g) for g in base_grads))
    out = []
    for engine in engines:
        loss, grads = engine.loss_and_grads()
        if len(grads) != len(base_grads):
            out.append(Agreement(engine.name, loss, math.inf, math.inf, False))
            continue
        le = abs(loss - base_loss) / max(abs(base_loss), 1e-12)
        ge = max(abs(a - b) for a, b in zip(grads, base_grads)) / scale
        out.append(Agreement(engine.name, loss, le, ge, le <= rtol and ge <= rtol))
    return out
