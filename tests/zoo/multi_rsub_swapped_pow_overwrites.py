"""Two bugs at once: ``__rsub__`` swaps its operands (1 - x computes x - 1), and ``__pow__`` overwrites its
operand's grad (=, not +=). Each failure is told its own cause: no rsub block names pow, no pow block names rsub.

Rejected by: level 2
Message names: rsub
Message names: other - self
Must not say: float32 | seed | single precision
"""

from tests.zoo.correct.micrograd_closures import Value as _Base


class Value(_Base):
    def __rsub__(self, other):
        return self - other

    def __pow__(self, other):
        out = type(self)(self.data**other, (self,), f"**{other}")

        def _backward():
            self.grad = (other * self.data ** (other - 1)) * out.grad

        out._backward = _backward
        return out
