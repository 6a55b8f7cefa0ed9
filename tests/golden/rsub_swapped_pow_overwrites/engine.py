"""Two bugs at once: ``__rsub__`` swaps its operands, ``**`` overwrites its operand's grad. Each block is told
its own cause: no rsub block names pow, no pow block names rsub."""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __rsub__(self, other):
        return self - other

    def _propagate(self):
        if not self._op.startswith("**"):
            return super()._propagate()
        for child, local in zip(self._prev, self._local):
            child.grad = local * self.grad
