"""Why a kata test failed, in the learner's terms: common errors, recursion, the learner's own asserts,
and the engine's diagnosis (runner/diagnose.py) for wrong gradients."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from runner import paths, session

_DIAGNOSIS = pytest.StashKey[dict]()  # level -> the diagnosis text, once per run


def likely_cause(exc: BaseException, frame) -> str:
    """Common mistakes behind an error, in the learner's terms."""
    text = str(exc)
    name = type(exc).__name__
    func = frame.name if frame is not None else ""
    if name == "TypeError" and "unsupported operand type" in text and "'Value'" in text:
        op = text.split("for ", 1)[1].split(":", 1)[0].strip() if "for " in text else "?"
        reflected = {"+": "__radd__", "*": "__rmul__", "-": "__rsub__", "/": "__rtruediv__", "** or pow()": "__pow__"}
        if text.rstrip().endswith("'Value'") and op in reflected:
            return (f"a plain number {op} Value: Python then asks the Value for {reflected[op]}; "
                    "write it (or return NotImplemented only for types you refuse)")
        return "one side is a Value, the other a number: use .data for the number inside a Value"
    if name == "AttributeError" and text.startswith("'NoneType'"):
        return "an op returned None: did you forget `return out`?"
    if name == "AttributeError" and "object has no attribute 'data'" in text:
        return ("a plain number reached code that expects a Value: wrap it first, "
                "other = other if isinstance(other, Value) else Value(other)")
    if name == "TypeError" and "'NoneType' object is not callable" in text:
        return "a _backward is None: give every node (leaves too) a do-nothing _backward, lambda: None"
    if name == "TypeError" and "unhashable type: 'Value'" in text:
        return ("Value defines __eq__, which removes __hash__: the kata's Values compare by identity "
                "(no __eq__), so they can go in sets and dicts")
    if name == "AttributeError" and "'Value' object has no attribute" in text:
        attr = text.rsplit("'", 2)[-2] if text.count("'") >= 4 else "it"
        return f"set {attr} in __init__ (every Value has data, grad, _backward, _prev and _op)"
    if name == "OverflowError" and "tanh" in func:
        return "math.exp overflows for large |x|: compute tanh with math.tanh, which saturates at +-1"
    if name == "OverflowError":
        return "a number grew too large for a float: for tanh use math.tanh; check the exponent of ** and exp"
    if name == "TypeError" and ("positional argument" in text or "unexpected keyword" in text):
        return "a method's signature differs from the stub's: keep Value(data, _children=(), _op='')"
    return ""


def what_the_test_expected(item, test) -> str:
    """The test's expectation, in its own words: its docstring's first line, else its checking line."""
    doc = (getattr(getattr(item, "obj", None), "__doc__", None) or "").strip()
    if doc:
        return " ".join(doc.split("\n\n", 1)[0].split())
    return (test.line or "").strip() if test is not None else ""


def explain_recursion(item, frames, level) -> tuple[str, list[str]]:
    files = session.learner_files(item.config)
    mine = [f for f in frames if str(Path(f.filename).resolve()) in files]
    out = [f"  Python stops at {sys.getrecursionlimit()} nested calls."]
    if not mine:
        return "RecursionError: calls nested too deeply", out
    (fname, func, lineno), count = Counter((f.filename, f.name, f.lineno) for f in mine).most_common(1)[0]
    headline = f"RecursionError: {func} called itself {count}+ times ({paths.shown(fname)}:{lineno})"
    if func.startswith("__") and func.endswith("__"):
        out.append(f"  {func} ends up calling itself: e.g. __radd__ returning `other + self` when other is a "
                   "number calls __radd__ again; write it as `self + other`, so __add__ does the work")
    else:
        deep = "level 3 builds graphs deeper than that" if (level or 0) >= 3 else "the graph is deep"
        out.append(f"  {func} recurses once per node: either {deep} -- then build the topological order "
                   "with an explicit stack instead of recursion -- or the walk never stops: keep a visited "
                   "set, so every node is expanded once, and check that no node is its own operand")
    frame = next(f for f in reversed(mine) if (f.filename, f.name, f.lineno) == (fname, func, lineno))
    if (frame.line or "").strip():
        out.append(f"  {'your code':<11} {paths.shown(fname)}:{lineno}, in {func}")
        out.append(f"  {'':<11}     {frame.line.strip()}")
    return headline, out


def is_about_gradients(text: str) -> bool:
    low = text.lower()
    return any(w in low for w in ("grad", "backward", "d(", "d out", "/d", "'("))


def engine_finding(item, level: int | None):
    """The engine's diagnosis (runner/diagnose.py): a Finding or None, computed once per run and level."""
    run = session.run_of(item.config)
    if run is None or run.impl is None:
        return None
    cache = item.config.stash.setdefault(_DIAGNOSIS, {})
    lv = level or run.level.number
    if lv not in cache:
        from runner import diagnose

        try:
            cache[lv] = diagnose.diagnose(run.impl.Value, lv)
        except Exception:  # noqa: BLE001 - a diagnosis never breaks a run
            cache[lv] = None
    return cache[lv]


def engine_diagnosis(item, level: int | None) -> str:
    """The engine's diagnosis for a wrong gradient, as one line ('' when no probe confirmed a cause)."""
    found = engine_finding(item, level)
    return f"cause (confirmed by a probe): {found}" if found else ""


def data_diagnosis(item) -> str:
    """Why an engine's data is wrong, when the data probe (runner/diagnose.check_data) confirms it: int
    truncation, or float32 rounding; '' otherwise."""
    run = session.run_of(item.config)
    if run is None or run.impl is None:
        return ""
    cache = item.config.stash.setdefault(_DIAGNOSIS, {})
    if "data" not in cache:
        from runner import diagnose

        try:
            cache["data"] = diagnose.check_data(run.impl.Value)
        except Exception:  # noqa: BLE001 - a diagnosis never breaks a run
            cache["data"] = None
    return f"cause (confirmed by a probe): {cache['data']}" if cache["data"] else ""


def op_of_test(item) -> str | None:
    """The op a parametrized op test is about: ``test_op_forward[rtruediv]`` -> ``rtruediv``."""
    callspec = getattr(item, "callspec", None)
    name = callspec.params.get("name") if callspec is not None else None
    return name if isinstance(name, str) else None
