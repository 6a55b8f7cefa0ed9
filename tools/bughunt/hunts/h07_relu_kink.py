"""relu's derivative at its kink.

relu has no derivative at 0; the kata (like PyTorch) uses 0 there:
``x > 0``, strictly. With ``>=``, relu(0) passes gradient 1. Finite differences
cannot settle it (a central difference at a kink gives 0.5): this is where
a numerical check needs a point away from the kink, and a convention.
"""

TITLE = "relu at exactly zero"
DIFFICULTY = 3
LEVEL = 2
FILE = "value.py"
WHERE = "Value.relu"
SYMPTOM = ("Our relu disagrees with PyTorch at exactly one input. Everywhere else it matches, "
           "and the gradient check cannot tell us who is right.")
HINTS = [
    "check_gradients(lambda x: x.relu(), [0.0], Value): finite differences give 0.5. Why, and what does backward() give?",
    "At a kink there is no derivative; the convention (PyTorch's, the kata's) is relu'(0) = 0.",
    "The local derivative is (self.data > 0): strictly greater.",
]
BUGGY = """\
            self.grad += (self.data >= 0) * out.grad
"""
FIX = """\
            self.grad += (self.data > 0) * out.grad  # 1 for x > 0, else 0 (also at 0)
"""
