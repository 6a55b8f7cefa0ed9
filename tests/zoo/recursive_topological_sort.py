"""A recursive topological sort: right on small graphs, a RecursionError on deep ones.

``build(node)`` calls itself once per node along the longest path, and
Python stops at about 1 000 nested calls; level 3 backpropagates through
chains of 200 000 nodes.

Rejected by: level 3
Message names: recursion
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def _order(self):
        order, seen = [], set()

        def build(node):
            if node not in seen:
                seen.add(node)
                for child in node._prev:
                    build(child)
                order.append(node)

        build(self)
        return order
