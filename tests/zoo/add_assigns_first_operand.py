"""Assignment on one operand of +: ``self.grad = out.grad`` (the other operand has ``+=``).

A micrograd-style engine (``_prev`` a set). The assignment is only wrong
when another user of ``self`` ran its backward first, and with a set that
depends on the objects' ids: before the level-1 tests were made order-proof,
this file passed level 1 in some runs and failed it in others.

Rejected by: level 1
Fresh runs: 5
Message names: += | accumul | add up
Must not say: float32 | topological
"""

from tests.zoo.correct.micrograd_closures import Value as _Base


class Value(_Base):
    def __add__(self, other):
        if not isinstance(other, (_Base, int, float)):
            return NotImplemented
        other = other if isinstance(other, _Base) else type(self)(other)
        out = type(self)(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad
            other.grad += out.grad

        out._backward = _backward
        return out
