"""The wrong topological order: the nodes are visited operands first (not reversed).

Each node passes its gradient on before the nodes that use it have sent it
any, so only the output's own operands get something.

Rejected by: level 1
Message names: topological | order
Must not say: accumul | += | float32
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def backward(self):
        order = self._order()
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad = 1.0
        for node in order:
            node._propagate()
