"""db left as one number per sample instead of the sum over the batch.

Rejected by: stage numpy
Message names: db | one number
"""

from tests.zoo._reference import fresh

_ref = fresh()
Value = _ref.Value
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy
neuron_forward, neuron_backward = _ref.neuron_forward, _ref.neuron_backward

import numpy as np  # noqa: E402


def neuron_backward(X, w, b, dout):  # noqa: F811 - the one mistake
    dz = dout * (1.0 - np.tanh(X @ w + b) ** 2)
    return np.outer(dz, w), X.T @ dz, dz
