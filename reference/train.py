"""Training the reference network on two moons: a loop to reuse in plots and benchmarks.

    from reference.nn import MLP
    from reference.train import accuracy, train
    from utils.datasets import two_moons_split

    X, y, X_test, y_test = two_moons_split(100, 100, seed=12)
    model = MLP(2, [16, 16, 1])
    history = train(model, X, y, steps=50)            # one dict per step
    print(history[-1]["loss"], accuracy(model, X_test, y_test))

Run ``python -m reference.train`` for the level-4 recipe on the reference
engine; it prints the loss and the accuracies every 10 steps.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from reference.nn import MLP, Module, train_step
from utils.datasets import two_moons_split


def accuracy(model: Module, X, y) -> float:
    """The fraction of points whose score has the sign of their label (labels in {-1, +1})."""
    if not X:
        return 0.0
    return sum((model(x).data > 0) == (label > 0) for x, label in zip(X, y)) / len(X)


def learning_rate(k: int, steps: int, start: float = 1.0, end: float = 0.1) -> float:
    """Linear decay from ``start`` at step 0 towards ``end``: ``1.0 - 0.9 * k / steps`` by default."""
    return start - (start - end) * k / steps


def train(model: Module, X, y, steps: int = 50, alpha: float = 1e-4,
          callback: Callable[[dict], None] | None = None) -> list[dict]:
    """Full-batch gradient descent on the hinge loss, with a decaying learning rate.

    Returns one record per step: ``{"step", "lr", "loss"}`` (the loss before
    that step's update). ``callback(record)`` is called after every step, e.g.
    to draw the decision boundary or to stop early by raising StopIteration.
    """
    history = []
    for k in range(steps):
        lr = learning_rate(k, steps)
        loss = train_step(model, X, y, lr=lr, alpha=alpha)
        record = {"step": k + 1, "lr": lr, "loss": loss.data}
        history.append(record)
        if callback is not None:
            try:
                callback(record)
            except StopIteration:
                break
    return history


def seeded_weights(model: Module, seed: int) -> None:
    """Weights uniform in [-1, 1] from ``seed`` and biases 0, in ``parameters()`` order:
    the initial network of the level-4 training test."""
    rng = random.Random(seed)
    for layer in model.layers:
        for neuron in layer.neurons:
            for w in neuron.w:
                w.data = rng.uniform(-1, 1)
            neuron.b.data = 0.0


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=12, help="data and initial weights (default 12)")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--train", type=int, default=100, help="training points")
    parser.add_argument("--test", type=int, default=100, help="held-out points")
    args = parser.parse_args(argv)
    X, y, X_test, y_test = two_moons_split(args.train, args.test, seed=args.seed)
    model = MLP(2, [16, 16, 1])
    seeded_weights(model, args.seed)
    start = time.perf_counter()

    def report(record):
        if record["step"] % 10 == 0 or record["step"] == args.steps:
            print(f"step {record['step']:4}  loss {record['loss']:.4f}  train {accuracy(model, X, y):6.1%}  "
                  f"held-out {accuracy(model, X_test, y_test):6.1%}  ({time.perf_counter() - start:.1f} s)")

    train(model, X, y, steps=args.steps, callback=report)


if __name__ == "__main__":
    main()
