"""No reset of interior nodes: a second backward() compounds through the graph.

Rejected by: stage twice
Message names: second | two backward() calls
Must not say: recursion
"""

from tests.zoo._reference import fresh

_ref = fresh()
Value = _ref.Value
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy
neuron_forward, neuron_backward = _ref.neuron_forward, _ref.neuron_backward


def backward(self):
    """An iterative order, but interior grads are kept between calls: a second call compounds."""
    order = self._topological_order()
    self.grad = 1.0
    for node in reversed(order):
        node._backward()


Value.backward = backward
