"""* ignores ``out.grad``: each operand of a product gets its local derivative, not times ``out.grad``.

The other ops are right. A product that is the output (``out.grad`` is 1)
is right; a product inside a bigger graph is not.

Rejected by: level 1
Message names: out.grad | chain rule | chain factor
Must not say: float32 | single precision | topological | accumul
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __mul__(self, other):
        out = super().__mul__(other)
        if out is NotImplemented:
            return out

        def _propagate():
            for child, local in zip(out._prev, out._local):
                child._accumulate(local)

        out._propagate = _propagate
        return out
