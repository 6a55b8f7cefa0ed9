"""Backups of the learner's files, taken before any command writes one.

    nox -s restore             list the backups, newest last
    nox -s restore -- 7        bring back backup 7 (the current file is backed up first)

(``python -m tools.backups [ID]`` without nox.) A backup is a plain copy in
``.kata/backups/<time>-level<N>-<file>`` and a line in
``.kata/backups/index.json``; if the index is lost, it is rebuilt from the
copies. Tools call ``backup(path, level, reason)`` before they write.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from runner import manifest, state

_NAME = re.compile(r"^(?P<time>\d{8}-\d{6}-\d{6})-level(?P<level>\d+|x)-(?P<file>.+)$")


@dataclass
class Backup:
    id: int
    file: str  # the learner's file, relative to the repository when inside it
    copy: str  # the copy's name in the backups folder
    level: int | None
    reason: str
    time: str
    sha256: str

    @property
    def copy_path(self) -> Path:
        return folder() / self.copy

    @property
    def file_path(self) -> Path:
        p = Path(self.file)
        return p if p.is_absolute() else manifest.ROOT / p


def folder() -> Path:
    p = state.state_dir() / "backups"
    p.mkdir(parents=True, exist_ok=True)
    return p


def _index_path() -> Path:
    return folder() / "index.json"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(manifest.ROOT))
    except ValueError:
        return str(path.resolve())


def entries() -> list[Backup]:
    """Every backup, oldest first. A missing or damaged index is rebuilt from the copies."""
    try:
        out = [Backup(**e) for e in (state.read_document(_index_path()) or {})["backups"]]
        return [b for b in out if b.copy_path.exists()]
    except (KeyError, TypeError):
        return _rebuild()


def _rebuild() -> list[Backup]:
    out = []
    for copy in sorted(folder().iterdir()):
        m = _NAME.match(copy.name)
        if not m:
            continue
        level = None if m["level"] == "x" else int(m["level"])
        file = m["file"]
        if level is not None:
            try:
                file = _shown(manifest.level(level).path / file)
            except ValueError:
                pass
        out.append(Backup(len(out) + 1, file, copy.name, level, "(index rebuilt)", m["time"], _digest(copy.read_bytes())))
    _write_index(out)
    return out


def _write_index(items: list[Backup]) -> None:
    state.write_document(_index_path(), {"backups": [asdict(b) for b in items]})


def backup(path: str | Path, level: int | None, reason: str) -> Backup | None:
    """Copy ``path`` into the backups folder before it is written. Returns None when the file
    does not exist; returns the latest backup when it already holds exactly this content."""
    path = Path(path)
    if not path.is_file():
        return None
    data = path.read_bytes()
    digest = _digest(data)
    items = entries()
    shown = _shown(path)
    same_file = [b for b in items if b.file == shown]
    if same_file and same_file[-1].sha256 == digest:
        return same_file[-1]
    now = time.time()  # one reading of the clock: names sort in the order the copies were made
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now)) + f"-{int(now * 1e6) % 1_000_000:06d}"
    name = f"{stamp}-level{level if level is not None else 'x'}-{path.name}"
    while (folder() / name).exists():  # two backups within a microsecond
        stamp = stamp[:-6] + f"{(int(stamp[-6:]) + 1) % 1_000_000:06d}"
        name = f"{stamp}-level{level if level is not None else 'x'}-{path.name}"
    shutil.copy2(path, folder() / name)
    entry = Backup(max((b.id for b in items), default=0) + 1, shown, name, level, reason,
                   time.strftime("%Y-%m-%d %H:%M:%S"), digest)
    _write_index(items + [entry])
    return entry


def find(key: str) -> Backup:
    """A backup by its number or by its copy's name; LookupError names the choices."""
    items = entries()
    for b in items:
        if key == str(b.id) or key == b.copy:
            return b
    raise LookupError(f"no backup {key!r}; `nox -s restore` lists them")


def restore(key: str) -> tuple[Backup, Backup | None]:
    """Bring back a backup; the current file is backed up first. Returns (restored, safety copy)."""
    b = find(key)
    target = b.file_path
    safety = backup(target, b.level, f"before restoring backup {b.id}") if target.exists() else None
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(b.copy_path, target)
    return b, safety


def _lines(path: Path) -> str:
    try:
        return str(len(path.read_text(encoding="utf-8").splitlines()))
    except (OSError, UnicodeDecodeError):
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nox -s restore --", description="List or restore backups of your files.")
    parser.add_argument("id", nargs="?", help="the backup to bring back (its number in the list)")
    args = parser.parse_args(argv)
    if args.id is None:
        items = entries()
        if not items:
            print(f"No backups yet. Every command that writes one of your files backs it up first, into {folder()}.")
            return 0
        print(f"{'id':>4}  {'taken':<19}  {'file':<28} {'lines':>5}  why")
        for b in items:
            current = b.file_path
            same = current.exists() and _digest(current.read_bytes()) == b.sha256
            print(f"{b.id:>4}  {b.time:<19}  {b.file:<28} {_lines(b.copy_path):>5}  {b.reason}"
                  + ("  (= current file)" if same else ""))
        print("\nBring one back: nox -s restore -- ID   (your current file is backed up first)")
        return 0
    try:
        b, safety = restore(args.id)
    except LookupError as e:
        print(e, file=sys.stderr)
        return 1
    print(f"Restored {b.file} from backup {b.id} ({b.time}, {b.reason}).")
    if safety is not None:
        print(f"The file as it was is backup {safety.id}: nox -s restore -- {safety.id} undoes this.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
