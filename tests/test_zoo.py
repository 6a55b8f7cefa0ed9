"""The bug zoo: every wrong engine is rejected by its level, with a message that names the bug.

``tests/zoo/`` holds engines with exactly one classic bug each (most subclass
the correct engine in ``tests/zoo/_base.py`` and override the one method
that holds the bug); ``tests/zoo/correct/`` holds correct engines written
in different styles. A file (or, for a level-4 engine, a folder with
``value.py`` and ``nn.py``) registers itself with its docstring:

    Rejected by: level 2              the lowest level that must reject it
    Message names: tanh | overflow    words (any one of them) that the failed
    Message names: ...                tests' names or messages must contain;
                                      every such line must be satisfied
    Passes: levels 1-3                (correct engines) the levels it passes
    Gap: ...                          (optional) a known hole in the kata's
                                      tests: the check is an expected failure
    Message gap: ...                  (optional) rejected, but no message names
                                      the bug yet: the word check is expected to fail

Each check runs the level in a subprocess, exactly as a learner would
(``pytest katas --level N --impl PATH``), and reads the verdicts back.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.kata_runs import LevelRun, run_level
from runner import manifest

ZOO = Path(__file__).resolve().parent / "zoo"
# the levels whose tests exist (a level may be in levels.toml before its tests are written)
LEVELS = {lv.number for lv in manifest.levels() if all(p.exists() for p in lv.test_files)}
# one screen per failure, without the test's own source and docstring: the
# words must come from what the assertion says, not from the test's text
RUN_OPTIONS = ("--tb=short", "-p", "no:randomly")


@dataclass(frozen=True)
class Engine:
    name: str  # path under tests/zoo, e.g. "assign_instead_of_accumulate" or "correct/slots_kahn"
    path: Path  # the file, or the folder of a level-4 engine
    title: str
    rejected_by: int | None
    names: tuple[tuple[str, ...], ...]  # every group must match; any word of a group will do
    passes: tuple[int, ...]
    gap: str | None
    message_gap: str | None = None

    @property
    def correct(self) -> bool:
        return bool(self.passes)


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text())) or ""


def _folder_docstring(folder: Path) -> str:
    """A level-4 engine registers in the docstring of its nn.py, or else of its value.py."""
    for name in ("nn.py", "value.py"):
        doc = _docstring(folder / name) if (folder / name).exists() else ""
        if "Rejected by:" in doc or "Passes:" in doc:
            return doc
    return ""


def _field(doc: str, name: str) -> list[str]:
    """Every ``name: value`` line; a value continues on the following indented or
    non-blank lines up to the next field or blank line."""
    found = []
    for match in re.finditer(rf"^{name}:[ \t]*(.*(?:\n(?![A-Z][a-z ]+:)[^\n]+)*)", doc, re.MULTILINE):
        found.append(" ".join(match.group(1).split()))
    return found


def _parse(name: str, path: Path, doc: str) -> Engine:
    rejected = _field(doc, "Rejected by")
    passes = _field(doc, "Passes")
    gap = _field(doc, "Gap")
    message_gap = _field(doc, "Message gap")
    level = None
    if rejected:
        level = int(re.fullmatch(r"level (\d+)", rejected[0]).group(1))
    claimed: tuple[int, ...] = ()
    if passes:
        m = re.fullmatch(r"levels? (\d+)(?:-(\d+))?", passes[0])
        claimed = tuple(range(int(m.group(1)), int(m.group(2) or m.group(1)) + 1))
    names = tuple(
        tuple(w.strip().lower() for w in line.split("|") if w.strip()) for line in _field(doc, "Message names")
    )
    title = doc.splitlines()[0] if doc else ""
    return Engine(
        name, path, title, level, names, claimed, gap[0] if gap else None, message_gap[0] if message_gap else None
    )


def discover(root: Path = ZOO) -> list[Engine]:
    """Every registered engine under ``root``: the ``*.py`` files and the folders holding a ``value.py``."""
    engines = []
    for folder in (root, root / "correct"):
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.name == "__init__.py" or path.name == "__pycache__":
                continue
            if path.name.startswith("_") and "Passes:" not in (_docstring(path) if path.suffix == ".py" else ""):
                continue  # a shared piece (_base_nn.py), not an engine
            if path.suffix == ".py":
                engines.append(_parse(path.relative_to(root).with_suffix("").as_posix(), path, _docstring(path)))
            elif path.is_dir() and (path / "value.py").exists():
                engines.append(_parse(path.relative_to(root).as_posix(), path, _folder_docstring(path)))
    return engines


ENGINES = discover()
WRONG = [e for e in ENGINES if not e.correct]
CORRECT = [e for e in ENGINES if e.correct]


def _param(engine: Engine, *marks) -> pytest.param:
    marks = list(marks)
    if engine.gap:
        marks.append(pytest.mark.xfail(strict=True, reason=engine.gap))
    level = engine.rejected_by or max(engine.passes)
    if level not in LEVELS or level >= 3:
        marks.append(pytest.mark.slow)
    return pytest.param(engine, id=engine.name, marks=marks)


def _narrowed(engine: Engine) -> tuple[list[str], int]:
    """The pytest options for a wrong engine's run, and the first level whose tests it includes.

    Levels 1-2 run in full (a few seconds), so any failure may name the bug.
    From level 3 on, a run stops at the first failure (-x): the tests run in
    level order, so an earlier level's failure still shows, and the first
    failure of the level itself must name the bug. A level-4 entry keeps
    its bug in nn.py and re-exports the zoo's base engine as value.py; the
    base passes levels 1-3 in its own check, so these entries run level 4's
    own tests only, without the slow training.
    """
    if engine.rejected_by is None or engine.rejected_by < 3:
        return [], 1
    if not engine.path.is_dir():
        return ["-x"], 1
    earlier = [f"--ignore={lv.folder}" for lv in manifest.levels() if lv.number < engine.rejected_by]
    return ["-x", *earlier, "-m", "not slow"], engine.rejected_by


def _failure_text(run: LevelRun) -> str:
    """What the learner reads: the name and the message of every test that did not pass."""
    return "\n".join(f"{t}\n{run.messages.get(t, '')}" for t in run.not_passed if run.outcomes[t] != "skipped")


def _level_of(test_id: str) -> int:
    return int(re.search(r"level(\d+)", test_id).group(1))


# -- the registry itself -----------------------------------------------------


def test_the_zoo_is_big_and_every_entry_is_registered():
    assert len(WRONG) >= 25, f"the zoo has {len(WRONG)} wrong engines; the kata promises at least 25"
    for engine in ENGINES:
        where = f"tests/zoo/{engine.name}"
        assert engine.title, f"{where}: the docstring's first line names the bug (or the style)"
        assert (engine.rejected_by is None) != (not engine.passes), (
            f"{where}: give exactly one of 'Rejected by: level N' (a wrong engine) or 'Passes: levels A-B'"
        )
        if not engine.correct:
            assert engine.names, f"{where}: 'Message names:' lists the words the rejection must contain"
        if engine.path.is_dir() and engine.rejected_by:
            assert "tests.zoo._base import Value" in (engine.path / "value.py").read_text(), (
                f"{where}/value.py: a level-4 entry runs on the zoo's base engine (its own check covers levels 1-3)"
            )
        value = engine.path / "value.py" if engine.path.is_dir() else engine.path
        tree = ast.parse(value.read_text())
        defined = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        defined |= {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
        assert "Value" in defined, f"{value}: every zoo engine defines Value itself"


def test_every_level_has_correct_engines_of_several_styles():
    for level in LEVELS:
        passing = [e.name for e in CORRECT if level in e.passes]
        if level <= 3:
            assert len(passing) >= 2, f"level {level}: only {passing} pass it; the zoo needs several styles"
        else:
            assert passing, f"level {level}: no correct engine in the zoo claims it"


# -- the verdicts --------------------------------------------------------------


@pytest.mark.timeout(900)
@pytest.mark.parametrize("engine", [_param(e) for e in WRONG])
def test_wrong_engine_is_rejected_with_a_message_that_names_the_bug(engine: Engine):
    if engine.rejected_by not in LEVELS:
        pytest.skip(f"the tests of level {engine.rejected_by} do not exist yet")
    narrow, first = _narrowed(engine)
    run = run_level(engine.rejected_by, engine.path, *RUN_OPTIONS, *narrow)
    assert run.outcomes, f"{engine.name}: level {engine.rejected_by} collected no tests\n{run.output[-2000:]}"
    failed = [t for t in run.not_passed if run.outcomes[t] in ("failed", "error")]
    assert run.returncode != 0 and failed, (
        f"{engine.name} ({engine.title}) passes level {engine.rejected_by}: {run.summary()}"
    )
    # exactly one bug, and the tag is the first level that sees it: the tests of
    # the earlier levels (which run too, levels being cumulative) all pass
    earlier = [t for t in run.not_passed if first <= _level_of(t) < engine.rejected_by]
    assert not earlier, (
        f"{engine.name} is tagged level {engine.rejected_by}, but tests of earlier levels reject it too: {earlier}"
    )
    text = _failure_text(run).lower()
    missing = [" | ".join(group) for group in engine.names if not any(word in text for word in group)]
    if engine.message_gap:
        if missing:
            pytest.xfail(f"message gap: {engine.message_gap}")
        pytest.fail(f"{engine.name}: the failures now name the bug; remove 'Message gap' from its docstring")
    assert not missing, (
        f"{engine.name} is rejected, but no failure names the bug: none of {missing} in\n{_failure_text(run)[:3000]}"
    )


@pytest.mark.timeout(900)
@pytest.mark.parametrize("engine", [_param(e) for e in CORRECT])
def test_correct_engine_passes_every_level_it_claims(engine: Engine):
    claimed = [lv for lv in engine.passes if lv in LEVELS]
    if not claimed:
        pytest.skip(f"the tests of levels {engine.passes} do not exist yet")
    top = max(claimed)  # levels are cumulative: --level N runs levels 1..N
    run = run_level(top, engine.path, *RUN_OPTIONS)
    ran = {_level_of(t) for t in run.outcomes}
    assert ran >= set(claimed), f"{engine.name}: levels {sorted(set(claimed) - ran)} ran no tests"
    assert run.returncode == 0 and not run.not_passed, (
        f"{engine.name} ({engine.title}) must pass levels 1-{top}: {run.summary()}\n{_failure_text(run)[:3000]}"
    )
