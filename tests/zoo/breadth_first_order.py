"""Breadth-first order instead of a topological one: each node visited once, level by level.

For a tree that is fine; when a node is reached by a short path and a long
one (z = y + y*y), it is visited at the depth of the short path, before the
long path's nodes have sent it their share.

Rejected by: level 1
Message names: topological | order
Must not say: accumul | += | float32
"""

from collections import deque

from tests.zoo._base import Value as _Base


class Value(_Base):
    def _order(self):
        order, seen, queue = [], {self}, deque([self])
        while queue:
            node = queue.popleft()
            order.append(node)
            for child in node._prev:
                if child not in seen:
                    seen.add(child)
                    queue.append(child)
        return order[::-1]  # backward() walks it reversed: the output first
