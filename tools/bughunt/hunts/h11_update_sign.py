"""Gradient ascent.

The gradient points to where the loss grows; a descent step moves against
it: ``p.data -= lr * p.grad``.
"""

TITLE = "a loss that explodes"
DIFFICULTY = 4
LEVEL = 4
FILE = "nn.py"
WHERE = "train_step"
SYMPTOM = ("This network's loss explodes within a few steps of training. The gradients of one "
           "step match PyTorch's.")
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
