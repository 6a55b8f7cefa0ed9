"""A wrong derivative of division: d(a/b)/db = a/b**2, the minus sign lost.

Rejected by: level 2
Message names: truediv
Must not say: accumul | += | float32
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __truediv__(self, other):
        other = self._wrap(other)
        if other is None:
            return NotImplemented
        b = other.data
        return self._node(self.data / b, (self, other), "/", (1.0 / b, self.data / b**2))
