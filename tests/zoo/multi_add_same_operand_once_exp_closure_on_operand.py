"""Two bugs at once: ``a + a`` gives a.grad = 1 (the second slot skips an operand it already updated), and
``exp`` stores its backward closure on its operand instead of its result. Neither failure is told the other's
cause, nor that "each op is right".

Rejected by: level 1
Message names: a + a | used twice | accumulation
Must not say: float32 | seed | no single cause confirmed
"""

import math

from tests.zoo.correct.micrograd_closures import Value as _Base


class Value(_Base):
    def __add__(self, other):
        if not isinstance(other, (_Base, int, float)):
            return NotImplemented
        other = other if isinstance(other, _Base) else type(self)(other)
        out = type(self)(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            if other is not self:
                other.grad += out.grad

        out._backward = _backward
        return out

    def exp(self):
        out = type(self)(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        self._backward = _backward
        return out
