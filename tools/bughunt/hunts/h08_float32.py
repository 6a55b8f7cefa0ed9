"""Data stored in float32.

Storing ``data`` as a NumPy float32 keeps about 7 significant digits. The
engine's own gradients still look right to a few digits, but a finite
difference divides a tiny change of the output by a tiny step: in float32
the step is lost in rounding and the numerical gradient is noise. Gradient
checks need float64 (and so do the comparisons with PyTorch).
"""

TITLE = "a gradient check that fails everywhere"
DIFFICULTY = 3
LEVEL = 1
FILE = "value.py"
WHERE = "Value.__init__"
SYMPTOM = ("Our gradients agree with hand calculations to six digits, yet the gradient check "
           "says nearly every one of them is wrong.")
HINTS = [
    "Print type(Value(0.1).data) and Value(0.1).data == 0.1.",
    "A finite difference needs f(x + h) - f(x - h) with h about 1e-5 of x: how many digits survive in that data type?",
    "Store data as a Python float (float64): self.data = float(data).",
]
BUGGY = """\
        self.data = numpy.float32(data)  # half the memory of a float64
"""
FIX = """\
        self.data = float(data)
"""
# the planted file also needs numpy: (old, new) replacements outside the fix
EXTRA = [("import math\n", "import math\n\nimport numpy\n")]
