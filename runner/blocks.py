"""One short block per failing kata test, instead of a traceback.

* a stub's ``NotImplementedError`` reads ``not written yet: level 1: Value.__add__ ...``;
* a check that carries its numbers (``runner.checks.Mismatch``) prints what was
  computed and expected, the checking line of the test, and for a gradient the
  engine's diagnosis (runner/diagnose.py);
* an error raised in the learner's code (an ``assert`` too) shows their file,
  line and code, what the test expected, and the likely cause of common mistakes;
* a test stopped at its time limit says where the learner's code was
  (runner/timeouts.py); a ``RecursionError`` is explained;
* a failing hypothesis example is shown with the one command that replays it.
"""

from __future__ import annotations

import linecache
import os
import shlex
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

from runner import causes, failgraph, paths, session, timeouts
from runner.checks import Mismatch

NOT_WRITTEN = "not written yet: "
MAX_LINES = 30  # one screen per failure
RED = {"red": True, "bold": True}


@dataclass
class Crash:
    """Where a failure happened, for pytest's short summary (``report.longrepr.reprcrash``)."""

    path: str
    lineno: int
    message: str


class Block:
    """A failure as the learner sees it: a few lines, no traceback. pytest prints a ``longrepr``
    through its ``toterminal``; under xdist it travels as ``str``."""

    def __init__(self, headline: str, lines: list[tuple[str, dict]], path: str = "", lineno: int = 0,
                 stop: bool = False):
        self.headline = headline
        self.lines = lines
        self.reprcrash = Crash(path, lineno, headline)
        self.stop = stop  # the run should end here (a loop in backward() would stop every test)

    def toterminal(self, tw) -> None:
        for text, markup in self.lines:
            tw.line(text, **markup)

    def __str__(self) -> str:
        return "\n".join(text for text, _ in self.lines)


def plain(exc: BaseException, error: Exception) -> Block:
    """When shaping itself failed: the error, and how to see pytest's traceback."""
    text = f"{type(exc).__name__}: {exc}"
    return Block(text, [(text, {}), (f"  (the kata could not shape this failure: {error!r}; --tb=long shows "
                                     "pytest's traceback)", {})])


# -- frames -----------------------------------------------------------------------------


def frames_of(tb) -> list[traceback.FrameSummary]:
    """The traceback's frames, oldest first. An exception raised by a signal handler (the
    timeout) can leave ``tb_lineno`` empty: the frame's current line is used instead."""
    out = []
    while tb is not None:
        code = tb.tb_frame.f_code
        lineno = tb.tb_lineno if tb.tb_lineno is not None else tb.tb_frame.f_lineno
        if lineno is None:
            lineno = _line_before(code, tb.tb_lasti)
        line = linecache.getline(code.co_filename, lineno or 0).strip()
        out.append(traceback.FrameSummary(code.co_filename, lineno or 0, code.co_name, line=line))
        tb = tb.tb_next
    return out


def _line_before(code, lasti: int) -> int | None:
    """The line of the last instruction at or before ``lasti`` that has one (a loop's jump back has none)."""
    try:
        positions = list(code.co_positions())  # Python 3.11+: one entry per 2-byte instruction
    except AttributeError:  # Python 3.10
        import dis

        starts = [line for offset, line in dis.findlinestarts(code) if offset <= lasti and line is not None]
        return starts[-1] if starts else None
    for start_line, *_ in reversed(positions[: lasti // 2 + 1]):
        if start_line is not None:
            return start_line
    return None


def _in(files: set[str], frames) -> list:
    return [f for f in frames if str(Path(f.filename).resolve()) in files]


# -- the block ----------------------------------------------------------------------------


def describe(item, exc: BaseException, tb) -> Block:
    """The block for one failure."""
    frames = frames_of(tb)
    lines: list[tuple[str, dict]] = []
    level = paths.level_number(item.path)
    run = session.run_of(item.config)
    learner = _in(session.learner_files(item.config), frames)
    mine = learner[-1] if learner else None
    tests = _in({str(Path(item.path).resolve())}, frames)
    test = tests[-1] if tests else None
    anchor = mine or test
    stop = False

    def add(text: str = "", **markup) -> None:
        lines.append((text, markup))

    def where(label: str, frame) -> None:
        if frame is None:
            return
        add(f"  {label:<11} {paths.shown(frame.filename)}:{frame.lineno}, in {frame.name}")
        if (frame.line or "").strip():
            add(f"  {'':<11}     {frame.line.strip()}")

    def finish(headline: str) -> Block:
        if len(lines) > MAX_LINES:
            cut = len(lines) - MAX_LINES
            del lines[MAX_LINES - 4: MAX_LINES - 4 + cut]
            lines.insert(MAX_LINES - 4, (f"  ... {cut} more lines (--tb=long shows everything)", {}))
        path, lineno = (anchor.filename, anchor.lineno) if anchor else (str(item.path), 0)
        return Block(headline, lines, paths.shown(path), lineno or 0, stop)

    if isinstance(exc, NotImplementedError):  # a stub: one line
        text = str(exc) or (f"{mine.name} in {paths.shown(mine.filename)}" if mine else "a NotImplementedError")
        add(NOT_WRITTEN + text, yellow=True, bold=True)
        return finish(NOT_WRITTEN + text)

    if isinstance(exc, timeouts.KataTimeout) or (_is_failed(exc) and str(exc).startswith("Timeout >")):
        seconds = getattr(exc, "seconds", None) or timeouts.limit_of(item)
        in_backward = any(f.name == "backward" for f in learner)
        headline, extra, stop = timeouts.describe(item, seconds, mine, test, in_backward)
        add(headline, **RED)
        for text in extra:
            add(text)
        _hint_lines(add, level)
        return finish(headline)

    if isinstance(exc, RecursionError):
        headline, explanation = causes.explain_recursion(item, frames, level)
        add(headline, **RED)
        for text in explanation:
            add(text)
        where("checked by", test)
        _hint_lines(add, level)
        return finish(headline)

    if isinstance(exc, AssertionError) and mine is None:  # the test's own check
        headline = _assertion(add, item, exc, test, level)
    elif _is_failed(exc):
        text = str(exc)
        if text.startswith("DID NOT RAISE"):
            expected = text.removeprefix("DID NOT RAISE").strip().strip("<>").removeprefix("class ").strip("'")
            headline = f"expected {expected.split('.')[-1]}, but your code raised nothing"
        else:
            headline = text.splitlines()[0] if text else "failed"
        add(headline, **RED)
        for extra in text.splitlines()[1:]:
            add(f"  {extra}")
        where("checked at", test)
    else:  # raised in the learner's code (or a library), an assert of theirs included
        headline = f"{type(exc).__name__}: {exc}".rstrip(": ")
        if isinstance(exc, AssertionError):
            headline = f"your code's assert failed: {exc}" if str(exc) else "your code's assert failed"
        add(headline, **RED)
        where("your code" if mine else "raised at", mine or (frames[-1] if frames else None))
        if test is not None and test is not mine:
            where("while", test)
            expected = causes.what_the_test_expected(item, test)
            if expected:
                add(f"  {'the test':<11} expected: {expected}")
        cause = causes.likely_cause(exc, mine)
        if cause:
            add(f"  likely cause: {cause}", yellow=True)
        found = causes.engine_finding(item, level) if causes.op_of_test(item) else None
        if found is not None and found.op == causes.op_of_test(item):  # e.g. a swapped __rtruediv__ dividing by 0
            add(f"  cause (confirmed by a probe): {found}", yellow=True)
    example_lines(add, exc)
    if _is_hypothesis(item):
        add(f"  {'replay':<11} {replay_command(item, run)}")
    if not isinstance(exc, AssertionError) or "hint" not in str(exc):
        _hint_lines(add, level)
    return finish(headline)


def _assertion(add, item, exc: AssertionError, test, level) -> str:
    """A failed check of the test: its numbers (``Mismatch``) or its message; for a gradient, the cause."""
    if isinstance(exc, Mismatch):
        headline = exc.why or f"{exc.what} is wrong"
        add(headline, **RED)
        add(f"  {exc.what} = {exc.computed!r}, expected {exc.expected!r}")
        text = exc.cause
        about = f"{exc.what} {exc.why}"
    else:
        message = str(exc).split("\nassert ", 1)[0] if not str(exc).startswith("assert ") else ""
        msg_lines = message.splitlines() or [str(exc).splitlines()[0] if str(exc) else "assertion failed"]
        headline = msg_lines[0]
        add(headline, **RED)
        for text in msg_lines[1:]:
            add("  " + text if text and not text.startswith(" ") else text)
        compared = str(exc).split("\nassert ", 1)[1].splitlines()[0] if "\nassert " in str(exc) else ""
        if message and " == " in compared:  # pytest's own line: what was compared
            add("  " + str(exc).split("\nassert ", 1)[1].splitlines()[0].join(("assert ", "")))
        text = ""
        about = message + "\n" + ((test.line or "") if test else "")
    if text:
        for line in text.splitlines():
            add(f"  {line}")
    if isinstance(exc, Mismatch) and getattr(exc, "graph", None) is not None:
        for line in failgraph.render(exc, item):
            add(line)
    where = test
    if where is not None:
        add(f"  {'checked at':<11} {paths.shown(where.filename)}:{where.lineno}, in {where.name}")
        if (where.line or "").strip():
            add(f"  {'':<11}     {where.line.strip()}")
    if not text and causes.is_about_gradients(about) and not any(
            w in about for w in ("cause", "your backward gave", "Your backward gave")):
        cause = causes.engine_diagnosis(item, level)
        if cause:
            add(f"  {cause}", yellow=True)
    elif not text and ".data" in about and "cause" not in about:
        cause = causes.data_diagnosis(item)
        if cause:
            add(f"  {cause}", yellow=True)
    return headline


def _is_failed(exc) -> bool:
    return isinstance(exc, pytest.fail.Exception)


def _is_hypothesis(item) -> bool:
    obj = getattr(item, "obj", None)
    return bool(getattr(obj, "is_hypothesis_test", False) or hasattr(obj, "hypothesis"))


def replay_command(item, run) -> str:
    """The one command that runs this test again with the same examples (the learner profile is
    derandomized: a test's examples depend only on its source). A nox session, so that a learner
    who installed only nox can run it; the session narrows the run to the test id."""
    level = run.level.number if run is not None else paths.level_number(item.path)
    parts = ["nox", "-s", f"level{level}", "--", item.nodeid]
    if run is not None and run.impl is not None and run.impl.label != "learner":
        parts.append(f"--impl={run.impl.label}")
    profile = os.environ.get("KATA_HYPOTHESIS_PROFILE")
    cmd = " ".join(shlex.quote(p) for p in parts)
    return f"KATA_HYPOTHESIS_PROFILE={profile} {cmd}" if profile and profile != "learner" else cmd


def _hint_lines(add, level: int | None) -> None:
    if level is not None:
        add(f"  {'stuck?':<11} nox -s hint -- {level}")


def example_lines(add, exc) -> None:
    notes = getattr(exc, "__notes__", None) or []
    shown = []
    for note in notes:
        skip_deeper_than = None
        for line in str(note).splitlines():
            s = line.strip()
            indent = len(line) - len(line.lstrip())
            if skip_deeper_than is not None:
                if indent > skip_deeper_than or (skip_deeper_than < 0 and not s.startswith("Draw ")):
                    continue
                skip_deeper_than = None
            if s.startswith(("program=", "Value=")):  # the test prints its program as code
                skip_deeper_than = indent
                continue
            if not s or s.startswith(("Falsifying example", "Failing test case")) or s in (")", "),"):
                continue
            if s.startswith(("data=data(", "You can reproduce", "@reproduce")):
                continue
            if s.startswith("Draw ") and s.endswith("):"):  # a value printed on several lines: the
                skip_deeper_than = -1  # test's message shows it already; skip up to the next draw
                continue
            if s.startswith("Draw ") and "): " in s:  # "Draw 1 (args): (1.0,)" -> "args: (1.0,)"
                s = s.split("(", 1)[1].replace("): ", ": ", 1)
            shown.append(s.rstrip(","))
    if shown:
        text = "; ".join(shown)
        if len(text) > 300:
            text = text[:297] + "..."
        add(f"  {'example':<11} {text}")


def _replay_line(add, item, run) -> None:
    if not _is_hypothesis(item):
        return
    add(f"  {'replay':<11} {replay_command(item, run)}")
