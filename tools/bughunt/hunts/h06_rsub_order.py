"""A reflected operator with its operands swapped.

``1 - x`` calls ``x.__rsub__(1)``: ``self`` is x and ``other`` is 1, so the
answer is ``other + (-self)``. Swapping them computes ``x - 1``: the forward
value and the gradient are both wrong, and only with a number on the left.
"""

TITLE = "a number on the left of a minus sign"
DIFFICULTY = 2
LEVEL = 2
FILE = "value.py"
WHERE = "Value.__rsub__"
SYMPTOM = ("x - 1 is right. 1 - x is wrong, its value and its gradient, and so is our loss, "
           "which starts with 1 - y * score.")
HINTS = [
    "Print (1 - Value(0.25)).data. Then check_gradients(lambda x: 1 - x, [0.25], Value).",
    "1 - x is not x.__sub__: Python calls x.__rsub__(1). Which operand is self there?",
    "In __rsub__, self is the Value on the right: return other + (-self).",
]
BUGGY = """\
    def __rsub__(self, other):
        return self + (-other)
"""
FIX = """\
    def __rsub__(self, other):
        return other + (-self)
"""
