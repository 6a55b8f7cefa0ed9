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
SYMPTOM = ("Every op checks out on its own, even a + a. But with a = x * y, the gradients of "
           "a * a + a are wrong, while a * (a + 1), the same function, gets them right.")
HINTS = [
    "In probe.py, check lambda x, y: (x * y) * (x * y) + x * y (three separate nodes) against "
    "a = x * y; a * a + a (one shared node). Only sharing an interior node breaks it.",
    "Print z._topological_order() for z = a * a + a. backward() walks it reversed: is a visited "
    "only after every node that uses a?",
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
