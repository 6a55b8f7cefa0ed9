"""Two bugs at once: ``x ** k`` accepts a Value exponent and drops its gradient, and ``__rsub__`` swaps its
operands. The exponent's failure is not told rsub's swap.

Rejected by: level 2
Message names: rsub
Must not say: float32 | seed
"""

from tests.zoo.correct.micrograd_closures import Value as _Base


class Value(_Base):
    def __rsub__(self, other):
        return self - other

    def __pow__(self, other):
        k = other.data if isinstance(other, _Base) else other
        out = type(self)(self.data**k, (self,), f"**{k}")

        def _backward():
            self.grad += (k * self.data ** (k - 1)) * out.grad

        out._backward = _backward
        return out
