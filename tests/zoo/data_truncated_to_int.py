"""Data truncated to int: ``self.data = int(data)``, so Value(2.5) holds 2.

Every op is right on the numbers it holds; the numbers are wrong.

Rejected by: level 1
Message names: truncat | integer | int(
Must not say: mul: | add: | accumul | float32 | topological
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __init__(self, data, _children=(), _op=""):
        super().__init__(data, _children, _op)
        self.data = int(self.data)
