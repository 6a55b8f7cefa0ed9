"""Why a kata test failed, in the learner's terms: common errors, recursion, the learner's own asserts,
and the engine's diagnosis (runner/diagnose.py) for wrong gradients."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from runner import paths, session

_DIAGNOSIS = pytest.StashKey[dict]()  # level -> the diagnosis, once per run
_METHODS = frozenset({"relu", "tanh", "exp", "log", "sigmoid", "backward"})  # methods of a Value (utils/ops.py)
_SAID = pytest.StashKey[dict]()  # (kind, op, message) -> where a finding was first said, and how often


def likely_cause(exc: BaseException, frame, Value=None, diag=None) -> str:
    """Common mistakes behind an error, in the learner's terms; each said only when the condition it names was
    checked on the engine (``Value``) or by the diagnosis (``diag``), or needs no engine to hold."""
    text = str(exc)
    name = type(exc).__name__
    func = frame.name if frame is not None else ""
    has = (lambda attr: hasattr(Value, attr)) if Value is not None else (lambda attr: False)
    not_values = [f for f in (diag.findings if diag is not None else []) if "not a Value" in f.message]
    if name == "TypeError" and "unsupported operand type" in text and "'Value'" in text:
        return _unsupported(text, Value, has)
    if name == "AttributeError" and text.startswith("'NoneType'"):
        return "an op returned None: did you forget `return out`?"
    if name == "AttributeError" and text.startswith(("'float' object", "'int' object")) and not_values:
        return f"the number came from your own op: {not_values[0].message}"  # not from the test
    if name == "AttributeError" and "object has no attribute 'data'" in text:
        return ("a plain number reached code that expects a Value: wrap it first, "
                "other = other if isinstance(other, Value) else Value(other)")
    if name == "TypeError" and "'NoneType' object is not callable" in text:
        return "a _backward is None: give every node (leaves too) a do-nothing _backward, lambda: None"
    if name == "TypeError" and "unhashable type: 'Value'" in text:
        return ("Value defines __eq__, which removes __hash__: the kata's Values compare by identity "
                "(no __eq__), so they can go in sets and dicts")
    cls = getattr(Value, "__name__", "Value")
    if name == "AttributeError" and (f"'{cls}' object has no attribute" in text or "'Value' object has no attribute" in text):
        attr = text.rsplit("'", 2)[-2] if text.count("'") >= 4 else "it"
        if Value is not None and not has(attr) and attr in _METHODS:
            return f"your Value has no method {attr}: write it (the level's README says what it computes)"
        if attr in ("data", "grad", "_backward", "_prev", "_op"):
            return f"set {attr} in __init__ (every Value has data, grad, _backward, _prev and _op)"
        return ""
    if name == "OverflowError" and "tanh" in func:
        return "math.exp overflows for large |x|: compute tanh with math.tanh, which saturates at +-1"
    if name == "OverflowError":
        return "a number grew too large for a float: for tanh use math.tanh; check the exponent of ** and exp"
    if name == "TypeError" and ("positional argument" in text or "unexpected keyword" in text):
        return "a method's signature differs from the stub's: keep Value(data, _children=(), _op='')"
    return ""


_FORWARD = {"+": "__add__", "*": "__mul__", "-": "__sub__", "/": "__truediv__", "** or pow()": "__pow__"}
_REFLECTED = {"+": "__radd__", "*": "__rmul__", "-": "__rsub__", "/": "__rtruediv__", "** or pow()": "__rpow__"}


def _unsupported(text: str, Value, has) -> str:
    """``unsupported operand type(s) for /: 'Value' and 'int'``: which method of the Value was missing, or
    declined, checked on the engine's class ('' when the engine is unknown or the method is there)."""
    op = text.split("for ", 1)[1].split(":", 1)[0].strip() if "for " in text else "?"
    kinds = text.split(":", 1)[1].split("'")[1::2] if ":" in text else []
    if Value is None or op not in _FORWARD or len(kinds) != 2:
        return ""
    left, right = kinds
    if left == "Value":
        method = _FORWARD[op]
        if not has(method):
            return f"your Value has no {method}, so Value {op} {right} cannot be computed: write it"
        return f"your Value's {method} returned NotImplemented for a {right}"
    method = _REFLECTED[op]
    if not has(method):
        return (f"a plain number {op} Value: Python then asks the Value for {method}, which your Value "
                "does not have; write it (or return NotImplemented only for types you refuse)")
    return (f"a plain number {op} Value: Python asked the Value's {method}, which returned "
            "NotImplemented for this number")


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


def diagnosis(item, level: int | None, failure=None):
    """The engine's diagnosis (runner/diagnose.py): every confirmed finding, computed once per run and level;
    a failure that carries its graph (``failure.probe``: a function and its inputs) adds that graph's ops at
    the test's values to the probes. None when there is no engine to probe."""
    run = session.run_of(item.config)
    if run is None or run.impl is None:
        return None
    from runner import diagnose

    lv = level or run.level.number
    probe = getattr(failure, "probe", None)
    if probe is not None:
        try:
            extra = diagnose.graph_points(run.impl.Value, *probe)
            return diagnose.diagnosis(run.impl.Value, lv, extra, also=failure.ops)
        except Exception:  # noqa: BLE001 - a diagnosis never breaks a run
            pass
    cache = item.config.stash.setdefault(_DIAGNOSIS, {})
    if lv not in cache:
        try:
            cache[lv] = diagnose.diagnosis(run.impl.Value, lv)
        except Exception:  # noqa: BLE001 - a diagnosis never breaks a run
            cache[lv] = None
    return cache[lv]


def said_before(item, findings) -> dict:
    """For each finding (by ``id``), the test under which it was first said ('' when it is said now, under this
    test); counts the failures each finding explains."""
    said = item.config.stash.setdefault(_SAID, {})
    out = {}
    for f in findings:
        key = (f.kind, f.op, f.message)
        entry = said.setdefault(key, {"test": item.nodeid, "finding": f, "failures": 0})
        entry["failures"] += 1
        out[id(f)] = "" if entry["test"] == item.nodeid else entry["test"].split("::")[-1]
    return out


def findings_said(config) -> list[dict]:
    """Each finding said under a failure: {"test", "finding", "failures"}, in the order they were said."""
    return list(config.stash.get(_SAID, {}).values())


def all_findings(config) -> list:
    """Every finding of the diagnoses made during the run (one per level probed), without repeats."""
    out = []
    for diag in config.stash.get(_DIAGNOSIS, {}).values():
        for f in (diag.findings if diag is not None else []):
            if all((g.kind, g.op, g.message) != (f.kind, f.op, f.message) for g in out):
                out.append(f)
    return out


def op_of_test(item) -> str | None:
    """The op a parametrized op test is about: ``test_op_forward[rtruediv]`` -> ``rtruediv``."""
    callspec = getattr(item, "callspec", None)
    name = callspec.params.get("name") if callspec is not None else None
    return name if isinstance(name, str) else None
