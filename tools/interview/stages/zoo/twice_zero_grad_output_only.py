"""zero_grad() that resets only the node it is called on."""

from tools.interview.stages.solution import *  # noqa: F401,F403 - the solution, then one mistake
from tools.interview.stages.solution import fresh_value
from tools.interview.stages.zoo import parts

STAGE = "twice"
Value = fresh_value()
Value.zero_grad = parts.zero_grad_of_the_output_only
