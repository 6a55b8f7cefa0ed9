"""Time limits from what a test costs: every kata test has a recorded cost, and a limit follows it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from runner import costs, timeouts
from runner.manifest import ROOT


def kata_test_functions() -> set[str]:
    done = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "katas", "--level=4", "--impl=reference",
                           "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True, check=False)
    return {costs.test_key(line.strip()) for line in done.stdout.splitlines() if "::" in line}


def test_every_kata_test_has_a_recorded_cost():
    functions = kata_test_functions()
    assert len(functions) > 40, "the kata's tests were not collected"
    missing = sorted(functions - set(costs.table()["tests"]))
    assert not missing, f"no cost recorded for {missing}: run python -m runner.costs"


class Item:
    """What limit_for reads of a pytest item."""

    def __init__(self, nodeid: str, torch: bool = False):
        self.nodeid, self.torch = nodeid, torch

    def get_closest_marker(self, name):
        return object() if name == "torch" and self.torch else None


def test_a_limit_follows_the_cost_of_its_test(monkeypatch):
    monkeypatch.setattr(timeouts, "load_factor", lambda: 1.0)
    tests = costs.table()["tests"]
    cheap = min(tests, key=tests.get)
    dear = max(tests, key=tests.get)
    assert timeouts.limit_for(Item(cheap)) == timeouts.FLOOR, "a quick test is stopped after the floor"
    expected = timeouts.GENEROUS * tests[dear] * timeouts.loop_seconds()
    assert timeouts.limit_for(Item(dear)) == pytest.approx(max(expected, timeouts.FLOOR), abs=0.1)
    with_torch = timeouts.limit_for(Item(cheap, torch=True))
    assert with_torch == pytest.approx(timeouts.FLOOR + costs.torch_import() * timeouts.loop_seconds(), abs=0.1), (
        "a test that needs PyTorch may pay its import"
    )
    assert timeouts.limit_for(Item("katas/level9/test_level9.py::test_new")) == timeouts.UNKNOWN


def test_a_busy_machine_gives_every_test_more_time(monkeypatch):
    item = Item(min(costs.table()["tests"], key=costs.table()["tests"].get))
    monkeypatch.setattr(timeouts, "load_factor", lambda: 4.0)
    assert timeouts.limit_for(item) == 4 * timeouts.FLOOR
