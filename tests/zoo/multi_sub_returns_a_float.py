"""Two bugs at once: ``a - b`` returns a float (sub is never a node), and exp's derivative uses the input
(e**x * x). Neither is hidden behind "each op is right", and no wrap-it advice is given for a number the
engine made.

Rejected by: level 2
Message names: sub
Message names: not a Value
Must not say: float32 | seed | no single cause confirmed
"""

import math

from tests.zoo.correct.micrograd_closures import Value as _Base


class Value(_Base):
    def __sub__(self, other):
        other = other if isinstance(other, Value) else type(self)(other)
        return self.data - other.data

    def exp(self):
        out = type(self)(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * self.data * out.grad

        out._backward = _backward
        return out
