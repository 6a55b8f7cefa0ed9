"""The levels manifest (``levels.toml``), read once and shared by every tool."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "levels.toml"


@dataclass(frozen=True)
class Level:
    number: int
    title: str
    folder: str
    stub: str
    files: tuple[str, ...]
    tests: tuple[str, ...]
    hints: tuple[str, ...]
    needs_torch: bool
    minutes: int

    @property
    def path(self) -> Path:
        """The level's folder, absolute."""
        return ROOT / self.folder

    @property
    def stub_path(self) -> Path:
        """The folder of pristine stubs of the level's files."""
        return ROOT / self.stub

    @property
    def learner_files(self) -> list[Path]:
        return [self.path / name for name in self.files]

    @property
    def test_files(self) -> list[Path]:
        return [self.path / name for name in self.tests]

    @property
    def hint_files(self) -> list[Path]:
        return [self.path / name for name in self.hints]

    @property
    def name(self) -> str:
        return f"level{self.number}"


FIELDS = ("number", "title", "folder", "stub", "files", "tests", "hints", "needs_torch", "minutes")
REQUIRED = ("number", "title", "folder", "stub", "files", "tests")


@functools.lru_cache(maxsize=None)
def levels() -> tuple[Level, ...]:
    """Every level, in order."""
    return load(MANIFEST)


def load(manifest: Path) -> tuple[Level, ...]:
    """The levels of a manifest file; ValueError says what is wrong with it."""
    with Path(manifest).open("rb") as f:
        entries = tomllib.load(f)["level"]
    out = []
    for i, e in enumerate(entries, 1):
        unknown = sorted(set(e) - set(FIELDS))
        missing = [k for k in REQUIRED if k not in e]
        if unknown or missing:  # a field nothing reads would be a promise nothing keeps
            raise ValueError(f"{manifest}: level entry {i}: " + "; ".join(
                ([f"unknown field(s) {unknown} (the fields are {', '.join(FIELDS)})"] if unknown else [])
                + ([f"missing field(s) {missing}"] if missing else [])))
        out.append(
            Level(
                number=int(e["number"]),
                title=e["title"],
                folder=e["folder"],
                stub=e["stub"],
                files=tuple(e["files"]),
                tests=tuple(e["tests"]),
                hints=tuple(e.get("hints", ())),
                needs_torch=bool(e.get("needs_torch", False)),
                minutes=int(e.get("minutes", 30)),
            )
        )
    numbers = [lv.number for lv in out]
    if numbers != list(range(1, len(out) + 1)):
        raise ValueError(f"{manifest}: levels must be numbered 1, 2, 3, ... in order, got {numbers}")
    return tuple(out)


def level(number: int) -> Level:
    """The level with this number; ValueError names the valid ones."""
    for lv in levels():
        if lv.number == number:
            return lv
    raise ValueError(f"there is no level {number}; levels are 1 to {len(levels())}")


def level_of_path(path: str | Path) -> Level | None:
    """The level whose folder holds ``path``, if any."""
    p = Path(path).resolve()
    for lv in levels():
        if p == lv.path or lv.path in p.parents:
            return lv
    return None
