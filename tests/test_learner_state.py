"""The learner-state API (runner/state.py): every file carries its format version, older files read as
they were written, one rule for a best time, and a level's state read in one place."""

from __future__ import annotations

import json
import shutil

from runner import manifest
from runner import state as kata_state
from tests.interview_support import run_main
from tools import backups, hints, progress
from tools.bughunt import records
from tools.interview import history


def _run(level, passed, total, complete=True, error=None):
    return {"level": level, "impl": "learner", "passed": passed, "failed": total - passed, "total": total,
            "complete": complete, "error": error, "by_level": {}, "timestamp": "t"}


def _attempt(scope, elapsed, outcome="finished", passed=21, total=21):
    return {"scope": scope, "elapsed_s": elapsed, "outcome": outcome, "passed": passed, "total": total}


def test_every_file_the_tools_write_carries_the_format_version(state, tmp_path):
    hints.mark_read(1, 1)
    learner = tmp_path / "value.py"
    learner.write_text("x = 1\n")
    backups.backup(learner, 1, "a test")
    history.append(history.history_file(), _attempt("1", 1.0))
    history.append(history.questions_file(), {"n": 1, "grade": 2})
    records.append({"hunt": 1, "outcome": "solved", "elapsed_s": 1.0, "hints": 0})
    kata_state.record_run(_run(1, 21, 21))
    for doc in (state / "hints.json", state / "progress.json", state / "backups" / "index.json"):
        assert json.loads(doc.read_text())["version"] == kata_state.VERSION, doc
    for name in ("interview/history.jsonl", "interview/questions.jsonl", "bughunt/history.jsonl"):
        lines = (state / name).read_text().splitlines()
        assert lines and all(json.loads(line)["version"] == kata_state.VERSION for line in lines), name


def test_files_written_before_versions_are_read_as_they_were_and_upgraded_when_written(state):
    state.mkdir(parents=True)
    old = {"levels": {"1": {"last": _run(1, 21, 21), "complete": _run(1, 21, 21)},
                      "2": {"last": _run(2, 3, 62, complete=False)}}}
    (state / "progress.json").write_text(json.dumps(old))
    (state / "hints.json").write_text(json.dumps({"levels": {"1": {"read": [1, 2]}}}))
    assert kata_state.level_green(1) and not kata_state.level_green(2)
    assert kata_state.current_level() == 2 and hints.read_tiers(1) == [1, 2]
    kata_state.record_run(_run(2, 62, 62))
    data = json.loads((state / "progress.json").read_text())
    assert data["version"] == kata_state.VERSION
    assert data["levels"]["1"] == old["levels"]["1"], "what was recorded before is kept"
    assert kata_state.level_green(2) and kata_state.current_level() == 3


def test_a_level_is_green_only_when_its_last_complete_run_passed_every_test(state):
    kata_state.record_run(_run(1, 21, 21))
    kata_state.record_run(_run(1, 5, 21, complete=False))  # a partial run (-k) leaves the level green
    assert kata_state.level_green(1)
    kata_state.record_run(_run(1, 0, 0, complete=False, error="SyntaxError"))  # a file that does not import
    assert not kata_state.level_green(1) and kata_state.current_level() == 1


def test_one_rule_for_a_best_time_in_progress_and_in_the_interview_history(capsys):
    for attempt in (_attempt("1", 600), _attempt("1", 100, "finished", passed=20), _attempt("1", 50, "timed out"),
                    _attempt("1", 420), _attempt("2", 900)):
        history.append(history.history_file(), attempt)
    assert kata_state.best_times(history.read_history().records) == {"1": 420.0, "2": 900.0}
    assert progress.main(["--json"]) == 0
    assert json.loads(capsys.readouterr().out)["best_interview_s"] == {"1": 420.0, "2": 900.0}
    code, out = run_main(["--history", "--plain"])
    assert code == 0 and "1: 7:00, 2: 15:00" in out


def test_one_reader_of_json_lines_reports_the_lines_it_skips(state):
    path = state / "some.jsonl"
    kata_state.append_line(path, {"a": 1})
    with path.open("a") as f:
        f.write('[1]\n{"b": 2}\n{cut')
    kata_state.append_line(path, {"a": 3})  # after a line cut short: a line of its own
    lines = kata_state.read_lines(path, required=("a",))
    assert [r["a"] for r in lines.records] == [1, 3]
    assert [n for n, _ in lines.problems] == [2, 3, 4]
    assert str(path) in lines.describe() and "line 4: not JSON" in lines.describe()


def test_a_level_is_started_once_a_file_differs_from_its_stub(tmp_path):
    level = manifest.level(4)
    for folder in (level.folder, level.stub):
        shutil.copytree(manifest.ROOT / level.stub, tmp_path / folder)
    assert not kata_state.level_started(level, root=tmp_path)
    (tmp_path / level.folder / level.files[-1]).write_text("# mine\n")
    assert kata_state.level_started(level, root=tmp_path)


def test_a_new_format_is_one_step_and_every_reader_sees_it(state, monkeypatch):
    kata_state.append_line(state / "h.jsonl", {"scope": "1", "elapsed_s": 60})  # written in today's format
    with (state / "h.jsonl").open("a") as f:
        f.write(json.dumps({"scope": "2", "elapsed_s": 30}) + "\n")  # a line from before versions
    monkeypatch.setattr(kata_state, "VERSION", 2)
    monkeypatch.setitem(kata_state.UPGRADES, 1, lambda d: {("seconds" if k == "elapsed_s" else k): v
                                                           for k, v in d.items()})
    records = kata_state.read_lines(state / "h.jsonl").records
    assert [(r["version"], r["scope"], r["seconds"]) for r in records] == [(2, "1", 60), (2, "2", 30)]
    assert not any("elapsed_s" in r for r in records)


def test_a_level_run_writes_its_report_and_the_learners_progress_with_the_format_version(state, tmp_path):
    import subprocess

    from runner import levelrun, record

    report = tmp_path / "report.json"
    cmd = levelrun.command(1, "learner", report, ["-k", "test_add"])
    subprocess.run(cmd, cwd=manifest.ROOT, env=levelrun.environment(), capture_output=True, timeout=600)
    assert json.loads(report.read_text())["version"] == record.REPORT_VERSION
    assert json.loads((state / "progress.json").read_text())["version"] == kata_state.VERSION
