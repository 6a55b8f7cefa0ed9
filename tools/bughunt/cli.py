"""The command line of bug hunts: ``nox -s bughunt -- ...`` (or ``python -m tools.bughunt ...``)."""

from __future__ import annotations

import argparse
import difflib
import random
import sys
import time
from pathlib import Path

from tools.bughunt import catalogue, check, records, scaffold
from tools.clock import mmss
from tools.bughunt.catalogue import Hunt

USAGE = """examples:
  nox -s bughunt                     start the next hunt you have not solved
  nox -s bughunt -- 3                start hunt 3
  nox -s bughunt -- --random --minutes 10   a random hunt, against the clock
  nox -s bughunt -- --list           the catalogue, with what you solved
  nox -s bughunt -- check            verify your fix (--watch: again on every save)
  nox -s bughunt -- hint             the next hint of the current hunt
  nox -s bughunt -- reveal           give up: show the fix and end the hunt"""


def _stars(n: int) -> str:
    return "*" * n + "." * (5 - n)


def list_hunts() -> int:
    best = records.solved(records.history())
    print(f"{'#':>3}  {'difficulty':<10}  {'level':<8}  {'hunt':<40}  solved")
    for h in catalogue.hunts():
        rec = best.get(h.number)
        done = f"{mmss(rec['elapsed_s'])}, {rec.get('hints', 0)} hint(s)" if rec else "-"
        print(f"{h.number:>3}  {_stars(h.difficulty):<10}  {h.level:<8}  {h.title:<40}  {done}")
    print("\nstart one: nox -s bughunt -- N   (--random, --minutes M)")
    return 0


def start(h: Hunt, minutes: float | None) -> int:
    previous = scaffold.current()
    folder = scaffold.plant(h, minutes)
    if previous is not None and previous != folder:
        print(f"(the hunt in {scaffold._shown(previous)} stays there, unfinished)")
    rel = scaffold._shown(folder)
    print(f"Bug hunt {h.number}: {h.title}   difficulty {_stars(h.difficulty)}\n")
    print(f'  "{h.symptom}"\n')
    print(f"The code is in {rel}/ ({', '.join(h.files)}); its README.md lists the tools:")
    print(f"  python {rel}/probe.py                     check_gradients on this engine")
    expression = h.graph or '"x*y + x"'
    print(f"  nox -s graph -- {expression} --check --impl {rel}/value.py")
    print(f"  nox -s compare -- --impl {rel}")
    if scaffold.trains(h):
        print(f"  python {rel}/train.py                     a short training run")
    print("Fix it, then: nox -s bughunt -- check   (stuck: nox -s bughunt -- hint)")
    if minutes:
        print(f"\nThe clock runs: {minutes:g} minutes, from now.")
    return 0


def _pick_next() -> Hunt:
    done = set(records.solved(records.history()))
    everything = catalogue.hunts()
    return next((h for h in everything if h.number not in done), random.choice(everything))


def _current() -> tuple[Path, dict, Hunt] | None:
    folder = scaffold.current()
    if folder is None:
        print("No hunt in progress: start one with nox -s bughunt (or -- --list).")
        return None
    meta = scaffold.read_meta(folder)
    return folder, meta, catalogue.hunt(meta["hunt"])


def _clock(meta: dict) -> str:
    elapsed = time.time() - float(meta["started"])
    if meta.get("minutes"):
        limit = float(meta["minutes"]) * 60
        if elapsed > limit:
            return f"{mmss(elapsed)}, over the {meta['minutes']:g} minutes by {mmss(elapsed - limit)}"
        return f"{mmss(elapsed)} of {meta['minutes']:g}:00"
    return mmss(elapsed)


def hint() -> int:
    found = _current()
    if found is None:
        return 1
    folder, meta, h = found
    n = int(meta.get("hints", 0))
    if n >= len(h.hints):
        print(f"No more hints for hunt {h.number}; the last one:\n  {h.hints[-1]}\n"
              "(nox -s bughunt -- reveal shows the fix and ends the hunt)")
        return 0
    meta["hints"] = n + 1
    scaffold.write_meta(folder, meta)
    print(f"Hint {n + 1} of {len(h.hints)} for hunt {h.number}:\n  {h.hints[n]}")
    return 0


def _finish(folder: Path, meta: dict, h: Hunt, outcome: str) -> None:
    records.append({"hunt": h.number, "slug": h.slug, "title": h.title, "outcome": outcome,
                    "elapsed_s": round(time.time() - float(meta["started"]), 1), "minutes": meta.get("minutes"),
                    "hints": int(meta.get("hints", 0)), "checks": int(meta.get("checks", 0)),
                    "folder": str(folder)})
    meta["outcome"] = outcome
    scaffold.write_meta(folder, meta)
    (folder.parent / "current.json").unlink(missing_ok=True)


def _describe(v: check.Verdict, h: Hunt) -> str:
    if not v.changes:
        return f"Nothing changed yet in {' or '.join(h.files)}: the planted bug is still there."
    if v.tests is None:
        return "The files do not parse; fix the syntax first."
    lines = []
    if not v.tests.ok:
        if v.tests.error:
            lines.append(f"The tests could not run: {v.tests.error.splitlines()[0]}")
        else:
            lines.append(f"{v.tests.passed} of {v.tests.total} tests pass: not fixed yet.")
            for nodeid in v.tests.failures[:5]:
                lines.append(f"  failing: {nodeid.split('::')[-1]}")
    misplaced = v.misplaced
    if v.tests.ok and misplaced:
        if len(misplaced) == len(v.changes):
            lines.append("The tests pass, but the planted bug is still there: you changed the code around it.")
        else:
            lines.append("The tests pass and the bug is fixed, but you changed other code too:")
        for c in misplaced:
            span = f"line {c.lines[0]}" if c.lines[0] == c.lines[1] else f"lines {c.lines[0]}-{c.lines[1]}"
            lines.append(f"  {c.file} {span} of the planted file ({c.function or 'outside any function'})")
        lines.append("A fix is the smallest change at the bug: undo the rest and check again.")
    return "\n".join(lines)


def run_check(extra: list[str] = (), echo: bool = True) -> int:
    found = _current()
    if found is None:
        return 1
    folder, meta, h = found
    meta["checks"] = int(meta.get("checks", 0)) + 1
    scaffold.write_meta(folder, meta)
    v = check.verdict(h, folder, list(extra), echo=echo)
    print()
    if not v.solved:
        print(_describe(v, h))
        print(f"time: {_clock(meta)}   hints: {meta.get('hints', 0)}")
        return 1
    print(f"Solved: hunt {h.number}, {h.title}, in {_clock(meta)} with {meta.get('hints', 0)} hint(s) "
          f"and {meta['checks']} check(s).\n")
    print(h.lesson)
    _finish(folder, meta, h, "solved")
    print("\nnext: nox -s bughunt   (your progress: nox -s progress)")
    return 0


def watch_check() -> int:
    found = _current()
    if found is None:
        return 1
    folder, _, h = found
    try:
        import watchfiles
    except ImportError:
        print("--watch needs watchfiles: pip install 'watchfiles>=0.21' (nox installs it)", file=sys.stderr)
        return 2
    print(f"Checking {scaffold._shown(folder)} on every save of {', '.join(h.files)} (Ctrl-C to stop).")
    if run_check() == 0:
        return 0
    names = set(h.files)
    for _ in watchfiles.watch(folder, watch_filter=lambda _c, p: Path(p).name in names, recursive=False,
                              raise_interrupt=False):
        if run_check() == 0:
            return 0
    return 1


def reveal() -> int:
    found = _current()
    if found is None:
        return 1
    folder, meta, h = found
    planted = (folder / ".planted" / h.file).read_text(encoding="utf-8")
    answer = scaffold.fixed(h, planted)
    diff = difflib.unified_diff(planted.splitlines(keepends=True), answer.splitlines(keepends=True),
                                f"planted {h.file}", f"fixed {h.file}", n=2)
    print(f"Hunt {h.number}: the bug is in {h.where} ({h.file}).\n")
    print("".join(diff))
    print(h.lesson)
    _finish(folder, meta, h, "revealed")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nox -s bughunt --", epilog=USAGE,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     description="Find and fix one planted bug in a working-looking engine.")
    parser.add_argument("what", nargs="?", help="a hunt number or name to start, or check, hint, reveal")
    parser.add_argument("--list", action="store_true", help="the catalogue of hunts")
    parser.add_argument("--random", action="store_true", help="start a random hunt")
    parser.add_argument("--minutes", type=float, help="against the clock: the time you give yourself")
    parser.add_argument("--watch", action="store_true", help="with check: check again on every save")
    args, extra = parser.parse_known_args(argv)
    if extra and args.what != "check":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.list:
        return list_hunts()
    if args.what == "check":
        return watch_check() if args.watch else run_check(extra)
    if args.what == "hint":
        return hint()
    if args.what == "reveal":
        return reveal()
    if args.random:
        return start(random.choice(catalogue.hunts()), args.minutes)
    if args.what is None:
        return start(_pick_next(), args.minutes)
    try:
        h = catalogue.hunt(args.what)
    except ValueError as e:
        parser.error(str(e))
    return start(h, args.minutes)
