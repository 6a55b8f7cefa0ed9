"""The one answer to "is this number right?": ``close(computed, expected, rel, abs)``.

pytest.approx's rule, ``|computed - expected| <= max(rel * |expected|, abs)``, with a
tolerance per use (the kata's checks, the finite-difference checker, the diagnosis
and the recognition of ops all call it). nan matches only nan, an infinity only
itself; something that is not a number matches only what it equals.

``Disagreement`` is one number that failed the rule, as the finite-difference checker's
and the PyTorch oracle's reports list them.
"""

from __future__ import annotations

import builtins
import math
from dataclasses import dataclass

REL, ABS = 1e-6, 1e-12  # pytest.approx's defaults


def close(computed, expected, rel: float = REL, abs: float = ABS) -> bool:  # noqa: A002 - as pytest.approx
    try:
        c, e = float(computed), float(expected)
    except (TypeError, ValueError, OverflowError):
        try:
            return bool(computed == expected)
        except Exception:  # noqa: BLE001 - an engine's __eq__ may raise
            return False
    if math.isnan(c) or math.isnan(e):
        return math.isnan(c) and math.isnan(e)
    if math.isinf(c) or math.isinf(e):
        return c == e
    return c == e or builtins.abs(c - e) <= max(rel * builtins.abs(e), abs)


@dataclass
class Disagreement:
    """One number an engine got wrong: ``what`` it is, the ``engine``'s number, the ``expected`` one.

    With ``at`` (the input's value) it is a finite-difference row, the gradient of the output in
    the input ``what``; without it, a comparison with PyTorch (``note`` says more)."""

    what: str  # an input's name (finite differences), or e.g. "value of n4", "grad of x0" (PyTorch)
    engine: float
    expected: float
    note: str = ""
    at: float | None = None

    def __str__(self) -> str:
        if self.at is not None:
            return (f"  d out / d {self.what} at {self.what} = {self.at:g}: "
                    f"backward() gave {self.engine:.6g}, finite differences give {self.expected:.6g}")
        note = f"  ({self.note})" if self.note else ""
        return f"  {self.what}: your engine {self.engine!r}, PyTorch {self.expected!r}{note}"
