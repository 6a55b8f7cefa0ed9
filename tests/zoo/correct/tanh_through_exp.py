"""tanh through exp: (e**2x - 1) / (e**2x + 1) overflows for large x.

math.exp(2000) raises OverflowError, so tanh(1000) never returns 1. Every
gradient levels 1-2 check is right, so they pass, with the overflow as a review
note in the summary (use math.tanh). Level 3 asks for PyTorch's answers, and
PyTorch gives tanh(1000) = 1 with gradient 0: level 3 fails it
(tests/zoo/tanh_overflows_at_1000.py is the same mistake on a micrograd).

The levels it passes are listed in tests/claims.py.
"""

import math

from tests.zoo._base import Value as _Base


class Value(_Base):
    def tanh(self):
        e = math.exp(2 * self.data)
        t = (e - 1) / (e + 1)
        return self._node(t, (self,), "tanh", (1.0 - t * t,))
