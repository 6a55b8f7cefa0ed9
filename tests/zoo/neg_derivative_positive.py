"""A wrong derivative of negation: -x written as its own op with derivative +1.

Rejected by: level 2
Message names: neg
Must not say: accumul | += | float32
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __neg__(self):
        return self._node(-self.data, (self,), "neg", (1.0,))
