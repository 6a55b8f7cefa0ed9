"""A failed check as data: what was computed, what was expected, why, and what it was found on.

Every check of the level tests raises a ``Mismatch``; the kata's pytest plugin
(runner/blocks.py) prints its fields and never reads rendered assertion text:

    expect(x.grad, 4.0, "x.grad", "x is used twice (in x*y and in + x): dz/dx = y + 1 = 4",
           ops=("add", "mul"), graph=z, names={"x": x, "y": y})
    expect_true(isinstance(c, Value), f"a + b returned {c!r}, not a Value", ops=("add",))
    expect_gradients(report, ops=..., graph=out)   # a finite-difference or PyTorch report
    example(args=args)                             # the drawn inputs, shown with any failure after it

A failure carries:

* ``computed``, ``expected``, ``what``, ``why``;
* ``kind``: ``"gradient"`` (a grad was checked), ``"data"`` (a forward value), or ``""``;
* ``ops``: the registry names (utils/ops.py) of the ops the check exercised;
* ``graph``: the output Value the check ran backward() on (or None), ``names``: name -> node;
* ``example``: the drawn inputs as data (set by the test, so no hypothesis text is read);
* ``cause``: a ``Finding`` confirmed by a probe (runner/diagnose.py, or the test's own), or None;
* ``detail``: more lines the test computed (a gradient report);
* ``probe``: ``(f, inputs)``, the failing graph as a function of Values, whose ops the diagnosis probes
  at the test's values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from utils.close import ABS as DEFAULT_ABS
from utils.close import REL as DEFAULT_REL
from utils.close import close

__all__ = ["DEFAULT_ABS", "DEFAULT_REL", "Finding", "Mismatch", "close", "example", "expect", "expect_gradients",
           "expect_raises", "expect_true", "fail"]


@dataclass
class Finding:
    """One cause confirmed by a probe, in the learner's terms."""

    kind: str  # seed, data, float32, order, forward, local, chain, accumulation, method, twice
    op: str | None  # the registry name of the op at fault, if one
    message: str
    explains: frozenset = field(default_factory=frozenset)  # more ops whose failures it explains (built from it)
    method: str | None = None  # the engine's method the probe found wrong, e.g. "__rtruediv__"

    GLOBAL = frozenset({"seed", "data", "float32", "order", "twice"})

    def __str__(self) -> str:
        return self.message

    def ties_to(self, failure: Mismatch) -> bool:
        """Whether this finding explains ``failure``: its op is one the failure exercised, or it is a
        finding about every graph (seed, data, order) and the failure checked a graph."""
        if self.op is not None and ({self.op} | set(self.explains)) & set(failure.ops):
            return True
        return self.op is None and self.kind in self.GLOBAL and failure.kind in ("gradient", "data") and (
            self.kind in ("data", "float32") or failure.kind == "gradient")


_CURRENT: dict = {}  # the example of the running test (the last one drawn)


def example(**drawn) -> None:
    """Record the running test's drawn inputs; a failure after this shows them. Replaces the last example."""
    _CURRENT.clear()
    _CURRENT.update(drawn)


def current_example() -> dict:
    return dict(_CURRENT)


def forget_example() -> None:
    _CURRENT.clear()


class Mismatch(AssertionError):
    """A check that failed, as data."""

    def __init__(self, computed, expected, what: str, why: str = "", cause: Finding | None = None, *,
                 kind: str = "", ops: Iterable[str] = (), graph=None, names: dict | None = None,
                 example: dict | None = None, detail: Iterable[str] = (), shown: bool = True, probe=None):
        self.computed, self.expected, self.what, self.why = computed, expected, what, why
        self.cause = cause
        self.kind = kind
        self.ops = tuple(ops)
        self.graph, self.names = graph, names
        self.example = example if example is not None else current_example()
        self.detail = list(detail)
        self.probe = probe  # (f, inputs): the failing graph as a function of Values, for the diagnosis
        self.shown = shown  # False: the numbers are in ``detail`` or ``why`` (a report, a yes/no check)
        text = f"{why}: " if why else ""
        numbers = f"{what} = {computed!r}, expected {expected!r}" if shown else what
        super().__init__(text + numbers + "".join(f"\n{line}" for line in self.detail)
                         + (f"\n{cause}" if cause else ""))


def _cause(cause) -> Finding | None:
    cause = cause() if callable(cause) else cause
    return cause or None


def expect(computed, expected, what: str, why: str = "", *, rel: float = DEFAULT_REL, abs: float = DEFAULT_ABS,  # noqa: A002
           cause: Finding | Callable[[], Finding | None] | None = None, kind: str | None = None, **data) -> None:
    """Raise ``Mismatch`` unless ``computed`` is ``expected`` within ``rel``/``abs`` (utils/close.py).
    ``cause``: a Finding, or a callable returning one, called only on failure. ``kind`` defaults to
    "gradient" for a grad (``what`` ends in ``grad``) and "data" for a data."""
    if close(computed, expected, rel, abs):
        return
    if kind is None:
        kind = "gradient" if "grad" in what.split(" ")[-1] or what.endswith("grad") else \
            "data" if what.endswith(".data") else ""
    raise Mismatch(computed, expected, what, why, _cause(cause), kind=kind, **data)


def expect_true(ok, why: str | Callable[[], str], *, cause=None, kind: str = "", **data) -> None:
    """Raise ``Mismatch`` (the check's own words, no numbers) unless ``ok``. ``why`` may be a callable, for a
    message that can only be worked out when the check failed."""
    if ok:
        return
    fail(why() if callable(why) else why, cause=cause, kind=kind, **data)


def fail(why: str, *, cause=None, kind: str = "", **data):
    """Raise ``Mismatch`` with the check's own words."""
    raise Mismatch(None, None, "", why, _cause(cause), kind=kind, shown=False, **data)


def expect_gradients(report, why: str = "", *, cause=None, **data) -> None:
    """Raise ``Mismatch`` unless a gradient report (finite differences, PyTorch) is ok; its lines are the detail."""
    if report.ok:
        return
    lines = [line.strip() for line in str(report).splitlines() if line.strip()]
    head, rest = (lines[0], lines[1:]) if lines else ("gradients disagree", [])
    more = list(data.pop("detail", ()))
    raise Mismatch(None, None, "", why or head, _cause(cause), kind="gradient", shown=False,
                   detail=(rest if not why else lines) + more, **data)


def expect_raises(error: type[BaseException], f: Callable[[], object], why: str, **data) -> BaseException:
    """Call ``f``; raise ``Mismatch`` unless it raises ``error`` (another exception goes through, as raised)."""
    try:
        f()
    except error as e:
        return e
    fail(why, **data)
