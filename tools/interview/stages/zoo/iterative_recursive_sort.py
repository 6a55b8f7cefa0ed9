"""micrograd's recursive topological sort: RecursionError on a deep graph."""

from tools.interview.stages.solution import *  # noqa: F401,F403 - the solution, then one mistake
from tools.interview.stages.solution import fresh_value
from tools.interview.stages.zoo import parts

STAGE = "iterative"
Value = fresh_value()
Value.backward = parts.recursive_backward
