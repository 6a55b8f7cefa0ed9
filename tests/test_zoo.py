"""The bug zoo: every wrong engine is rejected by its level or stage, with failures that say what is wrong.

``tests/zoo/`` holds engines with exactly one classic bug each; each registers itself,
with its claims, in its docstring (the format is in ``tests/catalogue.py``, which reads
them). Words are matched against what the failure blocks *say*: the message lines,
without the lines that show a file location, the code at that location, or
the replay command (so a word never comes from a test's name or its source).

The correct engines (the zoo's bases, ``tests/zoo/correct/``, the reference
and the solutions) are listed with the levels they claim in
``tests/claims.py``; ``tests/test_levels.py`` runs each of them once.

Each check runs the level (or the follow-up stage) in a subprocess, exactly as a learner would
(``pytest katas --level N --impl PATH``), and reads the verdicts back.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import tempfile
from pathlib import Path

import pytest

from runner import manifest
from tests import check
from tests.catalogue import PATCHES, ZOO, Engine, discover, docstring, folder_docstring, patch_problems, patched
from tests.claims import CLAIMS
from tests.kata_runs import LevelRun, run_level

# the levels whose tests exist (a level may be in levels.toml before its tests are written)
LEVELS = {lv.number for lv in manifest.levels() if all(p.exists() for p in lv.test_files)}
# the learner's screen: one shaped block per failure (no --tb, which would turn the shaping off)
RUN_OPTIONS = ("-p", "no:randomly")
# how many fresh processes an order-dependent entry is run in (its docstring's `Fresh runs:`, or this)
FRESH_RUNS = int(os.environ.get("KATA_FRESH_RUNS", "0"))



WRONG = discover()
# the catalogue's patches of the reference that claim a level, checked the same way (the others
# claim no level: the tests that use them check what they do, in a narrowed run or the diagnosis)
PATCHED = [e for e in PATCHES if e.rejected_by is not None]


def _param(engine: Engine) -> pytest.param:
    marks = []
    if engine.gap:
        marks.append(pytest.mark.xfail(strict=True, reason=engine.gap))
    if engine.stage in ("iterative", "softmax") or (not engine.stage and (
            engine.rejected_by not in LEVELS or engine.rejected_by >= 3)):
        marks.append(pytest.mark.slow)
    return pytest.param(engine, id=engine.name, marks=marks)


def _narrowed(engine: Engine) -> tuple[list[str], int]:
    """The pytest options for a wrong engine's run, and the first level whose tests it includes.

    Levels 1-2 run in full (a few seconds), so every block can be read.
    From level 3 on, a run stops at the first failure (-x): the tests run in
    level order, so an earlier level's failure still shows, and the first
    failure of the level itself must name the bug. A level-4 entry keeps
    its bug in nn.py and re-exports the zoo's base engine as value.py; the
    base passes levels 1-3 in its own check, so these entries run level 4's
    own tests only, without the slow training.
    """
    if engine.stage or engine.rejected_by < 3:  # a stage runs its own tests only
        return [], 1
    if not engine.path.is_dir():
        return ["-x"], 1
    earlier = [f"--ignore={lv.folder}" for lv in manifest.levels() if lv.number < engine.rejected_by]
    return ["-x", *earlier, "-m", "not slow"], engine.rejected_by


def _run(engine: Engine) -> LevelRun:
    narrow, _ = _narrowed(engine)
    if engine.form != "patch":
        return run_level(engine.rejected_by, engine.path, *RUN_OPTIONS, *narrow)
    with tempfile.TemporaryDirectory(prefix="kata-patch-") as folder:
        return run_level(engine.rejected_by, patched(engine.name, Path(folder)), *RUN_OPTIONS, *narrow)


@functools.cache
def _run_once(engine: Engine) -> LevelRun:
    """The engine's run at its level, shared by the checks of one process."""
    if not engine.stage and engine.rejected_by not in LEVELS:
        pytest.skip(f"the tests of level {engine.rejected_by} do not exist yet")
    return _run(engine)


def _failed(run: LevelRun) -> list[str]:
    """The failed tests, in the order they ran."""
    return [t for t in run.not_passed if run.outcomes[t] in ("failed", "error")]


def _level_of(test_id: str) -> int | None:
    found = re.search(r"katas/level(\d+)", test_id)
    return int(found.group(1)) if found else None  # None: a stage's test


_LOCATION = re.compile(r"\S+\.py:\d+, in \S+\s*$")


@functools.cache
def _test_source(test_id: str) -> frozenset[str]:
    """The stripped lines of the file that holds ``test_id`` (katas.level1.test_level1::test_x[...])."""
    module = test_id.split("::")[0]  # a node id (katas/level1/test_level1.py) or a dotted class name
    path = manifest.ROOT / (module if module.endswith(".py") else module.replace(".", "/") + ".py")
    return frozenset(line.strip() for line in path.read_text().splitlines() if line.strip()) if path.exists() \
        else frozenset()


def _quotes_the_test(line: str, source: frozenset[str]) -> bool:
    """A line that shows the test's own docstring ("the test    expected: ..."): the test's words, not a cause."""
    if not (line.startswith("the test") and "expected:" in line):
        return False
    quoted = line.split("expected:", 1)[1].strip()[:60]
    return bool(quoted) and any(quoted in src for src in source)


def said(run: LevelRun, test_id: str) -> str:
    """What the failure block of ``test_id`` says: its message lines, without the test's
    name, any line of its source, the file locations, the code shown at a location, and the
    replay command and the hint line. Lower case."""
    name = test_id.split("::")[-1].split("[")[0]
    source = _test_source(test_id)
    kept, after_location = [], False
    for line in (run.messages.get(test_id) or "").splitlines():
        stripped = line.strip()
        code = after_location and line.startswith(" " * 10)
        after_location = bool(_LOCATION.search(line))
        if after_location or code or name in line or "::" in line or stripped in source or \
                stripped.startswith("stuck?") or _quotes_the_test(stripped, source):
            continue
        kept.append(stripped)
    return "\n".join(kept).lower()


# -- the registry itself -----------------------------------------------------


def test_the_zoo_is_big_and_every_entry_is_registered():
    assert len(WRONG) >= 25, f"the zoo has {len(WRONG)} wrong engines; the kata promises at least 25"
    unlisted = check.engine_catalogue()  # every engine file is listed with its claims (nox -s check)
    assert not unlisted, "\n".join(unlisted)
    for path in sorted(ZOO.iterdir()) + sorted((ZOO / "correct").iterdir()):
        if path.name.startswith((".", "__")) or path.name in ("_base_nn.py", "_reference.py") or path.name == "correct":
            continue
        where = path.relative_to(ZOO.parent.parent).as_posix()
        doc = docstring(path) if path.suffix == ".py" else folder_docstring(path)
        assert "Passes:" not in doc, f"{where}: a correct engine's claim goes in tests/claims.py"
    for engine in WRONG:
        where = f"tests/zoo/{engine.name}"
        assert engine.title, f"{where}: the docstring's first line names the bug"
        assert engine.names, f"{where}: 'Message names:' lists the words the first failure must say"
        if engine.path.is_dir():
            assert "tests.zoo._base import Value" in (engine.path / "value.py").read_text(), (
                f"{where}/value.py: a level-4 entry runs on the zoo's base engine (its own check covers levels 1-3)"
            )
        value = engine.path / "value.py" if engine.path.is_dir() else engine.path
        tree = ast.parse(value.read_text())
        defined = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        defined |= {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
        assert "Value" in defined, f"{value}: every zoo engine defines Value itself"


def test_every_patch_applies_to_the_reference_and_says_what_it_is():
    names = [e.name for e in PATCHES]
    assert len(set(names)) == len(names), "one entry per patch name"
    for engine in PATCHES:
        assert engine.title and engine.edits and not engine.stage, engine.name
        assert not patch_problems(engine), patch_problems(engine)
    for engine in PATCHED:
        assert engine.names, f"{engine.name}: a patch that claims a level names the words its first failure says"


def test_every_follow_up_stage_has_wrong_engines_to_reject():
    stages = [s.name for s in manifest.stages().values() if s.tests]
    for name in stages:
        assert any(e.stage == name for e in WRONG), f"stage {name} has no wrong engine in tests/zoo to reject"
    assert {e.stage for e in WRONG} - {None} <= set(stages)


def test_every_level_has_correct_engines_of_several_styles():
    for level in LEVELS:
        passing = [c.impl for c in CLAIMS if c.zoo and c.level >= level]
        if level <= 3:
            assert len(passing) >= 2, f"level {level}: only {passing} pass it; the zoo needs several styles"
        else:
            assert passing, f"level {level}: no correct engine in the zoo claims it"


def test_said_keeps_the_message_and_drops_names_locations_and_source():
    """The reader of the blocks, on a block shaped like the plugin's."""
    block = "\n".join([
        "dz/dx = 4x^3 + 2x = 16.5; your backward gave 19.5",
        "  checked at  katas/level1/test_level1.py:313, in test_topological_order",
        '                  assert xgrad == approx(16.5), f"dz/dx = 4x^3 + 2x = 16.5; your backward gave"',
        "  your code   tests/zoo/x.py:12, in __pow__",
        "                  assert isinstance(k, int), \"only supporting int powers\"",
        "  replay      python -m pytest katas/level1/test_level1.py::test_topological_order --level=1",
        "  see test_topological_order",
        "  stuck?      nox -s hint -- 1",
        "  the test    expected: z = y*y + y with y = x*x: y must collect all of its gradient before it passes any on.",
        "  topological order: y ran before y*y",
    ])
    test_id = "katas/level1/test_level1.py::test_topological_order"
    text = said(LevelRun(1, "", {test_id: "failed"}, {test_id: block}), test_id)
    assert text.splitlines() == ["dz/dx = 4x^3 + 2x = 16.5; your backward gave 19.5",
                                 "topological order: y ran before y*y"]


# -- the verdicts --------------------------------------------------------------


@pytest.mark.timeout(900)
@pytest.mark.parametrize("engine", [_param(e) for e in WRONG + PATCHED])
def test_wrong_engine_is_rejected_by_its_level(engine: Engine):
    run = _run_once(engine)
    assert run.outcomes, f"{engine.name}: {engine.unit} collected no tests\n{run.output[-2000:]}"
    assert run.returncode != 0 and _failed(run), (
        f"{engine.name} ({engine.title}) passes {engine.unit}: {run.summary()}"
    )
    # exactly one bug, and the tag is the first level that sees it: the tests of
    # the earlier levels (which run too, levels being cumulative) all pass
    _, first = _narrowed(engine)
    earlier = [] if engine.stage else [t for t in run.not_passed if first <= _level_of(t) < engine.rejected_by]
    assert not earlier, (
        f"{engine.name} is tagged level {engine.rejected_by}, but tests of earlier levels reject it too: {earlier}"
    )


def _first_failure_names_the_bug(engine: Engine, run: LevelRun) -> None:
    failed = _failed(run)
    assert failed, f"{engine.name} passes {engine.unit}: {run.summary()}"
    first = failed[0]
    text = said(run, first)
    missing = [" | ".join(group) for group in engine.names if not any(word in text for word in group)]
    assert not missing, (
        f"{engine.name}: the first failure, {first}, does not say {missing}; it says:\n{text[:2000]}"
    )


@pytest.mark.timeout(900)
@pytest.mark.parametrize("engine", [_param(e) for e in WRONG + PATCHED])
def test_first_failure_names_the_bug(engine: Engine):
    _first_failure_names_the_bug(engine, _run_once(engine))


@pytest.mark.timeout(900)
@pytest.mark.parametrize("engine", [_param(e) for e in WRONG + PATCHED if e.must_not])
def test_no_failure_states_a_cause_that_does_not_apply(engine: Engine):
    run = _run_once(engine)
    wrong = {t: [w for w in engine.must_not if w in said(run, t)] for t in _failed(run)}
    wrong = {t: ws for t, ws in wrong.items() if ws}
    assert not wrong, (
        f"{engine.name}: failures say what does not apply to its bug: "
        + "; ".join(f"{t.split('::')[-1]} says {ws}" for t, ws in wrong.items())
    )


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("engine", [_param(e) for e in WRONG + PATCHED if e.fresh_runs])
def test_order_dependent_bug_is_rejected_the_same_way_on_every_run(engine: Engine):
    """A bug whose effect depends on the order of siblings in a set ``_prev`` (that order
    follows the objects' ids, which change from process to process): the level rejects it
    in every fresh process, with the same first failure, saying the same thing."""
    if not engine.stage and engine.rejected_by not in LEVELS:
        pytest.skip(f"the tests of level {engine.rejected_by} do not exist yet")
    firsts = []
    for _ in range(FRESH_RUNS or engine.fresh_runs):
        run = _run(engine)
        assert run.returncode != 0 and _failed(run), (
            f"{engine.name} passed level {engine.rejected_by} in a fresh run: {run.summary()}"
        )
        _first_failure_names_the_bug(engine, run)
        first = _failed(run)[0]
        firsts.append((first, said(run, first)))
    assert len(set(firsts)) == 1, (
        f"{engine.name}: the first failure differs between fresh runs:\n"
        + "\n---\n".join(f"{t}\n{text}" for t, text in sorted(set(firsts)))
    )
