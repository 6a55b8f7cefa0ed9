"""What each kata test costs: the reference engine's time for it, recorded in units of a calibration loop.

A kata test's time limit (runner/timeouts.py) comes from what that test costs, not from one
figure for every test. ``runner/costs.json`` holds, for each test function of levels 1-4, the
reference engine's time for its slowest case, and the time of importing PyTorch, each divided by
the time of ``calibration_loop()`` on the machine that measured them. On any machine, a cost
times that machine's own loop time is the reference's time there.

Maintainers refresh the table when tests change (the self-test checks that every test has one):

    python -m runner.costs          # runs levels 1-4 on the reference, writes runner/costs.json
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

from runner import manifest

TABLE = Path(__file__).with_name("costs.json")


def calibration_loop() -> float:
    """Seconds a short pure-Python loop takes on this machine, now (the best of three)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(200_000):
            total += i * i
        best = min(best, time.perf_counter() - started)
    return best


def test_key(nodeid: str) -> str:
    """``katas/level2/test_level2.py::test_op_forward[relu]`` -> ``katas/level2/test_level2.py::test_op_forward``."""
    return nodeid.split("[", 1)[0]


@cache
def table() -> dict:
    try:
        return json.loads(TABLE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"tests": {}, "torch_import": 0.0}


def cost(nodeid: str) -> float | None:
    """The test's own cost in calibration loops; None for a test the table does not know."""
    return table()["tests"].get(test_key(nodeid))


def torch_import() -> float:
    """PyTorch's import in calibration loops: any test that needs PyTorch may be the one that pays it."""
    return table().get("torch_import", 0.0)


def measure() -> dict:
    """Run levels 1-4 on the reference in a fresh process and time each test and PyTorch's import."""
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    loop_before = calibration_loop()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], check=True, env=env)
    torch_import = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True, env=env)
    torch_import -= time.perf_counter() - started  # the interpreter's own start is not the import
    args = ["katas", "--level=4", "--impl=reference", "-p", "no:cacheprovider", "-p", "no:randomly",
            "--no-failfast", "--durations=0", "--durations-min=0", "--timeout=600"]
    # PyTorch is imported before the tests run, so no test's time includes the import
    cmd = [sys.executable, "-c", f"import sys, torch, pytest; sys.exit(pytest.main({args!r}))"]
    out = subprocess.run(cmd, cwd=manifest.ROOT, capture_output=True, text=True, env=env, check=False).stdout
    loop = (loop_before + calibration_loop()) / 2
    tests: dict[str, float] = {}
    for seconds, nodeid in re.findall(r"^([\d.]+)s call\s+(\S+)", out, re.MULTILINE):
        key = test_key(nodeid)
        tests[key] = max(tests.get(key, 0.0), float(seconds))
    return {
        "loop_seconds": round(loop, 5),
        "torch_import": round(max(torch_import, 0.0) / loop, 1),
        "tests": {key: round(seconds / loop, 1) for key, seconds in sorted(tests.items())},
    }


def main() -> int:
    result = measure()
    if not result["tests"]:
        print("error: no test was timed", file=sys.stderr)
        return 1
    TABLE.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"{len(result['tests'])} tests timed on the reference; wrote {TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
