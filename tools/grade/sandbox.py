"""Where a student's code runs: a scratch folder, a process of its own, limits.

``prepare`` lays out one student's scratch folder:

    SCRATCH/<student>/            0711: others may pass, not list
        engine/                   readable by the engine process
            server.py             a copy of tools/grade/server.py
            submission/           the student's files (value.py, nn.py)
            library/              a copy of what an engine may import from the kata (LIBRARY)
        home/                     the engine's working folder, HOME and TMPDIR (the only place it may write)
        shim/                     0700, the grader's: the --impl stand-in (value.py, nn.py) and engine.json

``start_server`` starts the engine process (tools/grade/server.py) with:

* a scrubbed environment (no variable of the grader's is passed on);
* resource limits (``resource.setrlimit``): address space, CPU seconds, file
  size, open files, processes, no core files;
* its own session and process group (the grader kills the group);
* when the grader runs as root (a container, Gradescope): new PID, network,
  IPC and mount namespaces (``unshare``: the engine sees no other process,
  no network, and a private /tmp) and the uid of ``nobody`` (``setpriv``): it
  cannot write the repository, the results or another student's files, nor
  signal or trace the grader. Not root: a user namespace gives the same PID and network
  isolation where the kernel allows it, but files the grader's user may write,
  the engine may write too: run untrusted classes in a container
  (docs/instructors.md).
"""

from __future__ import annotations

import functools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from runner import manifest

NOBODY = 65534
HERE = Path(__file__).resolve().parent
SHIM_VALUE = '''"""Stand-in for a student's value.py: Value lives in another process (tools/grade/remote.py)."""
from pathlib import Path

from tools.grade import remote

_engine = remote.connect(Path(__file__).with_name("engine.json"))
Value = _engine.attr("value", "Value")
'''
SHIM_NN = '''"""Stand-in for a student's nn.py: every name is looked up in the engine process."""
from .value import _engine


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return _engine.attr("nn", name)
'''


# What an engine may import from the kata, copied into its scratch folder: the escape hatch
# (utils.autograd_stub) and the reference, which the report marks, and the bug zoo's shared
# bases, which the self-test's wrong engines import. A copy, because the engine's user may not
# read the repository itself (a clone in /root, or in a 0700 folder from mktemp -d).
LIBRARY = ("utils", "reference", "tests/__init__.py", "tests/zoo")


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 2048  # address space of the engine process
    cpu_seconds: int = 600  # CPU time of one engine process (a restart gets a fresh budget)
    file_mb: int = 16  # largest file it may write
    answer_timeout: float = 120.0  # seconds to wait for one answer of the engine
    test_timeout: float = 600.0  # seconds per test: every operation crosses a pipe (see docs/instructors.md)


def prepare(scratch: Path, files: dict[str, Path], limits: Limits) -> Path:
    """Lay out the scratch folder of one student; returns the shim folder to pass as --impl."""
    scratch.mkdir(parents=True)
    scratch.chmod(0o711)
    engine = scratch / "engine"
    (engine / "submission").mkdir(parents=True)
    shutil.copy(HERE / "server.py", engine / "server.py")
    copied = {}
    for stem, path in files.items():
        target = engine / "submission" / f"{stem}.py"
        shutil.copy(path, target)
        copied[stem] = f"submission/{stem}.py"  # relative to server.py: the engine may see it elsewhere
    library = engine / "library"
    for part in LIBRARY:
        source, target = manifest.ROOT / part, library / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.exists():
            shutil.copy(source, target)
    home = scratch / "home"
    home.mkdir()
    shim = scratch / "shim"
    shim.mkdir(mode=0o700)
    (shim / "value.py").write_text(SHIM_VALUE)
    if "nn" in files:
        (shim / "nn.py").write_text(SHIM_NN)
    for path in (engine, *engine.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    if os.geteuid() == 0:
        os.chown(home, NOBODY, NOBODY)
    config = {
        "files": copied,
        "server": str(engine / "server.py"),
        "home": str(home),
        "python": sys.executable,
        "limits": limits.__dict__,
        "answer_timeout": limits.answer_timeout,
    }
    (shim / "engine.json").write_text(json.dumps(config, indent=1))
    return shim


def environment(home: str) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


# As root, in new namespaces: the engine's folders are mounted at /mnt/engine and
# /mnt/home, and /tmp, /var/tmp and /dev/shm are fresh, private and small, so
# nothing it writes outlives it or reaches another student. A folder above the
# grader's Python that nobody may pass (a clone in a 0700 folder, /root) is
# covered by an empty one, and the Python folders alone are mounted back in
# their places: the engine runs the grader's Python, with its packages (numpy),
# and sees nothing else of those folders (the kata's own files among them).
MOUNTS = """set -e
umask 022
s="$1"; hide="$2"; tops="$3"; keep="$4"; shift 4
mount -t tmpfs -o size=1m,mode=755 kata /mnt
mkdir /mnt/engine /mnt/home /mnt/keep
mount --bind "$s/engine" /mnt/engine
mount --bind "$s/home" /mnt/home
IFS=:
i=0; for p in $keep; do i=$((i+1)); mkdir "/mnt/keep/$i"; mount --bind "$p" "/mnt/keep/$i"; done
if [ "$hide" = 1 ]; then for d in /tmp /var/tmp /dev/shm; do
  if [ -d "$d" ]; then mount -t tmpfs -o size=64m,mode=1777 kata "$d"; fi; done; fi
for t in $tops; do if [ -d "$t" ]; then mount -t tmpfs -o size=1m,mode=755 kata "$t"; fi; done
i=0; for p in $keep; do i=$((i+1)); mkdir -p "$p"; mount --bind "/mnt/keep/$i" "$p"
  mount -o remount,bind,ro "$p"; done
unset IFS
cd /mnt/home
exec "$@"
"""
DROP = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--no-new-privs")
SPACES = ("unshare", "--pid", "--net", "--ipc", "--uts", "--fork", "--kill-child", "--mount-proc")


def _python_folders() -> list[str]:
    """What the engine's Python needs: its environment and the installation it was made from."""
    return sorted({str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix,
                                                    Path(sys.executable).resolve().parent.parent)})


def _closed_above(folders: list[str]) -> list[str]:
    """The highest folder above each of ``folders`` that others may not pass through."""
    tops = set()
    for folder in folders:
        for parent in reversed(Path(folder).parents):  # from / down
            try:
                if parent != Path("/") and not parent.stat().st_mode & 0o001:
                    tops.add(str(parent))
                    break
            except OSError:
                break
    return sorted(tops)


def _wrap(mode: str, scratch: str, command: list[str]) -> tuple[list[str], str]:
    """The command that runs ``command`` confined, and the folder it sees its scratch at."""
    if mode == "namespaces":
        keep = _python_folders()
        return [*SPACES, "/bin/sh", "-c", MOUNTS, "sh", scratch, "1", ":".join(_closed_above(keep)), ":".join(keep),
                *DROP, *command], "/mnt"
    if mode == "nobody":
        return [*DROP, *command], scratch
    if mode == "userns":
        return [*SPACES[:1], "--user", "--map-root-user", *SPACES[1:], *command], scratch
    return command, scratch


@functools.lru_cache(maxsize=None)
def isolation_mode() -> str:
    """The strongest confinement that works here.

    As root: namespaces and the uid of nobody, or (in a container that allows
    no namespaces) the uid of nobody alone. Not root: a user namespace."""
    candidates = ["namespaces", "nobody"] if os.geteuid() == 0 else ["userns"]
    for mode in candidates:
        probe = Path(tempfile.mkdtemp(prefix="kata-grade-probe-"))
        try:
            for sub in ("engine", "home"):
                (probe / sub).mkdir()
            command, _ = _wrap(mode, str(probe), [sys.executable, "-I", "-c", "pass"])  # the engine's Python runs
            if subprocess.run(command, capture_output=True, timeout=30).returncode == 0:
                return mode
        except (OSError, subprocess.TimeoutExpired):
            continue
        finally:
            shutil.rmtree(probe, ignore_errors=True)
    return "none"


def isolation() -> str:
    """One line for the report: how the engine processes are confined."""
    return {
        "namespaces": "own PID, network and mount namespaces (private /tmp), uid nobody, resource limits",
        "nobody": "uid nobody, resource limits (no namespaces here)",
        "userns": "own PID and network namespaces, resource limits; NOT its files: run untrusted "
                  "classes in a container (docs/instructors.md)",
        "none": "resource limits only: run untrusted classes in a container (docs/instructors.md)",
    }[isolation_mode()]


def _limit(limits: dict):
    def apply() -> None:
        mb = 2**20
        for which, value in ((resource.RLIMIT_AS, limits["memory_mb"] * mb),
                             (resource.RLIMIT_CPU, limits["cpu_seconds"]),
                             (resource.RLIMIT_FSIZE, limits["file_mb"] * mb),
                             (resource.RLIMIT_NOFILE, 256),
                             (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(which, (value, value))
        if os.geteuid() == 0:  # counts nobody's processes; a fork bomb stops here
            resource.setrlimit(resource.RLIMIT_NPROC, (256, 256))

    return apply


def start_server(config: dict) -> subprocess.Popen:
    """Start one engine process; its stdin and stdout are the pipe of tools/grade/remote.py."""
    scratch = str(Path(config["home"]).parent)
    mode = isolation_mode()
    _, seen = _wrap(mode, scratch, [])
    command, _ = _wrap(mode, scratch, [config["python"], "-I", f"{seen}/engine/server.py", f"{seen}/engine/library"])
    log = open(Path(config["home"]) / "engine.log", "ab")  # noqa: SIM115 - handed to the child
    try:
        return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                cwd=config["home"], env=environment(f"{seen}/home"),
                                preexec_fn=_limit(config["limits"]), start_new_session=True, close_fds=True)
    finally:
        log.close()
