"""``__rtruediv__`` returns self / other: 2.5 / x computes x / 2.5. The block names __rtruediv__ and says what
it must return."""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __rtruediv__(self, other):
        return self / other
