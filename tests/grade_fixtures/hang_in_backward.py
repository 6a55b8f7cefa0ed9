"""Hostile: a correct engine whose backward() never returns. Graded: the tests
that need no backward() pass; the engine is given up after three stalled tests."""

import time

from tests.zoo._base import Value as _Base


class Value(_Base):
    def backward(self):
        while True:
            time.sleep(1)
