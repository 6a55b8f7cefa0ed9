"""A wrong derivative of subtraction: d(a-b)/db = +1 instead of -1.

Rejected by: level 2
Message names: sub
Must not say: accumul | += | float32
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __sub__(self, other):
        other = self._wrap(other)
        if other is None:
            return NotImplemented
        return self._node(self.data - other.data, (self, other), "-", (1.0, 1.0))
