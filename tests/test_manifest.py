"""The manifest checks itself (in the spirit of rustlings' ``dev check``): levels.toml and the files agree.

Static checks, no engine run: every field is one the code reads, every listed
file exists, the level folders hold nothing the manifest does not list, the
stubs hold exactly the learner's files, ``needs_torch`` says what the tests
do. The verdicts (the reference passes every level, an untouched stub fails
every test, the learner files shipped in ``katas/`` are the stubs) are proven
by running the levels, in tests/test_levels.py.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import subprocess
from pathlib import Path

import pytest

from runner import manifest
from utils.ops import OPS

ROOT = manifest.ROOT
LEVELS = manifest.levels()
EXTRAS = ("README.md", "img/")  # what a level folder may hold beside its files, tests and hints


def _tracked(folder: str) -> list[str] | None:
    """The files git tracks under ``folder``, relative to it (None outside a git checkout)."""
    proc = subprocess.run(["git", "ls-files", "--", folder], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    return [Path(line).relative_to(folder).as_posix() for line in proc.stdout.splitlines()]


def _tracked_or_skip(folder: str) -> list[str]:
    files = _tracked(folder)
    if files is None:
        pytest.skip("not a git checkout")
    return files


def _raw_entries() -> list[dict]:
    return manifest.tomllib.loads(manifest.MANIFEST.read_text(encoding="utf-8"))["level"]


# -- the fields ------------------------------------------------------------------------


def test_every_field_is_one_the_code_reads_and_the_header_documents():
    read = [f.name for f in dataclasses.fields(manifest.Level)]
    assert list(manifest.FIELDS) == read, "manifest.FIELDS and the Level dataclass name the same fields"
    header = manifest.MANIFEST.read_text(encoding="utf-8").split("[[level]]")[0]
    documented = re.findall(r"^#   (\w+) ", header, re.M)
    assert sorted(documented) == sorted(read), f"the header of levels.toml documents {documented}; the fields are {read}"
    for i, entry in enumerate(_raw_entries(), 1):
        assert set(entry) <= set(read), f"level entry {i}: fields nothing reads: {sorted(set(entry) - set(read))}"


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


def test_titles_and_clocks_are_given():
    for lv in LEVELS:
        assert lv.title.strip() and "\n" not in lv.title, f"level {lv.number}: a one-line title"
        assert lv.minutes > 0, f"level {lv.number}: the interview clock is a positive number of minutes"


# -- the files -----------------------------------------------------------------------------


@pytest.mark.parametrize("lv", LEVELS, ids=lambda lv: lv.name)
def test_every_listed_file_exists(lv):
    assert lv.path.is_dir(), f"level {lv.number}: folder {lv.folder} is missing"
    assert lv.stub_path.is_dir(), f"level {lv.number}: stub folder {lv.stub} is missing"
    listed = {"files": lv.files, "tests": lv.tests, "hints": lv.hints}
    for field, names in listed.items():
        assert names or field == "hints", f"level {lv.number}: '{field}' lists nothing"
        for name in names:
            path = lv.path / name
            assert path.is_file() and path.stat().st_size > 0, f"level {lv.number}: {field}: {lv.folder}/{name} is missing or empty"
    for name in lv.files:
        assert (lv.stub_path / name).is_file(), f"level {lv.number}: the stub {lv.stub}/{name} is missing"


@pytest.mark.parametrize("lv", LEVELS, ids=lambda lv: lv.name)
def test_a_level_folder_holds_nothing_the_manifest_does_not_list(lv):
    tracked = _tracked_or_skip(lv.folder)
    known = set(lv.files) | set(lv.tests) | set(lv.hints)
    stray = [f for f in tracked if f not in known and not f.startswith(EXTRAS)]
    assert not stray, f"{lv.folder} holds files levels.toml does not list: {stray} (list them, or move them out)"


@pytest.mark.parametrize("lv", LEVELS, ids=lambda lv: lv.name)
def test_the_listed_tests_are_the_only_tests_of_the_level(lv):
    """Every test file pytest would collect in the folder is listed (on disk: a stray one would run as the level's)."""
    found = sorted(p.name for p in lv.path.iterdir() if re.fullmatch(r"test_.*\.py|.*_test\.py", p.name))
    assert found == sorted(lv.tests), f"{lv.folder}: pytest collects {found}; levels.toml lists {list(lv.tests)}"


@pytest.mark.parametrize("lv", LEVELS, ids=lambda lv: lv.name)
def test_the_stub_folder_holds_exactly_the_learners_files(lv):
    tracked = _tracked_or_skip(lv.stub)
    assert sorted(tracked) == sorted(lv.files), f"{lv.stub} holds {tracked}; the level's files are {list(lv.files)}"


@pytest.mark.parametrize("lv", LEVELS, ids=lambda lv: lv.name)
def test_the_first_file_defines_value(lv):
    tree = ast.parse((lv.stub_path / lv.files[0]).read_text(encoding="utf-8"))
    classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    assert "Value" in classes, f"{lv.stub}/{lv.files[0]}: the first of a level's files defines Value"


def test_every_level_folder_and_stub_folder_is_in_the_manifest():
    for parent, listed in (("katas", {lv.folder for lv in LEVELS}), ("stubs", {lv.stub for lv in LEVELS})):
        tracked = _tracked_or_skip(parent)
        folders = {f"{parent}/{f.split('/')[0]}" for f in tracked if "/" in f}
        assert folders == listed, f"{parent}/ has {sorted(folders)}; levels.toml lists {sorted(listed)}"


# -- what the fields say about the tests ----------------------------------------------------


def _uses_torch(path: Path) -> bool:
    """A test file some of whose tests carry the ``torch`` marker (they need PyTorch)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(n, ast.Attribute) and n.attr == "torch" and isinstance(n.value, ast.Attribute)
               and n.value.attr == "mark" for n in ast.walk(tree))


def test_needs_torch_says_whether_the_levels_tests_need_pytorch():
    """Levels are cumulative: level N needs PyTorch when a test of levels 1..N does."""
    needs = False
    for lv in LEVELS:
        needs = needs or any(_uses_torch(p) for p in lv.test_files)
        assert lv.needs_torch == needs, (
            f"level {lv.number}: needs_torch = {str(lv.needs_torch).lower()}, but its tests "
            + ("use" if needs else "do not use") + " @pytest.mark.torch"
        )


def test_the_op_registry_names_only_levels_of_the_manifest():
    numbers = {lv.number for lv in LEVELS}
    for op in OPS.values():
        assert op.level is None or op.level in numbers, f"utils/ops.py: op {op.name} belongs to level {op.level}"
    assert {op.level for op in OPS.values()} >= {1, 2}, "levels 1 and 2 introduce ops"
