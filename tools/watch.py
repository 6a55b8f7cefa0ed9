"""Run a level's tests again every time you save: ``nox -s level2 -- --watch``.

    python -m tools.watch --level 2 [pytest options, e.g. -x or --impl PATH]

Watches the level's files (from levels.toml; with ``--impl PATH``, that file or
folder) with watchfiles, and re-runs ``pytest katas --level N ...`` in a fresh
process on every change, so a file that does not parse shows its error screen
and the watcher keeps waiting for the fix. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from runner import manifest


def targets(level: manifest.Level, pytest_args: list[str]) -> tuple[Path, set[str]]:
    """The folder to watch and the file names in it that trigger a run."""
    spec = None
    for i, a in enumerate(pytest_args):
        if a.startswith("--impl="):
            spec = a.split("=", 1)[1]
        elif a == "--impl" and i + 1 < len(pytest_args):
            spec = pytest_args[i + 1]
    if spec and spec not in ("learner", "reference"):
        p = Path(spec).expanduser().resolve()
        if p.is_file():
            names = {p.name} | {Path(n).name for n in level.files[1:]}
            return p.parent, names
        return p, set(level.files)
    if spec == "reference":
        return manifest.ROOT / "reference", {"engine.py", "nn.py"}
    return level.path, set(level.files)


def run_tests(level: manifest.Level, pytest_args: list[str]) -> int:
    cmd = [sys.executable, "-m", "pytest", "katas", f"--level={level.number}", *pytest_args]
    return subprocess.call(cmd, cwd=manifest.ROOT)


def _clear(enabled: bool) -> None:
    if enabled and sys.stdout.isatty():
        print("\033[2J\033[H", end="", flush=True)


def watch(level: manifest.Level, pytest_args: list[str], *, clear: bool = True, max_runs: int | None = None) -> int:
    import watchfiles  # the `watch` extra: pip install watchfiles (nox installs it)

    folder, names = targets(level, pytest_args)
    if not folder.is_dir():
        print(f"watch: {folder} is not a folder", file=sys.stderr)
        return 2

    def wanted(change, path: str) -> bool:
        return Path(path).name in names

    shown = ", ".join(sorted(names))
    runs = 0
    _clear(clear)
    run_tests(level, pytest_args)
    runs += 1
    print(f"\nwatching {shown} in {folder} -- save to run level {level.number} again, Ctrl-C to stop", flush=True)
    if max_runs is not None and runs >= max_runs:
        return 0
    for changes in watchfiles.watch(folder, watch_filter=wanted, raise_interrupt=True, recursive=False,
                                    debounce=400, step=50):
        changed = sorted({Path(p).name for _, p in changes})
        _clear(clear)
        print(f"[{time.strftime('%H:%M:%S')}] {', '.join(changed)} changed: level {level.number} again", flush=True)
        run_tests(level, pytest_args)
        runs += 1
        print(f"\nwatching {shown} in {folder} -- Ctrl-C to stop", flush=True)
        if max_runs is not None and runs >= max_runs:
            break
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.watch",
                                     description="Re-run a level's tests whenever its files change.")
    parser.add_argument("--level", type=int, required=True)
    parser.add_argument("--no-clear", action="store_true", help="do not clear the screen before a run")
    parser.add_argument("--max-runs", type=int, default=None, help=argparse.SUPPRESS)  # for the self-test
    args, pytest_args = parser.parse_known_args(argv)
    try:
        level = manifest.level(args.level)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    try:
        return watch(level, [a for a in pytest_args if a != "--watch"],
                     clear=not args.no_clear and not os.environ.get("KATA_NO_CLEAR"), max_runs=args.max_runs)
    except KeyboardInterrupt:
        print("\nstopped watching.")
        return 0
    except ImportError:
        print("watch mode needs watchfiles: pip install 'watchfiles>=0.21' (nox installs it for --watch)",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
