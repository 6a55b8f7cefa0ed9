"""Assignment instead of accumulation: ``child.grad = ...`` where it must be ``+=``.

A node used twice (a + a) sends gradient twice; with ``=`` the second
overwrites the first, as in micrograd's very first version.

Rejected by: level 1
Message names: += | accumul | add up
Must not say: float32 | topological
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def _accumulate(self, g):
        self.grad = g
