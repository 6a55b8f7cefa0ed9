"""log whose backward uses log(x) instead of 1/x.

Rejected by: stage ops
Message names: log
Must not say: overflow | recursion
"""

from tests.zoo._reference import fresh

_ref = fresh()
Value = _ref.Value
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy
neuron_forward, neuron_backward = _ref.neuron_forward, _ref.neuron_backward

import math  # noqa: E402


def log(self):
    out = type(self)(math.log(self.data), (self,), "log")

    def _backward():
        self.grad += math.log(self.data) * out.grad  # the value, not 1/x

    out._backward = _backward
    return out


Value.log = log
