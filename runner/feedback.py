"""What a learner sees when a kata test fails, and the summary at the end of a run.

A pytest plugin (registered by the repository's ``conftest.py``), so
``python -m pytest katas --level 2`` and ``nox -s level2`` print the same. It
shapes only the kata's own tests (under ``katas/``); the repository's tests
keep pytest's usual output. ``--tb=long`` (or any explicit ``--tb``) turns the
shaping off and shows pytest's full tracebacks.

Per failing test, one short block instead of a traceback:

* a stub's ``NotImplementedError`` reads ``not written yet: level 1: Value.__add__ ...``;
* an assertion keeps its message (the kata's tests say what was computed and
  what was expected) and shows the checking line of the test;
* an error raised in the learner's code shows their file, line and code, and
  the likely cause of common mistakes (a missing ``__radd__``, a forgotten
  ``return out``, ...);
* a test that runs too long (pytest-timeout, 30 s by default) points at an
  infinite loop in ``backward()``; a ``RecursionError`` is explained;
* a failing hypothesis example is shown with the one command that replays it
  (the ``learner`` profile is derandomized, so the replay is exact);
* gradient failures get a quick op-by-op check of the engine (runner/diagnose.py).

At the end: the level, tests passing per level, the next thing to do and the
hint to read. With ``--impl learner`` the result is saved in
``.kata/progress.json`` for ``nox -s progress``; ``--kata-report PATH`` writes
a JSON summary for tools (interview mode).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

import pytest

from runner import manifest

TIMEOUT_MESSAGE = (
    "this test took longer than {seconds:g} s: most likely an infinite loop in backward() -- e.g. a "
    "topological sort that revisits nodes, or a node that is its own operand"
)
NOT_WRITTEN = "not written yet: "
MAX_LINES = 30  # one screen per failure
_HYPOTHESIS_EXAMPLES_KEY = "_hypothesis_failing_examples"


class KataTimeout(BaseException):
    """Raised in a kata test that ran past its timeout. A BaseException, so
    hypothesis does not catch it and try (and hang on) further examples."""

    def __init__(self, seconds: float):
        super().__init__(TIMEOUT_MESSAGE.format(seconds=seconds))
        self.seconds = seconds


# -- options and state -----------------------------------------------------------


def pytest_addoption(parser):
    group = parser.getgroup("kata")
    group.addoption("--kata-report", default=None, metavar="PATH",
                    help="write the kata run's result as JSON (level, passed, failed, total, per-test outcomes)")


class _State:
    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}  # nodeid -> passed / failed / error / skipped
        self.headlines: dict[str, str] = {}  # nodeid -> one line
        self.levels: dict[str, int] = {}  # nodeid -> the level of its test file
        self.deselected: list[str] = []
        self.started = time.time()
        self.check_ops_cache: list | None = None


def pytest_configure(config):
    config._kata_feedback = _State()
    config.pluginmanager.register(_Recorder(config), "kata-feedback-recorder")


def _state(config) -> _State:
    return config._kata_feedback


_level_cache: dict[str, int | None] = {}


def _item_level(path) -> int | None:
    key = str(path)
    if key not in _level_cache:
        lv = manifest.level_of_path(path)
        _level_cache[key] = lv.number if lv else None
    return _level_cache[key]


def _is_kata(item) -> bool:
    return _item_level(item.path) is not None


def _shaping(config) -> bool:
    """Shape output unless the learner asked for pytest's own tracebacks with --tb."""
    return config.getoption("tbstyle", "auto") == "auto"


def pytest_deselected(items):
    for it in items:
        if _is_kata(it):
            _state(it.config).deselected.append(it.nodeid)
            _state(it.config).levels[it.nodeid] = _item_level(it.path)


# -- timeouts --------------------------------------------------------------------


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_timeout_set_timer(item, settings):
    """For kata tests: a timeout that explains itself and that hypothesis cannot swallow."""
    if not _is_kata(item):
        return None
    seconds = settings.timeout
    if settings.method == "signal" and hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread():
        def handler(signum, frame):
            raise KataTimeout(seconds)

        def cancel():
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)

        item.cancel_timeout = cancel
        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        return True

    def fire():  # the thread method cannot interrupt the test: say why, then let pytest-timeout end the run
        import pytest_timeout

        tw = item.config.get_terminal_writer()
        tw.line()
        tw.line(f"{item.nodeid}: {TIMEOUT_MESSAGE.format(seconds=seconds)}", red=True, bold=True)
        pytest_timeout.timeout_timer(item, settings)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True

    def cancel_thread():
        timer.cancel()

    item.cancel_timeout = cancel_thread
    timer.start()
    return True


# -- one block per failure ------------------------------------------------------------


class Block:
    """A failure as the learner sees it: a few lines, no traceback."""

    def __init__(self, headline: str, lines: list[tuple[str, dict]], path: str = "", lineno: int = 0):
        from _pytest._code.code import ReprFileLocation

        self.headline = headline
        self.lines = lines
        self.reprcrash = ReprFileLocation(path, lineno, headline)  # pytest's short summary reads it

    def toterminal(self, tw) -> None:
        for text, markup in self.lines:
            tw.line(text, **markup)

    def __str__(self) -> str:
        return "\n".join(text for text, _ in self.lines)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item, call):
    """A failing kata test's report, with the block as its ``longrepr``. Built here rather than
    by rewriting pytest's report afterwards, so pytest never renders the traceback at all: a
    test interrupted by its timeout can leave frames pytest's renderer cannot read."""
    excinfo = call.excinfo
    if excinfo is None or not _is_kata(item) or not _shaping(item.config):
        return None
    if isinstance(excinfo.value, pytest.skip.Exception) or excinfo.errisinstance(pytest.xfail.Exception):
        return None
    from _pytest.reports import TestReport

    try:
        block = describe(item, excinfo.value, excinfo.tb, call.when)
    except Exception as e:  # noqa: BLE001 - never lose a verdict to a bug in the feedback
        block = Block(f"{type(excinfo.value).__name__}: {excinfo.value}",
                      [(f"{type(excinfo.value).__name__}: {excinfo.value}", {}),
                       (f"  (the kata could not shape this failure: {e!r}; --tb=long shows pytest's traceback)", {})])
    sections = [(f"Captured {key} {rwhen}", content) for rwhen, key, content in item._report_sections]
    kwargs = dict(nodeid=item.nodeid, location=item.location, keywords={k: 1 for k in item.keywords},
                  outcome="failed", longrepr=block, when=call.when, sections=sections, duration=call.duration,
                  user_properties=item.user_properties)
    try:
        return TestReport(**kwargs, start=call.start, stop=call.stop)
    except TypeError:  # pytest < 8.1
        return TestReport(**kwargs)


class _Recorder:
    """Collects every kata test's outcome (on the main process, also under xdist)."""

    def __init__(self, config):
        self.config = config

    def pytest_runtest_logreport(self, report):
        st = _state(self.config)
        nid = report.nodeid
        if nid not in st.levels:
            return
        if report.failed:
            st.outcomes[nid] = "failed" if report.when == "call" or st.outcomes.get(nid) == "failed" else "error"
            st.headlines.setdefault(nid, getattr(report, "kata_headline", "") or _plain_headline(report))
        elif report.skipped and nid not in st.outcomes:
            st.outcomes[nid] = "skipped"
        elif report.when == "call" and report.passed:
            st.outcomes[nid] = "passed"

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        kata = _is_kata(item)
        if kata:  # hypothesis would write a patch file per failing example (and import libcst to do it)
            item.__dict__.pop(_HYPOTHESIS_EXAMPLES_KEY, None)
        rep = (yield).get_result()
        if not kata:
            return
        if isinstance(rep.longrepr, Block):
            rep.kata_headline = rep.longrepr.headline
            rep.sections = [s for s in rep.sections if not s[0].startswith("Hypothesis")]
            if call.excinfo is not None and isinstance(call.excinfo.value, KataTimeout):
                item.session.shouldstop = "a test ran past its timeout: fix the loop, then run again"

    def pytest_collection_finish(self, session):
        st = _state(self.config)
        for it in session.items:
            lv = _item_level(it.path)
            if lv is not None:
                st.levels[it.nodeid] = lv
        tr = self.config.pluginmanager.get_plugin("terminalreporter")
        if st.levels and _shaping(self.config) and tr is not None:
            # the kata's summary names the next test to fix; pytest's list of FAILED lines would only repeat it
            tr.reportchars = tr.reportchars.replace("f", "").replace("E", "")


def _plain_headline(report) -> str:
    try:
        return report.longrepr.reprcrash.message.splitlines()[0]
    except (AttributeError, IndexError):
        return str(report.longrepr).strip().splitlines()[-1] if report.longrepr else ""


# -- building the block -------------------------------------------------------------------


def _rel(path: str | Path) -> str:
    p = Path(path)
    for base in (Path.cwd(), manifest.ROOT):
        try:
            return str(p.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(p)


def _learner_files(config) -> set[str]:
    run = getattr(config, "_kata", None)
    files = set()
    if run is not None and run.impl is not None:
        files = {str(Path(p).resolve()) for p in run.impl.files.values()}
    return files


def _frames(tb) -> list[traceback.FrameSummary]:
    """The traceback's frames, oldest first. An exception raised by a signal handler (the
    timeout) can leave ``tb_lineno`` empty: the frame's current line is used instead."""
    import linecache

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


def _learner_frame(item, frames):
    files = _learner_files(item.config)
    mine = [f for f in frames if str(Path(f.filename).resolve()) in files]
    return mine[-1] if mine else None


def _test_frame(item, frames):
    test_file = str(Path(item.path).resolve())
    mine = [f for f in frames if str(Path(f.filename).resolve()) == test_file]
    return mine[-1] if mine else None


def _code_line(frame) -> str:
    return (frame.line or "").strip()


def describe(item, exc: BaseException, tb, when: str) -> Block:
    """The block for one failure."""
    frames = _frames(tb)
    lines: list[tuple[str, dict]] = []
    red = {"red": True, "bold": True}
    level = _item_level(item.path)
    run = getattr(item.config, "_kata", None)
    mine = _learner_frame(item, frames)
    test = _test_frame(item, frames)
    anchor = mine or test

    def add(text: str = "", **markup) -> None:
        lines.append((text, markup))

    def where(label: str, frame) -> None:
        if frame is None:
            return
        add(f"  {label:<11} {_rel(frame.filename)}:{frame.lineno}, in {frame.name}")
        if _code_line(frame):
            add(f"  {'':<11}     {_code_line(frame)}")

    def finish(headline: str) -> Block:
        if len(lines) > MAX_LINES:
            cut = len(lines) - MAX_LINES
            del lines[MAX_LINES - 4: MAX_LINES - 4 + cut]
            lines.insert(MAX_LINES - 4, (f"  ... {cut} more lines (--tb=long shows everything)", {}))
        path, lineno = (anchor.filename, anchor.lineno) if anchor else (str(item.path), 0)
        return Block(headline, lines, _rel(path), lineno or 0)

    # a stub: one line
    if isinstance(exc, NotImplementedError):
        text = str(exc) or (f"{mine.name} in {_rel(mine.filename)}" if mine else "a NotImplementedError")
        headline = NOT_WRITTEN + text
        add(headline, yellow=True, bold=True)
        return finish(headline)

    if isinstance(exc, KataTimeout) or (_is_pytest_failed(exc) and str(exc).startswith("Timeout >")):
        seconds = getattr(exc, "seconds", None) or _timeout_of(item)
        headline = TIMEOUT_MESSAGE.format(seconds=seconds)
        add(headline, **red)
        where("stopped in", mine or test)
        add("  to see where it loops, print the nodes your backward() visits on a small graph (x * y + x)")
        _hint_lines(add, level)
        return finish(headline)

    if isinstance(exc, RecursionError):
        headline, explanation = _explain_recursion(item, frames, level, run)
        add(headline, **red)
        for text in explanation:
            add(text)
        where("checked by", test)
        _hint_lines(add, level)
        return finish(headline)

    if isinstance(exc, AssertionError):
        message, computed = _split_assertion(str(exc), _code_line(test) if test else "")
        msg_lines = message.splitlines() or ["assertion failed"]
        headline = msg_lines[0]
        add(headline, **red)
        for text in msg_lines[1:]:
            add("  " + text if text and not text.startswith(" ") else text)
        if computed and "expected" not in message:
            add(f"  {computed}")
        if test is not None:
            where("checked at", test)
        _likely_cause(item, add, message + "\n" + (_code_line(test) if test else ""), level)
    elif _is_pytest_failed(exc):
        text = str(exc)
        if text.startswith("DID NOT RAISE"):
            expected = text.removeprefix("DID NOT RAISE").strip().strip("<>").removeprefix("class ").strip("'")
            headline = f"expected {expected.split('.')[-1]}, but your code raised nothing"
        else:
            headline = text.splitlines()[0] if text else "failed"
        add(headline, **red)
        for extra in text.splitlines()[1:]:
            add(f"  {extra}")
        where("checked at", test)
    else:
        headline = f"{type(exc).__name__}: {exc}".rstrip(": ")
        add(headline, **red)
        where("your code" if mine else "raised at", mine or (frames[-1] if frames else None))
        if test is not None and test is not mine:
            where("while", test)
        cause = likely_cause(exc, mine)
        if cause:
            add(f"  likely cause: {cause}", yellow=True)
    _example_lines(add, exc)
    _replay_line(add, item, run)
    if not isinstance(exc, AssertionError) or "hint" not in str(exc):
        _hint_lines(add, level)
    return finish(headline)


def _is_pytest_failed(exc) -> bool:
    return isinstance(exc, pytest.fail.Exception)


def _timeout_of(item) -> float:
    marker = item.get_closest_marker("timeout")
    try:
        if marker is not None and marker.args:
            return float(marker.args[0])
        return float(item.config.getoption("timeout") or 0)
    except (ValueError, TypeError):
        return 0.0


def _split_assertion(text: str, code: str = "") -> tuple[str, str]:
    """Split pytest's assertion text into the test's message and one 'computed / expected' line
    (``code``: the assert statement, to name what was computed)."""
    lines = text.splitlines()
    cut = next((i for i, line in enumerate(lines) if line.startswith("assert ")), None)
    if cut is None:
        return text, ""
    message = "\n".join(lines[:cut]).rstrip()
    rest = lines[cut:]
    obtained = next((line.split(":", 1)[1].strip() for line in rest if line.strip().startswith("Obtained:")), None)
    expected = next((line.split(":", 1)[1].strip() for line in rest if line.strip().startswith("Expected:")), None)
    if obtained is not None and expected is not None:
        m = re.match(r"assert\s+(.+?)\s*==", code)
        what = f"{m.group(1)} = " if m and not message else "computed "
        computed = f"{what}{obtained}, expected {expected}"
    elif message:
        computed = ""  # the test's message says it all; pytest's 'assert False + where ...' adds nothing
    else:
        computed = rest[0]
        wheres = [line.strip() for line in rest[1:] if line.strip().startswith("+")]
        if wheres:
            computed += "   (" + "; ".join(w.lstrip("+ ").strip() for w in wheres[:2]) + ")"
    if not message:
        message, computed = computed, ""
    return message, computed


def _likely_cause(item, add, message: str, level: int | None) -> None:
    """For a gradient that came out wrong: check the engine op by op (once per run)."""
    low = message.lower()
    if "your backward gave" in low or "missing accumulation" in low or "first wrong step" in low:
        return
    if not any(w in low for w in ("grad", "backward", "d(", "d out", "/d", "'(")):
        return
    run = getattr(item.config, "_kata", None)
    if run is None or run.impl is None:
        return
    st = _state(item.config)
    if st.check_ops_cache is None:
        from runner import diagnose

        try:
            st.check_ops_cache = diagnose.check_ops(run.impl.Value, run.level.number)
        except Exception:  # noqa: BLE001
            st.check_ops_cache = []
    relevant = [f for f in st.check_ops_cache if f.op is None or _op_level(f.op) <= (level or run.level.number)]
    if relevant:
        add("  likely cause (each op checked on its own):", yellow=True)
        for f in relevant[:3]:
            add(f"    {f}", yellow=True)


def _op_level(name: str) -> int:
    from utils.ops import OPS

    lv = OPS[name].level if name in OPS else None
    return lv if lv is not None else 99


def likely_cause(exc: BaseException, frame) -> str:
    """Common mistakes behind an error, in the learner's terms."""
    text = str(exc)
    name = type(exc).__name__
    func = frame.name if frame is not None else ""
    if name == "TypeError" and "unsupported operand type" in text and "'Value'" in text:
        op = text.split("for ", 1)[1].split(":", 1)[0].strip() if "for " in text else "?"
        reflected = {"+": "__radd__", "*": "__rmul__", "-": "__rsub__", "/": "__rtruediv__", "** or pow()": "__pow__"}
        if text.rstrip().endswith("'Value'") and op in reflected:
            return (f"a plain number {op} Value: Python then asks the Value for {reflected[op]}; "
                    "write it (or return NotImplemented only for types you refuse)")
        return "one side is a Value, the other a number: use .data for the number inside a Value"
    if name == "AttributeError" and text.startswith("'NoneType'"):
        return "an op returned None: did you forget `return out`?"
    if name == "AttributeError" and "object has no attribute 'data'" in text:
        return ("a plain number reached code that expects a Value: wrap it first, "
                "other = other if isinstance(other, Value) else Value(other)")
    if name == "TypeError" and "'NoneType' object is not callable" in text:
        return "a _backward is None: give every node (leaves too) a do-nothing _backward, lambda: None"
    if name == "TypeError" and "unhashable type: 'Value'" in text:
        return ("Value defines __eq__, which removes __hash__: the kata's Values compare by identity "
                "(no __eq__), so they can go in sets and dicts")
    if name == "AttributeError" and "'Value' object has no attribute" in text:
        attr = text.rsplit("'", 2)[-2] if text.count("'") >= 4 else "it"
        return f"set {attr} in __init__ (every Value has data, grad, _backward, _prev and _op)"
    if name == "OverflowError" and "tanh" in func:
        return "math.exp overflows for large |x|: compute tanh with math.tanh, which saturates at +-1"
    if name == "OverflowError":
        return "a number grew too large for a float: for tanh use math.tanh; check the exponent of ** and exp"
    if name == "TypeError" and ("positional argument" in text or "unexpected keyword" in text):
        return "a method's signature differs from the stub's: keep Value(data, _children=(), _op='')"
    return ""


def _explain_recursion(item, frames, level, run) -> tuple[str, list[str]]:
    files = _learner_files(item.config)
    mine = [f for f in frames if str(Path(f.filename).resolve()) in files]
    out = [f"  Python stops at {sys.getrecursionlimit()} nested calls."]
    if not mine:
        return "RecursionError: calls nested too deeply", out
    (fname, func, lineno), count = Counter((f.filename, f.name, f.lineno) for f in mine).most_common(1)[0]
    headline = f"RecursionError: {func} called itself {count}+ times ({_rel(fname)}:{lineno})"
    dunder = func.startswith("__") and func.endswith("__")
    if dunder:
        out.append(f"  {func} ends up calling itself: e.g. __radd__ returning `other + self` when other is a "
                   "number calls __radd__ again; write it as `self + other`, so __add__ does the work")
    else:
        deep = "level 3 builds graphs deeper than that" if (level or 0) >= 3 else "the graph is deep"
        out.append(f"  {func} recurses once per node: either {deep} -- then build the topological order "
                   "with an explicit stack instead of recursion -- or the walk never stops: keep a visited "
                   "set, so every node is expanded once, and check that no node is its own operand")
    frame = next(f for f in reversed(mine) if (f.filename, f.name, f.lineno) == (fname, func, lineno))
    if _code_line(frame):
        out.append(f"  {'your code':<11} {_rel(fname)}:{lineno}, in {func}")
        out.append(f"  {'':<11}     {_code_line(frame)}")
    return headline, out


def _example_lines(add, exc) -> None:
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
            if not s or s.startswith("Falsifying example") or s in (")", "),"):
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


def _is_hypothesis(item) -> bool:
    obj = getattr(item, "obj", None)
    return bool(getattr(obj, "is_hypothesis_test", False) or hasattr(obj, "hypothesis"))


def replay_command(item, run) -> str:
    """The one command that runs this test again with the same examples (the
    learner profile is derandomized: a test's examples depend only on its source)."""
    parts = ["python", "-m", "pytest", item.nodeid]
    if run is not None:
        parts.append(f"--level={run.level.number}")
        if run.impl is not None and run.impl.label != "learner":
            parts.append(f"--impl={run.impl.label}")
    profile = os.environ.get("KATA_HYPOTHESIS_PROFILE")
    cmd = " ".join(shlex.quote(p) for p in parts)
    return f"KATA_HYPOTHESIS_PROFILE={profile} {cmd}" if profile and profile != "learner" else cmd


def _hint_lines(add, level: int | None) -> None:
    if level is not None:
        add(f"  {'stuck?':<11} nox -s hint -- {level}")


# -- the summary at the end ------------------------------------------------------------


def _kata_counts(config) -> dict:
    st = _state(config)
    run = getattr(config, "_kata", None)
    per_level: dict[int, dict[str, int]] = {}
    for nid, lv in st.levels.items():
        d = per_level.setdefault(lv, {"passed": 0, "failed": 0, "skipped": 0, "total": 0})
        d["total"] += 1
        outcome = st.outcomes.get(nid)
        if outcome == "passed":
            d["passed"] += 1
        elif outcome in ("failed", "error"):
            d["failed"] += 1
        elif outcome == "skipped":
            d["skipped"] += 1
    passed = sum(d["passed"] for d in per_level.values())
    total = sum(d["total"] for d in per_level.values())
    failed = sum(d["failed"] for d in per_level.values())
    return {"run": run, "per_level": dict(sorted(per_level.items())), "passed": passed, "failed": failed,
            "total": total}


def _complete(config, session=None) -> bool:
    st = _state(config)
    if st.deselected:
        return False
    if any("::" in str(a) for a in config.args):
        return False
    if session is not None and (session.shouldstop or session.shouldfail):
        return False
    return all(nid in st.outcomes for nid in st.levels)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    run = getattr(config, "_kata", None)
    error = getattr(config, "_kata_error", None)
    if run is None and not error:
        return
    tw = terminalreporter
    counts = _kata_counts(config)
    level = run.level.number if run else None
    engine = _engine_label(run)
    tw.write_sep("=", f"kata: level {level}" + (f", {engine}" if engine else ""), bold=True)
    if error:
        for i, line in enumerate(error.splitlines()):
            tw.write_line(line, red=(i == 0), bold=(i == 0))
        tw.write_line("")
        tw.write_line(f"No test could run: fix this first, then run `nox -s level{level}` again.", bold=True)
        return
    for lv, d in counts["per_level"].items():
        state = "done" if d["passed"] == d["total"] and d["total"] else ""
        not_run = d["total"] - d["passed"] - d["failed"] - d["skipped"]
        skipped = (f" ({d['skipped']} skipped)" if d["skipped"] else "") + (f" ({not_run} not run)" if not_run else "")
        tw.write_line(f"level {lv}  {d['passed']:>3} of {d['total']:<3} passing{skipped}  {state}".rstrip(),
                      green=bool(state), bold=bool(state))
    if any(d["skipped"] for d in counts["per_level"].values()):  # say once how to get PyTorch tests running
        from utils.torch_oracle import TORCH_MISSING

        if any(TORCH_MISSING in str(r.longrepr) for r in terminalreporter.stats.get("skipped", [])):
            tw.write_line(f"skipped: {TORCH_MISSING}", yellow=True)
    st = _state(config)
    first = next((nid for nid in st.levels if st.outcomes.get(nid) in ("failed", "error")), None)
    learner = run is not None and run.impl is not None and run.impl.label == "learner"
    if first is not None:
        tw.write_line(f"next: {first}", bold=True)
        if st.headlines.get(first):
            tw.write_line(f"      {st.headlines[first][:200]}")
        if learner:
            first_level = st.levels[first]
            tw.write_line(f"stuck? {_hint_status(first_level)}")
    elif counts["total"] and counts["passed"] == counts["total"] and _complete(config, terminalreporter._session):
        if not learner:
            tw.write_line(f"every test of levels 1-{level} passes on this engine", green=True)
        elif level < len(manifest.levels()):
            nxt = level + 1
            tw.write_line(f"level {level} done. Next: `nox -s carry -- {nxt}` brings your code into "
                          f"{manifest.level(nxt).folder}, then `nox -s level{nxt}`", green=True, bold=True)
        else:
            tw.write_line("every level done. Practise against the clock: `nox -s interview`", green=True, bold=True)
    if learner:
        tw.write_line(f"progress: nox -s progress    re-run on save: nox -s level{level} -- --watch")


def _engine_label(run) -> str:
    if run is None or run.impl is None:
        return ""
    if run.impl.label == "learner":
        return f"your code in {_rel(run.impl.files['value'])}"
    return f"engine {run.impl.label}"


def _hint_status(level: int) -> str:
    try:
        from tools import hints

        return hints.status_line(level)
    except Exception:  # noqa: BLE001 - the hint line must never break a run
        return f"nox -s hint -- {level}"


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    run = getattr(config, "_kata", None)
    error = getattr(config, "_kata_error", None)
    if run is None and not error:
        return
    if error and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    counts = _kata_counts(config)
    st = _state(config)
    complete = _complete(config, session)
    result = {
        "level": run.level.number if run else None,
        "impl": run.impl.label if run and run.impl else config.getoption("impl"),
        "passed": counts["passed"],
        "failed": counts["failed"],
        "total": counts["total"],
        "complete": complete and not error,
        "error": error,
        "by_level": {str(k): v for k, v in counts["per_level"].items()},
        "duration_s": round(time.time() - st.started, 3),
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    path = config.getoption("kata_report")
    if path:
        report = dict(result, tests=[
            {"nodeid": nid, "level": st.levels.get(nid), "outcome": st.outcomes.get(nid, "deselected"
                                                                                  if nid in st.deselected
                                                                                  else "not run"),
             "message": st.headlines.get(nid, "")}
            for nid in st.levels])
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(report, indent=2) + "\n")
    if result["impl"] == "learner" and result["level"] is not None and not hasattr(config, "workerinput"):
        try:
            save_progress(result)
        except OSError:
            pass


def save_progress(result: dict) -> None:
    """Record a learner's run in .kata/progress.json: the last run of each level,
    and the last complete one (``nox -s progress`` reads them)."""
    from runner import state

    path = state.path("progress.json")
    try:
        data = json.loads(path.read_text())
        if not isinstance(data, dict) or not isinstance(data.get("levels"), dict):
            raise ValueError
    except (OSError, ValueError):
        data = {"levels": {}}
    entry = data["levels"].setdefault(str(result["level"]), {})
    if not isinstance(entry, dict):
        entry = data["levels"][str(result["level"])] = {}
    record = {k: result[k] for k in ("level", "impl", "passed", "failed", "total", "complete", "by_level",
                                     "timestamp")}
    record["error"] = bool(result["error"])
    entry["last"] = record
    if result["complete"] or result["error"]:
        entry["complete"] = record
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)
