"""No reset of interior nodes: a second backward() compounds through the graph."""

from tools.interview.stages.solution import *  # noqa: F401,F403 - the solution, then one mistake
from tools.interview.stages.solution import fresh_value
from tools.interview.stages.zoo import parts

STAGE = "twice"
Value = fresh_value()
Value.backward = parts.iterative_backward_without_reset
