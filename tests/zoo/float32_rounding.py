"""float32 rounding: data and grads are stored as numpy.float32 (about 7 significant digits).

Every value and gradient is rounded to single precision: a chain of 300
nodes drifts in the 6th digit, and finite differences of a float32 forward
pass are off by 1e-3. (Level 3's PyTorch comparisons at 1e-5 alone let it
pass; its deep graphs, checked at 1e-9, do not.)

Rejected by: level 1
Message names: float32 | single precision | rounding
Must not say: accumul | topological
"""

import numpy as np

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __init__(self, data, _children=(), _op=""):
        super().__init__(data, _children, _op)
        self.data = float(np.float32(self.data))

    def _accumulate(self, g):
        self.grad = float(np.float32(self.grad + g))
