"""The slots engine with Kahn's order (``correct/slots_kahn.py``), under a level-4 network."""

from tests.zoo.correct.slots_kahn import Value  # noqa: F401
