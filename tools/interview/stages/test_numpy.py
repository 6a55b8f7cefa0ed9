"""Stage "numpy": a tanh neuron over a batch, forward and backward, with numpy arrays.

The forward is checked against math.tanh per sample, the backward against
central differences of sum(dout * forward).
"""

import math

import numpy as np
from pytest import approx

from runner.checks import expect_true
from tools.interview.stages.support import needs

RNG = np.random.default_rng(7)
X = RNG.normal(size=(5, 3))
W = RNG.normal(size=3)
B = 0.3
DOUT = RNG.normal(size=5)


def numeric(f, arr, h=1e-6):
    """Central differences of the scalar f() with respect to every entry of arr (changed in place)."""
    out = np.zeros_like(arr, dtype=float)
    for i in np.ndindex(arr.shape):
        old = arr[i]
        arr[i] = old + h
        up = f()
        arr[i] = old - h
        down = f()
        arr[i] = old
        out[i] = (up - down) / (2 * h)
    return out


def test_forward(engine):
    forward = needs(engine, "neuron_forward", "neuron_forward(X, w, b)")
    out = np.asarray(forward(X, W, B), dtype=float)
    want = [math.tanh(sum(X[n, i] * W[i] for i in range(3)) + B) for n in range(5)]
    expect_true(out.shape == (5,),
                f"neuron_forward on 5 samples of 3 features should give 5 outputs; shape {out.shape}")
    expect_true(out.tolist() == approx(want, rel=1e-9), f"neuron_forward gave {out.tolist()}, expected {want}")


def test_backward_matches_finite_differences(engine):
    forward = needs(engine, "neuron_forward", "neuron_forward(X, w, b)")
    backward = needs(engine, "neuron_backward", "neuron_backward(X, w, b, dout)")
    x, w, b = X.copy(), W.copy(), np.array([B])
    dX, dw, db = backward(X.copy(), W.copy(), B, DOUT)
    dX, dw = np.asarray(dX, dtype=float), np.asarray(dw, dtype=float)
    expect_true(dX.shape == (5, 3) and dw.shape == (3,),
                f"dX should have shape (5, 3) and dw (3,); got {dX.shape}, {dw.shape}")
    expect_true(np.ndim(db) == 0,
                f"db should be one number (the sum over the batch), got an array of shape {np.shape(db)}")

    def loss():
        return float(np.sum(DOUT * np.asarray(forward(x, w, b[0]), dtype=float)))

    for name, got, want in (("dw", dw, numeric(loss, w)), ("db", float(db), numeric(loss, b)[0]),
                            ("dX", dX, numeric(loss, x))):
        expect_true(np.allclose(got, want, rtol=1e-5, atol=1e-7), f"{name} = {got}, finite differences give {want}")


def test_a_large_batch(engine):
    """10 000 samples: the same numbers as the first five rows computed alone."""
    forward = needs(engine, "neuron_forward", "neuron_forward(X, w, b)")
    backward = needs(engine, "neuron_backward", "neuron_backward(X, w, b, dout)")
    big = np.vstack([X] + [RNG.normal(size=(9995, 3))])
    dout = np.concatenate([DOUT, np.zeros(9995)])
    out = np.asarray(forward(big, W, B), dtype=float)
    expect_true(out.shape == (10_000,) and out[:5] == approx(np.tanh(X @ W + B).tolist(), rel=1e-9),
                "neuron_forward on 10,000 samples should give 10,000 outputs, the first five equal to tanh(X @ W + B)")
    dX, dw, db = backward(big, W, B, dout)
    small = backward(X, W, B, DOUT)
    expect_true(np.allclose(dw, small[1]) and float(db) == approx(float(small[2])),
                "with dout zero beyond the first five samples, dw and db must equal those of the first five alone")
    expect_true(np.allclose(np.asarray(dX)[5:], 0.0),
                "with dout zero beyond the first five samples, dX must be zero for those samples")
