"""Run a level's tests again every time you save: ``nox -s level2 -- --watch``.

    python -m tools.watch --level 2 [pytest options, e.g. -k tanh or --impl PATH]

Watches the level's files (the files ``--impl`` names, found by runner/impl.py) with
watchfiles. Every save is answered first, then completed:

1. **first answer**: the tests that failed last time run first and the run stops at the
   first failure (pytest's own cache: ``--lf -x``), so a failure is on screen at once; when
   those tests pass, "passing so far" says so;
2. **the whole level** then runs and its summary fills in (skipped when the first answer
   already ran every test and passed).

A save that arrives during a run cancels it and starts again. Each run is a fork of this
process, which has imported pytest, hypothesis and (levels 3-4) PyTorch once; the learner's
files are imported afresh in every run (runner/impl.py loads them anew), so a file that does
not parse shows its error screen and the watcher keeps waiting for the fix. Where ``fork``
is missing (Windows), and with ``-p no:cacheprovider``, each save is one whole run in a fresh
interpreter. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from runner import impl, levelrun, manifest

POLL = 0.05  # seconds between looks at the running tests and the saves


def impl_spec(pytest_args: list[str]) -> str:
    spec = "learner"
    for i, a in enumerate(pytest_args):
        if a.startswith("--impl="):
            spec = a.split("=", 1)[1]
        elif a == "--impl" and i + 1 < len(pytest_args):
            spec = pytest_args[i + 1]
    return spec


def targets(level: manifest.Level, pytest_args: list[str]) -> tuple[Path, set[str]]:
    """The folder to watch and the file names in it that trigger a run."""
    _, folder, files = impl.locate(impl_spec(pytest_args), level)
    return folder, {p.name for p in files.values()}


def preload(level: manifest.Level) -> None:
    """Import once what every run needs and is slow to import: pytest, hypothesis, the kata's pytest
    plugins (the root conftest's ``pytest_plugins``) and, for levels 3-4, PyTorch; never the learner's
    files, and never the test modules (each run collects them afresh)."""
    import importlib

    import hypothesis  # noqa: F401
    import pytest  # noqa: F401

    from conftest import pytest_plugins

    for name in pytest_plugins:
        importlib.import_module(name)

    if level.needs_torch:
        try:
            import torch  # noqa: F401
        except ImportError:  # the run itself explains it
            pass


class Run:
    """One pytest run, forked from this process (or a fresh interpreter), that can be cancelled."""

    def __init__(self, args: list[str], fork: bool):
        self.pid = self.proc = None
        sys.stdout.flush()
        sys.stderr.flush()
        if fork:
            pid = os.fork()
            if pid == 0:  # the child: run the tests, then leave without running the parent's cleanup
                code = 1
                try:
                    import pytest

                    code = int(pytest.main(args))
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            self.pid = pid
        else:
            self.proc = subprocess.Popen([sys.executable, "-m", "pytest", *args], cwd=manifest.ROOT)

    def poll(self) -> int | None:
        if self.proc is not None:
            return self.proc.poll()
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        return None if pid == 0 else os.waitstatus_to_exitcode(status)

    def cancel(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)


def had_failures(pytest_args: list[str]) -> bool:
    """Whether pytest's cache (``.pytest_cache``, or ``-o cache_dir=DIR``) remembers failed tests:
    what ``--lf`` runs first."""
    folder = manifest.ROOT / ".pytest_cache"
    for a, b in zip(pytest_args, pytest_args[1:]):
        if a in ("-o", "--override-ini") and b.startswith("cache_dir="):
            folder = manifest.ROOT / b.split("=", 1)[1]
    path = folder / "v" / "cache" / "lastfailed"
    try:
        return path.read_text(encoding="utf-8").strip() not in ("", "{}")
    except OSError:
        return False


def phases(level: manifest.Level, pytest_args: list[str], fork: bool) -> list[list[str]]:
    """The runs that answer one save: the first answer, then the whole level."""
    whole = levelrun.level_args(level.number, pytest_args)
    if not fork or "no:cacheprovider" in pytest_args:
        return [whole]
    return [whole + ["--lf", "-x"], whole]


def _clear(enabled: bool) -> None:
    if enabled and sys.stdout.isatty():
        print("\033[2J\033[H", end="", flush=True)


def answer(level: manifest.Level, pytest_args: list[str], saves: queue.Queue, fork: bool) -> bool:
    """Run the phases for one save; True when they all finished, False when a save cancelled them."""
    runs = phases(level, pytest_args, fork)
    failures_before, code = had_failures(pytest_args), None
    for i, args in enumerate(runs):
        if i == 1:
            if code == 0 and not failures_before:
                break  # the first answer ran every test, and they passed
            if code == 0:
                print(f"\npassing so far: the tests that failed last time pass now; the rest of level "
                      f"{level.number} follows", flush=True)
            else:
                print(f"\nthe rest of level {level.number} follows", flush=True)
        run = Run(args, fork)
        while True:
            code = run.poll()
            if code is not None:
                break
            try:
                save = saves.get(timeout=POLL)
            except queue.Empty:
                continue
            run.cancel()
            saves.put(save)  # the caller starts again, for this save
            return False
    return True


def watch(level: manifest.Level, pytest_args: list[str], *, clear: bool = True, max_runs: int | None = None) -> int:
    import watchfiles  # the `watch` extra: pip install watchfiles (nox installs it)

    folder, names = targets(level, pytest_args)
    if not folder.is_dir():
        print(f"watch: {folder} is not a folder", file=sys.stderr)
        return 2
    fork = hasattr(os, "fork")
    if fork:
        preload(level)

    def wanted(change, path: str) -> bool:
        return Path(path).name in names

    saves: queue.Queue = queue.Queue()
    stop = threading.Event()

    def listen() -> None:
        for changes in watchfiles.watch(folder, watch_filter=wanted, recursive=False, debounce=400, step=50,
                                        stop_event=stop):
            saves.put(sorted({Path(p).name for _, p in changes}))

    threading.Thread(target=listen, daemon=True).start()
    shown = ", ".join(sorted(names))
    runs = 0
    _clear(clear)
    try:
        while True:
            if answer(level, pytest_args, saves, fork):
                runs += 1
                if max_runs is not None and runs >= max_runs:
                    return 0
                print(f"\nwatching {shown} in {folder} -- save to run level {level.number} again, Ctrl-C to stop",
                      flush=True)
            changed = set(saves.get())
            while not saves.empty():  # every save that is waiting is answered by one run
                changed |= set(saves.get())
            _clear(clear)
            print(f"[{time.strftime('%H:%M:%S')}] {', '.join(sorted(changed))} changed: level {level.number} again",
                  flush=True)
    finally:
        stop.set()


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
    except impl.ImplError as e:
        print(f"watch: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nstopped watching.")
        return 0
    except ImportError:
        print("watch mode needs watchfiles: pip install 'watchfiles>=0.21' (nox installs it for --watch)",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
