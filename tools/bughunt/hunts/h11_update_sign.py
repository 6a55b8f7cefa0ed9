"""Gradient ascent.

The gradient points to where the loss grows; a descent step moves against
it: ``p.data -= lr * p.grad``.
"""

TITLE = "a loss that goes up"
DIFFICULTY = 4
LEVEL = 4
FILE = "nn.py"
WHERE = "train_step"
SYMPTOM = "This network's loss goes up, steadily, at every step. The gradients match PyTorch."
HINTS = [
    "Run python train.py in the hunt folder. Then take one parameter: its grad, and its data before and after a step.",
    "If the gradients are right and the loss still climbs, look at what the step does with them.",
    "Descend: p.data -= lr * p.grad.",
]
BUGGY = """\
        p.data += lr * p.grad
"""
FIX = """\
        p.data -= lr * p.grad
"""
