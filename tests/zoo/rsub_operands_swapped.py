"""A wrong reflected subtraction: ``__rsub__ = __sub__``, so 1 - x computes x - 1.

Rejected by: level 2
Message names: rsub
Must not say: accumul | += | float32
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    __rsub__ = _Base.__sub__
