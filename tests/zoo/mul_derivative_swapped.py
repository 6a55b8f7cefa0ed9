"""A wrong derivative of *: d(a*b)/da = a instead of b (the operands swapped).

Rejected by: level 1
Message names: d(a * b)/da
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __mul__(self, other):
        other = self._wrap(other)
        if other is None:
            return NotImplemented
        return self._node(self.data * other.data, (self, other), "*", (self.data, other.data))
