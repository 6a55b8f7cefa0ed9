"""The neuron's backward without the (1 - out**2) factor."""

from tools.interview.stages.solution import *  # noqa: F401,F403 - the solution, then one mistake
from tools.interview.stages.solution import fresh_value
from tools.interview.stages.zoo import parts

STAGE = "numpy"
Value = fresh_value()
neuron_backward = parts.neuron_backward_without_tanh_derivative
