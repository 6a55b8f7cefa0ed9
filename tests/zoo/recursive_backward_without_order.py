"""Recursive backward without a topological order (micrograd issue #64).

``backward()`` calls each node's ``_backward`` and then recurses into its
operands, so a shared node passes its gradient on before it has collected
all of it, and again each time it is reached.

Rejected by: level 1
Message names: topological | order | collect
Must not say: accumul | += | float32
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def backward(self):
        self.grad = 1.0
        self._backprop()

    def _backprop(self):
        self._propagate()
        for child in set(self._prev):
            child._backprop()
