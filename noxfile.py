"""Every command of the kata is a nox session. `nox -l` lists them.

The level sessions are made from levels.toml, so adding a level there adds
its session here.

Environments. The tools that need only the standard library (hint,
progress, carry, restore) run on the interpreter nox itself runs on: no
environment to create, they answer at once. Sessions that need packages
share an environment by what they need (ENVS below): `.nox/kata` for levels
1-2 and the drawing tools, `.nox/kata-torch` (PyTorch, installed once) for
levels 3-4, compare and interview, `.nox/kata-dev` for the self-test and the
bench. A first `nox -s level1` installs only what levels 1-2 need (pytest,
hypothesis, numpy, pytest-timeout); the drawing, watching and plotting
packages come the first time a session needs them. Environments are built
with uv when it is installed, with venv and pip otherwise. An environment
calls the installer only for requirements it has not installed yet (a stamp
file remembers), so a warm run installs nothing.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from runner import levelrun, manifest  # noqa: E402

nox.options.sessions = ["level1"]

PYPROJECT = nox.project.load_toml(str(ROOT / "pyproject.toml"))
BASE = PYPROJECT["project"]["dependencies"]
EXTRAS = PYPROJECT["project"]["optional-dependencies"]

# The shared environments: name -> the extras of pyproject.toml every session in it needs, on top of the
# base requirements. A session adds the extras it alone needs (run_in's ``extras``) the first time it runs.
ENVS = {
    "kata": (),
    "kata-torch": ("torch",),
    "kata-dev": ("watch", "viz", "torch", "bench", "dev"),
    "kata-mutation": ("torch", "mutation"),
}
STAMP = ".kata-requirements"


def env_path(name: str) -> Path:
    return ROOT / ".nox" / name


def env_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def requirements(name: str, extras: tuple[str, ...] = ()) -> list[str]:
    wanted = list(ENVS[name]) + [e for e in extras if e not in ENVS[name]]
    return list(BASE) + [req for extra in wanted for req in EXTRAS[extra]]


def installer() -> str | None:
    """uv when it is installed (on the PATH, or beside nox's own interpreter): it builds an environment in
    a fraction of pip's time. None: venv and pip."""
    beside = Path(sys.executable).parent / ("uv.exe" if sys.platform == "win32" else "uv")
    return shutil.which("uv") or (str(beside) if beside.exists() else None)


def pip_can_install_elsewhere() -> bool:
    """Whether nox's own pip can install into another environment (``pip --python``, pip 22.3 and newer)."""
    try:
        major, minor = (int(p) for p in importlib.metadata.version("pip").split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (22, 3)


def site_packages(env: Path) -> list[Path]:
    """The environment's site-packages folder (POSIX or Windows layout)."""
    return [*env.glob("lib/python*/site-packages"), *env.glob("Lib/site-packages")]


def has_pip(env: Path) -> bool:
    return any((packages / "pip").exists() for packages in site_packages(env))


def python_of(session: nox.Session, name: str, extras: tuple[str, ...] = ()) -> str:
    """The interpreter of the shared environment ``name`` with ``extras``, created or completed first if needed.

    A warm run costs two stats and a small read: the stamp lists the requirements installed so
    far, and the installer runs only for those missing (a changed requirement is a missing one)."""
    env = env_path(name)
    python = env_python(env)
    stamp = env / STAMP
    installed = set(stamp.read_text().splitlines()) if python.exists() and stamp.exists() else set()
    missing = [req for req in requirements(name, extras) if req not in installed]
    if not missing:
        return str(python)
    uv, outer_pip = installer(), pip_can_install_elsewhere()
    if not python.exists():
        session.log(f"creating the shared environment .nox/{name} (once)")
        if uv:
            session.run(uv, "venv", "--quiet", "--python", sys.executable, str(env), external=True)
        else:  # a copy of pip in the environment costs seconds (ensurepip): only when nox's own pip can't serve
            session.run(sys.executable, "-m", "venv", *(["--without-pip"] if outer_pip else []), str(env))
    # PyTorch is byte-compiled at install: a level run may import it with bytecode writing off, and its
    # source takes far longer to compile than a test's time limit allows. The rest installs without
    # compiling (pip's compiling doubled a first run's wait) and is compiled in the background.
    later = not any(req.startswith("torch") for req in missing)
    if uv:
        install = [uv, "pip", "install", "--quiet", "--python", str(python), *([] if later else ["--compile-bytecode"])]
    else:
        if not outer_pip and not has_pip(env):
            session.run(str(python), "-m", "ensurepip", "--default-pip")
        pip = [sys.executable, "-m", "pip", "--python", str(python)] if outer_pip else [str(python), "-m", "pip"]
        install = [*pip, "install", "--disable-pip-version-check", *(["--no-compile"] if later else [])]
    session.run(*install, *missing, external=True)
    if later:
        compile_in_background(env, python)
    stamp.write_text("\n".join(sorted(installed | set(missing))) + "\n")
    return str(python)


def compile_in_background(env: Path, python: Path) -> None:
    """Byte-compile the environment's packages in a detached process, on one core at low priority, while
    the session goes on; Python writes the files atomically, so a run importing a module meanwhile reads
    it either way."""
    lower = (lambda: os.nice(10)) if hasattr(os, "nice") else None
    for packages in site_packages(env):
        subprocess.Popen([str(python), "-m", "compileall", "-q", str(packages)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                         preexec_fn=lower)


def run_in(session: nox.Session, name: str, *args: str, extras: tuple[str, ...] = (),
           env: dict[str, str] | None = None) -> None:
    """``python ARGS`` in the shared environment ``name`` (with ``extras`` added), as if it were activated;
    ``env`` is added to the environment."""
    python = python_of(session, name, extras)
    bindir = str(Path(python).parent)
    env = {"VIRTUAL_ENV": str(env_path(name)), "PATH": bindir + os.pathsep + os.environ.get("PATH", ""), **(env or {})}
    session.run(python, *args, env=env)


def run_stdlib(session: nox.Session, *args: str) -> None:
    """``python ARGS`` on nox's own interpreter: for tools that import nothing outside the standard library."""
    session.run(sys.executable, *args)


# -- the levels ------------------------------------------------------------------


def level_options() -> argparse.ArgumentParser:
    """The options a level session reads itself; everything else goes to pytest."""
    p = argparse.ArgumentParser(prog="nox -s levelN --", add_help=False, allow_abbrev=False)
    p.add_argument("--watch", action="store_true", help="re-run the tests whenever the level's files change")
    return p


def pytest_level(session: nox.Session, level: manifest.Level) -> None:
    opts, args = level_options().parse_known_args(session.posargs)
    env = "kata-torch" if level.needs_torch else "kata"
    if opts.watch:
        run_in(session, env, "-m", "tools.watch", f"--level={level.number}", *args, extras=("watch",))
        return
    run_in(session, env, "-m", "pytest", *levelrun.level_args(level.number, args))


def _level_session(level: manifest.Level) -> None:
    def run(session: nox.Session) -> None:
        pytest_level(session, level)

    run.__doc__ = f"Level {level.number}: {level.title}. Options after -- go to pytest (--impl reference|PATH, --watch, -x, -k ...)."
    nox.session(name=level.name, python=False)(run)


for _level in manifest.levels():
    _level_session(_level)


# -- tools that need only the standard library: no environment --------------------


@nox.session(python=False)
def hint(session: nox.Session) -> None:
    """Show the next unread hint of a level: nox -s hint -- 2"""
    run_stdlib(session, "-m", "tools.hints", *session.posargs)


@nox.session(python=False)
def progress(session: nox.Session) -> None:
    """Each level's state, hints read and best interview times."""
    run_stdlib(session, "-m", "tools.progress", *session.posargs)


@nox.session(python=False)
def carry(session: nox.Session) -> None:
    """Start level N from your level N-1 code (or --from-reference): nox -s carry -- 2"""
    run_stdlib(session, "-m", "tools.carry", *session.posargs)


@nox.session(python=False)
def restore(session: nox.Session) -> None:
    """List the backups of your files, or bring one back: nox -s restore -- [ID]"""
    run_stdlib(session, "-m", "tools.backups", *session.posargs)


# -- tools in a shared environment ---------------------------------------------------


def interview_needs_torch(posargs: list[str]) -> bool:
    """Whether the interview's scope runs a level that needs PyTorch, read by the interview's own parser."""
    from tools.interview.cli import parser

    args, _ = parser().parse_known_args(posargs)
    if args.history or args.questions or args.scope is None:
        return False
    if args.scope == "full":
        return True
    if args.scope.isdigit() and 1 <= int(args.scope) <= len(manifest.levels()):
        return manifest.level(int(args.scope)).needs_torch
    return False  # the interview itself explains an unknown scope


@nox.session(python=False)
def interview(session: nox.Session) -> None:
    """Timed interview practice: nox -s interview -- [1|2|3|full] [--stages a,b | --stage NAME] [--history] [--questions]"""
    env = "kata-torch" if interview_needs_torch(session.posargs) else "kata"
    run_in(session, env, "-m", "tools.interview", *session.posargs, extras=("watch",))


@nox.session(python=False)
def graph(session: nox.Session) -> None:
    """Draw an expression's graph: nox -s graph -- "x*y + x" """
    run_in(session, "kata", "-m", "tools.graph", *session.posargs, extras=("viz",))


@nox.session(python=False)
def plots(session: nox.Session) -> None:
    """Train a level-4 network and write the decision boundary and loss curve: nox -s plots -- [--impl learner] [--out DIR]"""
    run_in(session, "kata", "-m", "tools.plots", *session.posargs, extras=("viz",))


@nox.session(python=False)
def compare(session: nox.Session) -> None:
    """Run an engine (--impl) and PyTorch side by side and print a comparison table."""
    run_in(session, "kata-torch", "-m", "tools.compare", *session.posargs)


# -- working on the kata itself --------------------------------------------------------


@nox.session(python=False)
def selftest(session: nox.Session) -> None:
    """The repository's own tests: the reference passes every level, every stub fails, utils work."""
    run_in(session, "kata-dev", "-m", "ruff", "check", ".")
    # --dist loadfile: a test file's module fixtures (the grader's class, graded once) run on one worker, once
    run_in(session, "kata-dev", "-m", "pytest", "tests", "-n", "auto", "-p", "xdist", "--dist", "loadfile",
           "--timeout=1200", *session.posargs)
    if not session.posargs:  # a whole self-test also checks what learners see on both ends of pytest's range
        for versions in FEEDBACK_VERSIONS:  # one notify per parameter: a bare name queues only the first
            session.notify(f"feedback_versions(versions='{versions}')")


@nox.session(python=False)
def check(session: nox.Session) -> None:
    """For contributors: the manifest, every engine file listed with its claims, stubs fail, claims pass (-- --static: no runs)."""
    run_in(session, "kata-dev", "-m", "tests.check", *session.posargs)


@nox.session(python=False)
def bench(session: nox.Session) -> None:
    """Speed and memory of the engines, side by side with micrograd and PyTorch; the learner's loop."""
    # the first runs it times use this nox, the learner's, not the one the bench's environment holds
    run_in(session, "kata-dev", "-m", "bench", *session.posargs, env={"KATA_NOX_PYTHON": sys.executable})


@nox.session(python=False)
def mutation(session: nox.Session) -> None:
    """Mutation testing of the reference engine against the level tests (slow; not in CI)."""
    run_in(session, "kata-mutation", "-m", "tests.mutation", *session.posargs)


# the lowest and the highest pytest, hypothesis and pytest-timeout that pyproject.toml admits
FEEDBACK_VERSIONS = {
    "lowest": ["pytest==8.0.0", "hypothesis==6.100.0", "pytest-timeout==2.3.1"],
    "highest": ["pytest==9.2.0", "hypothesis==6.170.17", "pytest-timeout==2.4.0"],
}


@nox.session(venv_backend="venv")
@nox.parametrize("versions", list(FEEDBACK_VERSIONS))
def feedback_versions(session: nox.Session, versions: str) -> None:
    """What learners see (failure blocks, summary, diagnosis) on the lowest and highest supported pytest and hypothesis."""
    session.install(*BASE, *FEEDBACK_VERSIONS[versions])
    session.run("python", "-m", "pytest", "tests/test_feedback.py", "tests/test_diagnose.py", "tests/test_golden.py",
                "-p", "no:randomly",
                "-p", "no:cacheprovider", *session.posargs)


@nox.session(python=False)
def bughunt(session: nox.Session) -> None:
    """Find and fix a planted bug: nox -s bughunt -- [N|--random|--list] [--minutes M] | check [--watch] | hint"""
    run_in(session, "kata-torch", "-m", "tools.bughunt", *session.posargs, extras=("watch",))


def grade_needs_torch(posargs: list[str]) -> bool:
    """Whether the levels to grade need PyTorch, read by the grader's own parser (a bad option: no;
    the grader itself says what is wrong with it)."""
    import contextlib
    import io

    from tools.grade.options import parser

    try:
        with contextlib.redirect_stderr(io.StringIO()):
            args, _ = parser().parse_known_args(posargs)
    except SystemExit:
        return False
    return any(manifest.level(n).needs_torch for n in args.levels)


@nox.session(python=False)
def grade(session: nox.Session) -> None:
    """Grade a class: nox -s grade -- SUBMISSIONS --out DIR [--levels 1-3|1-4] [--hidden-seed N] | --bundle OUT.zip"""
    torch = grade_needs_torch(session.posargs)
    run_in(session, "kata-torch" if torch else "kata", "-m", "tools.grade", *session.posargs, extras=("watch",))


@nox.session(python=False)
def grade_e2e(session: nox.Session) -> None:
    """As root: the Gradescope bundle run as Gradescope runs it (setup.sh, run_autograder per submission); docs/instructors.md"""
    run_stdlib(session, "-m", "tests.grade_e2e", *session.posargs)
