"""Two moons made in code from a seed, and the reference training loop that uses them."""

from __future__ import annotations

import math

import pytest

from utils.datasets import two_moons, two_moons_split


def test_same_seed_same_points_other_seed_other_points():
    assert two_moons(50, seed=3) == two_moons(50, seed=3)
    assert two_moons(50, seed=3)[0] != two_moons(50, seed=4)[0]


def test_sizes_labels_and_balance():
    X, y = two_moons(101, seed=0)
    assert len(X) == len(y) == 101
    assert all(len(x) == 2 and all(isinstance(v, float) for v in x) for x in X)
    assert set(y) == {-1, 1}
    assert y.count(-1) == 51 and y.count(1) == 50, "labels alternate, so the classes are balanced"
    assert two_moons(0) == ([], [])
    with pytest.raises(ValueError):
        two_moons(-1)


def test_without_noise_the_points_lie_on_the_two_half_circles():
    X, y = two_moons(200, noise=0.0, seed=1)
    for (x1, x2), label in zip(X, y):
        cx, cy = (0.0, 0.0) if label == -1 else (1.0, 0.5)
        assert math.hypot(x1 - cx, x2 - cy) == pytest.approx(1.0)
        assert (x2 >= -1e-12) if label == -1 else (x2 <= 0.5 + 1e-12), "upper moon above, lower moon below"


def test_noise_moves_the_points_by_about_its_size():
    X, y = two_moons(2000, noise=0.1, seed=2)
    radii = [math.hypot(x1 - (0.0 if lab == -1 else 1.0), x2 - (0.0 if lab == -1 else 0.5))
             for (x1, x2), lab in zip(X, y)]
    spread = math.sqrt(sum((r - 1.0) ** 2 for r in radii) / len(radii))
    assert 0.07 < spread < 0.13


def test_split_is_disjoint_and_reproducible():
    X, y, Xt, yt = two_moons_split(100, 100, seed=12)
    assert (len(X), len(y), len(Xt), len(yt)) == (100, 100, 100, 100)
    assert not {tuple(p) for p in X} & {tuple(p) for p in Xt}
    assert two_moons_split(100, 100, seed=12) == (X, y, Xt, yt)
    assert yt.count(1) == yt.count(-1) == 50


def test_the_reference_recipe_learns_two_moons_quickly():
    """A short run of reference.train: the loss falls and the training accuracy rises."""
    from reference.nn import MLP
    from reference.train import accuracy, learning_rate, seeded_weights, train

    X, y = two_moons(40, seed=12)
    model = MLP(2, [8, 1])
    seeded_weights(model, 12)
    before = accuracy(model, X, y)
    history = train(model, X, y, steps=15)
    assert [r["step"] for r in history] == list(range(1, 16))
    assert history[-1]["loss"] < history[0]["loss"]
    assert accuracy(model, X, y) > max(before, 0.75)
    assert learning_rate(0, 50) == 1.0 and learning_rate(25, 50) == pytest.approx(0.55)
