"""A second backward() that compounds.

After one ``backward()``, interior nodes still hold their gradients. A second
call seeds the output again and every ``_backward`` *adds* to grads that
already hold the first call's values, so the old gradient is sent back a
second time through every shared node. PyTorch (with ``retain_graph=True``)
doubles the leaves' grads and no more: reset interior nodes at the start.
"""

TITLE = "backward() called twice"
DIFFICULTY = 4
LEVEL = 3
FILE = "value.py"
WHERE = "Value.backward"
SYMPTOM = ("Calling backward() twice on the same output should double the inputs' gradients, as "
           "in PyTorch. Ours more than doubles them.")
HINTS = [
    "z = x * y + x at x = 2, y = 3: backward() twice. Print x.grad and the grad of the node x * y after each call.",
    "The inputs should accumulate; the nodes in between should hold the gradient of one call only.",
    "At the start of backward(), set grad = 0 for every node that has operands (node._prev), then seed and walk.",
]
BUGGY = """\
        order = self._topological_order()
        self.grad = 1.0
"""
FIX = """\
        order = self._topological_order()
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad = 1.0
"""
