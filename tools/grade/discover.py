"""Who is in the class: the submissions under the paths given to the grader.

Each entry is one student:

* a ``.py`` file defining ``Value`` (levels 1-3; level 4 needs an ``nn.py``, so
  a single file scores no level-4 test);
* a folder laid out like ``katas/level4``: ``value.py`` and ``nn.py``;
* a whole clone of the kata (``levels.toml`` and ``katas/``): the files of its
  furthest level, the highest level whose files differ from the stubs.

A path that is none of these is a folder of submissions: each entry in it is
one student (names starting with ``.`` or ``_`` are skipped). The student's
name is the file's stem or the folder's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from runner import manifest, state


@dataclass
class Submission:
    name: str
    path: Path
    kind: str  # "file", "folder" or "clone"
    files: dict[str, Path] = field(default_factory=dict)  # module stem -> file, e.g. {"value": ..., "nn": ...}
    problem: str | None = None  # why there is nothing to grade

    @property
    def gradable(self) -> bool:
        return self.problem is None


def _is_clone(path: Path) -> bool:
    return (path / "levels.toml").is_file() and (path / "katas").is_dir()


def _clone_files(path: Path) -> dict[str, Path]:
    """The files of the clone's furthest level that differs from its stubs."""
    chosen = manifest.levels()[0]
    for level in manifest.levels():
        if (path / level.folder / level.files[0]).is_file() and state.level_started(level, root=path):
            chosen = level
    files = {Path(name).stem: path / chosen.folder / name for name in chosen.files}
    return {stem: f for stem, f in files.items() if f.is_file()}


def one(path: Path) -> Submission | None:
    """The submission at ``path``, or None if it is a folder of submissions."""
    if path.is_file():
        if path.suffix != ".py":
            return Submission(path.stem, path, "file", problem=f"{path.name} is not a Python file")
        return Submission(path.stem, path, "file", {"value": path})
    if _is_clone(path):
        files = _clone_files(path)
        return Submission(path.name, path, "clone", files,
                          None if "value" in files else "the clone has no value.py in katas/")
    if (path / "value.py").is_file():
        files = {"value": path / "value.py"}
        if (path / "nn.py").is_file():
            files["nn"] = path / "nn.py"
        return Submission(path.name, path, "folder", files)
    return None


def discover(paths: list[Path]) -> list[Submission]:
    """Every submission under ``paths``, sorted by name, names made unique."""
    found: list[Submission] = []
    for path in paths:
        path = path.expanduser().resolve()
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder")
        sub = one(path)
        if sub is not None:
            found.append(sub)
            continue
        for entry in sorted(path.iterdir()):
            if entry.name.startswith((".", "_")):
                continue
            sub = one(entry)
            if sub is None:
                sub = Submission(entry.name, entry, "folder", problem="no value.py in this folder")
            found.append(sub)
    seen: dict[str, int] = {}
    for sub in sorted(found, key=lambda s: s.name):
        base = re.sub(r"[^A-Za-z0-9_.-]", "_", sub.name) or "student"
        seen[base] = seen.get(base, 0) + 1
        sub.name = base if seen[base] == 1 else f"{base}-{seen[base]}"
    return sorted(found, key=lambda s: s.name)
