"""A wrong derivative of tanh: 1 - x**2 (the input) instead of 1 - tanh(x)**2.

Rejected by: level 2
Message names: tanh
Must not say: accumul | += | float32
"""

import math

from tests.zoo._base import Value as _Base


class Value(_Base):
    def tanh(self):
        return self._node(math.tanh(self.data), (self,), "tanh", (1.0 - self.data**2,))
