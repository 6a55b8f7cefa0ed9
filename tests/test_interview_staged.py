"""Staged attempts: the core, then the follow-ups, oral questions between, a scorecard.

The loop is tested with a fake clock and scripted runs; then a scripted learner
drives a whole default attempt through the real stage tests, writing one file
stage by stage as the prompts appear (the clock is injected: nothing sleeps).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from runner.state import VERSION as STATE_VERSION
from tests.interview_support import FakeClock, katas_digest, run_main, score
from tools.interview import history as interview_history
from tools.interview import script as scripts
from tools.interview import staged
from tools.interview.core import RunResult
from tools.interview.staged_terminal import practise_staged, scaled



class View:
    def __init__(self, attempt, heading):
        self.heading = heading

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def show(self, attempt):
        pass


def play(script, clock, runs: dict[str, list[RunResult]], save_every: float, oral=None, interrupt_in: str = ""):
    """Play ``script`` with scripted runs per stage (2 s each) and a save every ``save_every`` s."""
    folder = Path("unused")
    attempt = staged.Staged(script, folder, staged.dt.datetime(2026, 1, 2, 10, 0), clock)
    current = {}
    announced = []

    def runner_for(stage):
        results, calls = runs[stage.name], []

        def run(timeout):
            calls.append(timeout)
            clock.t += 2
            return results[min(len(calls) - 1, len(results) - 1)]

        return run

    def wait(timeout):
        if current.get("stage") == interrupt_in:
            raise KeyboardInterrupt
        clock.t += timeout
        current["waited"] = current.get("waited", 0) + timeout
        if current["waited"] >= save_every:
            current["waited"] = 0
            return True
        return False

    def announce(i, result, carried):
        current.update(stage=result.stage.name, waited=0)
        announced.append((result.stage.name, result.budget_s, carried))

    def ask(done, following):
        clock.t += 30  # the oral question's own time
        return oral(done, following) if oral else None

    staged.play(attempt, runner_for, wait, announce, View, ask, lambda st: 0)
    return attempt, announced


def test_time_saved_carries_over_and_a_stage_out_of_time_moves_the_interview_on():
    clock = FakeClock()
    script = scaled(scripts.parse("core,ops,twice"), 30)  # shares scaled to 30 min in all
    shares = [s.minutes * 60 for s in script]
    runs = {"core": [score(0, 9), score(9, 9)], "ops": [score(0, 4)], "twice": [score(1, 3), score(3, 3)]}
    asked = []
    attempt, announced = play(script, clock, runs, save_every=120,
                              oral=lambda done, nxt: asked.append((done.name, nxt.name)) or {"after": done.name,
                                                                                            "n": 3, "grade": 2})
    core, ops, twice = attempt.results
    assert (core.outcome, ops.outcome, twice.outcome) == ("finished", "timed out", "finished")
    assert core.attempt.elapsed_s == pytest.approx(122)  # green at the save, 2 s run included
    assert ops.budget_s == pytest.approx(shares[1] + shares[0] - 122)  # the core's saved time carried over
    assert twice.budget_s == pytest.approx(shares[2])  # nothing saved on ops
    assert [a[0] for a in announced] == ["core", "ops", "twice"]
    assert asked == [("core", "ops"), ("ops", "twice")]  # between stages, not after the last
    record = attempt.record()
    assert record["outcome"] == "timed out" and record["scope"] == "core,ops,twice"
    assert [s["outcome"] for s in record["stages"]] == ["finished", "timed out", "finished"]
    assert (record["passed"], record["total"]) == (9 + 0 + 3, 9 + 4 + 3)
    assert record["oral"] == [{"after": "core", "n": 3, "grade": 2}, {"after": "ops", "n": 3, "grade": 2}]
    # total time: the stages, the two oral questions' 30 s each, and each stage's last 2 s run (a stage
    # is timed at the save that made it green, or at its bell)
    assert record["elapsed_s"] == pytest.approx(sum(r.attempt.elapsed_s for r in attempt.results) + 60 + 3 * 2)
    assert not staged.current_file().exists()  # --hint knows no attempt is running


def test_ctrl_c_abandons_and_the_stages_not_reached_are_recorded_as_such():
    clock = FakeClock()
    script = scripts.parse("core,ops,softmax")
    attempt, _ = play(script, clock, {"core": [score(5, 5)], "ops": [score(0, 4)], "softmax": [score(0, 1)]},
                      save_every=60, interrupt_in="ops")
    assert [r.outcome for r in attempt.results] == ["finished", "abandoned", "not reached"]
    record = attempt.record()
    assert record["outcome"] == "abandoned"
    assert record["stages"][2] == {**record["stages"][2], "elapsed_s": None, "runs": 0, "outcome": "not reached"}
    text = staged.scorecard(record)
    assert "not reached" in text and "1 of 3 stages green" in text


def test_hints_of_the_stage_in_progress(tmp_path):
    assert run_main(["--hint"])[0] == 1  # nothing running
    folder = tmp_path / "attempt"
    folder.mkdir()
    attempt = staged.Staged(scripts.parse("core,softmax"), folder, staged.dt.datetime.now(), FakeClock())
    staged.write_current(attempt, scripts.stages()["softmax"])
    hints = scripts.stages()["softmax"].hints
    shown = [run_main(["--hint"])[1] for _ in range(3)]
    assert hints[0] in shown[0] and hints[1] in shown[1] and hints[1] in shown[2] and "the last one" in shown[2]
    assert staged.stage_hints_shown(folder, "softmax") == 2  # reading the last one again is free
    assert staged.stage_hints_shown(folder, "core") == 0


# -- a scripted learner, through the real stage tests ---------------------------------------

ZOO = "from tests.zoo.{} import Value  # a wrong engine of the catalogue: its Value only\n"
DRAFTS = {  # what the learner has written by the end of each stage (one file, growing)
    "core": ZOO.format("stage_iterative_recursive_sort") + "del Value.sigmoid, Value.log, Value.zero_grad\n",
    "ops": ZOO.format("stage_iterative_recursive_sort") + "del Value.zero_grad\n",
    "iterative": ZOO.format("stage_twice_compounds") + "del Value.zero_grad\n",
    "twice": None,  # stuck: the learner runs out of time on this one
    "softmax": "from reference.engine import *  # noqa: F403 - every stage done\n",
}


def test_a_scripted_learner_plays_the_default_script_stage_by_stage(state):
    before = katas_digest()
    clock = FakeClock()
    out = io.StringIO()
    seen = {}

    def watcher(folder: Path):
        seen["folder"] = folder
        done = set()

        def wait(timeout: float) -> bool:
            stage = re.findall(r"=== Stage \d+ of \d+: (.*?) \(", out.getvalue())[-1]
            name = next(s.name for s in scripts.stages().values() if s.title == stage)
            if name in done or DRAFTS[name] is None:
                clock.t += timeout
                return False
            clock.t += 90  # the learner reads the prompt, writes for a minute and a half, saves
            (folder / "value.py").write_text(DRAFTS[name])
            done.add(name)
            return True

        return wait

    oral_input = io.StringIO("\n2\n\n1\n\n0\n\n2\n")  # Enter (model answer), then a grade, four times
    record = practise_staged(scripts.default_script(), out, oral_input, plain=True, clock=clock,
                             watcher_factory=watcher, seed=3)
    text = out.getvalue()
    assert [s["name"] for s in record["stages"]] == ["core", "ops", "iterative", "twice", "softmax"]
    assert [s["outcome"] for s in record["stages"]] == ["finished"] * 3 + ["timed out", "finished"]
    for s in record["stages"]:
        assert s["total"] > 0 and s["runs"] == 2  # the run at the prompt, then the save (or the bell)
    core, twice = record["stages"][0], record["stages"][3]
    assert core["elapsed_s"] == 90  # timed at the save that made it green
    saved = 18 * 60 - 90
    assert record["stages"][1]["budget_s"] == 5 * 60 + saved  # the time saved on the core carries over...
    budget = 18 * 60
    for stage in scripts.default_script()[1:4]:  # each green stage passes its unused time on
        budget = stage.minutes * 60 + (budget - 90)
    assert twice["elapsed_s"] == twice["budget_s"] == budget
    assert record["stages"][4]["budget_s"] == 5 * 60  # ...and nothing carries past a stage out of time
    # each prompt appears only once the stage before has ended, and the questions come between stages
    positions = [text.index(s.prompt.splitlines()[0]) for s in scripts.default_script()]
    assert positions == sorted(positions)
    assert text.count("the interviewer asks") == 4
    assert [o["grade"] for o in record["oral"]] == [2, 1, 0, 2]
    assert [o["after"] for o in record["oral"]] == ["core", "ops", "iterative", "twice"]
    assert "Scorecard" in text and "4 of 5 stages green" in text and "3 of 8 points" not in text
    assert "5 of 8 points" in text
    assert record["scope"] == "full" and record["outcome"] == "timed out"
    assert [json.loads(line) for line in interview_history.history_file().read_text().splitlines()] == [
        {"version": STATE_VERSION, **record}]  # the attempt, with the format version (runner/state.py)
    asked = [json.loads(line) for line in interview_history.questions_file().read_text().splitlines()]
    assert [a["n"] for a in asked] == [o["n"] for o in record["oral"]]
    assert katas_digest() == before
    # --history compares it with an old-style line (no stages) and a second staged attempt
    old = {"scope": "1", "started": "2025-01-02T10:00:00", "elapsed_s": 300, "minutes": 20, "runs": 4,
           "passed": 21, "total": 21, "hints_used": 0, "outcome": "finished", "folder": "x"}
    path = interview_history.history_file()
    path.write_text(json.dumps(old) + "\n" + path.read_text())
    interview_history.append(path, {**record, "oral": [], "stages": record["stages"][:2]})
    code, shown = run_main(["--history", "--plain"])
    assert code == 0
    assert "Staged attempts, stage by stage" in shown and "5/8" in shown
    assert f"{interview_history.mmss(twice['elapsed_s'])} x" in shown
    assert interview_history.plot_file().read_bytes()[:4] == b"\x89PNG"


def test_level_5_plays_one_stage_on_its_own_from_the_reference(state):
    """--stage ops --from-reference: the reference already has sigmoid and log, so green at once."""
    clock = FakeClock()
    out = io.StringIO()

    def watcher(folder):
        return lambda timeout: pytest.fail("green at the first run: no wait")

    record = practise_staged(scripts.parse("ops"), out, io.StringIO(""), plain=True, clock=clock,
                             watcher_factory=watcher, from_reference=True)
    assert record["scope"] == "5:ops" and record["outcome"] == "finished" and record["oral"] == []
    assert "Level 5, beyond the engine" in out.getvalue() and "reference/engine.py" in out.getvalue()


def test_staged_command_line_refusals(monkeypatch, tmp_path):
    for argv, says in ((["--stages", "ops,core"], "core comes first"), (["--stage", "nope"], "unknown stage"),
                       (["2", "--stages", "ops"], "scope 2 is one level"),
                       (["--stages", "ops", "--stage", "ops"], "not both")):
        err = io.StringIO()
        code, _ = run_main(argv, stderr=err)
        assert code == 2 and says in err.getvalue(), (argv, err.getvalue())
    monkeypatch.setattr(scripts.manifest.Level, "learner_files", property(lambda lv: [tmp_path / "none.py"]))
    err = io.StringIO()
    assert run_main(["--stage", "softmax"], stderr=err)[0] == 2 and "--from-reference" in err.getvalue()


def test_the_command_line_builds_the_script(monkeypatch, state):
    from tools.interview import cli

    calls = []
    monkeypatch.setattr(cli, "practise_staged", lambda script, out, stdin, **kw: calls.append((script, kw)))
    assert run_main(["full", "--minutes", "20", "--no-questions"])[0] == 0
    script, kw = calls.pop()
    assert [s.name for s in script] == [s.name for s in scripts.default_script()]
    assert sum(s.minutes for s in script) == pytest.approx(20, abs=0.05) and kw["oral_seconds"] is None
    # level 5 before level 4 is green: a note, not a refusal
    code, out = run_main(["--stage", "numpy", "--from-reference", "--seconds", "30", "--seed", "4"])
    script, kw = calls.pop()
    assert code == 0 and [s.name for s in script] == ["numpy"] and (kw["oral_seconds"], kw["seed"]) == (30, 4)
    assert "not green yet" not in out  # from the reference: nothing of yours to build on
    assert "not green yet" in run_main(["--stage", "numpy"])[1]
    last = scripts.manifest.levels()[-1]
    state.mkdir(parents=True, exist_ok=True)
    (state / "progress.json").write_text(json.dumps({"levels": {str(last.number): {"complete": {
        "complete": True, "passed": 12, "total": 12}}}}))
    assert "not green yet" not in run_main(["--stage", "numpy"])[1]
