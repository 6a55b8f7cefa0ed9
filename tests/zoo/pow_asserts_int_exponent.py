"""An ``assert`` in the engine's ``__pow__``: only int exponents, so ``x ** 0.5`` raises AssertionError.

The assertion is the learner's (micrograd's ``assert isinstance(other, (int,
float))`` narrowed to int), not the test's: the failure must say that the
learner's code raised it, and what the test asked for.

Rejected by: level 2
Message names: AssertionError | your assert | your code's assert
Message names: 0.5
"""

from tests.zoo._base import Value as _Base


class Value(_Base):
    def __pow__(self, k):
        assert isinstance(k, int), "only supporting int powers for now"
        return super().__pow__(k)
