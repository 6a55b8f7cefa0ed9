"""The product rule with the wrong operand.

d(a*b)/da is b, the *other* operand. Copying the line for ``self`` and
forgetting to swap ``other`` gives ``a`` instead: right whenever a == b (so
squares look fine), wrong everywhere else.
"""

TITLE = "the gradient of x * y"
DIFFICULTY = 1
LEVEL = 1
FILE = "value.py"
WHERE = "Value.__mul__"
SYMPTOM = ("The gradient of x * y is off whenever x and y differ. Squares look fine, which is "
           "why nobody noticed.")
GRAPH = '"x*y + x"'
HINTS = [
    "check_gradients(lambda x, y: x * y, [2.0, 3.0], Value) shows which input is off, and by how much.",
    "Compare what backward() gave for x with the values of x and y: which one did it use?",
    "d(a*b)/da = b and d(a*b)/db = a: each operand's gradient uses the other operand's data.",
]
BUGGY = """\
            self.grad += self.data * out.grad
            other.grad += self.data * out.grad
"""
FIX = """\
            self.grad += other.data * out.grad  # d(ab)/da = b
            other.grad += self.data * out.grad  # d(ab)/db = a
"""
