"""A wrong derivative of +: only the left operand gets a gradient.

Rejected by: level 1
Message names: d(a + b)/db
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __add__(self, other):
        other = self._wrap(other)
        if other is None:
            return NotImplemented
        return self._node(self.data + other.data, (self, other), "+", (1.0, 0.0))
