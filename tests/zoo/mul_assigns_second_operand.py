"""Assignment on one operand of *: ``other.grad = self.data * out.grad`` (the first has ``+=``).

A micrograd-style engine (``_prev`` a set): whether another user of
``other`` sent its share before this ``*`` runs its backward (and so whether
the share is lost) depends on the order of siblings in the sets.

Rejected by: level 1
Fresh runs: 5
Message names: += | accumul | add up
Must not say: float32 | topological
"""

from tests.zoo.correct.micrograd_closures import Value as _Base


class Value(_Base):
    def __mul__(self, other):
        if not isinstance(other, (_Base, int, float)):
            return NotImplemented
        other = other if isinstance(other, _Base) else type(self)(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad = self.data * out.grad

        out._backward = _backward
        return out
