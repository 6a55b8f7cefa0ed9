"""The loss computed on floats: the right number with no gradient.

Rejected by: stage softmax
Message names: not connected | differ
Must not say: overflow
"""

from tests.zoo._reference import fresh

_ref = fresh()
Value = _ref.Value
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy
neuron_forward, neuron_backward = _ref.neuron_forward, _ref.neuron_backward

import math  # noqa: E402


def cross_entropy(logits, target):  # noqa: F811 - the one mistake
    """The right number, computed on floats: the loss is a new leaf, cut off from the logits."""
    xs = [lg.data for lg in logits]
    m = max(xs)
    value = m + math.log(sum(math.exp(x - m) for x in xs)) - xs[target]
    return type(logits[0])(value)
