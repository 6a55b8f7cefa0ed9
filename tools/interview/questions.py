"""The oral drill: random questions from ``docs/questions.md`` against a short timer.

Each question is shown with a countdown; answer out loud (or type a note) and
press Enter to see the model answer early. Then grade yourself 0-2, and the
answer is appended to ``.kata/interview/questions.jsonl``.

Input and output are streams, and the timer reads a clock, so the drill is
tested with scripted input. A line reader thread feeds every input through one
queue: the countdown never blocks on the keyboard, and end of input stops the
drill instead of waiting forever.
"""

from __future__ import annotations

import datetime as dt
import queue
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from runner import manifest

QUESTIONS = manifest.ROOT / "docs" / "questions.md"
HEADING = re.compile(r"^## Q(?P<n>\d+)\. (?P<text>\S.*)$")
LEVEL_LINE = re.compile(r"^Level: (?P<level>\d+)\s*$")
TAGS_LINE = re.compile(r"^Tags: (?P<tags>\S.*)$")
GRADE_WAIT = 600.0  # seconds to wait for a grade before the drill stops


class QuestionsFormatError(ValueError):
    pass


@dataclass(frozen=True)
class Question:
    n: int
    text: str
    answer: str
    line: int
    level: int | None = None
    tags: tuple[str, ...] = ()


def parse(text: str, source: str = "questions.md") -> list[Question]:
    """The questions of a file in the strict format: ``## Q<n>. <question>``, optional
    ``Level: N`` and ``Tags: a, b`` lines, then the answer up to the next ``## ``."""
    questions: list[Question] = []
    current: dict | None = None

    def close() -> None:
        if current is None:
            return
        body = list(current["body"])
        while body and not body[0].strip():
            body.pop(0)
        level, tags = None, ()
        if body and (m := LEVEL_LINE.match(body[0])):
            level = int(m["level"])
            body.pop(0)
        if body and (m := TAGS_LINE.match(body[0])):
            tags = tuple(t.strip() for t in m["tags"].split(",") if t.strip())
            body.pop(0)
        answer = "\n".join(body).strip()
        if not answer:
            raise QuestionsFormatError(f"{source} line {current['line']}: Q{current['n']} has no answer")
        questions.append(Question(current["n"], current["text"], answer, current["line"], level, tags))

    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            m = HEADING.match(line)
            if not m:
                raise QuestionsFormatError(f"{source} line {number}: expected '## Q<n>. <question>', got {line!r}")
            close()
            current = {"n": int(m["n"]), "text": m["text"], "line": number, "body": []}
        elif current is not None:
            current["body"].append(line)
    close()
    return questions


def load(path: Path = QUESTIONS) -> list[Question]:
    return parse(path.read_text(encoding="utf-8"), str(path))


# -- input: one reader thread, one queue -------------------------------------------------

EOF = object()


class Lines:
    """Lines from a stream, read by a daemon thread: ``get(timeout)`` returns a line
    (without its newline), None when ``timeout`` passed, or EOF at the end of input."""

    def __init__(self, stream: TextIO):
        self._q: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()
        self.closed = False

    def _pump(self, stream: TextIO) -> None:
        try:
            for line in iter(stream.readline, ""):
                self._q.put(line.rstrip("\r\n"))
        except (OSError, ValueError):
            pass
        self._q.put(EOF)

    def drain(self) -> None:
        """Forget lines typed before now (an Enter pressed while coding is no answer)."""
        while not self.closed:
            try:
                item = self._q.get_nowait()
            except queue.Empty:
                return
            if item is EOF:
                self.closed = True

    def get(self, timeout: float | None):
        if self.closed:
            return EOF
        try:
            item = self._q.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is EOF:
            self.closed = True
        return item


# -- the drill ---------------------------------------------------------------------------


def _indent(text: str) -> str:
    return "\n".join("    " + line if line.strip() else "" for line in text.splitlines())


def ask(q: Question, seconds: float, lines: Lines, out: TextIO, clock: Callable[[], float],
        countdown: bool) -> tuple[str, float, str]:
    """Show the question and wait up to ``seconds`` for Enter. Returns (how it ended:
    "early", "time up" or "end of input", seconds taken, what was typed)."""
    start = clock()
    if countdown:  # a terminal: one line, rewritten every second
        prompt = ""
        while True:
            left = seconds - (clock() - start)
            if left <= 0:
                out.write("\r" + " " * len(prompt) + "\r")
                return "time up", seconds, ""
            prompt = f"  {left:4.0f} s left - answer out loud, Enter to see the model answer "
            out.write("\r" + prompt)
            out.flush()
            got = lines.get(min(1.0, left))
            if got is EOF:
                return "end of input", clock() - start, ""
            if got is not None:
                return "early", clock() - start, got
    out.write(f"  {seconds:g} s - answer out loud, Enter to see the model answer\n")
    out.flush()
    got = lines.get(seconds)
    if got is EOF:
        return "end of input", clock() - start, ""
    if got is None:
        return "time up", seconds, ""
    return "early", clock() - start, got


def read_grade(lines: Lines, out: TextIO) -> int | None:
    """0, 1 or 2; None to stop (q, or end of input, or nobody answered)."""
    for _ in range(5):
        out.write("  Grade yourself 0-2 (0 missed it, 1 partly, 2 had it; q to stop): ")
        out.flush()
        got = lines.get(GRADE_WAIT)
        if got is EOF or got is None:
            out.write("\n")
            return None
        got = got.strip().lower()
        if got in ("q", "quit"):
            return None
        if got in ("0", "1", "2"):
            return int(got)
        out.write("  Please type 0, 1 or 2.\n")
    return None


def ask_and_grade(q: Question, seconds: float, lines: Lines, out: TextIO, clock: Callable[[], float],
                  countdown: bool, heading: str) -> dict | None:
    """One question: ask, show the model answer, read the grade. Returns the answer's record,
    or None when the learner stopped (q, or end of input)."""
    about = ", ".join(filter(None, [f"level {q.level}" if q.level else "", ", ".join(q.tags)]))
    out.write(f"\n{heading} (Q{q.n}{'; ' + about if about else ''})\n\n")
    out.write(f"  {q.text}\n\n")
    how, took, typed = ask(q, seconds, lines, out, clock, countdown)
    if how == "time up":
        out.write("\n  Time is up.\n")
    out.write("\n  Model answer:\n\n" + _indent(q.answer) + "\n\n")
    if how == "end of input":
        out.write("  (no more input: the questions stop here)\n")
        return None
    grade = read_grade(lines, out)
    if grade is None:
        out.write("  Stopped; this question is not recorded.\n")
        return None
    entry = {"asked": dt.datetime.now().isoformat(timespec="seconds"), "n": q.n, "question": q.text,
             "level": q.level, "tags": list(q.tags), "seconds": seconds, "took_s": round(took, 1),
             "revealed": how, "grade": grade}
    if typed.strip():
        entry["note"] = typed.strip()
    return entry


def for_tags(questions: list[Question], tags, asked: set[int], rng: random.Random) -> Question | None:
    """A random question not asked yet, sharing a tag with ``tags`` if any does, else any."""
    fresh = [q for q in questions if q.n not in asked]
    tagged = [q for q in fresh if set(q.tags) & set(tags)]
    pool = tagged or fresh
    return rng.choice(pool) if pool else None


def drill(questions: list[Question], count: int, seconds: float, rng: random.Random, stdin: TextIO,
          out: TextIO, record: Callable[[dict], None], clock: Callable[[], float] = time.monotonic,
          countdown: bool = False) -> list[dict]:
    """Ask ``count`` random questions; returns (and records) one dict per graded answer."""
    chosen = rng.sample(questions, min(count, len(questions)))
    lines = Lines(stdin)
    answers: list[dict] = []
    for i, q in enumerate(chosen, start=1):
        entry = ask_and_grade(q, seconds, lines, out, clock, countdown, f"Question {i} of {len(chosen)}")
        if entry is None:
            break
        record(entry)
        answers.append(entry)
    if answers:
        points = sum(a["grade"] for a in answers)
        out.write(f"\n{len(answers)} question(s), {points} of {2 * len(answers)} points.\n")
        weak = [a for a in answers if a["grade"] < 2]
        if weak:
            out.write("Worth another look: " + ", ".join(f"Q{a['n']}" for a in weak) + f" in {QUESTIONS.name}.\n")
    return answers
