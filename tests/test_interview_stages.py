"""The follow-up stages of interview mode: their entries in the one manifest, and their verdicts.

Each stage's tests run in a subprocess as interview mode runs them (the kata's one level
runner, ``run_level(stage name, ...)``, with ``--impl`` pointing at a file): the reference
passes every stage, and the pristine stub a staged attempt starts from passes no test of
any stage. Each stage's wrong engines are in the one catalogue (``tests/zoo/``, "Rejected
by: stage NAME"), checked by ``tests/test_zoo.py``.
"""

from __future__ import annotations

import pytest

from runner import manifest
from tools.interview import script as scripts
from tools.interview.core import run_level

FOLLOW_UPS = [s for s in scripts.stages().values() if s.tests]
REFERENCE = manifest.ROOT / "reference" / "engine.py"


# -- the manifest ------------------------------------------------------------------------------


def test_the_manifest_and_the_folder_agree():
    stages = scripts.stages()
    assert list(stages)[0] == scripts.CORE and stages[scripts.CORE].level
    listed = {f for s in FOLLOW_UPS for f in s.test_files}
    on_disk = {p for s in FOLLOW_UPS for p in s.path.glob("test_*.py")}
    assert listed == on_disk, "every stage test file is listed in levels.toml, and every listed one exists"
    for s in stages.values():
        assert s.prompt and s.title and s.minutes > 0 and len(s.hints) >= 2 and s.tags, s.name


def test_a_stage_entry_is_judged_by_levels_or_by_its_own_tests_not_both(tmp_path):
    path = tmp_path / "levels.toml"
    for name, extra in (("twice", "level = 2"), ("core", 'folder = "x"\ntests = ["y.py"]')):
        path.write_text(manifest.MANIFEST.read_text().replace(f'name = "{name}"', f'name = "{name}"\n{extra}', 1))
        with pytest.raises(ValueError, match=f"stage '{name}' needs either level, or folder and tests"):
            manifest.load_stages(path)
    path.write_text(manifest.MANIFEST.read_text().replace('name = "ops"', 'name = "ops"\nclock = 3', 1))
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['clock'\]"):
        manifest.load_stages(path)


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
def test_the_reference_passes_every_stage(stage):
    result = run_level(stage.name, REFERENCE, 600)
    assert result.green, (result.error, result.failures)


@pytest.mark.parametrize("stage", FOLLOW_UPS, ids=lambda s: s.name)
def test_the_stub_a_staged_attempt_starts_from_passes_no_test_of_any_stage(stage):
    stub = scripts.start_file(scripts.default_script())
    result = run_level(stage.name, stub, 600)
    assert result.error is None and result.total > 0 and result.passed == 0, (result.score(), result.error)


def test_a_file_that_does_not_import_fails_each_test_with_one_line(tmp_path):
    broken = tmp_path / "value.py"
    broken.write_text("class Value:\n    def __init__(self, data):\n        self.data = data\n\nimport nonexistent_mod\n")
    result = run_level("ops", broken, 600)
    assert result.passed == 0 and result.error  # one screen, as at the levels: no test could run
    assert "could not be imported" in result.error and "nonexistent_mod" in result.error
