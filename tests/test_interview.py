"""Interview practice: the clock, the loop, the history and the oral drill.

The loop is tested with a fake clock (no sleeping); the end-to-end attempts run
the real level tests in a subprocess against a real practice folder, and one
runs the command itself with the real file watcher. Every test keeps its state
in its own ``tmp_path`` (``KATA_STATE_DIR``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tools import hints
from tools.interview import cli as interview
from tools.interview import core as interview_core
from tools.interview import history as interview_history
from tools.interview import questions as interview_questions
from runner import manifest
from tools.interview.core import ABANDONED, FINISHED, TIMED_OUT, Attempt, RunResult, drive

ROOT = manifest.ROOT
REFERENCE = ROOT / "reference" / "engine.py"


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("KATA_STATE_DIR", str(folder))
    return folder


def katas_digest() -> dict[str, str]:
    """Every file under katas/ (bytecode caches aside) and its SHA-256."""
    out = {}
    for p in sorted((ROOT / "katas").rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            out[str(p.relative_to(ROOT))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


class FakeClock:
    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def scripted_runner(clock: FakeClock, results: list[RunResult], seconds: float = 2.0):
    """A runner that takes ``seconds`` of fake time and returns the next scripted result
    (the last one again once the script is used up); ``calls`` records each timeout given."""
    calls = []

    def run(timeout: float) -> RunResult:
        calls.append(timeout)
        clock.t += seconds
        return results[min(len(calls) - 1, len(results) - 1)]

    run.calls = calls
    return run


def saves_at(clock: FakeClock, *moments: float):
    """A watcher reporting a save at each of these moments (seconds since the clock's start)."""
    start = clock.t
    pending = list(moments)

    def wait(timeout: float) -> bool:
        assert 0 < timeout <= 1.0, "the loop must look at the clock at least once a second"
        clock.t += timeout
        if pending and clock.t - start >= pending[0]:
            pending.pop(0)
            return True
        return False

    return wait


def score(passed: int, total: int) -> RunResult:
    return RunResult(passed=passed, total=total, failures=[("test_x", "boom")] * (total - passed))


SCOPE1 = interview_core.scope("1")


# -- the clock and the loop, with a fake clock ----------------------------------------------


def test_attempt_finishes_at_the_first_green_run_timed_at_the_save():
    clock = FakeClock()
    attempt = Attempt(SCOPE1, minutes=10, clock=clock)
    runner = scripted_runner(clock, [score(0, 5), score(2, 5), score(5, 5), score(0, 5)])
    drive(attempt, runner, saves_at(clock, 30, 90))
    assert attempt.outcome == FINISHED
    assert attempt.runs == 3  # the starting run and one per save; nothing after green
    assert (attempt.passed, attempt.total) == (5, 5)
    # the second save came at 90 s (plus the 2 s of the first run, which the clock also saw)
    assert 90 <= attempt.elapsed_s <= 93, attempt.elapsed_s


def test_attempt_times_out_with_the_score_of_a_last_run_at_the_bell():
    clock = FakeClock()
    attempt = Attempt(SCOPE1, minutes=1, clock=clock)
    runner = scripted_runner(clock, [score(0, 5), score(1, 5), score(3, 5)])
    drive(attempt, runner, saves_at(clock, 20))
    assert attempt.outcome == TIMED_OUT
    assert attempt.runs == 3  # start, the save at 20 s, the bell
    assert (attempt.passed, attempt.total) == (3, 5)  # the bell's run, not the save's
    assert attempt.elapsed_s == 60
    assert runner.calls[-1] == interview_core.FINAL_RUN_TIMEOUT


def test_green_at_the_bell_counts_as_finished_at_the_limit():
    clock = FakeClock()
    attempt = Attempt(SCOPE1, minutes=1, clock=clock)
    drive(attempt, scripted_runner(clock, [score(0, 5), score(5, 5)]), saves_at(clock))
    assert (attempt.outcome, attempt.elapsed_s, attempt.runs) == (FINISHED, 60, 2)


def test_a_save_after_the_deadline_does_not_start_an_ordinary_run():
    clock = FakeClock()
    attempt = Attempt(SCOPE1, minutes=0.5, clock=clock)
    runner = scripted_runner(clock, [score(0, 5)], seconds=40)  # the first run overruns the clock
    drive(attempt, runner, saves_at(clock, 0))
    assert attempt.outcome == TIMED_OUT
    assert runner.calls == [pytest.approx(30 + interview_core.RUN_GRACE), interview_core.FINAL_RUN_TIMEOUT]


def test_ctrl_c_abandons_the_attempt_and_keeps_the_last_score():
    clock = FakeClock()
    attempt = Attempt(SCOPE1, minutes=10, clock=clock)

    def wait(timeout: float) -> bool:
        clock.t += timeout
        if clock.t - attempt.t0 >= 30:
            raise KeyboardInterrupt
        return clock.t - attempt.t0 == 10  # one save at 10 s

    drive(attempt, scripted_runner(clock, [score(0, 5), score(2, 5)], seconds=0), wait)
    assert attempt.outcome == ABANDONED
    assert attempt.elapsed_s == pytest.approx(30)
    assert (attempt.runs, attempt.passed, attempt.total) == (2, 2, 5)


def test_ctrl_c_during_a_run_abandons_too():
    clock = FakeClock()
    attempt = Attempt(SCOPE1, minutes=10, clock=clock)

    def run(timeout):
        raise KeyboardInterrupt

    drive(attempt, run, saves_at(clock))
    assert (attempt.outcome, attempt.runs, attempt.total) == (ABANDONED, 0, 0)
    assert not attempt.running


def test_a_run_that_went_wrong_is_never_green():
    assert not RunResult(passed=3, total=3, error="the tests did not run").green
    assert not RunResult(passed=0, total=0).green
    assert RunResult(passed=3, total=3).green
    clock = FakeClock()
    attempt = Attempt(SCOPE1, minutes=10, clock=clock)
    attempt.record_run(RunResult(passed=3, total=3, error="killed"), 0)
    assert not attempt.over


def test_an_ended_attempt_refuses_more_runs():
    attempt = Attempt(SCOPE1, minutes=1, clock=FakeClock())
    attempt.record_run(score(5, 5), 1.0)
    with pytest.raises(RuntimeError):
        attempt.record_run(score(5, 5), 2.0)
    attempt.abandon()  # too late to abandon: stays finished
    assert attempt.outcome == FINISHED


# -- scopes ----------------------------------------------------------------------------------


def test_scopes_and_their_default_clocks():
    scopes = interview_core.scopes()
    for n in (1, 2):
        assert scopes[str(n)].minutes == manifest.level(n).minutes
        assert scopes[str(n)].levels == tuple(range(1, n + 1))
    assert scopes["full"].minutes == 45
    assert scopes["full"].levels == (1, 2, 3)
    assert "4" not in scopes


def test_level_4_is_not_an_interview_scope():
    with pytest.raises(interview_core.ScopeError, match="nn.py"):
        interview_core.scope("4")
    with pytest.raises(interview_core.ScopeError, match="no level 9"):
        interview_core.scope("9")


def test_a_scope_whose_files_are_missing_says_so():
    real = interview_core.scope("full")
    unwritten = dataclasses.replace(real, level=dataclasses.replace(real.level, stub="stubs/not-written-yet"))
    with pytest.raises(interview_core.ScopeError, match="not available yet"):
        interview_core.check_available(unwritten)
    err = io.StringIO()
    if real.missing():  # while level 3 is being written, the command says so instead of crashing
        code, _ = run_main(["full"], stderr=err)
        assert code == 2 and "not available yet" in err.getvalue()


def test_help_states_the_default_minutes_and_the_level_4_rule(capsys):
    with pytest.raises(SystemExit):
        interview.main(["--help"])
    text = capsys.readouterr().out
    assert "45 min" in text and "Level 4 is not an interview scope" in text
    assert f"{manifest.level(1).minutes:g} min" in text


def run_main(argv, stdin: str = "", stderr=None):
    out = io.StringIO()
    old = sys.stderr
    sys.stderr = stderr or io.StringIO()
    try:
        code = interview.main(argv, stdin=io.StringIO(stdin), out=out)
    finally:
        sys.stderr = old
    return code, out.getvalue()


def test_command_line_refusals():
    err = io.StringIO()
    assert run_main(["4"], stderr=err)[0] == 2 and "not an interview scope" in err.getvalue()
    code, out = run_main([])
    assert code == 2 and "full" in out
    err = io.StringIO()
    assert run_main(["1", "--minutes", "0"], stderr=err)[0] == 2 and "--minutes" in err.getvalue()


# -- hints read during an attempt ------------------------------------------------------------


@pytest.mark.parametrize("content, expected", [
    ('{"levels": {"1": {"read": [1, 2]}, "2": {"read": [1]}}}', 3),
    ('{"levels": {"1": {"read": [1, 2, 3], "last_read": "2025-01-01T10:00:00"}}}', 3),
    ('{"levels": {"3": {"read": [1]}}}', 0),  # not a level of the scope
    ('{"levels": {"1": {"read": "lots"}}}', 0),
    ("{not json", 0),
    ("[1, 2]", 0),
])
def test_hint_tiers_are_read_defensively(state, content, expected):
    state.mkdir(parents=True, exist_ok=True)
    (state / "hints.json").write_text(content)
    assert interview_core.hint_tiers_read((1, 2)) == expected


def test_no_hints_file_means_no_hints():
    assert interview_core.hint_tiers_read((1,)) == 0


# -- real attempts: the real test runner, a real practice folder ------------------------------


def test_an_attempt_into_which_the_reference_is_pasted_finishes_and_is_recorded(state):
    before = katas_digest()
    clock = FakeClock()
    hints.mark_read(1, 1)  # read before the attempt: not counted
    seen = {}

    def watcher(folder: Path):
        seen["folder"] = folder

        def wait(timeout: float) -> bool:
            clock.t += 42  # the learner pastes the engine 42 s in, after reading a hint
            (folder / "value.py").write_text(REFERENCE.read_text())
            hints.mark_read(1, 2)  # as `nox -s hint -- 1` records it
            hints.mark_read(1, 1)  # reading a tier again is free
            return True

        return wait

    out = io.StringIO()
    record = interview.practise(interview_core.scope("1"), 20, out, plain=True, clock=clock, watcher_factory=watcher)

    folder = seen["folder"]
    assert folder.parent == state / "interview" / "attempts"
    assert str(folder / "value.py") in out.getvalue()  # the learner is told which file to open
    assert record["outcome"] == "finished"
    assert record["elapsed_s"] == pytest.approx(42, abs=0.5)
    assert record["total"] >= 10 and record["passed"] == record["total"]
    assert (record["runs"], record["hints_used"], record["minutes"]) == (2, 1, 20)
    lines = (state / "interview" / "history.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [record]
    assert set(interview_history.KEYS) <= set(record)
    assert "Finished green in 0:42" in out.getvalue()
    assert katas_digest() == before


def test_an_attempt_that_runs_out_of_time_records_its_partial_score(state):
    before = katas_digest()
    clock = FakeClock()

    def watcher(folder: Path):
        def wait(timeout: float) -> bool:
            clock.t += timeout  # nobody saves: the untouched stub meets the bell
            return False

        return wait

    sc = interview_core.scope("2")
    stub = sc.stub_file.read_bytes()
    out = io.StringIO()
    record = interview.practise(sc, 0.5, out, plain=True, clock=clock, watcher_factory=watcher)
    assert record["outcome"] == "timed out"
    assert record["passed"] == 0 and record["total"] > 0
    assert (record["elapsed_s"], record["runs"]) == (30, 2)
    assert Path(record["folder"], "value.py").read_bytes() == stub
    assert "Time is up" in out.getvalue() and f"0/{record['total']}" in out.getvalue()
    assert katas_digest() == before
    assert sc.stub_file.read_bytes() == stub


def test_the_command_with_the_real_watcher_finishes_when_the_reference_is_pasted(state):
    """As a learner: start the command, paste the reference into the printed file, see it finish."""
    before = katas_digest()
    env = dict(os.environ, KATA_STATE_DIR=str(state), PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.Popen([sys.executable, "-m", "tools.interview", "1", "--minutes", "2"], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        attempts = state / "interview" / "attempts"
        while not list(attempts.glob("*/value.py")) and time.monotonic() < deadline:
            time.sleep(0.1)
        (practice,) = attempts.glob("*/value.py")
        time.sleep(1.5)  # let the watcher settle, as a learner takes a moment to paste
        shutil.copyfile(REFERENCE, practice)
        output, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, output
    assert "Finished green" in output, output
    (record,) = interview_history.read_history().records
    assert record["outcome"] == "finished" and record["passed"] == record["total"] > 0
    assert 0 < record["elapsed_s"] < 60
    assert katas_digest() == before


# -- the history file -------------------------------------------------------------------------


def good(scope="1", elapsed=300.0, outcome="finished"):
    return {"scope": scope, "started": "2025-01-02T10:00:00", "elapsed_s": elapsed, "minutes": 20, "runs": 4,
            "passed": 21, "total": 21, "hints_used": 0, "outcome": outcome, "folder": "x"}


def test_a_corrupt_history_is_reported_shown_and_never_rewritten(state):
    path = interview_history.history_file()
    corrupt = (json.dumps(good(elapsed=300)) + "\n" + "{this is not json\n" + json.dumps(good("2", 600)) + "\n"
               + '{"scope": "1", "elapsed')  # a line cut short, no newline
    path.write_text(corrupt)
    code, out = run_main(["--history", "--plain"])
    assert code == 0
    assert str(path) in out and "line 2" in out and "line 4" in out
    assert "5:00" in out and "10:00" in out  # the good lines are still shown
    assert path.read_text() == corrupt

    interview_history.append(path, good("1", 200))  # a new attempt after the damage
    text = path.read_text()
    assert text.startswith(corrupt)
    data = interview_history.read_history()
    assert [r["elapsed_s"] for r in data.records] == [300, 600, 200]
    assert [n for n, _ in data.problems] == [2, 4]


def test_history_table_best_times_and_plot(state):
    path = interview_history.history_file()
    for r in (good("1", 600), good("1", 420), good("1", 1200, "timed out"), good("2", 900), good("2", 80, "abandoned")):
        interview_history.append(path, r)
    code, out = run_main(["--history"])
    assert code == 0
    assert "1: 7:00" in out and "2: 15:00" in out  # best finished time per scope, abandoned runs aside
    assert "timed out" in out and "abandoned" in out
    png = interview_history.plot_file()
    assert str(png) in out and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_history_without_matplotlib_says_the_plot_needs_it(state, monkeypatch):
    interview_history.append(interview_history.history_file(), good())
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out = run_main(["--history", "--plain"])
    assert code == 0 and "needs matplotlib" in out


def test_empty_history_says_how_to_start():
    code, out = run_main(["--history"])
    assert code == 0 and "No interview attempts" in out


# -- the oral drill -----------------------------------------------------------------------------


def test_the_real_questions_file_parses():
    qs = interview_questions.load()
    assert len(qs) >= 30
    assert [q.n for q in qs] == list(range(1, len(qs) + 1))
    assert all(q.answer and not q.answer.startswith(("Level:", "Tags:")) for q in qs)
    assert all(q.level in (1, 2, 3, 4) for q in qs)
    assert any(q.tags for q in qs)


def test_question_parser_is_strict_and_says_where():
    text = "# T\n\nintro\n\n## Q1. What?\nLevel: 2\nTags: a, b\n\nBecause.\n\n## Q2 missing dot\nx\n"
    with pytest.raises(interview_questions.QuestionsFormatError, match="line 11"):
        interview_questions.parse(text)
    (q,) = interview_questions.parse(text.split("## Q2")[0])
    assert (q.n, q.text, q.level, q.tags, q.answer, q.line) == (1, "What?", 2, ("a", "b"), "Because.", 5)
    with pytest.raises(interview_questions.QuestionsFormatError, match="no answer"):
        interview_questions.parse("## Q1. Empty?\nLevel: 1\n\n## Q2. B?\nyes\n")


def test_a_scripted_drill_is_recorded(state):
    code, out = run_main(["--questions", "--count", "3", "--seed", "7", "--seconds", "30"],
                         stdin="\n2\nmy note\n7\n1\n\n0\n")
    assert code == 0, out
    lines = interview_history.questions_file().read_text().splitlines()
    answers = [json.loads(line) for line in lines]
    assert [a["grade"] for a in answers] == [2, 1, 0]  # "7" was refused and asked again
    assert "Please type 0, 1 or 2" in out
    assert all(a["revealed"] == "early" and a["seconds"] == 30 for a in answers)
    assert answers[1]["note"] == "my note"
    assert "Model answer" in out and "3 question(s), 3 of 6 points" in out
    by_n = {q.n: q for q in interview_questions.load()}
    for a in answers:  # each shown answer is the model answer of the question asked
        assert by_n[a["n"]].text in out and by_n[a["n"]].answer.splitlines()[0] in out
    # the same seed asks the same questions
    again = run_main(["--questions", "--count", "3", "--seed", "7"], stdin="\n2\n\n2\n\n2\n")[1]
    assert [a["n"] for a in answers] == [json.loads(line)["n"] for line in
                                         interview_history.questions_file().read_text().splitlines()[3:]]
    assert "6 of 6 points" in again


def test_drill_timer_runs_out_then_asks_for_the_grade():
    class SlowInput(io.StringIO):
        def readline(self, *args):
            time.sleep(0.3)  # nobody presses Enter within the 0.05 s
            return super().readline(*args)

    q = interview_questions.Question(1, "Why?", "Because.", 3, 1, ("x",))
    out, recorded = io.StringIO(), []
    answers = interview_questions.drill([q], 1, 0.05, interview_questions.random.Random(0), SlowInput("1\n"), out,
                                        recorded.append)
    assert [a["revealed"] for a in answers] == ["time up"] and recorded == answers
    assert answers[0]["grade"] == 1 and "Time is up" in out.getvalue()


def test_drill_stops_at_end_of_input_without_waiting():
    started = time.monotonic()
    code, out = run_main(["--questions", "--count", "2", "--seconds", "60"], stdin="")
    assert code == 0 and "no more input" in out
    assert time.monotonic() - started < 10
    assert not interview_history.questions_file().exists() or not interview_history.questions_file().read_text()


def test_drill_with_a_scope_asks_only_questions_up_to_its_level():
    run_main(["1", "--questions", "--count", "50", "--seconds", "5"], stdin="\n2\n" * 50)
    asked = [json.loads(line) for line in interview_history.questions_file().read_text().splitlines()]
    assert asked and all(a["level"] == 1 for a in asked)
    assert len(asked) == sum(1 for q in interview_questions.load() if q.level == 1)


def test_a_run_that_cannot_start_says_why_and_is_not_green(tmp_path):
    empty = tmp_path / "no-engine-here"
    empty.mkdir()
    result = interview_core.pytest_runner(interview_core.scope("1"), empty)(60)
    assert not result.green and result.error and "did not run" in result.error
    assert "value.py" in result.error  # the plugin's one-line reason comes through


def test_without_watchfiles_the_watcher_polls_modification_times(tmp_path, monkeypatch):
    monkeypatch.setattr(interview, "watchfiles", None)
    (tmp_path / "value.py").write_text("x = 1\n")
    wait = interview.file_watcher(tmp_path)
    assert wait(0.05) is False
    (tmp_path / "notes.txt").write_text("not Python")
    assert wait(0.05) is False
    (tmp_path / "value.py").write_text("x = 2  # saved\n")
    os.utime(tmp_path / "value.py", ns=(1, 1))  # a different mtime whatever the clock's resolution
    assert wait(0.05) is True
    assert wait(0.05) is False


def test_an_attempt_that_cannot_be_recorded_prints_its_record(state):
    clock = FakeClock()
    history_path = interview_history.history_file()
    history_path.mkdir()  # a folder where the file should be: writing fails

    def watcher(folder):
        def wait(timeout):
            raise KeyboardInterrupt

        return wait

    def runner(sc, folder):
        return lambda timeout: score(0, 4)

    out = io.StringIO()
    record = interview.practise(interview_core.scope("1"), 5, out, plain=True, clock=clock,
                                runner_factory=runner, watcher_factory=watcher)
    assert record["outcome"] == "abandoned" and (record["passed"], record["total"], record["runs"]) == (0, 4, 1)
    assert "Could not record" in out.getvalue() and json.dumps(record) in out.getvalue()
    code, text = run_main(["--history", "--plain"])
    assert code == 1 and str(history_path) in text
