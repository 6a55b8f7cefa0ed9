"""A loss that is off by a constant, with every gradient right.

``cross_entropy`` subtracts the largest logit ``m`` before ``exp`` (so nothing
overflows) and must add it back: ``logsumexp = log(sum(exp(l - m))) + m``.
Without ``+ m`` the loss is too small by ``m``. Since ``m`` is a plain number
(``max`` of the ``.data``), it is a constant of the graph: every gradient is
exactly right, a gradient check passes, and training behaves. Only the value
is wrong, and only a comparison of values finds it (PyTorch's
``F.cross_entropy``, or the closed form ``-log softmax(l)[t]`` on small logits).
The lesson: a gradient check proves the derivative of what you computed, not
that you computed the right thing.
"""

TITLE = "a loss that is off, gradients right"
DIFFICULTY = 5
LEVEL = "softmax"
FILE = "value.py"
WHERE = "cross_entropy"
SYMPTOM = ("Our cross-entropy passes every gradient check, but the loss it reports is not PyTorch's: "
           "on logits [1, 2, 3] with target 0 it says -0.59, PyTorch 2.41.")
HINTS = [
    "Compute the loss by hand on small logits (-log of the target's softmax probability) and compare. "
    "Is the difference the same whatever the target?",
    "A mistake that shifts the loss by a number that does not depend on the Values leaves every "
    "gradient unchanged. Which number in cross_entropy is a plain float?",
    "logsumexp(l) = m + log(sum(exp(l - m))): add m back after the log.",
]
BUGGY = """\
    logsumexp = sum((lg - m).exp() for lg in logits).log()
"""
FIX = """\
    logsumexp = sum((lg - m).exp() for lg in logits).log() + m
"""
