"""No type check: ``self.data = float(data)`` turns Value("1.5") into 1.5 and Value("a") into a ValueError.

Rejected by: level 2
Message names: TypeError
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __init__(self, data, _children=(), _op=""):
        super().__init__(0.0, _children, _op)
        self.data = float(data)
