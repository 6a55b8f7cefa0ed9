"""softmax and cross-entropy without subtracting the largest logit: exp(1000) overflows.

Rejected by: stage softmax
Message names: overflow
Must not say: not connected
"""

from tests.zoo._reference import fresh

_ref = fresh()
Value = _ref.Value
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy
neuron_forward, neuron_backward = _ref.neuron_forward, _ref.neuron_backward


def softmax(logits):  # noqa: F811 - the one mistake
    exps = [lg.exp() for lg in logits]
    total = sum(exps)
    return [e / total for e in exps]


def cross_entropy(logits, target):  # noqa: F811
    return -(softmax(logits)[target].log())
