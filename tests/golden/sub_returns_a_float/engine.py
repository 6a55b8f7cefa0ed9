"""``a - b`` returns a float: sub never becomes a node. Its blocks say so, and no block claims every op right or
tells the learner to wrap a number the engine made."""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __sub__(self, other):
        return self.data - (other.data if isinstance(other, _Base) else other)
