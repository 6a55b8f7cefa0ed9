"""cross-entropy as -log(p[target]): log(0) when p[target] underflows.

Rejected by: stage softmax
Message names: logsumexp | log
Must not say: overflow
"""

from tests.zoo._reference import fresh

_ref = fresh()
Value = _ref.Value
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy
neuron_forward, neuron_backward = _ref.neuron_forward, _ref.neuron_backward


def cross_entropy(logits, target):  # noqa: F811 - the one mistake
    m = max(lg.data for lg in logits)
    exps = [(lg - m).exp() for lg in logits]
    return -((exps[target] / sum(exps)).log())  # log(0) when the probability underflows
