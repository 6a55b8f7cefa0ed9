"""A second ``backward()`` compounds interior gradients (micrograd issue #53).

Interior nodes keep the gradient of the first call, and the second call adds
to it and sends the sum on: z = x*y + x, backward() twice, gives x.grad = 11,
not 8 as PyTorch does with retain_graph=True.

Rejected by: level 3
Message names: twice | retain_graph
Message names: reset
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def backward(self):
        self.grad = 1.0
        for node in reversed(self._order()):
            node._propagate()
