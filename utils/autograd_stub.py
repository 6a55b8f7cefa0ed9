"""The escape hatch: a finished engine for learners who are stuck.

    from utils.autograd_stub import Value

works exactly like a finished solution of levels 1-3.
"""

from reference.engine import Value

__all__ = ["Value"]
