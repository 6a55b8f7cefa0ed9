"""Where a file is, as the learner would type it, and which kata level a path belongs to.

The one path shortener and the one level lookup of the runner and the tools.
"""

from __future__ import annotations

import functools
from pathlib import Path

from runner import manifest


def shown(path) -> str:
    """``path`` relative to the current folder when inside it, else to the repository, else as given."""
    try:
        p = Path(path).resolve()
    except (TypeError, OSError):
        return str(path)
    for base in (Path.cwd(), manifest.ROOT):
        try:
            return str(p.relative_to(base.resolve()))
        except (ValueError, OSError):
            continue
    return str(path)


@functools.lru_cache(maxsize=4096)
def _level_number(key: str) -> int | None:
    lv = manifest.level_of_path(key)
    return lv.number if lv else None


def level_number(path) -> int | None:
    """The number of the kata level whose folder holds ``path``, or None (not a kata file)."""
    return _level_number(str(path))


def is_kata(item) -> bool:
    """A test of the kata's levels (under katas/), not one of the repository's own tests."""
    return level_number(item.path) is not None


def same_file(a, b) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (TypeError, OSError):
        return False
