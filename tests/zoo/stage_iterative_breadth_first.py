"""Iterative, but breadth-first: a node can pass on its gradient before all of its users sent theirs.

Rejected by: stage iterative
Message names: topological | ran before
Must not say: accumul | float32 | recursion | times
"""

from tests.zoo._reference import fresh

_ref = fresh()
Value = _ref.Value
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy
neuron_forward, neuron_backward = _ref.neuron_forward, _ref.neuron_backward


def backward(self):
    """Every node once, in breadth-first order from the output: not a topological order."""
    order, seen, queue = [], {self}, [self]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for child in node._prev:
            if child not in seen:
                seen.add(child)
                queue.append(child)
    for node in order:
        if node._prev:
            node.grad = 0.0
    self.grad = 1.0
    for node in order:
        node._backward()


Value.backward = backward
