"""Hostile: a correct engine whose backward() allocates until something stops it.
Graded: the memory limit raises MemoryError in the engine process; those tests fail."""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def backward(self):
        hoard = []
        while True:
            hoard.append(bytearray(50 * 2**20))
