"""Golden screens (tests/golden/): each engine's screen is exactly the one kept beside it.

Regenerate after a deliberate change with ``python -m tests.golden --update`` and review the diff.
"""

from __future__ import annotations

import difflib

import pytest

from tests.golden import CASES, expected_path, screen


@pytest.mark.parametrize("case", CASES)
def test_the_screen_is_the_golden_one(case):
    expected = expected_path(case).read_text()
    got = screen(case)
    diff = "\n".join(difflib.unified_diff(expected.splitlines(), got.splitlines(), "golden", "now", lineterm=""))
    assert got == expected, f"the screen of {case} changed (python -m tests.golden --update rewrites it):\n{diff}"
