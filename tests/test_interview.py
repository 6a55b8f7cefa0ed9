"""Interview practice: the clock, the loop, scopes and real one-level attempts.

The loop is tested with a fake clock (no sleeping); the end-to-end attempts run
the real level tests in a subprocess against a real practice folder, and one
runs the command itself with the real file watcher. Every test keeps its state
in its own ``tmp_path`` (``KATA_STATE_DIR``).
"""

from __future__ import annotations

import dataclasses
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
from tools.interview import script as scripts
from tools.interview import views
from runner import manifest
from tools.interview.core import ABANDONED, FINISHED, TIMED_OUT, Attempt, RunResult, drive

from tests.interview_support import (
    REFERENCE,
    ROOT,
    FakeClock,
    katas_digest,
    run_main,
    saves_at,
    score,
    scripted_runner,
)


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
    assert "4" not in scopes and "full" not in scopes  # full is the staged attempt (test_interview_staged.py)


def test_level_4_is_not_an_interview_scope():
    with pytest.raises(interview_core.ScopeError, match="nn.py"):
        interview_core.scope("4")
    with pytest.raises(interview_core.ScopeError, match="no level 9"):
        interview_core.scope("9")


def test_a_scope_whose_files_are_missing_says_so():
    real = interview_core.scope("3")
    unwritten = dataclasses.replace(real, level=dataclasses.replace(real.level, stub="stubs/not-written-yet"))
    with pytest.raises(interview_core.ScopeError, match="not available yet"):
        interview_core.check_available(unwritten)


def test_help_states_the_default_minutes_and_the_level_4_rule(capsys):
    with pytest.raises(SystemExit):
        interview.main(["--help"])
    text = capsys.readouterr().out
    assert "Level 4 is not an interview scope" in text
    assert all(f"{s.minutes:g} min  {s.title}" in text for s in scripts.stages().values())
    assert f"{manifest.level(1).minutes:g} min" in text



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
    assert [{k: v for k, v in json.loads(line).items() if k != "version"} for line in lines] == [record]
    assert all(json.loads(line)["version"] == 1 for line in lines)  # every line carries its format
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


def test_a_run_that_cannot_start_says_why_and_is_not_green(tmp_path):
    empty = tmp_path / "no-engine-here"
    empty.mkdir()
    result = interview_core.pytest_runner(interview_core.scope("1"), empty)(60)
    assert not result.green and result.error and "did not run" in result.error
    assert "value.py" in result.error  # the plugin's one-line reason comes through


def test_without_watchfiles_the_watcher_polls_modification_times(tmp_path, monkeypatch):
    monkeypatch.setattr(views, "watchfiles", None)
    (tmp_path / "value.py").write_text("x = 1\n")
    wait = views.file_watcher(tmp_path)
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
