"""The neuron's backward without the (1 - out**2) factor.

Rejected by: stage numpy
Message names: finite differences
Must not say: overflow
"""

from tests.zoo._reference import fresh

_ref = fresh()
Value = _ref.Value
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy
neuron_forward, neuron_backward = _ref.neuron_forward, _ref.neuron_backward

import numpy as np  # noqa: E402


def neuron_backward(X, w, b, dout):  # noqa: F811 - the one mistake
    return np.outer(dout, w), X.T @ dout, float(dout.sum())
