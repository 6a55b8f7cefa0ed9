"""What the grader writes: one Gradescope ``results.json`` per student, ``class.csv``, a table.

``results.json`` follows Gradescope's autograder format: ``score``, and
``tests``, one entry per level test with ``name``, ``score``, ``max_score``,
``status`` and ``output`` (the message the learner would read for that test),
plus an ``output`` for the whole submission (the marks, what happened to the
engine process, and what to do next, as the learner's own summary says it). With hidden cases the tests are shown ``after_published``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tools.grade.score import Grade, headline

MAX_OUTPUT = 8000  # characters of one test's output


def summary(g: Grade) -> str:
    lines = [f"{g.score} of {g.max_score} level tests pass (levels {g.levels[0]}-{g.levels[-1]})."]
    if g.error:
        lines.append(f"No verdict for some tests: {g.error}")
    for mark in g.flags:
        lines.append(f"Marked: {mark}")
    crashes = g.engine.get("crashes", [])
    if crashes:
        lines.append(f"The engine process ended {len(crashes)} time(s) and was restarted: {crashes[0]}")
    if g.engine.get("given_up"):
        lines.append("The engine was given up after it crashed or stalled in three tests in a row.")
    lines.append(next_step(g))
    return "\n".join(lines)


def next_step(g: Grade) -> str:
    """What to do next, as the learner's summary says it (runner/summary.py): the first failing test."""
    first = next((t for t in g.tests if not t.passed), None)
    if first is None:
        return (f"Next: every test of levels {g.levels[0]}-{g.levels[-1]} passes. Practise against the clock: "
                "`nox -s interview`.")
    run = f"`nox -s level{first.level}`"
    if not g.submission.gradable or (g.error and not any(t.passed for t in g.tests)):
        return (f"Next: no test could run on these files. Run {run} on them: its first screen says what "
                "to fix (the file and line).")
    return (f"Next: level {first.level}, {first.name.split(': ', 1)[-1]}: {headline(first.output)}\n"
            f"Run {run} to see it in full; stuck? `nox -s hint -- {first.level}`.")


def results_json(g: Grade, hidden: bool = False) -> dict:
    visibility = "after_published" if hidden else "visible"
    return {
        "score": g.score,
        "output": summary(g),
        "visibility": visibility,
        "stdout_visibility": "hidden",
        "execution_time": round(g.seconds, 1),
        "tests": [
            {
                "name": t.name,
                "number": str(i + 1),
                "score": 1 if t.passed else 0,
                "max_score": 1,
                "status": "passed" if t.passed else "failed",
                "output": t.output[:MAX_OUTPUT],
                "tags": [f"level{t.level}"],
                "visibility": visibility,
            }
            for i, t in enumerate(g.tests)
        ],
    }


def write_student(g: Grade, folder: Path, hidden: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "results.json"
    path.write_text(json.dumps(results_json(g, hidden), indent=1) + "\n")
    return path


def write_class(grades: list[Grade], path: Path) -> None:
    levels = grades[0].levels if grades else ()
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "score", "max_score",
                    *[c for lv in levels for c in (f"level{lv}_passed", f"level{lv}_total", f"level{lv}_first_failure",
                                                  f"level{lv}_seconds")],
                    "marks", "engine_crashes", "error", "seconds"])
        for g in grades:
            row = [g.submission.name, g.score, g.max_score]
            for lv in levels:
                passed, total = g.level_counts(lv)
                row += [passed, total, g.first_failure(lv), round(g.level_seconds(lv), 1)]
            row += ["; ".join(g.flags), len(g.engine.get("crashes", [])),
                    (g.error or "").splitlines()[0] if g.error else "", round(g.seconds, 1)]
            w.writerow(row)


def table(grades: list[Grade], console: Console | None = None) -> None:
    console = console or Console()
    levels = grades[0].levels if grades else ()
    t = Table(title="kata grades", show_lines=False)
    t.add_column("student")
    t.add_column("score", justify="right")
    for lv in levels:
        t.add_column(f"level {lv}", justify="right")
    t.add_column("first failing test, and why")
    t.add_column("marks")
    t.add_column("time", justify="right")
    for g in grades:
        cells = []
        for lv in levels:
            passed, total = g.level_counts(lv)
            colour = "green" if passed == total and total else ("yellow" if passed else "red")
            cells.append(f"[{colour}]{passed}/{total}[/]")
        cause = next((g.first_failure(lv) for lv in levels if g.first_failure(lv)), "")
        if g.error and not cause:
            cause = g.error.splitlines()[0]
        marks = "; ".join(g.flags)
        if g.engine.get("crashes"):
            marks = "; ".join(filter(None, [marks, f"engine ended {len(g.engine['crashes'])}x"]))
        t.add_row(g.submission.name, f"{g.score}/{g.max_score}", *cells, cause[:90], marks[:60], f"{g.seconds:.0f} s")
    console.print(t)
