"""The verdicts of every level: the reference passes all of it, an untouched stub fails all of it."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.kata_runs import pristine_stub, run_level
from runner import manifest

LEVELS = [lv.number for lv in manifest.levels()]


@pytest.mark.parametrize("level", LEVELS)
def test_reference_passes_every_test_of_the_level(level):
    run = run_level(level, "reference")
    assert run.outcomes, f"level {level} collected no tests:\n{run.output[-3000:]}"
    assert run.returncode == 0 and not run.not_passed, (
        f"level {level} against the reference: {run.summary()}\n" + "\n".join(run.not_passed) + run.output[-3000:]
    )
    own = [t for t in run.outcomes if f"level{level}." in t or f"level{level}/" in t]
    assert own, f"level {level} ran none of its own tests"


@pytest.mark.parametrize("level", LEVELS)
def test_untouched_stub_fails_every_test_of_the_level(level):
    stub = pristine_stub(manifest.level(level))
    run = run_level(level, stub, "--no-failfast")  # every test runs, though level 1 fails first
    assert run.outcomes, f"level {level} collected no tests:\n{run.output[-3000:]}"
    assert run.returncode != 0
    assert not run.passed, f"these tests pass on the untouched level-{level} stub: {run.passed}"
    assert not run.count("skipped"), "a stub's failures must not hide behind skips"


@pytest.mark.parametrize("level", LEVELS)
def test_shipped_learner_files_are_the_stubs(level):
    """What a new learner finds in katas/levelN is the pristine stub (checked on the committed files)."""
    lv = manifest.level(level)
    for name in lv.files:
        shipped = subprocess.run(["git", "show", f"HEAD:{lv.folder}/{name}"], cwd=manifest.ROOT,
                                 capture_output=True, text=True)
        if shipped.returncode != 0:
            pytest.skip("not a git checkout")
        stub = (lv.stub_path / name).read_text()
        if shipped.stdout != stub and not os.environ.get("CI"):
            pytest.skip(f"{lv.folder}/{name} was committed with changes (a learner's work): checked in CI only")
        assert shipped.stdout == stub, f"{lv.folder}/{name} as committed differs from {lv.stub}/{name}"
