"""Review notes: what a correct engine could still do better, in the style of an exercism analyzer.

Not failures: a level is passed when its ops and gradients are right. Each note
says what was seen, why it matters and how to change it, and is printed in the
summary (and written to ``--kata-report`` under ``advice``). Each is probed on
the engine through its public API, never guessed from its source.

A note holds only up to the level whose tests fail on it: a recursive
topological sort and a tanh that overflows at 1000 are notes at level 2 and
failures at level 3 (deep graphs; "matches PyTorch", which gives tanh(1000) = 1).
"""

from __future__ import annotations

import math
import sys
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from runner.manifest import ROOT


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


# what the contract refuses with TypeError; an engine that refuses them with another exception refuses
# them all the same (a note, not a failure: katas/level2/test_level2.py)
REFUSED = [
    ("Value(2) ** Value(3)", lambda V: V(2.0) ** V(3.0)),
    ('Value(1) + "a"', lambda V: V(1.0) + "a"),
    ('"a" + Value(1)', lambda V: "a" + V(1.0)),
    ('Value(1) * "a"', lambda V: V(1.0) * "a"),
    ('"a" * Value(1)', lambda V: "a" * V(1)),
    ('Value(1) - "a"', lambda V: V(1.0) - "a"),
    ('Value(1) / "a"', lambda V: V(1.0) / "a"),
]


def _refused_with_another_class(Value) -> Note | None:
    seen = [(expr, e) for expr, f in REFUSED
            if (e := _raises(lambda f=f: f(Value))) is not None and not isinstance(e, TypeError)]
    if not seen:
        return None
    expr, e = next(((x, e) for x, e in seen if isinstance(e, AssertionError)), seen[0])
    if isinstance(e, AssertionError):
        return Note("assert-for-types",
                    f"{expr} fails with an assert, not a TypeError",
                    "an assert vanishes under `python -O`, and AssertionError says 'a bug here', not 'wrong "
                    "argument type'; callers catch TypeError",
                    "raise TypeError('...') instead of the assert")
    return Note("wrong-exception-for-types",
                f"{expr} raises {type(e).__name__}, not TypeError",
                f"{type(e).__name__} says something else (a ValueError: the right type with a wrong value; an "
                "AttributeError: a bug inside your code); callers catch TypeError for an argument of the wrong type",
                "check the operand's type first: if not isinstance(other, (int, float, Value)): return "
                "NotImplemented (Python then raises TypeError)")


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
                f"{recursing(e)}; level 3 builds graphs deeper than Python's limit of about 1000",
                "build the order with an explicit stack (iterative depth-first search, or Kahn's algorithm)")


def _kata_code(filename: str) -> bool:
    """A frame of the kata's tests or runner, not of the engine under test."""
    path = Path(filename)
    return path.name.startswith("test_") or any(path.is_relative_to(ROOT / d) for d in ("runner", "utils"))


def recursing(error: RecursionError) -> str:
    """Which function of the engine called itself, read from the error's traceback: the one that
    appears most often in it outside the kata's own files (no guess from names)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not _kata_code(f.filename)]
    if not frames:
        return "backward() recursed"
    (filename, name), count = Counter((f.filename, f.name) for f in frames).most_common(1)[0]
    line = next(f.lineno for f in frames if (f.filename, f.name) == (filename, name))
    return f"{name}() ({Path(filename).name}:{line}) called itself {count:,} times deep"


TANH_FIX = "use math.tanh(x), which saturates at +-1 (and its derivative 1 - t**2 is then 0)"


def tanh_overflow(Value) -> str | None:
    """Why ``Value(1000).tanh()`` raises OverflowError, when a probe confirms it: the engine's tanh is
    right at x = 1 and x = -1000, and overflows at x = 1000. None otherwise."""
    if not isinstance(_raises(lambda: Value(1000.0).tanh()), OverflowError):
        return None
    try:
        small, low = Value(1.0).tanh().data, Value(-1000.0).tanh().data
    except Exception:  # noqa: BLE001 - a tanh broken elsewhere: not this cause
        return None
    if not (math.isclose(small, math.tanh(1.0), rel_tol=1e-9) and low == -1.0):
        return None
    return (f"your tanh is right at x = 1 ({small:.4f}) and at x = -1000 (-1), but at x = 1000 it raises "
            "OverflowError: it goes through exp, as the lecture's (e**2x - 1) / (e**2x + 1) does, and e**2000 "
            "is past the largest float (about 1.8e308), while tanh itself is just 1 there")


def _tanh_overflow(Value) -> Note | None:
    why = tanh_overflow(Value)
    if why is None:
        return None
    return Note("tanh-through-exp", "Value(1000).tanh() raises OverflowError",
                why + " (level 3 fails it: PyTorch gives tanh(1000) = 1 with gradient 0)", TANH_FIX)


# (first level, last level or None, probe): a note stops where a level's tests fail on what it reports
NOTES = [
    (2, None, _non_number_data),
    (2, None, _refused_with_another_class),
    (2, 2, _recursive_sort),
    (2, 2, _tanh_overflow),
]


def review(Value, level: int) -> list[Note]:
    """The notes for an engine at ``level`` (the notes of earlier levels included). Never raises."""
    found = []
    for first, last, probe in NOTES:
        if not first <= level <= (last or level):
            continue
        try:
            note = probe(Value)
        except Exception:  # noqa: BLE001 - a note never breaks a run
            note = None
        if note is not None:
            found.append(note)
    return found
