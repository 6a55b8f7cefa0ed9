"""Timed interview practice: write ``Value`` against the clock.

    python -m tools.interview 2                  # level 2 (levels 1-2's tests), its default clock
    python -m tools.interview full --minutes 40  # levels 1-3 from the level-3 stub
    python -m tools.interview --history          # past attempts, best times, a plot
    python -m tools.interview --questions        # the oral drill

An attempt copies the scope's pristine stub into a fresh, git-ignored practice
folder (``.kata/interview/attempts/<time>-<scope>/value.py``); ``katas/`` is
never touched. The clock starts then. The tests re-run on every save; the
attempt ends at the first all-green run, when time is up (scored by a last
run), or with Ctrl-C (abandoned). Every attempt is appended to
``.kata/interview/history.jsonl``.

The loop itself lives in tools/interview/core.py (tested with a fake clock);
this module wires the real clock, watcher, test runner and terminal.
"""

from __future__ import annotations

import argparse
import importlib.util
import datetime as dt
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from runner import manifest, state
from tools.interview import history
from tools.interview import questions, staged
from tools.interview import script as scripts
from tools.interview.staged_terminal import practise_staged, scaled
from tools.interview.views import PlainView, RichView, console_for, file_watcher
from tools.interview.core import (
    ABANDONED,
    FINISHED,
    FULL,
    Attempt,
    Scope,
    ScopeError,
    check_available,
    drive,
    hint_tiers_read,
    pytest_runner,
    scaffold,
    scope,
    scopes,
)

# -- one attempt ---------------------------------------------------------------------------


def attempt_record(attempt: Attempt, started: dt.datetime, folder: Path, hints_used: int) -> dict:
    return {"scope": attempt.scope.name, "started": started.isoformat(timespec="seconds"),
            "elapsed_s": round(attempt.elapsed_s or 0.0, 1),
            "minutes": int(attempt.minutes) if float(attempt.minutes).is_integer() else attempt.minutes, "runs": attempt.runs,
            "passed": attempt.passed, "total": attempt.total, "hints_used": hints_used,
            "outcome": attempt.outcome, "folder": str(folder)}


def practise(sc: Scope, minutes: float, out=None, plain: bool = False, clock: Callable[[], float] = time.monotonic,
             runner_factory=pytest_runner, watcher_factory=file_watcher) -> dict:
    """One attempt, start to end, recorded in the history; returns the record."""
    out = out or sys.stdout
    started = dt.datetime.now()
    folder = scaffold(sc, started)
    practice_file = folder / sc.level.files[0]
    hints_before = hint_tiers_read(sc.levels)
    attempt = Attempt(sc, minutes, clock)  # the clock starts with the practice file in place
    print(f"Interview practice: scope {sc.name} ({sc.describe()}), {minutes:g} min.", file=out)
    print("Open this file in your editor and write the engine; the tests re-run on every save:", file=out)
    print(f"\n    {practice_file}\n", file=out)
    print("It ends at the first all-green run or when time is up. Ctrl-C gives up (recorded as abandoned).",
          file=out)
    print(f"Hints you read meanwhile are counted: nox -s hint -- {sc.level.number}\n", file=out, flush=True)
    console = None if plain else console_for(out)
    view = RichView(attempt, console) if console is not None and console.is_terminal else PlainView(attempt, out)
    wait = watcher_factory(folder)
    try:
        with view:
            drive(attempt, runner_factory(sc, folder), wait, view.show)
    except KeyboardInterrupt:  # a second Ctrl-C while the display closes
        attempt.abandon()
    record = attempt_record(attempt, started, folder, max(hint_tiers_read(sc.levels) - hints_before, 0))
    print(file=out)
    print(summary(attempt, record), file=out)
    try:
        history.append(history.history_file(), record)
    except OSError as e:  # say so, and print the record so that it is not lost
        print(f"Could not record the attempt in {history.history_file()}: {e}\n{json.dumps(record)}", file=out)
    else:
        print(f"Recorded in {history.history_file()}; see them all: nox -s interview -- --history", file=out)
    return record


def summary(attempt: Attempt, record: dict) -> str:
    score = f"{record['passed']}/{record['total']} tests passing"
    runs = f"{record['runs']} run{'s' * (record['runs'] != 1)}"
    hints = f", {record['hints_used']} hint tier{'s' * (record['hints_used'] != 1)} read" if record["hints_used"] else ""
    if attempt.outcome == FINISHED:
        return f"Finished green in {history.mmss(record['elapsed_s'])} of {attempt.minutes:g} min: {score}, {runs}{hints}."
    if attempt.outcome == ABANDONED:
        return f"Abandoned after {history.mmss(record['elapsed_s'])}: {score} at the last run, {runs}{hints}."
    return f"Time is up ({attempt.minutes:g} min): {score} at the bell, {runs}{hints}."


# -- the command line -----------------------------------------------------------------------


def scope_help() -> str:
    lines = []
    for name, sc in scopes().items():
        note = "" if not sc.missing() else "  (not available yet)"
        lines.append(f"  {name:<5} {sc.minutes:>3g} min  {sc.describe()}{note}")
    default = scripts.default_script()
    lines.append(f"  {FULL:<5} {scripts.minutes(default):>3g} min  staged: {', '.join(s.name for s in default)}, "
                 f"and {len(default) - 1} oral questions between them")
    return "\n".join(lines)


def stage_help() -> str:
    return "\n".join(f"  {s.name:<10} {s.minutes:>3g} min  {s.title}{'' if s.default else '  (not in full)'}"
                     for s in scripts.stages().values())


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nox -s interview --",
        description="Timed interview practice: write Value from a fresh stub against the clock.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "scopes and their default minutes (a level's clock is its `minutes` in levels.toml):\n"
            + scope_help() + "\n\n"
            "stages (levels.toml, [[stage]]), for --stages and --stage:\n" + stage_help() + "\n\n"
            "Without core, --stages/--stage is level 5, beyond the engine: it starts from your\n"
            "katas/level4/value.py (or --from-reference). Level 4 is not an interview scope.\n"
            "Your practice files and history are kept in .kata/interview/ (git-ignored)."
        ),
    )
    p.add_argument("scope", nargs="?", help="1, 2, 3 (one level and the tests of the levels before it) or full")
    p.add_argument("--stages", help="a staged attempt of these stages, in this order: core,ops,softmax")
    p.add_argument("--stage", help="one follow-up stage on its own (level 5): --stage softmax")
    p.add_argument("--from-reference", action="store_true",
                   help="level 5: start from the reference engine instead of your level-4 value.py")
    p.add_argument("--no-questions", action="store_true", help="staged: no oral questions between stages")
    p.add_argument("--hint", action="store_true", help="the next hint of the stage in progress")
    p.add_argument("--minutes", type=float,
                   help="the clock, in minutes (default: the scope's; staged: the shares are scaled to it)")
    p.add_argument("--plain", action="store_true", help="plain line output instead of a live display")
    p.add_argument("--history", action="store_true", help="show past attempts, compare staged ones, and plot them")
    p.add_argument("--questions", action="store_true",
                   help="oral drill: random questions from docs/questions.md (with a scope: up to its level)")
    p.add_argument("--count", type=int, default=5, help="--questions: how many (default 5)")
    p.add_argument("--seconds", type=float, default=60,
                   help="seconds to think per oral question (default 60), in the drill and between stages")
    p.add_argument("--seed", type=int, help="seed of the random choice of questions (repeatable)")
    return p


def main(argv: list[str] | None = None, stdin=None, out=None) -> int:
    stdin, out = stdin or sys.stdin, out or sys.stdout
    p = parser()
    args = p.parse_args(argv)
    if args.history:
        return history.show(out, use_rich=not args.plain)
    if args.hint:
        return show_hint(out)
    if args.minutes is not None and not args.minutes > 0:
        print("interview: --minutes must be more than 0", file=sys.stderr)
        return 2
    if args.stages or args.stage or (args.scope == FULL and not args.questions):
        return staged_main(args, stdin, out)
    sc = None
    if args.scope is not None and args.scope != FULL:
        try:
            sc = scope(args.scope)
        except ScopeError as e:
            print(f"interview: {e}", file=sys.stderr)
            return 2
    if args.questions:
        return drill(args, sc, stdin, out)
    if sc is None:
        print("Which scope? For example: nox -s interview -- 1\n\n" + scope_help() +
              "\n\nMore: nox -s interview -- --help", file=out)
        return 2
    try:
        check_available(sc)
    except ScopeError as e:
        print(f"interview: {e}", file=sys.stderr)
        return 2
    practise(sc, sc.minutes if args.minutes is None else args.minutes, out, plain=args.plain)
    return 0


def staged_main(args, stdin, out) -> int:
    if args.stages and args.stage:
        print("interview: give --stages or --stage, not both", file=sys.stderr)
        return 2
    if args.scope not in (None, FULL):
        print(f"interview: scope {args.scope} is one level; --stages makes its own script", file=sys.stderr)
        return 2
    try:
        script = scripts.parse(args.stages or args.stage) if args.stages or args.stage else scripts.default_script()
    except scripts.ScriptError as e:
        print(f"interview: {e}", file=sys.stderr)
        return 2
    start = scripts.start_file(script, args.from_reference)
    if not start.exists():
        print(f"interview: {start} does not exist; level 5 starts from your finished engine "
              "(or add --from-reference)", file=sys.stderr)
        return 2
    if script[0].name != scripts.CORE and not args.from_reference and not state.level_green(manifest.levels()[-1].number):
        print(f"(Level {manifest.levels()[-1].number} is not green yet: level 5 builds on a finished engine, "
              "and starts from your copy of it. --from-reference starts from the reference engine.)", file=out)
    if any(s.needs_torch for s in script) and importlib.util.find_spec("torch") is None:
        print("interview: this script runs tests that compare with PyTorch: pip install 'torch==2.13.0'",
              file=sys.stderr)
        return 2
    if not args.seconds > 0:
        print("interview: --seconds must be more than 0", file=sys.stderr)
        return 2
    practise_staged(scaled(script, args.minutes), out, stdin, plain=args.plain,
                    oral_seconds=None if args.no_questions else args.seconds, seed=args.seed,
                    from_reference=args.from_reference)
    return 0


def show_hint(out) -> int:
    try:
        heading, text = staged.next_hint()
    except ValueError as e:
        print(f"interview: {e}", file=out)
        return 1
    print(f"{heading}:\n\n  {text}", file=out)
    return 0


def drill(args, sc: Scope | None, stdin, out) -> int:
    try:
        qs = questions.load()
    except (OSError, questions.QuestionsFormatError) as e:
        print(f"interview: cannot read the questions: {e}", file=sys.stderr)
        return 2
    if sc is not None:
        qs = [q for q in qs if q.level is None or q.level <= sc.level.number]
    if not qs:
        print("interview: no questions to ask", file=sys.stderr)
        return 2
    if args.count < 1 or not args.seconds > 0:
        print("interview: --count and --seconds must be more than 0", file=sys.stderr)
        return 2
    path = history.questions_file()
    print(f"Oral drill: {min(args.count, len(qs))} questions, {args.seconds:g} s each. Answer out loud,\n"
          "then grade yourself against the model answer.", file=out)
    countdown = not args.plain and hasattr(stdin, "isatty") and stdin.isatty() and hasattr(out, "isatty") and out.isatty()
    answers = questions.drill(qs, args.count, args.seconds, random.Random(args.seed), stdin, out,
                              lambda e: history.append(path, e), countdown=countdown)
    if answers:
        print(f"Recorded in {path}.", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
