"""tanh forgets the chain rule.

Each ``_backward`` multiplies its local derivative by the gradient flowing
in (``out.grad``). Without that factor, tanh alone is right (``out.grad`` is 1
at the output) and anything after it is ignored.
"""

TITLE = "tanh inside a bigger expression"
DIFFICULTY = 2
LEVEL = 2
FILE = "value.py"
WHERE = "Value.tanh"
SYMPTOM = "The gradient of tanh(x) is right. The gradient of 3 * tanh(x) is the same number, which cannot be."
GRAPH = '"3 * tanh(x)"'
HINTS = [
    "check_gradients(lambda x: x.tanh(), [0.5], Value) passes; lambda x: 3 * x.tanh() does not. By what factor?",
    "A missing factor equal to the gradient that reaches tanh's output: look at what tanh's _backward multiplies.",
    "self.grad += (1 - t*t) * out.grad: the local derivative times the incoming gradient.",
]
BUGGY = """\
            self.grad += 1.0 - t * t
"""
FIX = """\
            self.grad += (1.0 - t * t) * out.grad  # d tanh(x)/dx = 1 - tanh(x)^2
"""
