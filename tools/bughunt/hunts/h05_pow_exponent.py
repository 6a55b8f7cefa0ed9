"""The power rule off by one.

d(x^k)/dx = k x^(k-1). Writing ``x ** k`` breaks every power, and, since
division is built as ``a * b**-1``, every division too.
"""

TITLE = "powers and divisions"
DIFFICULTY = 2
LEVEL = 2
FILE = "value.py"
WHERE = "Value.__pow__"
SYMPTOM = ("Sums and products backpropagate fine, but x ** 2 and anything with a division give "
           "the wrong gradients. The forward values are right.")
GRAPH = '"x**2 / y"'
HINTS = [
    "check_gradients(lambda x: x ** 2, [3.0], Value): what did backward() give, and what is 2x?",
    "Division is a * b**-1 here: both symptoms come from one op.",
    "d(x^k)/dx = k * x**(k - 1).",
]
BUGGY = """\
            self.grad += k * self.data**k * out.grad
"""
FIX = """\
            self.grad += k * self.data ** (k - 1) * out.grad  # d(x^k)/dx = k x^(k-1)
"""
