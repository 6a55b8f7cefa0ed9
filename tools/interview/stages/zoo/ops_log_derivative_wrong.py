"""log whose backward uses log(x) instead of 1/x."""

from tools.interview.stages.solution import *  # noqa: F401,F403 - the solution, then one mistake
from tools.interview.stages.solution import fresh_value
from tools.interview.stages.zoo import parts

STAGE = "ops"
Value = fresh_value()
Value.log = parts.log_with_wrong_derivative
