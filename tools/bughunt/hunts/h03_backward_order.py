"""backward() walks the graph the wrong way round.

The topological order lists every node after its operands, so the walk that
sends gradients back must go from the output to the inputs: ``reversed(order)``.
Walking forwards, each node's ``_backward`` runs before its own grad is known.
"""

TITLE = "gradients that stop after one step"
DIFFICULTY = 2
LEVEL = 1
FILE = "value.py"
WHERE = "Value.backward"
SYMPTOM = ("Gradients reach the inputs of the last operation, but anything further back gets "
           "0. For z = (x * y) + 1, x and y get nothing.")
GRAPH = '"(x*y + x) * y"'
HINTS = [
    "Draw it: nox -s graph -- \"x*y + 1\" --impl PATH shows each node's grad after backward().",
    "Every _backward is right on its own (check a single op). Look at the order in which they run.",
    "The order lists each node after its operands; backward() must run them from the output back: reversed(order).",
]
BUGGY = """\
        for node in order:
            node._backward()
"""
FIX = """\
        for node in reversed(order):
            node._backward()
"""
