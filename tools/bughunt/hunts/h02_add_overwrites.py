"""``=`` where ``+=`` belongs.

A node used twice receives gradient from both of its uses; each ``_backward``
must add to ``grad``, never overwrite it. With ``=``, the last use to run wins.
"""

TITLE = "a variable used twice"
DIFFICULTY = 1
LEVEL = 1
FILE = "value.py"
WHERE = "Value.__add__"
SYMPTOM = ("When a variable is used twice in a sum, its gradient comes out too small. Used once, "
           "it is fine.")
GRAPH = '"(x + x) * y"'
HINTS = [
    "Try check_gradients(lambda a: a + a, [3.0], Value), then lambda a, b: a * b + a.",
    "Only + is involved when it goes wrong. What does its _backward do with the grad that is already there?",
    "Gradients from several uses add up: self.grad += out.grad, not self.grad = out.grad.",
]
BUGGY = """\
            self.grad = out.grad
            other.grad = out.grad
"""
FIX = """\
            self.grad += out.grad  # d(a+b)/da = 1
            other.grad += out.grad  # d(a+b)/db = 1
"""
