"""The kata's computations in PyTorch: every op, the seed example, and training the MLP.

PyTorch is the engine the kata imitates, so this is what "correct" means:

* ``torch.tensor(2.0, requires_grad=True)`` is a ``Value``; ``y.backward()``
  fills ``x.grad`` the same way. The op registry (``utils/ops.py``) calls each
  op the same way on a tensor as on a ``Value``; ``ops_table()`` shows every
  op's value and gradient from PyTorch next to the formula a learner writes.
* ``seed_example()`` is level 1's first backward pass, ``z = x*y + x``.
* ``train()`` is level 4: the same MLP 2-16-16-1 (relu, relu, linear) and the
  same hinge loss on two moons, with the whole batch in one tensor.

Differences from the kata's ``Value`` worth knowing: PyTorch frees the graph
after ``backward()`` unless ``retain_graph=True``; it keeps ``grad`` only on
leaves (``retain_grad()`` for others); and ``grad`` starts as ``None``.

    python solutions/pytorch/pytorch_reference.py
"""

from __future__ import annotations

import itertools
import random
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from utils.ops import OPS  # noqa: E402 - after the sys.path line, so the file runs on its own

DTYPE = torch.float64  # the kata's Values are Python floats: double precision


def leaf(x: float) -> torch.Tensor:
    """A 0-d tensor that records the operations on it: PyTorch's ``Value(x)``."""
    return torch.tensor(float(x), dtype=DTYPE, requires_grad=True)


def op_grads(name: str, args: tuple) -> tuple[float, list[float | None]]:
    """The op's output and d out / d arg for each argument (None for the plain numbers)."""
    op = OPS[name]
    inputs = [leaf(a) if kind == "v" else a for kind, a in zip(op.args, args)]
    out = op.call(*inputs)
    out.backward()
    return out.item(), [t.grad.item() if isinstance(t, torch.Tensor) else None for t in inputs]


def sample_args(name: str) -> tuple:
    """A point inside the op's safe domain (a third and four fifths of the way along its intervals)."""
    op = OPS[name]
    if name == "pow":
        return (1.5, 3)
    return tuple(round(d.lo + f * (d.hi - d.lo), 2) for d, f in zip(op.domain, (1 / 3, 4 / 5)))


def ops_table() -> list[tuple[str, tuple, float, list, str]]:
    """(op, args, PyTorch's output, PyTorch's gradients, the formula) for every op of the kata."""
    rows = []
    for name, op in OPS.items():
        args = sample_args(name)
        out, grads = op_grads(name, args)
        rows.append((name, args, out, grads, op.formula))
    return rows


def seed_example() -> tuple[float, float, float]:
    """z = x*y + x at x = 2, y = 3: returns (z, dz/dx, dz/dy) = (8, 4, 2)."""
    x, y = leaf(2.0), leaf(3.0)
    z = x * y + x
    z.backward()
    return z.item(), x.grad.item(), y.grad.item()


def mlp(weights) -> torch.nn.Sequential:
    """``nn.Linear`` layers with relu between them, from per layer, per neuron ``(weights, bias)`` floats."""
    layers = []
    for i, layer in enumerate(weights):
        lin = torch.nn.Linear(len(layer[0][0]), len(layer), dtype=DTYPE)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([ws for ws, _ in layer], dtype=DTYPE))  # row j is neuron j
            lin.bias.copy_(torch.tensor([b for _, b in layer], dtype=DTYPE))
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def kata_weights(seed: int = 0, sizes=(2, 16, 16, 1)):
    """The initial weights ``reference/nn.py``'s ``MLP`` draws after ``random.seed(seed)``:
    per neuron ``nin`` uniform(-1, 1) weights, bias 0."""
    rng = random.Random(seed)
    return [[([rng.uniform(-1, 1) for _ in range(nin)], 0.0) for _ in range(nout)]
            for nin, nout in itertools.pairwise(sizes)]


def hinge_loss(model, X: torch.Tensor, y: torch.Tensor, alpha: float = 1e-4) -> torch.Tensor:
    """``mean(relu(1 - y * score)) + alpha * sum(p * p)``, as in level 4."""
    scores = model(X).squeeze(1)
    data_loss = torch.relu(1 - y * scores).mean()
    return data_loss + alpha * sum((p * p).sum() for p in model.parameters())


def train(steps: int = 100, seed: int = 0, data_seed: int = 1, log=print) -> tuple[list[float], float]:
    """Level 4's training in PyTorch: returns the loss of every step and the held-out accuracy."""
    from utils.datasets import two_moons_split

    X, y, X_test, y_test = two_moons_split(100, 100, seed=data_seed)
    X, y = torch.tensor(X, dtype=DTYPE), torch.tensor(y, dtype=DTYPE)
    model = mlp(kata_weights(seed))
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    losses = []
    for k in range(steps):
        for group in opt.param_groups:
            group["lr"] = 1.0 - 0.9 * k / steps  # the same schedule as reference/nn.py's example
        loss = hinge_loss(model, X, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if log and (k % 10 == 0 or k == steps - 1):
            log(f"step {k:3d}  loss {loss.item():.4f}")
    with torch.no_grad():
        scores = model(torch.tensor(X_test, dtype=DTYPE)).squeeze(1)
        accuracy = ((scores > 0) == (torch.tensor(y_test) > 0)).double().mean().item()
    return losses, accuracy


def main() -> None:
    print("Every op of the kata, in PyTorch:")
    for name, args, out, grads, formula in ops_table():
        shown = ", ".join(f"{g:.6g}" for g in grads if g is not None)
        print(f"  {OPS[name].show(*args):22s} = {out:<10.6g} gradient {shown:12s} ({formula})")
    z, dx, dy = seed_example()
    print(f"\nThe seed example: z = x*y + x at x = 2, y = 3: z = {z:g}, dz/dx = {dx:g}, dz/dy = {dy:g}")
    print("\nTraining the MLP 2-16-16-1 on two moons:")
    _, accuracy = train()
    print(f"held-out accuracy {accuracy:.0%}")


if __name__ == "__main__":
    main()
