"""Where a learner stands: each level's state, hints read and best interview times.

    nox -s progress        (or: python -m tools.progress [--plain])

Read from the state folder (``.kata/``, see runner/state.py): ``progress.json``
(written by the pytest plugin after every run of a level with your code),
``hints.json``, ``interview/history.jsonl`` and ``bughunt/history.jsonl``. Missing or damaged files are
reported and read as empty; this command never writes anything.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass

from tools import hints
from tools.clock import mmss
from runner import manifest, state


@dataclass
class Row:
    level: int
    title: str
    status: str
    hints: str
    best: str


def level_status(level: manifest.Level, data: dict) -> str:
    last, complete = state.level_runs(level.number, data)
    run = complete or last
    if run is None:
        return "started (not run yet)" if state.level_started(level) else "not started"
    if run.get("error"):
        return "does not import (syntax or import error)"
    try:
        passed, total = int(run["passed"]), int(run["total"])
    except (KeyError, TypeError, ValueError):
        return "unknown (damaged record)"
    if run is complete and state.is_green(run):
        return "done"
    partial = "" if run is complete else " (last run was partial)"
    return f"{passed} of {total} passing{partial}"


def interview_times(problems: list[str]) -> dict[str, float]:
    """The best time of each interview scope (tools/interview/history.py writes the file)."""
    lines = state.read_lines(state.state_dir() / "interview" / "history.jsonl")
    if lines.problems:
        problems.append(lines.describe())
    return state.best_times(lines.records)


def rows(problems: list[str]) -> tuple[list[Row], dict[str, float]]:
    data = state.progress(problems)
    hint_data = hints.load(problems)
    best = interview_times(problems)
    out = []
    for lv in manifest.levels():
        n = len(lv.hint_files)
        read = len(hints.read_tiers(lv.number, hint_data))
        t = best.get(str(lv.number))
        out.append(Row(lv.number, lv.title, level_status(lv, data), f"{read} of {n}",
                       mmss(t) if t is not None else "-"))
    return out, best


def render(table: list[Row], best: dict[str, float], problems: list[str], plain: bool) -> None:
    others = {k: v for k, v in best.items() if k not in {str(r.level) for r in table}}
    if not plain:
        try:
            from rich.console import Console
            from rich.table import Table
        except ImportError:
            plain = True
    if plain:
        print(f"{'level':<6} {'state':<32} {'hints read':<11} {'best interview'}")
        for r in table:
            print(f"{r.level:<6} {r.status:<32} {r.hints:<11} {r.best}")
        for scope, t in sorted(others.items()):
            print(f"best interview time, scope {scope}: {mmss(t)}")
        for p in problems:
            print(f"note: {p}")
        return
    t = Table(title="Your progress in the kata")
    for col in ("level", "", "state", "hints read", "best interview"):
        t.add_column(col)
    for r in table:
        style = "green" if r.status == "done" else "yellow" if "passing" in r.status else None
        t.add_row(str(r.level), r.title, r.status, r.hints, r.best, style=style)
    console = Console()
    console.print(t)
    for scope, secs in sorted(others.items()):
        console.print(f"best interview time, scope {scope}: {mmss(secs)}")
    for p in problems:
        console.print(f"[yellow]note:[/yellow] {p}")


def bughunt_lines(problems: list[str]) -> list[str]:
    """The bug hunts section: how many are solved, the latest solves, and the next one to try."""
    from tools.bughunt import catalogue, records

    history = records.history(problems)
    everything = catalogue.hunts()
    if not history:
        return [f"bug hunts: none tried yet ({len(everything)} planted bugs to find: nox -s bughunt -- --list)"]
    best = records.solved(history)
    lines = [f"bug hunts: {len(best)} of {len(everything)} solved"
             + (f", {sum(r.get('outcome') == 'revealed' for r in history)} revealed"
                if any(r.get("outcome") == "revealed" for r in history) else "")]
    titles = {h.number: h.title for h in everything}
    for number, rec in sorted(best.items()):
        limit = f" (clock {rec['minutes']:g} min)" if rec.get("minutes") else ""
        lines.append(f"  {number:>2}. {titles.get(number, rec.get('title', '?')):<40} "
                     f"{mmss(float(rec['elapsed_s']))}, {rec.get('hints', 0)} hint(s){limit}")
    nxt = next((h for h in everything if h.number not in best), None)
    if nxt is not None:
        lines.append(f"next hunt: nox -s bughunt -- {nxt.number}   ({nxt.title})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nox -s progress --", description="Where you stand in the kata.")
    parser.add_argument("--plain", action="store_true", help="plain text, no table drawing")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    problems: list[str] = []
    table, best = rows(problems)
    if args.json:
        from tools.bughunt import records

        print(json.dumps({"levels": [r.__dict__ for r in table], "best_interview_s": best,
                          "bughunt_solved": {str(k): v for k, v in records.solved(records.history()).items()},
                          "problems": problems}, indent=2))
        return 0
    hunts = bughunt_lines(problems)
    render(table, best, problems, args.plain or bool(os.environ.get("NO_COLOR")))
    print("\n" + "\n".join(hunts))
    nxt = next((r for r in table if r.status != "done"), None)
    if nxt is not None:
        print(f"\nnext: nox -s level{nxt.level}" + ("" if nxt.level == 1 or nxt.status != "not started"
                                                     else f" (start from your level-{nxt.level - 1} code: "
                                                          f"nox -s carry -- {nxt.level})"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
