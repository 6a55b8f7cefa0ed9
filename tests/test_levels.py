"""The verdicts of every level: every correct engine passes the levels it claims, an untouched stub fails.

The correct engines and their claims are the table in ``tests/claims.py``:
each is run once, at the highest level it claims (levels are cumulative, so
that one run holds the tests of every level below).
"""

from __future__ import annotations

import os
import subprocess

import pytest

from runner import manifest
from tests.claims import CLAIMS, Claim, written
from tests.kata_runs import pristine_stub, run_level

LEVELS = [lv.number for lv in manifest.levels()]


def _claim(claim: Claim) -> pytest.param:
    return pytest.param(claim, id=claim.impl, marks=[pytest.mark.slow] if claim.level >= 3 else [])


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("claim", [_claim(c) for c in CLAIMS])
def test_engine_passes_every_level_it_claims(claim: Claim):
    level = written(claim.level)
    run = run_level(level, claim.impl)
    assert run.outcomes, f"{claim.impl}: level {level} collected no tests:\n{run.output[-3000:]}"
    assert run.returncode == 0 and not run.not_passed, (
        f"{claim.impl} ({claim.style}) at level {level}: {run.summary()}\n"
        + "\n".join(run.not_passed[:20]) + run.output[-3000:]
    )
    for lv in range(1, level + 1):
        own = [t for t in run.outcomes if f"level{lv}." in t or f"level{lv}/" in t]
        assert own, f"{claim.impl}: no test of level {lv} ran"


def test_the_reference_claims_every_level():
    """The reference is the proof that every test of every level can pass."""
    reference = next(c for c in CLAIMS if c.impl == "reference")
    assert reference.level == max(LEVELS)


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
