"""No type check: ``self.data = float(data)`` turns Value("1.5") into 1.5 and Value("a") into a ValueError.

Every op is right, so the levels pass; the input contract (Value("a") should raise
TypeError) is a review note in the summary, not a failure.

The levels it passes are listed in tests/claims.py.
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __init__(self, data, _children=(), _op=""):
        super().__init__(0.0, _children, _op)
        self.data = float(data)
