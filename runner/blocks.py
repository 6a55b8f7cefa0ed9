"""One short block per failing kata test, instead of a traceback.

* a stub's ``NotImplementedError`` reads ``not written yet: level 1: Value.__add__ ...``;
* a check that carries its numbers (``runner.checks.Mismatch``) prints what was
  computed and expected, the checking line of the test, and for a gradient the
  engine's diagnosis (runner/diagnose.py);
* an error raised in the learner's code (an ``assert`` too) shows their file,
  line and code, what the test expected, and the likely cause of common mistakes;
* a test stopped at its time limit says where the learner's code was
  (runner/timeouts.py); a ``RecursionError`` is explained;
* a failing hypothesis example is shown as the test recorded it (``runner.checks.example``), with the one
  command that replays it.
"""

from __future__ import annotations

import linecache
import os
import shlex
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

from runner import causes, checks, paths, session, timeouts
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
        where_line(add, "checked by", test)
        _hint_lines(add, level)
        return finish(headline)

    if isinstance(exc, AssertionError) and mine is None:  # the test's own check
        headline = _assertion(add, item, exc, test, level)
    elif _is_failed(exc):
        text = str(exc)
        headline = text.splitlines()[0] if text else "failed"
        add(headline, **RED)
        for extra in text.splitlines()[1:]:
            add(f"  {extra}")
        where_line(add, "checked at", test)
    else:  # raised in the learner's code (or a library), an assert of theirs included
        headline = f"{type(exc).__name__}: {exc}".rstrip(": ")
        if isinstance(exc, AssertionError):
            headline = f"your code's assert failed: {exc}" if str(exc) else "your code's assert failed"
        op = causes.op_of_test(item)
        diag = causes.diagnosis(item, level)
        missing = getattr(exc, "name", None) if isinstance(exc, AttributeError) else None  # the attribute asked
        tied = [f for f in (diag.findings if diag is not None else [])
                if (op is not None and f.op == op) or (f.kind == "missing" and missing and f.method == missing)]
        method = next((f.method for f in tied if f.method), None)  # the method a probe found wrong
        at = next((f for f in reversed(learner) if f.name == method), mine) if method else mine
        said = causes.said_before(item, tied)
        shown = next((f for f in tied if f.method and not said[id(f)]), None)
        error = headline
        if shown is not None:  # the probe's example shows the wrong number; the test's example only crashed
            headline = f"{shown}"
            tied = [f for f in tied if f is not shown]
        add(headline, **RED)
        if shown is not None:
            add(f"  confirmed by a probe; on the test's example (below) your code raised {error}")
        raised = at or (frames[-1] if frames else None)
        where_line(add, "your code" if at else "raised at", raised)
        if test is not None and test is not raised:
            where_line(add, "while", test)
            expected = causes.what_the_test_expected(item, test)
            if expected:
                add(f"  {'the test':<11} expected: {expected}")
        for found in tied:
            if said[id(found)]:
                add(f"  cause: {_label(found)} (confirmed by a probe, said in full in an earlier block)", yellow=True)
            else:
                add(f"  cause (confirmed by a probe): {found}", yellow=True)
        cause = "" if tied or shown else causes.likely_cause(exc, mine, getattr(run.impl, "Value", None) if run else None,
                                                     diag)
        if cause:
            add(f"  likely cause: {cause}", yellow=True)
    example_lines(add, exc)
    if _is_hypothesis(item):
        add(f"  {'replay':<11} {replay_command(item, run)}")
    _hint_lines(add, level)
    return finish(headline)


def _assertion(add, item, exc: AssertionError, test, level) -> str:
    """A failed check of the test (``Mismatch``): its numbers, where it was checked, and a cause only when a
    probe confirmed one tied to what the check exercised."""
    if not isinstance(exc, Mismatch):  # a bare assert: its message only (kata tests raise Mismatch)
        headline = str(exc).split("\n", 1)[0] or "assertion failed"
        add(headline, **RED)
        where_line(add, "checked at", test)
        return headline
    headline = exc.why or f"{exc.what} is wrong"
    found = [exc.cause] if exc.cause else []
    diag = None
    if not found and exc.kind in ("gradient", "data"):
        diag = causes.diagnosis(item, level, exc)
        found = diag.tied(exc) if diag is not None else []
    said = causes.said_before(item, found)
    add(headline, **RED)
    if exc.shown:
        add(f"  {exc.what} = {exc.computed!r}, expected {exc.expected!r}")
    if found and all(said.values()):  # one cause explaining several failures is said once, first
        for line in exc.detail:  # the numbers stay; only the cause is short
            add("  " + line if line and not line.startswith(" ") else line)
        where_line(add, "checked at", test)
        for finding in found:
            add(f"  cause: {_label(finding)} (confirmed by a probe, said in full in an earlier block)", yellow=True)
        return headline
    for line in exc.detail:
        add("  " + line if line and not line.startswith(" ") else line)
    where_line(add, "checked at", test)
    new = [f for f in found if not said[id(f)]]
    for finding in new:
        same = [g for g in new if g is not finding and g.kind == finding.kind and g.op and finding.op]
        if same and new.index(same[0]) < new.index(finding):
            continue  # said with the first of its kind
        for i, line in enumerate(str(finding).splitlines()):
            label = "cause (confirmed by a probe): " if i == 0 else ""
            add(f"  {label}{line}", yellow=True)
        if same:
            add(f"  {'':<11} the same probe finds it in {', '.join(g.op for g in same)}", yellow=True)
    for finding in found:
        if said[id(finding)]:
            add(f"  cause: {_label(finding)} (confirmed by a probe, said in full in an earlier block)", yellow=True)
    # the failing graph (runner/failgraph.py): its ops probed at the graph's own values
    analysis = None
    if exc.kind == "gradient" and exc.graph is not None:
        from runner import failgraph

        analysis = failgraph.analyse(exc.graph)
    marked = list(analysis.marked.values()) if analysis is not None else []
    if not found and marked:  # a probe of this graph's own op, at its values, confirmed it
        for finding in marked:
            add(f"  cause (confirmed by a probe on this graph): {finding}", yellow=True)
    elif not found and diag is not None and exc.kind == "gradient":
        text = diag.nothing() if not diag.findings else (
            "no cause confirmed for this check: what the probes found is about other ops (said above, or "
            "listed in the summary)")
        add(f"  {text}", yellow=True)
    if analysis is not None:
        for line in failgraph.render(exc, item, analysis):
            add(line)
    return headline


def _label(finding) -> str:
    """A finding in a few words, for a block it explains after the first."""
    op = finding.op
    return {
        "seed": "the seed of backward()", "order": "the order of backward()", "float32": "single precision",
        "data": "the data", "forward": f"{op}'s forward", "local": f"{op}'s derivative",
        "chain": f"{op} and the chain rule", "accumulation": f"missing accumulation in {op}",
        "missing": f"no method {finding.method}", "closure": f"{op}'s closure stored on its operand",
    }.get(finding.kind, f"{finding.kind} in {op}" if op else finding.kind)


def where_line(add, label: str, frame) -> None:
    if frame is None:
        return
    add(f"  {label:<11} {paths.shown(frame.filename)}:{frame.lineno}, in {frame.name}")
    if (frame.line or "").strip():
        add(f"  {'':<11}     {frame.line.strip()}")


def _is_failed(exc) -> bool:
    return isinstance(exc, pytest.fail.Exception)


def _is_hypothesis(item) -> bool:
    obj = getattr(item, "obj", None)
    return bool(getattr(obj, "is_hypothesis_test", False) or hasattr(obj, "hypothesis"))


REPLAY_IN_A_NOTEBOOK = "KATA_NOTEBOOK_REPLAY"


def replay_command(item, run) -> str:
    """The one command that runs this test again with the same examples (the learner profile is
    derandomized: a test's examples depend only on its source). A nox session, so that a learner
    who installed only nox can run it; the session narrows the run to the test id."""
    notebook = os.environ.get(REPLAY_IN_A_NOTEBOOK)  # set by utils/notebook.py: its folder is gone after the run
    if notebook:
        return notebook.format(nodeid=item.nodeid)
    level = run.level.number if run is not None else paths.level_number(item.path)
    parts = ["nox", "-s", f"level{level}", "--", item.nodeid]
    if run is not None and run.stage is not None:  # a follow-up stage has no nox session of its own
        parts = ["python", "-m", "pytest", item.nodeid, f"--stage={run.stage.name}"]
    if run is not None and run.impl is not None and run.impl.label != "learner":
        parts.append(f"--impl={run.impl.label}")
    profile = os.environ.get("KATA_HYPOTHESIS_PROFILE")
    cmd = " ".join(shlex.quote(p) for p in parts)
    return f"KATA_HYPOTHESIS_PROFILE={profile} {cmd}" if profile and profile != "learner" else cmd


def _hint_lines(add, level: int | None) -> None:
    if level is not None:
        add(f"  {'stuck?':<11} nox -s hint -- {level}")


def example_lines(add, exc) -> None:
    """The drawn inputs the failing check ran on, as the test recorded them (runner.checks.example)."""
    drawn = exc.example if isinstance(exc, Mismatch) else checks.current_example()
    if not drawn:
        return
    text = "; ".join(f"{name}: {value!r}" if not isinstance(value, str) else f"{name}: {value}"
                     for name, value in drawn.items())
    if len(text) > 300:
        text = text[:297] + "..."
    add(f"  {'example':<11} {text}")
