"""Assignment in a level-2 op: ``self.grad = k * self.data**(k - 1) * out.grad`` in ``__pow__``.

A micrograd-style engine (``_prev`` a set); + and * accumulate, so level 1
passes. ``x / y`` is ``x * y**-1``: whenever y has another user whose
backward ran first, its share is lost.

Rejected by: level 2
Fresh runs: 5
Message names: pow
Message names: += | accumul | add up
Must not say: float32 | topological
"""

from tests.zoo.correct.micrograd_closures import Value as _Base


class Value(_Base):
    def __pow__(self, other):
        if not isinstance(other, (int, float)):
            raise TypeError("only supporting int/float powers for now")
        out = type(self)(self.data**other, (self,), f"**{other}")

        def _backward():
            self.grad = (other * self.data ** (other - 1)) * out.grad

        out._backward = _backward
        return out
