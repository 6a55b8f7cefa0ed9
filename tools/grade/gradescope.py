"""Gradescope's ``results.json`` format, checked: ``problems(results)`` lists what breaks it.

The format, from Gradescope's autograder specification: a JSON object with
either a top-level ``score`` or a ``score`` in every test (or both), and
optionally ``execution_time``, ``output``, ``output_format``,
``test_output_format``, ``test_name_format``, ``visibility``,
``stdout_visibility``, ``extra_data``, ``tests`` and ``leaderboard``. Each test
is an object with optional ``score``, ``max_score``, ``status`` ("passed" or
"failed"), ``name``, ``name_format``, ``number``, ``output``,
``output_format``, ``tags``, ``visibility`` and ``extra_data``. A visibility is
one of "hidden", "after_due_date", "after_published", "visible".

A pure function of the parsed JSON, used by the grader's end-to-end check
(tools/grade/e2e.py) and its self-test.
"""

from __future__ import annotations

VISIBILITY = ("hidden", "after_due_date", "after_published", "visible")
FORMATS = ("text", "html", "simple_format", "md", "ansi")
STATUS = ("passed", "failed")
TOP = {"score": "number", "execution_time": "number", "output": "str", "output_format": "format",
       "test_output_format": "format", "test_name_format": "format", "visibility": "visibility",
       "stdout_visibility": "visibility", "extra_data": "object", "tests": "list", "leaderboard": "list"}
TEST = {"score": "number", "max_score": "number", "status": "status", "name": "str", "name_format": "format",
        "number": "str", "output": "str", "output_format": "format", "tags": "tags", "visibility": "visibility",
        "extra_data": "object"}
ENTRY = {"name": "str", "value": "entry_value", "order": "order", "is_desc": "bool"}


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == x  # NaN is no score


CHECKS = {
    "number": _number,
    "str": lambda x: isinstance(x, str),
    "bool": lambda x: isinstance(x, bool),
    "object": lambda x: isinstance(x, dict),
    "list": lambda x: isinstance(x, list),
    "format": lambda x: x in FORMATS,
    "visibility": lambda x: x in VISIBILITY,
    "status": lambda x: x in STATUS,
    "tags": lambda x: isinstance(x, list) and all(isinstance(t, str) for t in x),
    "entry_value": lambda x: _number(x) or isinstance(x, str),
    "order": lambda x: x in ("asc", "desc"),
}


def _fields(obj: dict, schema: dict[str, str], where: str) -> list[str]:
    out = [f"{where}: unknown key {key!r}" for key in obj if key not in schema]
    for key, kind in schema.items():
        if key in obj and not CHECKS[kind](obj[key]):
            out.append(f"{where}: {key} = {obj[key]!r:.60} is not a valid {kind}")
    return out


def problems(results) -> list[str]:
    """Everything in ``results`` (a parsed results.json) that Gradescope's format does not allow; [] if none."""
    if not isinstance(results, dict):
        return [f"results.json holds a {type(results).__name__}, not an object"]
    out = _fields(results, TOP, "results.json")
    tests = results.get("tests", [])
    if not isinstance(tests, list):
        tests = []
    if "score" not in results and (not tests or any(isinstance(t, dict) and "score" not in t for t in tests)):
        out.append("results.json: no top-level score, and not every test has one")
    for i, test in enumerate(tests):
        where = f"tests[{i}]" + (f" ({test.get('name')})" if isinstance(test, dict) and test.get("name") else "")
        if not isinstance(test, dict):
            out.append(f"{where}: a {type(test).__name__}, not an object")
            continue
        out += _fields(test, TEST, where)
        score, top = test.get("score"), test.get("max_score")
        if _number(score) and _number(top) and not 0 <= score <= top:
            out.append(f"{where}: score {score} outside 0..{top}")
    for i, entry in enumerate(results.get("leaderboard", []) if isinstance(results.get("leaderboard"), list) else []):
        if not isinstance(entry, dict) or "name" not in entry or "value" not in entry:
            out.append(f"leaderboard[{i}]: an entry needs a name and a value")
        else:
            out += _fields(entry, ENTRY, f"leaderboard[{i}]")
    return out
