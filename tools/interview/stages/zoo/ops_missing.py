"""The core engine only: no sigmoid, no log."""

from tools.interview.stages.solution import *  # noqa: F401,F403 - the solution, then one mistake
from tools.interview.stages.solution import fresh_value

STAGE = "ops"
Value = fresh_value()
del Value.sigmoid, Value.log
