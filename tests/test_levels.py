"""The verdicts of every level: the reference passes all of it, an untouched stub fails all of it."""

from __future__ import annotations

import pytest

from tests.kata_runs import pristine_stub, run_level
from utils import manifest

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
def test_untouched_stub_fails_every_test_of_the_level(level, tmp_path):
    stub = pristine_stub(manifest.level(level), tmp_path)
    run = run_level(level, stub)
    assert run.outcomes, f"level {level} collected no tests:\n{run.output[-3000:]}"
    assert run.returncode != 0
    assert not run.passed, f"these tests pass on the untouched level-{level} stub: {run.passed}"
    assert not run.count("skipped"), "a stub's failures must not hide behind skips"
