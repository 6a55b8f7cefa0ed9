"""sigmoid as 1 / (1 + exp(-x)): OverflowError for x below about -709."""

from tools.interview.stages.solution import *  # noqa: F401,F403 - the solution, then one mistake
from tools.interview.stages.solution import fresh_value
from tools.interview.stages.zoo import parts

STAGE = "ops"
Value = fresh_value()
Value.sigmoid = parts.naive_sigmoid
