"""A missing chain factor: each operand gets its local derivative, not times ``out.grad``.

Every op's gradient is right when the op is the output (``out.grad`` is 1)
and wrong as soon as it sits inside a bigger graph.

Rejected by: level 1
Message names: chain rule
Must not say: float32 | single precision | topological | accumul
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def _propagate(self):
        for child, local in zip(self._prev, self._local):
            child._accumulate(local)
