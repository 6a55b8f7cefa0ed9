"""`nox -s check`: the kata checks itself, for contributors (in the spirit of rustlings' ``dev check``).

    nox -s check                 the manifest, the engine catalogue, then the runs (minutes)
    nox -s check -- --static     the manifest and the engine catalogue only (seconds)
    python -m tests.check [--static]

What it checks:

* the manifest (levels.toml) and the files agree: every field is one the code
  reads, every listed file exists, the level folders hold nothing the manifest
  does not list, the stubs hold exactly the learner's files, ``needs_torch``
  says what the tests do, the learner files shipped are the stubs;
* every engine file in the engine folders (``ENGINE_FOLDERS``) is listed with
  its claims: a correct engine in ``tests/claims.py`` (the levels it passes),
  a wrong one by its docstring in ``tests/zoo/`` (the level that rejects it),
  anything else in ``tests/claims.OTHER_FILES`` (what it is, where it is
  checked); nothing is listed that does not exist; every patch of the
  catalogue (``tests/catalogue.PATCHES``) still applies to the reference;
* the runs: an untouched stub fails every test of its level, and every correct
  engine passes every level it claims (the reference all of them).

Each check is a function returning the problems it found (an empty list: all
good); it raises ``Unchecked`` when it cannot run here (not a git checkout).
``tests/test_manifest.py`` and ``tests/test_levels.py`` call the same functions,
so the self-test and this command are one implementation.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

from runner import manifest
from tests.claims import CLAIMS, OTHER_FILES, Claim, written

ROOT = manifest.ROOT
EXTRAS = ("README.md", "img/")  # what a level folder may hold beside its files, tests and hints
ENGINE_FOLDERS = ("tests/zoo", "tests/zoo/correct", "solutions")


class Unchecked(Exception):
    """This check cannot run here; the message says why."""


def _tracked(folder: str) -> list[str]:
    """The files git tracks under ``folder``, relative to it."""
    proc = subprocess.run(["git", "ls-files", "--", folder], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise Unchecked("not a git checkout")
    return [Path(line).relative_to(folder).as_posix() for line in proc.stdout.splitlines()]


# -- the manifest ------------------------------------------------------------------------------


def fields() -> list[str]:
    """Every field is one the code reads, and the header of levels.toml documents it."""
    read = [f.name for f in dataclasses.fields(manifest.Level)]
    out = []
    if list(manifest.FIELDS) != read:
        out.append(f"manifest.FIELDS {list(manifest.FIELDS)} and the Level dataclass {read} name other fields")
    header = manifest.MANIFEST.read_text(encoding="utf-8").split("[[level]]")[0]
    documented = re.findall(r"^#   (\w+) ", header, re.M)
    if sorted(documented) != sorted(read):
        out.append(f"the header of levels.toml documents {documented}; the fields are {read}")
    entries = manifest.tomllib.loads(manifest.MANIFEST.read_text(encoding="utf-8"))["level"]
    for i, entry in enumerate(entries, 1):
        if not set(entry) <= set(read):
            out.append(f"level entry {i}: fields nothing reads: {sorted(set(entry) - set(read))}")
    for lv in manifest.levels():
        if not lv.title.strip() or "\n" in lv.title:
            out.append(f"level {lv.number}: a one-line title")
        if lv.minutes <= 0:
            out.append(f"level {lv.number}: the interview clock is a positive number of minutes")
    return out


def listed_files(lv: manifest.Level) -> list[str]:
    """Every file the level's entry lists exists (and is not empty), and has its stub."""
    if not lv.path.is_dir() or not lv.stub_path.is_dir():
        return [f"level {lv.number}: folder {lv.folder} or stub folder {lv.stub} is missing"]
    out = []
    for field, names in {"files": lv.files, "tests": lv.tests, "hints": lv.hints}.items():
        if not names and field != "hints":
            out.append(f"level {lv.number}: '{field}' lists nothing")
        for name in names:
            path = lv.path / name
            if not (path.is_file() and path.stat().st_size > 0):
                out.append(f"level {lv.number}: {field}: {lv.folder}/{name} is missing or empty")
    out += [f"level {lv.number}: the stub {lv.stub}/{name} is missing" for name in lv.files
            if not (lv.stub_path / name).is_file()]
    return out


def nothing_unlisted(lv: manifest.Level) -> list[str]:
    """The level folder holds only what the manifest lists, the stub folder exactly the learner's files."""
    known = set(lv.files) | set(lv.tests) | set(lv.hints)
    stray = [f for f in _tracked(lv.folder) if f not in known and not f.startswith(EXTRAS)]
    out = [f"{lv.folder} holds files levels.toml does not list: {stray} (list them, or move them out)"] if stray else []
    stubs = _tracked(lv.stub)
    if sorted(stubs) != sorted(lv.files):
        out.append(f"{lv.stub} holds {stubs}; the level's files are {list(lv.files)}")
    return out


def tests_and_value(lv: manifest.Level) -> list[str]:
    """pytest collects only the level's listed tests in its folder (a stray one would run as the level's);
    the first of the level's files defines Value."""
    out = []
    found = sorted(p.name for p in lv.path.iterdir() if re.fullmatch(r"test_.*\.py|.*_test\.py", p.name))
    if found != sorted(lv.tests):
        out.append(f"{lv.folder}: pytest collects {found}; levels.toml lists {list(lv.tests)}")
    tree = ast.parse((lv.stub_path / lv.files[0]).read_text(encoding="utf-8"))
    if "Value" not in {n.name for n in tree.body if isinstance(n, ast.ClassDef)}:
        out.append(f"{lv.stub}/{lv.files[0]}: the first of a level's files defines Value")
    return out


def folders() -> list[str]:
    """Every level folder and stub folder is in the manifest."""
    out = []
    levels = manifest.levels()
    for parent, listed in (("katas", {lv.folder for lv in levels}), ("stubs", {lv.stub for lv in levels})):
        found = {f"{parent}/{f.split('/')[0]}" for f in _tracked(parent) if "/" in f}
        if found != listed:
            out.append(f"{parent}/ has {sorted(found)}; levels.toml lists {sorted(listed)}")
    return out


def _uses_torch(path: Path) -> bool:
    """A test file some of whose tests carry the ``torch`` marker (they need PyTorch)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(n, ast.Attribute) and n.attr == "torch" and isinstance(n.value, ast.Attribute)
               and n.value.attr == "mark" for n in ast.walk(tree))


def needs_torch() -> list[str]:
    """``needs_torch`` says whether the level's tests (levels 1..N: they are cumulative) need PyTorch;
    the op registry names only levels of the manifest."""
    from utils.ops import OPS

    out, needs = [], False
    for lv in manifest.levels():
        needs = needs or any(_uses_torch(p) for p in lv.test_files)
        if lv.needs_torch != needs:
            out.append(f"level {lv.number}: needs_torch = {str(lv.needs_torch).lower()}, but its tests "
                       + ("use" if needs else "do not use") + " @pytest.mark.torch")
    numbers = {lv.number for lv in manifest.levels()}
    out += [f"utils/ops.py: op {op.name} belongs to level {op.level}" for op in OPS.values()
            if op.level is not None and op.level not in numbers]
    if not {op.level for op in OPS.values()} >= {1, 2}:
        out.append("utils/ops.py: levels 1 and 2 introduce ops")
    return out


def shipped_stubs(lv: manifest.Level) -> list[str]:
    """What a new learner finds in katas/levelN is the pristine stub (the committed files; a learner's own
    commits are checked in CI only)."""
    out = []
    for name in lv.files:
        shipped = subprocess.run(["git", "show", f"HEAD:{lv.folder}/{name}"], cwd=ROOT, capture_output=True, text=True)
        if shipped.returncode != 0:
            raise Unchecked("not a git checkout")
        if shipped.stdout != (lv.stub_path / name).read_text():
            if not os.environ.get("CI"):
                raise Unchecked(f"{lv.folder}/{name} was committed with changes (a learner's work): checked in CI only")
            out.append(f"{lv.folder}/{name} as committed differs from {lv.stub}/{name}")
    return out


# -- the engine catalogue ------------------------------------------------------------------------


def engine_files() -> list[str]:
    """Every engine in the engine folders: a ``.py`` file, or a folder of them (a level-4 engine, a solution)."""
    out = []
    for folder in ENGINE_FOLDERS:
        for path in sorted((ROOT / folder).iterdir()):
            rel = path.relative_to(ROOT).as_posix()
            if path.name.startswith(("_", ".")) and path.name != "_base.py" or rel in ENGINE_FOLDERS:
                continue
            if path.suffix == ".py" or path.is_dir() and any(path.glob("*.py")):
                out.append(rel)
    return out


def listed_engines() -> dict[str, str]:
    """Every engine listed, with its claim: where each engine file is registered."""
    from tests.catalogue import discover  # the one catalogue: each wrong engine's docstring

    listed = {c.impl: f"passes levels 1-{c.level} (tests/claims.py)" for c in CLAIMS if c.impl != "reference"}
    listed.update({e.path.relative_to(ROOT).as_posix(): f"rejected by {e.unit} (its docstring)"
                   for e in discover()})
    listed.update(OTHER_FILES)
    return listed


def engine_catalogue() -> list[str]:
    """Every engine file of the engine folders is listed with its claims, and nothing listed is missing."""
    listed = listed_engines()
    found = engine_files()
    out = [f"{rel}: not listed (a correct engine goes in tests/claims.py, a wrong one says 'Rejected by:' in "
           "its docstring, anything else in tests/claims.OTHER_FILES)"
           for rel in found if not any(name == rel or name.startswith(rel + "/") for name in listed)]
    out += [f"{name}: listed ({claim}) but missing" for name, claim in listed.items() if not (ROOT / name).exists()]
    # the catalogue's patches are no files here: each must still apply to the reference (their runs: tests/test_zoo.py)
    from tests.catalogue import PATCHES, patch_problems

    return out + [problem for engine in PATCHES for problem in patch_problems(engine)]


# -- the runs ---------------------------------------------------------------------------------------


def claim_run(claim: Claim) -> list[str]:
    """The engine passes every test of every level it claims (one run, at its highest level)."""
    from tests.kata_runs import run_level

    level = written(claim.level)
    run = run_level(level, claim.impl)
    if not run.outcomes:
        return [f"{claim.impl}: level {level} collected no tests:\n{run.output[-3000:]}"]
    if run.returncode != 0 or run.not_passed:
        return [f"{claim.impl} ({claim.style}) at level {level}: {run.summary()}\n"
                + "\n".join(run.not_passed[:20]) + run.output[-3000:]]
    return [f"{claim.impl}: no test of level {lv} ran" for lv in range(1, level + 1)
            if not any(f"level{lv}." in t or f"level{lv}/" in t for t in run.outcomes)]


def reference_claims_every_level() -> list[str]:
    """The reference is the proof that every test of every level can pass."""
    top = max(lv.number for lv in manifest.levels())
    reference = [c for c in CLAIMS if c.impl == "reference"]
    return [] if reference and reference[0].level == top else [f"tests/claims.py: the reference claims level {top}"]


def stub_run(lv: manifest.Level) -> list[str]:
    """The untouched stub fails every test of its level, none of them by a skip."""
    from tests.kata_runs import pristine_stub, run_level

    run = run_level(lv.number, pristine_stub(lv), "--no-failfast")  # every test runs, though level 1 fails first
    if not run.outcomes:
        return [f"level {lv.number} collected no tests:\n{run.output[-3000:]}"]
    out = [] if run.returncode != 0 else [f"level {lv.number}: the untouched stub exits 0"]
    if run.passed:
        out.append(f"these tests pass on the untouched level-{lv.number} stub: {run.passed}")
    if run.count("skipped"):
        out.append(f"level {lv.number}: a stub's failures must not hide behind skips ({run.count('skipped')} skipped)")
    return out


# -- the command ------------------------------------------------------------------------------------


def checks(static: bool) -> list[tuple[str, Callable[[], list[str]]]]:
    """Every check, named, in the order they run (the fast ones first)."""
    levels = manifest.levels()
    out = [("manifest fields", fields), ("level folders", folders), ("needs_torch", needs_torch),
           ("engine catalogue", engine_catalogue), ("the reference's claim", reference_claims_every_level)]
    for lv in levels:
        out += [(f"{lv.name} files", lambda lv=lv: listed_files(lv)),
                (f"{lv.name} nothing unlisted", lambda lv=lv: nothing_unlisted(lv)),
                (f"{lv.name} tests and Value", lambda lv=lv: tests_and_value(lv)),
                (f"{lv.name} shipped as the stub", lambda lv=lv: shipped_stubs(lv))]
    if not static:
        out += [(f"{lv.name} stub fails", lambda lv=lv: stub_run(lv)) for lv in levels]
        out += [(f"{c.impl} passes levels 1-{c.level}", lambda c=c: claim_run(c)) for c in CLAIMS]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nox -s check --", description="The kata checks itself.")
    parser.add_argument("--static", action="store_true", help="no level runs: the manifest and the catalogue only")
    args = parser.parse_args(argv)
    failed = 0
    for name, check in checks(args.static):
        try:
            problems = check()
        except Unchecked as e:
            print(f"skip  {name}: {e}", flush=True)
            continue
        failed += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '}  {name}", flush=True)
        for p in problems:
            print("      " + p.replace("\n", "\n      "))
    print(f"\n{failed} check(s) failed" if failed else "\nall checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
