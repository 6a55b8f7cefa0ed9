"""A topological sort that is only right on trees.

``backward()`` may run a node's ``_backward`` only once every node that uses
it has sent its gradient. Listing nodes when they are first met (pre-order)
instead of after their operands (post-order) gives that guarantee on a tree,
but not when a node is shared: it can run before all its uses are in.
"""

TITLE = "a shared node deep in the graph"
DIFFICULTY = 4
LEVEL = 1
FILE = "value.py"
WHERE = "Value._topological_order"
SYMPTOM = ("Every single op checks out, chains check out, even a + a is right. But some graphs "
           "where an intermediate result is used twice get the wrong gradients.")
HINTS = [
    "Find a small failing graph: a = x * y; b = a + x; c = a * b. Check it, then draw it with nox -s graph.",
    "Print the order backward() runs the nodes in. Does every node come after all the nodes that use it?",
    "Emit a node after its operands (post-order), then backward() walks that list reversed.",
]
BUGGY = """\
        order, seen = [], set()
        stack = [self]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                order.append(node)
                stack.extend(node._prev)
        order.reverse()
        return order
"""
FIX = """\
        order, seen = [], set()
        stack = [(self, False)]
        while stack:
            node, operands_done = stack.pop()
            if operands_done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev if child not in seen)
        return order
"""
