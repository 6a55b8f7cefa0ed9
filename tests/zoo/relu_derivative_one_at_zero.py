"""relu'(0) = 1: the derivative tests ``x >= 0`` instead of ``x > 0``.

PyTorch (and the contract) say relu'(0) = 0.

Rejected by: level 2
Message names: relu'(0
Must not say: accumul | += | float32
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def relu(self):
        return self._node(max(self.data, 0.0), (self,), "relu", (float(self.data >= 0),))
