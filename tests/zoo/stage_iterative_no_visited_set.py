"""An iterative sort without a visited set: a shared node is listed twice, its _backward runs twice.

Rejected by: stage iterative
Message names: ran 3 times | once
Must not say: not topological | ran before | accumul | float32 | recursion
"""

from tests.zoo._reference import fresh

_ref = fresh()
Value = _ref.Value
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy
neuron_forward, neuron_backward = _ref.neuron_forward, _ref.neuron_backward


def _topological_order(self):
    """Post-order with an explicit stack, but no set of nodes already seen."""
    order, stack = [], [(self, False)]
    while stack:
        node, operands_done = stack.pop()
        if operands_done:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    return order


Value._topological_order = _topological_order
