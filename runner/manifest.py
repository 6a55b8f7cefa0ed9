"""The manifest (``levels.toml``), read once and shared by every tool: the levels, and the
interview's follow-up stages (units run like a level: their own tests, the last level's engine)."""

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


@dataclass(frozen=True)
class Stage:
    """A follow-up stage of a staged interview (the core is judged by the levels 1..``level``)."""

    name: str
    title: str
    minutes: float
    prompt: str
    hints: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    default: bool = False
    level: int | None = None  # the core: judged by the kata's level tests 1..level
    folder: str | None = None  # a follow-up: the folder of its tests
    tests: tuple[str, ...] = ()

    @property
    def path(self) -> Path | None:
        return ROOT / self.folder if self.folder else None

    @property
    def test_files(self) -> list[Path]:
        return [self.path / name for name in self.tests] if self.folder else []

    @property
    def engine_level(self) -> Level:
        """The level whose files ``--impl`` loads: the core's own, else the last (the finished engine)."""
        return level(self.level) if self.level else levels()[-1]

    @property
    def needs_torch(self) -> bool:
        return bool(self.level) and any(level(n).needs_torch for n in range(1, self.level + 1))


STAGE_FIELDS = ("name", "title", "minutes", "prompt", "hints", "tags", "default", "level", "folder", "tests")


@functools.lru_cache(maxsize=None)
def levels() -> tuple[Level, ...]:
    """Every level, in order."""
    return load(MANIFEST)


@functools.lru_cache(maxsize=None)
def stages() -> dict[str, Stage]:
    """Every follow-up stage (and the core), by name, in the manifest's order."""
    return load_stages(MANIFEST)


def stage(name: str) -> Stage:
    """The stage called ``name``; ValueError names the known ones."""
    known = stages()
    if name not in known:
        raise ValueError(f"there is no stage {name!r}; the stages are {', '.join(known)}")
    return known[name]


def _check(manifest: Path, kind: str, i: int, e: dict, fields: tuple[str, ...], required: tuple[str, ...]) -> None:
    unknown = sorted(set(e) - set(fields))
    missing = [k for k in required if k not in e]
    if unknown or missing:  # a field nothing reads would be a promise nothing keeps
        raise ValueError(f"{manifest}: {kind} entry {i}: " + "; ".join(
            ([f"unknown field(s) {unknown} (the fields are {', '.join(fields)})"] if unknown else [])
            + ([f"missing field(s) {missing}"] if missing else [])))


def load_stages(manifest: Path) -> dict[str, Stage]:
    """The stages of a manifest file; ValueError says what is wrong with it."""
    with Path(manifest).open("rb") as f:
        entries = tomllib.load(f).get("stage", [])
    out: dict[str, Stage] = {}
    for i, e in enumerate(entries, 1):
        _check(manifest, "stage", i, e, STAGE_FIELDS, ("name", "title", "minutes", "prompt"))
        if ("level" in e) == ("tests" in e) or ("tests" in e) != ("folder" in e):
            raise ValueError(f"{manifest}: stage {e['name']!r} needs either level, or folder and tests")
        out[e["name"]] = Stage(name=e["name"], title=e["title"], minutes=float(e["minutes"]),
                               prompt=e["prompt"].strip(), hints=tuple(e.get("hints", ())),
                               tags=tuple(e.get("tags", ())), default=bool(e.get("default")), level=e.get("level"),
                               folder=e.get("folder"), tests=tuple(e.get("tests", ())))
    return out


def load(manifest: Path) -> tuple[Level, ...]:
    """The levels of a manifest file; ValueError says what is wrong with it."""
    with Path(manifest).open("rb") as f:
        entries = tomllib.load(f)["level"]
    out = []
    for i, e in enumerate(entries, 1):
        _check(manifest, "level", i, e, FIELDS, REQUIRED)
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


def stage_of_path(path: str | Path) -> Stage | None:
    """The follow-up stage one of whose test files is ``path`` (or holds it), if any."""
    p = Path(path).resolve()
    for st in stages().values():
        if any(p == f or f in p.parents for f in st.test_files):
            return st
    return None
