"""The fast engine, beside the teaching reference: ``--impl reference/fast.py``.

It lives in ``utils/autograd_stub.py`` (the escape hatch, which learners import), so the
learner's library never imports ``reference/``; this file gives it its place among the
reference engines. Read ``reference/engine.py`` first, then that file: it marks each trick.
"""

from utils.autograd_stub import Value

__all__ = ["Value"]
