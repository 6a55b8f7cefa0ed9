"""Fail fast by level: once a level fails, the later levels' slow tests are skipped, and the run says why."""

from __future__ import annotations

from tests.kata_runs import run_level
from runner import failfast
from runner.manifest import ROOT

BROKEN_AT_LEVEL_1 = ROOT / "tests" / "zoo" / "mul_derivative_swapped.py"


def test_a_level_1_bug_skips_the_slow_tests_of_levels_2_and_3_and_says_why():
    run = run_level(3, BROKEN_AT_LEVEL_1, "-rs")
    assert run.returncode == 1
    level1 = {t: o for t, o in run.outcomes.items() if "level1" in t}
    assert "failed" in level1.values() and "skipped" not in level1.values(), "level 1 itself runs in full"
    later = {t: o for t, o in run.outcomes.items() if "level1" not in t}
    skipped = [t for t, o in later.items() if o == "skipped"]
    assert skipped and any("matches_pytorch" in t for t in skipped), later
    assert all(failfast.reason(1) in run.messages[t] for t in skipped)
    assert any(o != "skipped" for o in later.values()), "the quick tests of later levels still run"
    assert "level 1 fails (test_" in run.output, "the first failure is announced as it happens"
    assert "because level 1 fails: fix level 1 first" in run.output, run.output[-2000:]


def test_a_passing_run_skips_nothing():
    run = run_level(1, "reference")
    assert run.returncode == 0 and not run.count("skipped")
    assert "not run:" not in run.output
