"""A failed check that carries its numbers: what was computed, what was expected, and why.

The level tests call ``expect`` where a number is checked; the kata's pytest
plugin prints the fields it carries instead of reading pytest's rendered
assertion text:

    expect(x.grad, 4.0, "x.grad", "x is used twice (in x*y and in + x): dz/dx = y + 1 = 4")
"""

from __future__ import annotations

import builtins
import math

DEFAULT_REL, DEFAULT_ABS = 1e-6, 1e-12  # as pytest.approx


class Mismatch(AssertionError):
    """A computed value that differs from the expected one; ``graph``: for a gradient, the output on which
    backward() ran (runner/failgraph.py draws it), ``names``: id(node) or node -> a name to show."""

    def __init__(self, computed, expected, what: str, why: str = "", cause: str = "", graph=None, names=None):
        self.computed, self.expected, self.what, self.why, self.cause = computed, expected, what, why, cause
        self.graph, self.names = graph, names
        text = f"{why}: " if why else ""
        super().__init__(f"{text}{what} = {computed!r}, expected {expected!r}" + (f"\n{cause}" if cause else ""))


def close(computed, expected, rel: float = DEFAULT_REL, abs: float = DEFAULT_ABS) -> bool:  # noqa: A002
    try:
        c, e = float(computed), float(expected)
    except (TypeError, ValueError):
        return computed == expected
    if math.isnan(e):
        return math.isnan(c)
    return c == e or builtins.abs(c - e) <= max(rel * builtins.abs(e), abs)


def expect(computed, expected, what: str, why: str = "", *, rel: float = DEFAULT_REL, abs: float = DEFAULT_ABS,  # noqa: A002
           cause=None, graph=None, names=None) -> None:
    """Raise ``Mismatch`` unless ``computed`` is ``expected`` within ``rel``/``abs`` (pytest.approx's rule).
    ``cause``: a callable returning a diagnosis line, called only on failure."""
    if close(computed, expected, rel, abs):
        return
    raise Mismatch(computed, expected, what, why, cause() if callable(cause) else (cause or ""), graph, names)
