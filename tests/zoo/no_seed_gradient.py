"""No seed gradient: ``backward()`` never sets the output's grad to 1.

Every gradient stays 0, because every one of them is a multiple of the seed.

Rejected by: level 1
Message names: grad to 1 | seed
Must not say: add: | mul: | radd | accumul | float32 | topological
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def backward(self):
        for node in reversed(self._order()):
            node._propagate()
