"""A staged attempt in the terminal: the practice folder, the prompts, the live display,
the oral questions between stages, the scorecard and the history line.

The loop itself is tools/interview/staged.py; this module passes it the real clock,
watcher, test runner and terminal (each replaceable, as the self-test does).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from runner import manifest
from tools.interview import history, questions, staged
from tools.interview import script as scripts
from tools.interview.core import hint_tiers_read, practice_folder, stage_runner
from tools.interview.views import PlainView, RichView, console_for, file_watcher


def scaled(script: list[scripts.Stage], minutes: float | None) -> list[scripts.Stage]:
    """The script with its shares scaled so that they add up to ``minutes`` (None: as written)."""
    if minutes is None:
        return list(script)
    factor = minutes / scripts.minutes(script)
    return [dataclasses.replace(s, minutes=round(s.minutes * factor, 2)) for s in script]


def scaffold(script: list[scripts.Stage], start: Path, now: dt.datetime) -> Path:
    """A fresh practice folder holding ``value.py``, a copy of the starting file."""
    return practice_folder(scripts.script_name(script).replace(":", "-").replace(",", "+"), now, start, "value.py")


class Oral:
    """Asks one question between stages, from the finished stage's tags; stops asking for
    good when the learner types q or the input ends."""

    def __init__(self, stdin, out, seconds: float, rng: random.Random, clock: Callable[[], float], countdown: bool,
                 record: Callable[[dict], None]):
        self.stdin, self.out, self.seconds, self.rng, self.clock = stdin, out, seconds, rng, clock
        self.countdown, self.record = countdown, record
        self.lines: questions.Lines | None = None
        self.asked: set[int] = set()
        self.stopped = False
        try:
            self.questions = questions.load()
        except (OSError, questions.QuestionsFormatError) as e:
            print(f"(no oral questions: cannot read {questions.QUESTIONS}: {e})", file=out)
            self.questions = []

    def __call__(self, done: scripts.Stage, following: scripts.Stage) -> dict | None:
        if self.stopped or not self.questions:
            return None
        q = questions.for_tags(self.questions, done.tags, self.asked, self.rng)
        if q is None:
            return None
        self.asked.add(q.n)
        if self.lines is None:
            self.lines = questions.Lines(self.stdin)
        if self.countdown:  # a terminal: an Enter pressed while coding is no answer
            self.lines.drain()
        print(f"\nBefore the next stage ({following.name}), the interviewer asks:", file=self.out)
        entry = questions.ask_and_grade(q, self.seconds, self.lines, self.out, self.clock, self.countdown,
                                        "Oral question")
        if entry is None:
            self.stopped = True
            return None
        self.record(entry)
        return {"after": done.name, "n": q.n, "grade": entry["grade"], "took_s": entry["took_s"],
                "revealed": entry["revealed"]}


def practise_staged(script: list[scripts.Stage], out=None, stdin=None, plain: bool = False,
                    clock: Callable[[], float] = time.monotonic, runner_factory=stage_runner,
                    watcher_factory=file_watcher, oral_seconds: float | None = 60.0, seed: int | None = None,
                    from_reference: bool = False) -> dict:
    """One staged attempt, start to end, recorded in the history; returns the record.
    ``oral_seconds=None`` skips the oral questions."""
    out, stdin = out or sys.stdout, stdin or sys.stdin
    started = dt.datetime.now()
    start = scripts.start_file(script, from_reference)
    folder = scaffold(script, start, started)
    practice = folder / "value.py"
    total = scripts.minutes(script)
    n = len(script)
    print(f"Staged interview: {n} stage{'s' * (n != 1)}, {total:g} min ({', '.join(s.name for s in script)}).",
          file=out)
    if script[0].name != scripts.CORE:
        print(f"Level 5, beyond the engine: starting from {_shown(start)}.", file=out)
    print("Open this file in your editor; it is the only file of the attempt, and the tests re-run on every save:",
          file=out)
    print(f"\n    {practice}\n", file=out)
    if n > 1:
        print("Each stage's prompt appears when the one before is green (or its time is up). Time saved carries "
              "over.", file=out)
    print("A hint for the stage in progress: nox -s interview -- --hint. Ctrl-C gives up.", file=out, flush=True)
    console = None if plain else console_for(out)
    live = console is not None and console.is_terminal

    def announce(i: int, result: staged.StageResult, carried: float) -> None:
        st = result.stage
        extra = f" + {history.mmss(carried)} saved" if carried >= 1 else ""
        print(f"\n=== Stage {i + 1} of {len(script)}: {st.title} ({st.minutes:g} min{extra}) ===\n", file=out)
        print(textwrap.indent(st.prompt, "  "), file=out)
        print(file=out, flush=True)

    def view_for(attempt, heading):
        return RichView(attempt, console, heading) if live else PlainView(attempt, out, heading)

    def hints_read(st: scripts.Stage) -> int:
        level_tiers = hint_tiers_read(range(1, st.level + 1)) if st.level else 0
        return level_tiers + staged.stage_hints_shown(folder, st.name)

    countdown = live and hasattr(stdin, "isatty") and stdin.isatty()
    ask = Oral(stdin, out, oral_seconds, random.Random(seed), clock, countdown,
               lambda e: history.append(history.questions_file(), e)) if oral_seconds else (lambda done, nxt: None)
    attempt = staged.Staged(script, folder, started, clock)
    staged.play(attempt, lambda st: runner_factory(st, folder), watcher_factory(folder), announce, view_for, ask,
                hints_read)
    record = attempt.record()
    print("\n" + staged.scorecard(record), file=out)
    try:
        history.append(history.history_file(), record)
    except OSError as e:
        print(f"Could not record the attempt in {history.history_file()}: {e}\n{json.dumps(record)}", file=out)
    else:
        print(f"Recorded in {history.history_file()}; compare attempts: nox -s interview -- --history", file=out)
    return record


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(manifest.ROOT))
    except ValueError:
        return str(path)
