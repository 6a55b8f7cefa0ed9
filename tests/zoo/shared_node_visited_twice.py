"""Shared nodes visited twice: the topological sort has no ``visited`` set.

A node reached along two paths appears twice in the order, so its gradient
is sent to its operands twice.

Rejected by: level 1
Message names: visited | once
Must not say: accumul | += | float32
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def _order(self):
        order = []

        def build(node):
            for child in node._prev:
                build(child)
            order.append(node)

        build(self)
        return order
