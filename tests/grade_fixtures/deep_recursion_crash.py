"""Hostile: recursion through C code (map calling back into Python) with the
recursion limit raised so far that the C stack overflows and the interpreter
dies (a segmentation fault). Graded: each crash ends the engine process; the
next test starts a new one, and after three crashed tests in a row it is given up."""

import sys

from tests.zoo._base import Value as _Base

sys.setrecursionlimit(10**9)


def _dive():
    return list(map(lambda _: _dive(), [0]))


class Value(_Base):
    def backward(self):
        _dive()
