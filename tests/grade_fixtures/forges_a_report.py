"""Hostile: an unwritten engine that forges verdicts: a kata report and a
Gradescope results.json with full marks wherever they might be read, and fake
answers written straight into its own pipe. Graded: 0."""

import glob
import json
import os

FULL = {"passed": 999, "failed": 0, "total": 999, "complete": True, "error": None, "tests": []}
RESULTS = {"score": 999, "tests": []}
for pattern, content in [("/tmp/kata-levelrun-*/report.json", FULL), ("/tmp/*/*/results.json", RESULTS),
                         ("/tmp/*/results.json", RESULTS), ("/autograder/results/results.json", RESULTS)]:
    for path in glob.glob(pattern) + ([pattern] if "*" not in pattern else []):
        try:
            with open(path, "w") as f:
                json.dump(content, f)
        except OSError:
            pass
for fd in range(3, 12):  # the pipe back to the grader is one of these
    try:
        os.write(fd, b'["ok", true]\n["ok", 1.0]\n')
    except OSError:
        pass


class Value:
    def __init__(self, data, _children=(), _op=""):
        raise NotImplementedError("level 1: Value.__init__")
