"""zero_grad() that resets only the node it is called on.

Rejected by: stage twice
Message names: zero_grad
Must not say: recursion
"""

from tests.zoo._reference import fresh

_ref = fresh()
Value = _ref.Value
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy
neuron_forward, neuron_backward = _ref.neuron_forward, _ref.neuron_backward


def zero_grad(self):
    self.grad = 0.0


Value.zero_grad = zero_grad
