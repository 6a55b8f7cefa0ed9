"""A wrong derivative of **: k * x**k instead of k * x**(k-1).

Rejected by: level 2
Message names: pow
Must not say: accumul | += | float32
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __pow__(self, k):
        if isinstance(k, _Base) or not isinstance(k, (int, float)):
            raise TypeError("the exponent must be a plain number")
        return self._node(self.data**k, (self,), f"**{k}", (k * self.data**k,))
