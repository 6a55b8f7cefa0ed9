"""Hints, one tier at a time: a nudge, then the concept, then pseudocode.

    nox -s hint -- 2            the next hint of level 2 you have not read yet
    nox -s hint                 the next hint of the level you are on
    nox -s hint -- 2 --tier 1   one tier again (reading it again is free)
    nox -s hint -- 2 --all      every tier of level 2 (counts them as read)
    nox -s hint -- --reset      forget which hints were read (all levels, or: -- 2 --reset)

(``python -m tools.hints ...`` is the same command without nox.) The tiers are
the level's hint files listed in levels.toml. Which tiers were read is kept in
``.kata/hints.json`` as ``{"version": 1, "levels": {"2": {"read": [1, 2], "last_read": ...}}}``
(runner/state.py);
``nox -s progress`` and interview mode count them.
"""

from __future__ import annotations

import argparse
import os
import sys

from runner import manifest, state
from runner.hintlog import load, mark_read, next_tier, read_tiers, reset, status_line, tier_name  # noqa: F401 - also used as tools.hints.X


def show(text: str, title: str, plain: bool = False) -> None:
    """Print a hint: rendered Markdown with rich when it is installed, plain text otherwise."""
    if not plain:
        try:
            from rich.console import Console
            from rich.markdown import Markdown
            from rich.panel import Panel
        except ImportError:
            plain = True
    if plain:
        print(f"== {title} ==")
        print(text.rstrip())
        return
    Console().print(Panel(Markdown(text), title=title, title_align="left"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nox -s hint --", description="Show the kata's hints one tier at a time.")
    parser.add_argument("level", nargs="?", type=int, help="the level (default: the level you are on)")
    parser.add_argument("--tier", type=int, help="show this tier (1 nudge, 2 concept, 3 pseudocode)")
    parser.add_argument("--all", action="store_true", help="show every tier of the level")
    parser.add_argument("--reset", action="store_true", help="forget which hints were read")
    parser.add_argument("--plain", action="store_true", help="plain text, no colours")
    args = parser.parse_args(argv)
    plain = args.plain or bool(os.environ.get("NO_COLOR"))

    if args.reset:
        reset(args.level)
        print(f"Hints of level {args.level} marked unread." if args.level else "All hints marked unread.")
        return 0
    level = args.level if args.level is not None else state.current_level()
    try:
        lv = manifest.level(level)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    files = lv.hint_files
    n = len(files)
    if args.all:
        tiers = list(range(1, n + 1))
    elif args.tier is not None:
        if not 1 <= args.tier <= n:
            print(f"level {level} has hint tiers 1 to {n}", file=sys.stderr)
            return 2
        tiers = [args.tier]
    else:
        t = next_tier(level)
        if t is None:
            print(f"You have read all {n} hints of level {level}. Again: nox -s hint -- {level} --tier N "
                  f"(1 to {n}). More: docs/intuition.md, docs/math-refresh.md.")
            return 0
        tiers = [t]
    for t in tiers:
        path = files[t - 1]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            print(f"hint file missing: {path}", file=sys.stderr)
            return 1
        show(text, f"level {level}, hint {t} of {n}: {tier_name(path)}", plain)
        mark_read(level, t)
    after = next_tier(level)
    if after is not None and not args.all:
        print(f"\nStill stuck? `nox -s hint -- {level}` shows hint {after} of {n} ({tier_name(files[after - 1])}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
