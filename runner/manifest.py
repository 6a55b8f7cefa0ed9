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
    ops: tuple[str, ...]
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


@functools.lru_cache(maxsize=None)
def levels() -> tuple[Level, ...]:
    """Every level, in order."""
    with MANIFEST.open("rb") as f:
        entries = tomllib.load(f)["level"]
    out = []
    for e in entries:
        out.append(
            Level(
                number=int(e["number"]),
                title=e["title"],
                folder=e["folder"],
                stub=e["stub"],
                files=tuple(e["files"]),
                tests=tuple(e["tests"]),
                ops=tuple(e.get("ops", ())),
                hints=tuple(e.get("hints", ())),
                needs_torch=bool(e.get("needs_torch", False)),
                minutes=int(e.get("minutes", 30)),
            )
        )
    numbers = [lv.number for lv in out]
    if numbers != list(range(1, len(out) + 1)):
        raise ValueError(f"{MANIFEST}: levels must be numbered 1, 2, 3, ... in order, got {numbers}")
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
