"""Small data sets made in code from a seed: nothing is downloaded.

    from utils.datasets import two_moons, two_moons_split
    X, y = two_moons(100, noise=0.1, seed=1)          # X: [[x1, x2], ...], y: [-1 or +1, ...]
    X_train, y_train, X_test, y_test = two_moons_split(100, 100, seed=1)

The same seed gives the same points on every machine and Python version
(``random.Random`` with a fixed seed is reproducible), so a plot or a test can
name its data by the seed alone.
"""

from __future__ import annotations

import math
import random


def two_moons(n: int = 100, *, noise: float = 0.1, seed: int = 0) -> tuple[list[list[float]], list[int]]:
    """``n`` points on two interleaving half circles, with Gaussian noise.

    The upper moon is centred at (0, 0) (label -1), the lower one at (1, 0.5)
    and turned upside down (label +1), as in scikit-learn's ``make_moons``;
    here the angle of each point is drawn at random, so two calls with
    different seeds give different points of the same distribution. The
    labels alternate (-1, +1, -1, ...), so any prefix is balanced.

    Returns ``(X, y)``: ``X`` a list of ``[x1, x2]`` floats, ``y`` a list of
    ints in {-1, +1}.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        t = rng.uniform(0.0, math.pi)
        if i % 2 == 0:  # upper moon
            x1, x2, label = math.cos(t), math.sin(t), -1
        else:  # lower moon
            x1, x2, label = 1.0 - math.cos(t), 0.5 - math.sin(t), 1
        X.append([x1 + rng.gauss(0.0, noise), x2 + rng.gauss(0.0, noise)])
        y.append(label)
    return X, y


def two_moons_split(n_train: int = 100, n_test: int = 100, *, noise: float = 0.1, seed: int = 0):
    """A training set and a held-out set from the same distribution, disjoint draws.

    Returns ``(X_train, y_train, X_test, y_test)``. The held-out points are
    the continuation of the same random stream, so they never repeat a
    training point.
    """
    X, y = two_moons(n_train + n_test, noise=noise, seed=seed)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]
