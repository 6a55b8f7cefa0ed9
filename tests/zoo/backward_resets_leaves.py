"""``backward()`` zeroes every gradient it reaches, the leaves too.

Leaves must accumulate across calls (as in PyTorch): backward() twice doubles
their grads; resetting them is the caller's job (``zero_grad()``).

Rejected by: level 3
Message names: twice | retain_graph
Message names: reset the leaves | not doubled
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def backward(self):
        order = self._order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._propagate()
