"""The one answer to "is this number right?": ``close(computed, expected, rel, abs)``.

pytest.approx's rule, ``|computed - expected| <= max(rel * |expected|, abs)``, with a
tolerance per use (the kata's checks, the finite-difference checker, the diagnosis
and the recognition of ops all call it). nan matches only nan, an infinity only
itself; something that is not a number matches only what it equals.
"""

from __future__ import annotations

import builtins
import math

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
