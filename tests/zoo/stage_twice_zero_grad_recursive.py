"""zero_grad() that recurses: RecursionError on a deep graph.

Rejected by: stage twice
Message names: recursionerror
"""

from tests.zoo._reference import fresh

_ref = fresh()
Value = _ref.Value
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy
neuron_forward, neuron_backward = _ref.neuron_forward, _ref.neuron_backward


def zero_grad(self):
    def visit(v):
        v.grad = 0.0
        for child in v._prev:
            visit(child)

    visit(self)


Value.zero_grad = zero_grad
