"""The follow-up stages of interview mode: their manifest, and their verdicts.

Each stage's tests run in a subprocess as interview mode runs them (``run_stage_tests``,
``--impl`` pointing at a file): the solution of every stage passes every stage, the
pristine stub a staged attempt starts from passes no test of any stage, and each
wrong engine of ``tools/interview/stages/zoo/`` fails the stage it names.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.interview import script as scripts
from tools.interview.core import run_stage_tests

FOLDER = scripts.FOLDER
SOLUTION = FOLDER / "solution.py"
FOLLOW_UPS = [s for s in scripts.stages().values() if s.tests]
ZOO = sorted(p for p in (FOLDER / "zoo").glob("*.py") if p.stem not in ("__init__", "parts"))


def zoo_stage(path: Path) -> str:
    m = re.search(r'^STAGE = "(\w+)"$', path.read_text(), re.M)
    assert m, f"{path.name} names no STAGE"
    return m[1]


# -- the manifest ------------------------------------------------------------------------------


def test_the_manifest_and_the_folder_agree():
    stages = scripts.stages()
    assert list(stages)[0] == scripts.CORE and stages[scripts.CORE].level
    listed = {s.tests for s in FOLLOW_UPS}
    on_disk = {p.name for p in FOLDER.glob("test_*.py")}
    assert listed == on_disk, "every stage test file is listed in stages.toml, and every listed one exists"
    for s in stages.values():
        assert s.prompt and s.title and s.minutes > 0 and len(s.hints) >= 2 and s.tags, s.name
    for s in FOLLOW_UPS:
        assert any(zoo_stage(p) == s.name for p in ZOO), f"stage {s.name} has no wrong engine to reject"
    assert {zoo_stage(p) for p in ZOO} <= set(stages)


def test_the_default_script_fits_a_45_minute_interview_with_its_questions():
    script = scripts.default_script()
    assert script[0].name == scripts.CORE and len(script) >= 4
    assert 35 <= scripts.minutes(script) + (len(script) - 1) <= 45  # a minute or so per oral question
    assert scripts.script_name(script) == "full"
    assert scripts.start_file(script).read_text() == (scripts.manifest.ROOT / "stubs/level2/value.py").read_text()


def test_scripts_are_parsed_strictly():
    assert [s.name for s in scripts.parse("core, ops,softmax")] == ["core", "ops", "softmax"]
    assert scripts.script_name(scripts.parse("softmax,numpy")) == "5:softmax,numpy"
    assert scripts.start_file(scripts.parse("softmax")) == scripts.manifest.levels()[-1].learner_files[0]
    assert scripts.start_file(scripts.parse("softmax"), from_reference=True).name == "engine.py"
    for bad, says in (("ops,core", "core comes first"), ("ops,ops", "twice"), ("nope", "the stages are"),
                      ("", "none given")):
        with pytest.raises(scripts.ScriptError, match=says):
            scripts.parse(bad)


# -- the verdicts -----------------------------------------------------------------------------


@pytest.mark.parametrize("stage", FOLLOW_UPS, ids=lambda s: s.name)
def test_the_solution_passes_every_stage(stage):
    result = run_stage_tests(stage.test_file, SOLUTION, 600)
    assert result.green, (result.error, result.failures)


@pytest.mark.parametrize("stage", FOLLOW_UPS, ids=lambda s: s.name)
def test_the_stub_a_staged_attempt_starts_from_passes_no_test_of_any_stage(stage):
    stub = scripts.start_file(scripts.default_script())
    result = run_stage_tests(stage.test_file, stub, 600)
    assert result.error is None and result.total > 0 and result.passed == 0, (result.score(), result.error)


@pytest.mark.parametrize("engine", ZOO, ids=lambda p: p.stem)
def test_each_wrong_engine_fails_its_stage(engine):
    stage = scripts.stages()[zoo_stage(engine)]
    result = run_stage_tests(stage.test_file, engine, 600)
    assert result.error is None and result.total > 0, result.error
    assert not result.green and result.failures, f"{engine.name} passes stage {stage.name}: the stage cannot fail"


def test_a_file_that_does_not_import_fails_each_test_with_one_line(tmp_path):
    broken = tmp_path / "value.py"
    broken.write_text("class Value:\n    def __init__(self, data):\n        self.data = data\n\nimport nonexistent_mod\n")
    result = run_stage_tests(scripts.stages()["ops"].test_file, broken, 600)
    assert result.passed == 0 and result.failures
    assert all("could not be imported" in m and "nonexistent_mod" in m for _, m in result.failures)
