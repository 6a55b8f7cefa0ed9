"""The one catalogue of engines: every wrong engine with its claims, and every correct one with its level.

Whatever form a wrong engine takes, its claims are in one place, read here:

* a file (or, for a level-4 engine, a folder with ``value.py`` and ``nn.py``) in ``tests/zoo/``
  registers itself with its docstring::

      Rejected by: level 2              the lowest level that must reject it, or
      Rejected by: stage iterative      the follow-up stage of levels.toml that must reject it
      Message names: tanh | overflow    words (any one of them) that the FIRST failing
      Message names: ...                test's block must say; every line must be met
      Must not say: accumul | float32   (optional) words no failure block may say: a
                                        cause that does not apply to this bug
      Fresh runs: 5                     (optional) a bug whose effect depends on the
                                        order of siblings in a set: rejected, with the
                                        same first failure, in that many fresh processes
      Gap: ...                          (optional) a known hole in the kata's
                                        tests: the check is an expected failure

  Level entries subclass a correct engine (``_base.py``, ``correct/micrograd_closures.py``);
  stage entries patch one mistake into a private copy of the reference (``_reference.py``).
* a bug hunt (``tools/bughunt/hunts/hNN_*.py``) plants ``BUGGY`` in place of ``FIX`` in a
  copy of the reference; its ``LEVEL`` is the level that rejects the planted engine
  (``tests/test_bughunt.py`` checks it).

Correct engines claim the levels they pass in ``tests/claims.py``.

``entries()`` lists them all as ``(path, claims)``: the zoo test (``tests/test_zoo.py``), the
stages' self-test, the hunts' and the grader's self-tests, and the contributors' check read it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from runner import manifest
from tests.claims import CLAIMS, Claim

ZOO = Path(__file__).resolve().parent / "zoo"


@dataclass(frozen=True)
class Engine:
    name: str  # path under tests/zoo, e.g. "assign_instead_of_accumulate" (a hunt: "hunt 3")
    path: Path  # the file, or the folder of a level-4 engine
    title: str
    rejected_by: int | str  # a level's number, or a follow-up stage's name
    names: tuple[tuple[str, ...], ...]  # every group must match; any word of a group will do
    must_not: tuple[str, ...] = ()
    fresh_runs: int = 0
    gap: str | None = None
    form: str = "zoo"  # "zoo": a file or folder of tests/zoo; "hunt": a patch a bug hunt plants

    @property
    def stage(self) -> str | None:
        return self.rejected_by if isinstance(self.rejected_by, str) else None

    @property
    def unit(self) -> str:
        return f"stage {self.stage}" if self.stage else f"level {self.rejected_by}"


def docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text())) or ""


def folder_docstring(folder: Path) -> str:
    """A level-4 engine registers in the docstring of its nn.py, or else of its value.py."""
    for name in ("nn.py", "value.py"):
        doc = docstring(folder / name) if (folder / name).exists() else ""
        if "Rejected by:" in doc:
            return doc
    return ""


def _field(doc: str, name: str) -> list[str]:
    """Every ``name: value`` line; a value continues on the following indented or
    non-blank lines up to the next field or blank line."""
    found = []
    for match in re.finditer(rf"^{name}:[ \t]*(.*(?:\n(?![A-Z][a-z ]+:)[^\n]+)*)", doc, re.MULTILINE):
        found.append(" ".join(match.group(1).split()))
    return found


def _words(line: str) -> tuple[str, ...]:
    return tuple(w.strip().lower() for w in line.split("|") if w.strip())


def parse(name: str, path: Path, doc: str) -> Engine:
    """An entry's claims from its docstring; ValueError names a unit the manifest does not have."""
    unit = re.fullmatch(r"(level|stage) (\w+)", _field(doc, "Rejected by")[0])
    if unit is None or (unit[1] == "stage" and unit[2] not in manifest.stages()):
        raise ValueError(f"tests/zoo/{name}: 'Rejected by:' names no level or stage of levels.toml")
    gap = _field(doc, "Gap")
    fresh = _field(doc, "Fresh runs")
    return Engine(
        name, path, doc.splitlines()[0], int(unit[2]) if unit[1] == "level" else unit[2],
        names=tuple(_words(line) for line in _field(doc, "Message names")),
        must_not=tuple(w for line in _field(doc, "Must not say") for w in _words(line)),
        fresh_runs=int(fresh[0]) if fresh else 0,
        gap=gap[0] if gap else None,
    )


def discover(root: Path = ZOO) -> list[Engine]:
    """Every wrong engine under ``root``: the ``*.py`` files and the folders holding a ``value.py``
    whose docstring says ``Rejected by:`` (the rest are shared pieces and correct engines)."""
    engines = []
    for path in sorted(root.iterdir()):
        if path.suffix == ".py" and "Rejected by:" in docstring(path):
            engines.append(parse(path.relative_to(root).with_suffix("").as_posix(), path, docstring(path)))
        elif path.is_dir() and (path / "value.py").exists() and folder_docstring(path):
            engines.append(parse(path.relative_to(root).as_posix(), path, folder_docstring(path)))
    return engines


def hunts() -> list[Engine]:
    """The engines the bug hunts plant, each rejected by its hunt's level."""
    from tools.bughunt import catalogue

    folder = manifest.ROOT / "tools" / "bughunt" / "hunts"
    return [Engine(f"hunt {h.number}", next(p for p in sorted(folder.glob("*.py")) if p.stem.endswith(h.slug)),
                   h.title, h.level, (), form="hunt") for h in catalogue.hunts()]


def wrong(stage: str | None = None) -> list[Engine]:
    """The zoo's wrong engines (those of one follow-up stage, with ``stage``)."""
    return [e for e in discover() if stage is None or e.stage == stage]


def entries() -> list[tuple[Path, Engine | Claim]]:
    """Every engine with its claims: the zoo's wrong ones, the hunts' planted ones, the correct ones."""
    correct = [(manifest.ROOT / c.impl if c.impl != "reference" else manifest.ROOT / "reference", c) for c in CLAIMS]
    return [(e.path, e) for e in discover() + hunts()] + correct
