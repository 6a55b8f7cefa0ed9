"""Assignment instead of accumulation in tanh's backward only: ``x.grad = (1 - t**2) * out.grad``.

The ops of level 1 accumulate; tanh overwrites whatever its operand had
already received, so tanh(x) + tanh(x) gives x the gradient of one tanh.

Rejected by: level 2
Message names: tanh
Message names: += | accumul | add up
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def tanh(self):
        out = super().tanh()

        def _propagate():
            self.grad = out._local[0] * out.grad

        out._propagate = _propagate
        return out
