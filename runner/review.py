"""Review notes: what a correct engine could still do better, in the style of an exercism analyzer.

Not failures: a level is passed when its ops and gradients are right. Each note
says what was seen, why it matters and how to change it, and is printed in the
summary (and written to ``--kata-report`` under ``advice``). Each is probed on
the engine through its public API, never guessed from its source.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Note:
    key: str
    what: str
    why: str
    how: str

    def lines(self) -> list[str]:
        return [f"- {self.what}", f"    why: {self.why}", f"    how: {self.how}"]


def _raises(f) -> BaseException | None:
    try:
        f()
    except BaseException as e:  # noqa: BLE001 - any exception is an answer here
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        return e
    return None


def _non_number_data(Value) -> Note | None:
    accepted = [repr(d) for d in ("a", "1.5", None) if not isinstance(_raises(lambda d=d: Value(d)), TypeError)]
    if not accepted:
        return None
    return Note("value-of-a-non-number",
                f"Value({accepted[0]}) does not raise TypeError",
                "a string or None in data fails later, far from the mistake (or turns '1.5' into 1.5 silently)",
                "check the type first: if not isinstance(data, (int, float)): raise TypeError(...)")


def _assert_for_types(Value) -> Note | None:
    e = _raises(lambda: Value(2.0) ** Value(3.0))
    if not isinstance(e, AssertionError):
        return None
    return Note("assert-for-types",
                "Value(2) ** Value(3) fails with an assert, not a TypeError",
                "an assert vanishes under `python -O`, and AssertionError says 'a bug here', not 'wrong argument "
                "type'; callers catch TypeError",
                "raise TypeError('the exponent must be an int or a float') instead of the assert")


def _recursive_sort(Value) -> Note | None:
    depth = sys.getrecursionlimit() + 200
    x = Value(0.5)
    y = x
    for _ in range(depth):
        y = y + 0.0
    e = _raises(y.backward)
    if not isinstance(e, RecursionError):
        return None
    return Note("recursive-topological-sort",
                f"backward() on a chain of {depth} nodes raises RecursionError",
                "a recursive topological sort nests one call per node; level 3 builds graphs deeper than "
                "Python's limit of about 1000",
                "build the order with an explicit stack (iterative depth-first search, or Kahn's algorithm)")


def _tanh_overflow(Value) -> Note | None:
    e = _raises(lambda: Value(1000.0).tanh())
    if not isinstance(e, OverflowError):
        return None
    return Note("tanh-through-exp",
                "Value(1000).tanh() raises OverflowError",
                "tanh through exp, (e**2x - 1) / (e**2x + 1), overflows for x above about 355, while tanh itself "
                "is just 1 there",
                "use math.tanh(x), which saturates at +-1")


NOTES = {1: [], 2: [_non_number_data, _assert_for_types, _recursive_sort, _tanh_overflow]}


def review(Value, level: int) -> list[Note]:
    """The notes for an engine at ``level`` (the notes of earlier levels included). Never raises."""
    found = []
    for lv in range(1, level + 1):
        for probe in NOTES.get(lv, []):
            try:
                note = probe(Value)
            except Exception:  # noqa: BLE001 - a note never breaks a run
                note = None
            if note is not None:
                found.append(note)
    return found
