"""The core engine only: no sigmoid, no log.

Rejected by: stage ops
Message names: no sigmoid() | no log()
"""

from tests.zoo._reference import fresh

_ref = fresh()
Value = _ref.Value
softmax, cross_entropy = _ref.softmax, _ref.cross_entropy
neuron_forward, neuron_backward = _ref.neuron_forward, _ref.neuron_backward

del Value.sigmoid, Value.log
