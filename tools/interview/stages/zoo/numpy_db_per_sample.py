"""db left as one number per sample instead of the sum over the batch."""

from tools.interview.stages.solution import *  # noqa: F401,F403 - the solution, then one mistake
from tools.interview.stages.solution import fresh_value
from tools.interview.stages.zoo import parts

STAGE = "numpy"
Value = fresh_value()
neuron_backward = parts.neuron_backward_with_db_per_sample
