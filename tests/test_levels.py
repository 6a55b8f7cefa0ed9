"""The verdicts of every level: every correct engine passes the levels it claims, an untouched stub fails.

The correct engines and their claims are the table in ``tests/claims.py``:
each is run once, at the highest level it claims (levels are cumulative, so
that one run holds the tests of every level below). The checks are those of
``nox -s check`` (tests/check.py).
"""

from __future__ import annotations

import pytest

from runner import manifest
from tests import check
from tests.claims import CLAIMS, Claim


def _claim(claim: Claim) -> pytest.param:
    return pytest.param(claim, id=claim.impl, marks=[pytest.mark.slow] if claim.level >= 3 else [])


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("claim", [_claim(c) for c in CLAIMS])
def test_engine_passes_every_level_it_claims(claim: Claim):
    problems = check.claim_run(claim)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lv", manifest.levels(), ids=lambda lv: lv.name)
def test_untouched_stub_fails_every_test_of_the_level(lv):
    problems = check.stub_run(lv)
    assert not problems, "\n".join(problems)
