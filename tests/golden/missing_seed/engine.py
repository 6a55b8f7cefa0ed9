"""backward() never sets the output's grad to 1: one cause behind 19 failures, said once."""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def backward(self):
        for node in reversed(self._order()):
            node._propagate()
