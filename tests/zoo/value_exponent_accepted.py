"""A Value exponent accepted: x ** Value(3) uses the exponent's data, no TypeError.

Its gradient with respect to the exponent is silently dropped; the contract
says a Value exponent is a TypeError.

Rejected by: level 2
Message names: TypeError
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __pow__(self, k):
        if isinstance(k, _Base):
            k = k.data
        return super().__pow__(k)
