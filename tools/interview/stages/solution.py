"""A solution of every stage: the reference engine (reference/engine.py, which already
has sigmoid, log, an iterative backward() and the second-call contract) plus what the
follow-ups add: ``Value.zero_grad``, ``softmax``, ``cross_entropy`` and the numpy neuron.

``fresh_value()`` returns a private copy of the reference ``Value`` class (the
reference module itself is never modified), so the wrong engines of ``zoo/`` can
each patch one mistake into their own copy.
"""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import numpy as np

REFERENCE = Path(__file__).resolve().parents[3] / "reference" / "engine.py"
_copies = itertools.count()


def fresh_value():
    """A new, private copy of the reference Value class, with zero_grad."""
    spec = importlib.util.spec_from_file_location(f"_stage_engine_{next(_copies)}", REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.Value.zero_grad = zero_grad
    return module.Value


# -- stage "twice" ----------------------------------------------------------------------


def zero_grad(self):
    """Set the grad of every node of this node's graph (itself included) to 0."""
    for node in self._topological_order():
        node.grad = 0.0


# -- stage "softmax" ----------------------------------------------------------------------


def softmax(logits):
    """exp(l_i - m) / sum_j exp(l_j - m), m the largest logit: every exp is at most 1."""
    m = max(lg.data for lg in logits)
    exps = [(lg - m).exp() for lg in logits]
    total = sum(exps)
    return [e / total for e in exps]


def cross_entropy(logits, target):
    """-log softmax(logits)[target] = logsumexp(logits) - logits[target]; no probability is
    formed, so a tiny one never becomes log(0)."""
    m = max(lg.data for lg in logits)
    logsumexp = sum((lg - m).exp() for lg in logits).log() + m
    return logsumexp - logits[target]


# -- stage "numpy" ----------------------------------------------------------------------


def neuron_forward(X, w, b):
    return np.tanh(X @ w + b)


def neuron_backward(X, w, b, dout):
    """The gradients of sum(dout * tanh(X @ w + b)) with respect to X, w and b."""
    out = np.tanh(X @ w + b)
    dz = dout * (1.0 - out**2)
    return np.outer(dz, w), X.T @ dz, float(dz.sum())


Value = fresh_value()
