"""micrograd's recursive topological sort: RecursionError on a deep graph.

Rejected by: stage iterative
Message names: recursionerror | recurses
Must not say: topological order: | accumul | float32
"""

from tests.zoo._reference import fresh

_ref = fresh()
Value = _ref.Value
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy
neuron_forward, neuron_backward = _ref.neuron_forward, _ref.neuron_backward


def backward(self):
    """micrograd's backward(): a recursive topological sort, no reset of interior nodes."""
    topo, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    build(self)
    self.grad = 1.0
    for v in reversed(topo):
        v._backward()


Value.backward = backward
