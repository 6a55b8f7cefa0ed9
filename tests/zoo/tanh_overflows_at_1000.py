"""The lecture's tanh on a micrograd that is otherwise ready for level 3: Value(1000).tanh() overflows.

The zoo's micrograd done through level 3 (tests/zoo/correct/micrograd_closures.py:
an iterative topological sort, the interior nodes' grads reset at each backward()),
with the lecture's tanh: its tanh is
(e**2x - 1) / (e**2x + 1): math.exp(2000) raises OverflowError, where PyTorch
gives tanh(1000) = 1 with gradient 0. A review note at level 2, a failure at
level 3, whose first block names tanh and the fix.

Rejected by: level 3
Message names: tanh
Message names: math.tanh
Message names: confirmed by a probe
Must not say: recursion | accumul | topological
"""

import math

from tests.zoo.correct.micrograd_closures import Value as _Micrograd


class Value(_Micrograd):
    def tanh(self):
        x = self.data
        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
        out = type(self)(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out
