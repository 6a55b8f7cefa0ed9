"""A wrong derivative of relu: 1 everywhere, also where relu is flat (x < 0).

Rejected by: level 2
Message names: relu
Must not say: accumul | += | float32
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def relu(self):
        return self._node(max(self.data, 0.0), (self,), "relu", (1.0,))
