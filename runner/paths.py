"""How the kata shows a path to a learner: as they would type it.

Relative to the current folder when the path is inside it (from the
repository root, where nox runs every session: ``katas/level1/value.py``),
absolute otherwise. Every message, summary and tool output that names a file
uses ``shown``. (A path kept as an identifier, such as a backup's file in the
backups index, is not for showing: it stays relative to the repository.)
"""

from __future__ import annotations

import functools
from pathlib import Path


def shown(path: str | Path) -> str:
    """``path`` as the learner would type it from the current folder."""
    try:
        p = Path(path).resolve()
    except (TypeError, ValueError, OSError):
        return str(path)
    try:
        return str(p.relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


# -- which kata level a file belongs to ---------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _level_number(key: str) -> int | None:
    from runner import manifest

    lv = manifest.level_of_path(key)
    return lv.number if lv else None


def level_number(path) -> int | None:
    """The number of the kata level whose folder holds ``path``, or None (not a kata file).
    The one level lookup of the runner."""
    return _level_number(str(path))


@functools.lru_cache(maxsize=4096)
def _stage_name(key: str) -> str | None:
    from runner import manifest

    st = manifest.stage_of_path(key)
    return st.name if st else None


def unit_of(path) -> int | str | None:
    """The unit of the manifest a test file belongs to: a level's number, a follow-up stage's
    name, or None (one of the repository's own tests)."""
    n = level_number(path)
    return n if n is not None else _stage_name(str(path))


def is_kata(item) -> bool:
    """A test of the kata's levels (under katas/) or stages, not one of the repository's own tests."""
    return unit_of(item.path) is not None
