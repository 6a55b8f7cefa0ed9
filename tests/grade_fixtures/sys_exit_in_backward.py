"""Hostile: a correct engine whose backward() calls sys.exit(0), as if to end
the test run with success. Graded: every test that calls backward() fails."""

import sys

from tests.zoo._base import Value as _Base


class Value(_Base):
    def backward(self):
        sys.exit(0)
