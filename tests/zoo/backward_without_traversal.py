"""Backward without a graph walk: ``backward()`` only runs the output's own step.

The output's operands get their gradients; nothing deeper does.

Rejected by: level 1
Message names: never ran | topological
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def backward(self):
        self.grad = 1.0
        self._propagate()
