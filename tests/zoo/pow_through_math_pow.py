"""** through math.pow: 0 ** -1 raises ValueError ("math domain error"), not ZeroDivisionError.

Rejected by: level 2
Message names: zero_division | ZeroDivisionError
"""

import math

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __pow__(self, k):
        if isinstance(k, _Base) or not isinstance(k, (int, float)):
            raise TypeError("the exponent must be a plain number")
        return self._node(math.pow(self.data, k), (self,), f"**{k}", (k * math.pow(self.data, k - 1),))
