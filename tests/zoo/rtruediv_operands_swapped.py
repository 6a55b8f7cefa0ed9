"""A wrong reflected division: ``__rtruediv__ = __truediv__``, so 1 / x computes x / 1.

Rejected by: level 2
Message names: rtruediv
Must not say: accumul | += | float32
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    __rtruediv__ = _Base.__truediv__
