"""The solutions ladder: each solution shows what it teaches.

The levels each engine passes (the reference, the escape hatch, the
solutions) are claimed in ``tests/claims.py`` and checked by
``tests/test_levels.py``. Here:

* solutions/memory-efficient leaves no reference cycles (the naive
  solution's closures do);
* solutions/vectorized: gradients against finite differences and
  PyTorch, with broadcasting; it trains the level-4 network;
* solutions/pytorch: the same numbers as the reference engine.
"""

from __future__ import annotations

import gc
import importlib.util
import sys

import pytest

from runner import manifest
from utils.finite_difference_checker import check_gradients
from utils.ops import OPS

ROOT = manifest.ROOT
SOLUTIONS = ROOT / "solutions"


def load(relpath: str):
    """A solution file by path (the folder names have a dash, so they are no packages)."""
    path = ROOT / relpath
    name = "_solution_" + path.parent.name.replace("-", "_") + "_" + path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# -- reference cycles ----------------------------------------------------------


def garbage_left_by(Value) -> int:
    """Objects only the cyclic collector can free, after a graph is built, used and dropped."""
    gc.collect()
    gc.disable()
    try:
        x = Value(0.5)
        y = x
        for _ in range(200):
            y = (y * x + 1).tanh() - y / 2
        y.backward()
        del x, y
        return gc.collect()
    finally:
        gc.enable()


@pytest.mark.parametrize("impl", ["solutions/memory-efficient/value.py", "reference/fast.py"])
def test_no_reference_cycles(impl):
    found = garbage_left_by(load(impl).Value)
    assert found == 0, f"{impl}: a dropped graph left {found} objects for the cyclic garbage collector"


def test_closures_do_make_reference_cycles():
    """The contrast the memory-efficient solution teaches (and proof that the check above can fail)."""
    assert garbage_left_by(load("solutions/naive/value.py").Value) > 0


def test_no_cycles_solution_is_freed_at_once_by_reference_counting():
    Value = load("solutions/memory-efficient/value.py").Value
    x = Value(1.0)
    out = x * 2 + x  # two nodes, each holding x once
    before = sys.getrefcount(x)
    del out
    assert sys.getrefcount(x) == before - 2, "dropping the output released both of its uses of x at once"


# -- the vectorized solution --------------------------------------------------------------


@pytest.fixture(scope="module")
def vectorized():
    return load("solutions/vectorized/tensor.py")


@pytest.mark.parametrize("name", list(OPS))
def test_vectorized_every_op_on_scalars_matches_finite_differences(vectorized, name):
    """On 0-d arrays the Tensor is a Value: each registry op, checked by finite differences."""
    op = OPS[name]
    args = [3 if name == "pow" and kind == "n" else round(d.lo + 0.37 * (d.hi - d.lo), 3)
            for kind, d in zip(op.args, op.domain)]

    def f(*vs):
        it = iter(vs)
        y = op.call(*[next(it) if kind == "v" else a for kind, a in zip(op.args, args)])
        return y * y + y

    value_args = [a for kind, a in zip(op.args, args) if kind == "v"]
    report = check_gradients(f, value_args, vectorized.Tensor, expression=f"{name}: y * y + y")
    assert report.ok, str(report)


def test_vectorized_broadcasting_and_matmul_match_pytorch(vectorized):
    torch = pytest.importorskip("torch")
    import numpy as np

    rng = np.random.default_rng(3)
    X, W, b, c = (rng.normal(size=s) for s in [(5, 3), (3, 4), (4,), (5, 1)])
    T = vectorized.Tensor
    tX, tW, tb, tc = (T(a) for a in (X, W, b, c))
    out = (((tX @ tW + tb) * tc).tanh() - tb / 2.0 + (tc * tc).exp()).sigmoid().sum()
    out.backward()
    pX, pW, pb, pc = (torch.tensor(a, requires_grad=True) for a in (X, W, b, c))
    ref = (((pX @ pW + pb) * pc).tanh() - pb / 2.0 + (pc * pc).exp()).sigmoid().sum()
    ref.backward()
    assert float(out.data) == pytest.approx(ref.item(), rel=1e-12)
    for mine, theirs, name in [(tX, pX, "X"), (tW, pW, "W"), (tb, pb, "b"), (tc, pc, "c")]:
        assert mine.grad.shape == mine.data.shape, f"grad of {name} has the shape of its data"
        np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_vectorized_mlp_agrees_with_the_scalar_engines(vectorized):
    """The same loss and gradients as the reference engine on the bench's network and data."""
    import bench

    engines = bench.make_engines(n_points=20, which={"reference", "vectorized"})
    assert [e.key for e in engines] == ["reference", "vectorized"]
    agreement = bench.check_agreement(engines)
    assert all(a.ok for a in agreement), agreement


def test_vectorized_trains_the_level4_network(vectorized):
    from utils.datasets import two_moons_split

    X, y, X_test, y_test = two_moons_split(100, 100, seed=1)
    model = vectorized.MLP(2, [16, 16, 1], seed=0)
    losses = [float(vectorized.train_step(model, X, y, lr=1.0 - 0.9 * k / 100).data) for k in range(100)]
    assert losses[-1] < losses[0] / 10, f"the loss went from {losses[0]:.3f} to {losses[-1]:.3f}"
    assert vectorized.accuracy(model, X_test, y_test) >= 0.95


# -- the PyTorch reference -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pytorch_reference():
    pytest.importorskip("torch")
    return load("solutions/pytorch/pytorch_reference.py")


def test_pytorch_reference_ops_are_the_reference_engines(pytorch_reference):
    from reference.engine import Value

    for name, args, out, grads, _ in pytorch_reference.ops_table():
        op = OPS[name]
        leaves = [Value(a) if kind == "v" else a for kind, a in zip(op.args, args)]
        mine = op.call(*leaves)
        mine.backward()
        assert mine.data == pytest.approx(out, rel=1e-12, abs=1e-12), name
        for leaf, g in zip(leaves, grads):
            if g is not None:
                assert leaf.grad == pytest.approx(g, rel=1e-12, abs=1e-12), name


def test_pytorch_reference_seed_example(pytorch_reference):
    assert pytorch_reference.seed_example() == (8.0, 4.0, 2.0)


def test_pytorch_reference_trains_like_the_reference_network(pytorch_reference):
    nn = pytest.importorskip("reference.nn")
    import random

    from utils.datasets import two_moons_split

    losses, _ = pytorch_reference.train(steps=3, log=None)
    random.seed(0)
    X, y, _, _ = two_moons_split(100, 100, seed=1)
    model = nn.MLP(2, [16, 16, 1])
    mine = [nn.train_step(model, X, y, lr=1.0 - 0.9 * k / 3).data for k in range(3)]
    assert mine == pytest.approx(losses, rel=1e-9)
