"""A training step that never resets the gradients.

Gradients accumulate across ``backward()`` calls. A training step that does
not call ``zero_grad()`` first adds this step's gradient to every previous
one, so the update soon follows the sum of old gradients, not the loss.
"""

TITLE = "a loss that falls, then jumps around"
DIFFICULTY = 4
LEVEL = 4
FILE = "nn.py"
WHERE = "train_step"
SYMPTOM = ("This network's loss falls for a few steps, then jumps around. The gradients of its "
           "first step match PyTorch's.")
HINTS = [
    "Run python train.py in the hunt folder. Then call train_step twice and print one parameter's grad after each.",
    "After the second backward(), is p.grad the gradient of the second loss only?",
    "Reset the gradients before backward(): model.zero_grad(), then loss.backward().",
]
BUGGY = """\
    loss = hinge_loss(model, X, y, alpha)
    loss.backward()
"""
FIX = """\
    loss = hinge_loss(model, X, y, alpha)
    model.zero_grad()
    loss.backward()
"""
