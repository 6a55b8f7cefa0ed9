"""A wrong derivative of exp: x instead of e**x.

Rejected by: level 2
Message names: exp
Must not say: accumul | += | float32
"""

import math

from tests.zoo._base import Value as _Base


class Value(_Base):
    def exp(self):
        return self._node(math.exp(self.data), (self,), "exp", (self.data,))
