"""Missing reflected multiply: no ``__rmul__``, so ``2 * x`` raises TypeError.

Rejected by: level 1
Message names: __rmul__
Message names: unsupported operand
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __rmul__(self, other):  # as if the class had no __rmul__ at all
        return NotImplemented
