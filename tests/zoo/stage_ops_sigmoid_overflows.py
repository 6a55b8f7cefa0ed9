"""sigmoid as 1 / (1 + exp(-x)): OverflowError for x below about -709.

Rejected by: stage ops
Message names: overflow
Must not say: derivative | recursion
"""

from tests.zoo._reference import fresh

_ref = fresh()
Value = _ref.Value
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy
neuron_forward, neuron_backward = _ref.neuron_forward, _ref.neuron_backward

import math  # noqa: E402


def sigmoid(self):
    s = 1.0 / (1.0 + math.exp(-self.data))  # overflows for x below about -709
    out = type(self)(s, (self,), "sigmoid")

    def _backward():
        self.grad += s * (1.0 - s) * out.grad

    out._backward = _backward
    return out


Value.sigmoid = sigmoid
