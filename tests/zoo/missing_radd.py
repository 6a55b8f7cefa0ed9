"""Missing reflected add: no ``__radd__``, so ``1 + x`` raises TypeError.

Rejected by: level 1
Message names: __radd__
Message names: unsupported operand
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __radd__(self, other):  # as if the class had no __radd__ at all
        return NotImplemented
