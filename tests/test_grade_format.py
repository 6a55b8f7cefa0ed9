"""Gradescope's results.json format (tools/grade/gradescope.py) and what the grader writes in it.

Fast: no engine runs. The grader's own results.json, built from a graded submission's
record, must validate; every way of breaking the format must be reported.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tools.grade import gradescope, report
from tools.grade.discover import Submission
from tools.grade.score import Grade
from tools.grade.score import TestScore as Scored


def _grade(passed: list[bool], **extra) -> Grade:
    tests = [Scored(f"katas/level1/test_level1.py::test_{i}", 1 if i < 2 else 2, ok,
                       "" if ok else f"computed 1.0, expected 2.0 (test {i})") for i, ok in enumerate(passed)]
    return Grade(Submission("alice", Path("alice.py"), "file", {"value": Path("alice.py")}), (1, 2), tests,
                 seconds=3.2, **extra)


VALID = {
    "score": 3, "execution_time": 12.5, "output": "text", "output_format": "md", "visibility": "visible",
    "stdout_visibility": "hidden", "extra_data": {"k": 1},
    "tests": [{"score": 1, "max_score": 1, "status": "passed", "name": "a", "number": "1", "output": "",
               "tags": ["level1"], "visibility": "after_published", "name_format": "text", "output_format": "ansi",
               "extra_data": {}}],
    "leaderboard": [{"name": "time", "value": 3.5, "order": "asc"}],
}


def test_a_full_document_of_every_field_validates():
    assert gradescope.problems(VALID) == []
    per_test_only = {"tests": [{"score": 1, "max_score": 2}, {"score": 0}]}
    assert gradescope.problems(per_test_only) == []


@pytest.mark.parametrize(("change", "says"), [
    (lambda r: r.update(visibility="public"), "visibility"),
    (lambda r: r.update(stdout_visibility="shown"), "stdout_visibility"),
    (lambda r: r.update(score="3"), "score"),
    (lambda r: r.update(colour="red"), "unknown key 'colour'"),
    (lambda r: r["tests"][0].update(status="ok"), "status"),
    (lambda r: r["tests"][0].update(number=1), "number"),
    (lambda r: r["tests"][0].update(tags="level1"), "tags"),
    (lambda r: r["tests"][0].update(score=2), "outside 0..1"),
    (lambda r: r["tests"][0].update(output=None), "output"),
    (lambda r: r.update(output_format="latex"), "output_format"),
    (lambda r: r["leaderboard"][0].pop("value"), "leaderboard[0]"),
    (lambda r: (r.pop("score"), r["tests"][0].pop("score")), "no top-level score"),
    (lambda r: r.update(tests={"a": 1}), "tests"),
])
def test_each_break_of_the_format_is_reported(change, says):
    broken = copy.deepcopy(VALID)
    change(broken)
    found = gradescope.problems(broken)
    assert found and any(says in p for p in found), found


def test_not_an_object_is_reported():
    assert gradescope.problems([]) and gradescope.problems(None)


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("passed", [[True, True, True], [True, False, False], [False, False, False]])
def test_the_graders_results_json_validates(passed, hidden):
    doc = json.loads(json.dumps(report.results_json(_grade(passed), hidden=hidden)))
    assert gradescope.problems(doc) == []
    assert doc["score"] == sum(passed)
    assert {t["visibility"] for t in doc["tests"]} == {"after_published" if hidden else "visible"}


def test_the_output_says_what_to_do_next():
    failing = report.summary(_grade([True, True, False, False]))
    assert failing.splitlines()[-2] == "Next: level 2, test_2: computed 1.0, expected 2.0 (test 2)"
    assert failing.splitlines()[-1] == "Run `nox -s level2` to see it in full; stuck? `nox -s hint -- 2`."
    assert "Next: every test of levels 1-2 passes" in report.summary(_grade([True, True, True]))
    broken = report.summary(_grade([False, False, False], error="Your engine could not be imported"))
    assert "Next: no test could run on these files. Run `nox -s level1`" in broken


def test_the_table_and_the_csv_show_each_students_time(tmp_path):
    from rich.console import Console

    grades = [_grade([True, False])]
    console = Console(record=True, width=200)
    report.table(grades, console)
    assert "3 s" in console.export_text()
    report.write_class(grades, tmp_path / "class.csv")
    assert (tmp_path / "class.csv").read_text().splitlines()[1].endswith(",3.2")


def test_the_estimate_counts_students_levels_and_cores(monkeypatch):
    from tools.grade import cost

    monkeypatch.setattr(cost.os, "cpu_count", lambda: 2)
    assert cost.parallel(1) == 1 and cost.parallel(2) == 2 and cost.parallel(8) == 2
    assert cost.per_student((1, 2, 3)) == sum(cost.MEASURED[lv] for lv in (1, 2, 3))
    line = cost.estimate((1, 2), 30, 2)
    each = cost.per_student((1, 2))
    assert f"about {cost._duration(each)} per student" in line
    assert f"30 with --jobs 2 on 2 core(s): about {cost._duration(each * 30 / 2)}" in line
    assert f"200 would take about {cost._duration(each * 200 / 2)}" in line
    assert cost.estimate((1, 2), 30, 8) == cost.estimate((1, 2), 30, 2).replace("--jobs 2", "--jobs 8")


def test_the_pace_counts_down():
    from tools.grade import cost

    pace = cost.Pace(3)
    first, second, last = pace.step(), pace.step(), pace.step()
    assert first.startswith("1 of 3 graded") and "left at this pace" in first
    assert second.startswith("2 of 3 graded")
    assert last.startswith("3 of 3 graded") and "left" not in last


@pytest.mark.parametrize(("levels", "changed"), [((1, 2), 0), ((1, 2, 3, 4), 1)])
def test_the_end_to_end_run_changes_only_setup_shs_pytorch_line(tmp_path, levels, changed):
    """nox -s grade_e2e (tests/grade_e2e.py) installs the pinned PyTorch from the package index, nothing else."""
    import zipfile

    from tests import grade_e2e
    from tools.grade import bundle

    with zipfile.ZipFile(bundle.make(tmp_path / "a.zip", levels)) as z:
        setup = z.read("setup.sh").decode()
    text, n = grade_e2e.setup_script(setup)
    assert n == changed
    before, after = setup.splitlines(), text.splitlines()
    assert len(before) == len(after)
    differ = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(differ) == changed
    for old, new in differ:
        assert "download.pytorch.org" in old and new.endswith("pip install torch==2.13.0")


def test_the_end_to_end_submissions_stand_alone():
    """What run_autograder grades: files a student could submit, importing nothing of the repository's tests."""
    from tests import grade_e2e

    for kind, files in grade_e2e.submissions().items():
        for name, text in files.items():
            assert "tests." not in text, f"{kind}/{name} imports the repository's tests"
            compile(text, name, "exec")


def test_the_end_to_end_verdicts_need_what_each_engine_earns():
    from tests import grade_e2e

    def results(scores, output="Next: level 1"):
        return {"score": sum(scores), "output": output, "tests": [{"score": s} for s in scores]}

    assert grade_e2e.earned("correct", results([1, 1])) == []
    assert grade_e2e.earned("correct", results([1, 0]))
    assert grade_e2e.earned("one_bug", results([1, 0])) == []
    assert grade_e2e.earned("one_bug", results([0, 0])) and grade_e2e.earned("one_bug", results([1, 1]))
    assert grade_e2e.earned("hostile", results([0, 0])) == []
    assert grade_e2e.earned("hostile", {"score": 999, "output": "Next:", "tests": [{"score": 0}]})
    assert grade_e2e.earned("crashing", results([1, 0], "The engine process ended 3 time(s)\nNext: x")) == []
    assert grade_e2e.earned("crashing", results([1, 0]))
    assert grade_e2e.earned("one_bug", results([1, 0], "no next step"))


@pytest.mark.parametrize(("files", "top"), [(("value",), 3), (("value", "nn"), 4)])
def test_a_lone_value_py_is_graded_up_to_the_level_it_can_run(tmp_path, monkeypatch, files, top):
    """Levels 1-4 and no nn.py: levels 1-3 are graded, level 4's tests say nn.py was not submitted
    (the level run at level 4 needs nn.py and would run no test at all)."""
    from runner import levelrun
    from tools.grade import sandbox, score

    paths = {}
    for stem in files:
        paths[stem] = tmp_path / f"{stem}.py"
        paths[stem].write_text("class Value:\n    pass\n")
    tests = [(f"katas/level{lv}/test_level{lv}.py::test_{lv}", lv) for lv in (1, 2, 3, 4)]
    asked = []

    def run_level(level, impl, **kwargs):
        asked.append(level)
        return levelrun.LevelResult(level, str(impl), 0, tests=[levelrun.TestResult(n, lv, "passed")
                                                                  for n, lv in tests if lv <= level])

    monkeypatch.setattr(score.levelrun, "run_level", run_level)
    sub = Submission("bob", tmp_path, "folder", paths)
    g = score.grade(sub, (1, 2, 3, 4), tests, tmp_path / "scratch", sandbox.Limits())
    assert asked == [top]
    assert [t.passed for t in g.tests] == [True, True, True, top == 4]
    if top == 3:
        assert g.tests[-1].output == "level 4 needs nn.py: not submitted"
        assert "Next: level 4, test_4: level 4 needs nn.py: not submitted" in report.summary(g)
