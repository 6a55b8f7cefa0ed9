"""The manifest checks itself (``nox -s check``, tests/check.py): levels.toml and the files agree, and every
engine file of the engine folders is listed with its claims.

Static checks, no engine run: every field is one the code reads, every listed
file exists, the level folders hold nothing the manifest does not list, the
stubs hold exactly the learner's files, ``needs_torch`` says what the tests
do. The verdicts (the reference passes every level, an untouched stub fails
every test) are proven by running the levels, in tests/test_levels.py.
"""

from __future__ import annotations

import re

import pytest

from runner import manifest
from tests import check

LEVELS = manifest.levels()


def _problems(fn, *args) -> list[str]:
    try:
        return fn(*args)
    except check.Unchecked as e:
        pytest.skip(str(e))


@pytest.mark.parametrize("fn", [check.fields, check.folders, check.needs_torch, check.engine_catalogue,
                                check.reference_claims_every_level], ids=lambda fn: fn.__name__)
def test_the_manifest_and_the_catalogue(fn):
    problems = _problems(fn)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("fn", [check.listed_files, check.nothing_unlisted, check.tests_and_value,
                                check.shipped_stubs], ids=lambda fn: fn.__name__)
@pytest.mark.parametrize("lv", LEVELS, ids=lambda lv: lv.name)
def test_each_level(lv, fn):
    problems = _problems(fn, lv)
    assert not problems, "\n".join(problems)


def test_a_field_nothing_reads_is_refused(tmp_path):
    text = manifest.MANIFEST.read_text(encoding="utf-8")
    stale = tmp_path / "levels.toml"
    stale.write_text(text.replace("needs_torch = false", 'needs_torch = false\nops = ["add"]', 1))
    with pytest.raises(ValueError, match=r"level entry 1: unknown field\(s\) \['ops'\]"):
        manifest.load(stale)
    missing = tmp_path / "missing.toml"
    missing.write_text(re.sub(r'^tests = .*\n', "", text, count=1, flags=re.M))
    with pytest.raises(ValueError, match=r"level entry 1: missing field\(s\) \['tests'\]"):
        manifest.load(missing)
    assert manifest.load(manifest.MANIFEST) == LEVELS


def test_the_catalogue_finds_an_unlisted_engine_and_a_listed_one_that_is_missing(monkeypatch):
    others = dict(check.OTHER_FILES)
    others.pop("solutions/pytorch")
    others["solutions/gone.py"] = "a file that was removed"
    monkeypatch.setattr(check, "OTHER_FILES", others)
    problems = check.engine_catalogue()
    assert any(p.startswith("solutions/pytorch: not listed") for p in problems), problems
    assert any(p.startswith("solutions/gone.py: listed") and "missing" in p for p in problems), problems
    assert len(problems) == 2, problems


def test_the_command_runs_the_static_checks(capsys):
    assert check.main(["--static"]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "engine catalogue" in out and "all checks passed" in out
