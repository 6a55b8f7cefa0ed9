"""Where a student's code runs: a scratch folder, a process of its own, limits.

``prepare`` lays out one student's scratch folder:

    SCRATCH/<student>/            0711: others may pass, not list
        engine/                   readable by the engine process
            server.py             a copy of tools/grade/server.py
            submission/           the student's files (value.py, nn.py)
        home/                     the engine's working folder, HOME and TMPDIR (the only place it may write)
        shim/                     0700, the grader's: the --impl stand-in (value.py, nn.py) and engine.json

``start_server`` starts the engine process (tools/grade/server.py) with:

* a scrubbed environment (no variable of the grader's is passed on);
* resource limits (``resource.setrlimit``): address space, CPU seconds, file
  size, open files, processes, no core files;
* its own session and process group (the grader kills the group);
* when the grader runs as root (a container, Gradescope): new PID, network,
  IPC and mount namespaces (``unshare``: the engine sees no other process
  and no network) and the uid of ``nobody`` (``setpriv``): it cannot write
  the repository, the results or another student's files, nor signal or
  trace the grader. Not root: a user namespace gives the same PID and network
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


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 2048  # address space of the engine process
    cpu_seconds: int = 600  # CPU time of one engine process (a restart gets a fresh budget)
    file_mb: int = 16  # largest file it may write
    answer_timeout: float = 120.0  # seconds to wait for one answer (tests have their own 30 s limit)


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
        copied[stem] = str(target)
    home = scratch / "home"
    home.mkdir()
    shim = scratch / "shim"
    shim.mkdir(mode=0o700)
    (shim / "value.py").write_text(SHIM_VALUE)
    if "nn" in files:
        (shim / "nn.py").write_text(SHIM_NN)
    for folder in (engine, engine / "submission"):
        folder.chmod(0o755)
    for f in engine.rglob("*.py"):
        f.chmod(0o644)
    if os.geteuid() == 0:
        os.chown(home, NOBODY, NOBODY)
    config = {
        "files": copied,
        "server": str(engine / "server.py"),
        "home": str(home),
        "python": sys.executable,
        "library": str(manifest.ROOT),
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


@functools.lru_cache(maxsize=None)
def isolation_prefix() -> tuple[str, ...]:
    """The command that wraps the engine process: the first of these that works here.

    As root: namespaces and the uid of nobody, or (in a container that allows
    no namespaces) the uid of nobody alone. Not root: a user namespace."""
    drop = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--no-new-privs")
    spaces = ("unshare", "--pid", "--net", "--ipc", "--uts", "--fork", "--kill-child", "--mount-proc")
    if os.geteuid() == 0:
        candidates = [spaces + drop, drop]
    else:
        candidates = [("unshare", "--user", "--map-root-user", *spaces[1:])]
    for prefix in candidates:
        if shutil.which(prefix[0]) is None or (prefix[-5:] == drop and shutil.which("setpriv") is None):
            continue
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=30).returncode == 0:
                return prefix
        except (OSError, subprocess.TimeoutExpired):
            continue
    return ()


def isolation() -> str:
    """One line for the report: how the engine processes are confined."""
    prefix = isolation_prefix()
    parts = []
    if "unshare" in prefix:
        parts.append("own PID and network namespaces")
    if "setpriv" in prefix:
        parts.append("uid nobody")
    return ", ".join(parts + ["resource limits"]) if parts else (
        "resource limits only (not root, no namespaces): run untrusted classes in a container")


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
    command = [*isolation_prefix(), config["python"], "-I", config["server"], config["library"]]
    log = open(Path(config["home"]) / "engine.log", "ab")  # noqa: SIM115 - handed to the child
    try:
        return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                cwd=config["home"], env=environment(config["home"]),
                                preexec_fn=_limit(config["limits"]), start_new_session=True, close_fds=True)
    finally:
        log.close()
